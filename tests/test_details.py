"""The build's details (build/details.py): a SQLite row per account, so that a rebuild of one
account replaces one row, and damaged or foreign details mean a full build, never a wrong index."""

from __future__ import annotations

import os
import sqlite3
from functools import partial
from pathlib import Path

import pytest

from outcomesite.build.details import AccountRow, Details, DetailsError, stored_row
from outcomesite.build.state import BuildState
from outcomesite.errors import Diagnostic, OutcomesiteError
from outcomesite.layout import DETAILS_FILE
from outcomesite.render.index import IndexHead, IndexPieces
from outcomesite.workers import run_tasks
from tests.conftest import VALID, make_site
from tests.test_incremental import GLOBEX, INITECH, age, build, from_scratch, snapshot


def rows(out: Path) -> dict[str, tuple[object, ...]]:
    with sqlite3.connect(out / DETAILS_FILE) as db:
        return {row[0]: row for row in db.execute("SELECT * FROM accounts")}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX, "initech": INITECH})
    age(tmp_path)
    build(tmp_path)
    return tmp_path


def test_an_edit_replaces_only_its_accounts_row(site: Path) -> None:
    before = rows(site / "build")
    assert set(before) == {"acme", "globex", "initech"}
    make_site(site, {"globex": GLOBEX.replace("current: 44", "current: 41")})
    assert build(site).changed == ["globex"]
    after = rows(site / "build")
    assert {slug for slug in after if after[slug] != before[slug]} == {"globex"}
    assert snapshot(site / "build") == from_scratch(site)


def test_a_removed_account_loses_its_row(site: Path) -> None:
    (site / "content" / "accounts" / "initech.md").unlink()
    assert build(site).changed == ["initech"]
    assert set(rows(site / "build")) == {"acme", "globex"}
    assert snapshot(site / "build") == from_scratch(site)


@pytest.mark.parametrize(
    "damage",
    [
        "DELETE FROM accounts WHERE slug = 'acme'",  # a row missing
        "UPDATE build SET value = '\"another\"' WHERE key = 'build_id'",  # another build's
        "DROP TABLE accounts",
    ],
)
def test_details_that_do_not_match_the_state_mean_a_full_build(site: Path, damage: str) -> None:
    with sqlite3.connect(site / "build" / DETAILS_FILE) as db:
        db.execute(damage)
    state = BuildState.read(site / "build")
    assert state is not None and not state.has_details(site / "build")
    make_site(site, {"acme": VALID.replace("current: 44", "current: 43")})
    assert build(site).changed is None
    assert snapshot(site / "build") == from_scratch(site)
    assert set(rows(site / "build")) == {"acme", "globex", "initech"}


def test_exports_come_in_the_order_asked_and_rows_are_whole(tmp_path: Path) -> None:
    details = Details.create(tmp_path / "d.sqlite")
    for slug in ("b", "a", "c"):
        details.put(slug, AccountRow(pieces_of(slug, json=f'"{slug}"'), [], [], []))
    with pytest.raises(DetailsError):  # not finished: no build owns it yet
        Details.open(tmp_path / "d.sqlite", "b1", 3)
    details.finish("b1")
    with pytest.raises(DetailsError):
        Details.open(tmp_path / "d.sqlite", "b1", 4)  # a row short of the state's accounts
    details = Details.open(tmp_path / "d.sqlite", "b1", 3)
    exports = [(f'"{s}"', "a,b\n", "") for s in "cab"]
    assert list(details.exports(["c", "a", "b"])) == exports
    assert list(details.exports(["b"])) == [('"b"', "a,b\n", "")]
    assert details.texts(["a", "c"], "html") == {"a": TEXTS["html"], "c": TEXTS["html"]}
    with pytest.raises(ValueError):
        details.texts(["a"], "json")
    assert details.heads()["c"] == IndexHead(**{**HEAD, "slug": "c"})  # type: ignore[arg-type]
    details.close()


HEAD = {
    "account": "A",
    "rung": 2,
    "segment": "smb",
    "csm": "Dana",
    "result_check": "not_due",
    "needs_attention": False,
    "severity": None,
    "renewal_date": None,
    "arr": None,
    "status": "active",
    "start_date": "2026-01-01",
    "renewals": [],
    "digest": "d",
}
TEXTS = {"json": "", "csv": "a,b\n", "results_csv": "", "html": "<tr></tr>", "card": ""}


def pieces_of(slug: str, **texts: str) -> IndexPieces:
    head = IndexHead(**{**HEAD, "slug": slug})  # type: ignore[arg-type]
    return IndexPieces(head, **{**TEXTS, **texts})


def test_a_database_that_cannot_be_written_is_an_os_error_naming_it(tmp_path: Path) -> None:
    """A full disk shows up as an SQLite error; the build reports it as the file it could not
    write, like any other (build_site turns an OSError into "could not write the build")."""
    details = Details.create(tmp_path / "d.sqlite")
    details.close()  # any SQLite error on writing: here, a connection that is gone
    row = AccountRow(pieces_of("a"), [], [], [])
    with pytest.raises(OSError) as failed:
        details.put("a", row)
    assert failed.value.filename == str(tmp_path / "d.sqlite")
    assert "the build's details cannot be written" in str(failed.value.strerror)


def test_a_damaged_row_is_a_clear_error_when_its_warnings_are_asked_for(site: Path) -> None:
    with sqlite3.connect(site / "build" / DETAILS_FILE) as db:
        db.execute("UPDATE accounts SET warnings = x'00', codes = 'x' WHERE slug = 'acme'")
    report = build(site)
    assert report.changed == []
    with pytest.raises(OutcomesiteError, match="are damaged: run `outcomesite build --no-cache`"):
        _ = report.warnings


def test_warning_counts_follow_edits_and_removals_without_a_recount(tmp_path: Path) -> None:
    """The details keep the accounts' warnings counted as rows change (a rebuild does not read
    every row to count them): after each step the counts equal a full build's."""
    stale = VALID.replace("measured_on: 2026-11-01", "measured_on: 2026-05-01").replace(
        "start_date: 2026-09-01", "start_date: 2026-04-01"
    )
    make_site(tmp_path, {"acme": stale, "globex": stale.replace("Acme Corp", "Globex Inc")})
    age(tmp_path)
    assert build(tmp_path).warning_counts == {"stale": 2}
    steps = [
        lambda: make_site(tmp_path, {"globex": GLOBEX}),  # its warning fixed
        lambda: make_site(tmp_path, {"initech": stale.replace("Acme Corp", "Initech")}),  # added
        lambda: (tmp_path / "content" / "accounts" / "acme.md").unlink(),  # removed
    ]
    for step, expected in zip(steps, [1, 2, 1], strict=True):
        step()
        report = build(tmp_path)
        assert report.changed is not None  # a rebuild, not a full build
        full = build(tmp_path, out=tmp_path / "scratch", use_cache=False)
        assert report.warning_counts == full.warning_counts == {"stale": expected}


def test_a_new_database_counts_the_warnings_of_a_row_put_again_once(tmp_path: Path) -> None:
    """A new database (a full build) looks for no old row to take out of the counts, except
    for an account this build put already."""
    stale = Diagnostic("content/accounts/a.md", 3, "warning", "stale", "stale")
    details = Details.create(tmp_path / "d.sqlite")
    details.put("a", AccountRow(pieces_of("a"), [stale, stale], [], []))
    details.put("b", AccountRow(pieces_of("b"), [stale], [], []))
    details.put("a", AccountRow(pieces_of("a"), [stale], [], []))
    assert details.warning_counts() == {"stale": 2}
    details.close()


def test_the_stored_head_shape_is_pinned_to_the_schema_version() -> None:
    """Heads are stored as arrays in IndexHead's field order: a field added, removed or moved
    must come with a new details.SCHEMA, so that the last build's details are rebuilt rather
    than read in the wrong order. Update both together."""
    from outcomesite.build.details import SCHEMA
    from outcomesite.render.index import HEAD_FIELDS

    assert (SCHEMA, HEAD_FIELDS) == (
        4,
        (
            "slug", "account", "rung", "segment", "csm", "result_check", "needs_attention",
            "severity", "renewal_date", "arr", "status", "start_date", "renewals", "digest",
        ),
    )  # fmt: skip


def _texts_read_here(details: Details) -> tuple[int, dict[str, str]]:
    return os.getpid(), details.here().texts(["a", "b"], "html")


def test_a_forked_worker_reads_what_the_parent_flushed_and_the_parent_writes_on(
    tmp_path: Path,
) -> None:
    """build/write.py's index workers read the details through `here()`: their own read-only
    connection (one must not be used across a fork), seeing every row the parent flushed."""
    details = Details.create(tmp_path / "d.sqlite")
    details.put("a", AccountRow(pieces_of("a", html="<tr>a</tr>"), [], [], []))
    details.put("b", AccountRow(pieces_of("b", html="<tr>b</tr>"), [], [], []))
    details.flush()
    read = partial(_texts_read_here, details)
    results = run_tasks([read, read, read], jobs=2)
    assert {pid for pid, _ in results} - {os.getpid()}  # they ran in forked workers
    assert [texts for _, texts in results] == [{"a": "<tr>a</tr>", "b": "<tr>b</tr>"}] * 3
    assert details.here() is details  # in the parent: its own connection, still writing
    details.put("c", AccountRow(pieces_of("c"), [], [], []))
    details.finish("b1")
    assert set(Details.open(tmp_path / "d.sqlite", "b1", 3).heads()) == {"a", "b", "c"}


def test_a_stored_row_is_the_row_the_details_keep(tmp_path: Path) -> None:
    """The worker sends its row as the tables keep it (stored_row): putting that is putting
    the row, warnings counted by their codes."""
    stale = Diagnostic("content/accounts/a.md", 3, "warning", "stale", "stale")
    row = AccountRow(pieces_of("a", card="<li>a</li>"), [stale, stale], ["n"], ["l"], ["k1"])
    one, other = Details.create(tmp_path / "1.sqlite"), Details.create(tmp_path / "2.sqlite")
    one.put("a", row)
    stored = stored_row("a", row)
    other.put_stored(stored)
    assert stored.keys() == ["k1"]
    for details in (one, other):
        details.finish("b1")
    with sqlite3.connect(tmp_path / "1.sqlite") as a, sqlite3.connect(tmp_path / "2.sqlite") as b:
        for query in ("SELECT * FROM accounts", "SELECT * FROM heads", "SELECT * FROM build"):
            assert list(a.execute(query)) == list(b.execute(query))
