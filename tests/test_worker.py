"""One pass per account in the build's workers (build/worker.py): the parent keeps only records,
PDFs the cache lacks wait in a spool that every build removes, and chunks bound a worker's memory."""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outcomesite.build import BuildOptions, BuildRefused, build_site, write
from outcomesite.build.spool import Spool
from outcomesite.build.stamps import Stamp
from outcomesite.build.state import AccountRecord
from outcomesite.workers import STEP_BYTES, by_size, chunk_spans, each_chunk, run_tasks
from tests.conftest import AS_OF, VALID, copy_sample, edited, make_site, run_cli
from tests.test_incremental import snapshot

ENV = {"OUTCOMESITE_SECRET": "worker-test-secret-0123456789abcdef0123"}


def _spans(state: None, start: int, end: int) -> tuple[int, int]:
    return (start, end)


def _every(start: int, end: int, size: int) -> list[tuple[int, int]]:
    return [(s, min(s + size, end)) for s in range(start, end, size)]


@pytest.mark.parametrize(
    ("count", "jobs", "most", "spans"),
    [
        (0, 1, None, []),
        (5, 1, None, [(0, 5)]),
        (5, 1, 2, [(0, 2), (2, 4), (4, 5)]),
        # workers x 4 chunks, the last two chunks' worth in quarters (32 = 125 / 4, rounded up)
        (1000, 2, None, [*_every(0, 750, 125), *_every(750, 1000, 32)]),
        (1000, 2, 200, [*_every(0, 750, 125), *_every(750, 1000, 32)]),  # already under 200
        (1000, 2, 100, [*_every(0, 800, 100), *_every(800, 1000, 25)]),
        (450, 2, 200, [*_every(0, 336, 57), *_every(336, 450, 15)]),
    ],
)
def test_chunks_never_hold_more_than_asked(
    count: int, jobs: int, most: int | None, spans: list[tuple[int, int]]
) -> None:
    assert list(each_chunk(_spans, None, count, jobs, most=most)) == spans


@given(
    count=st.integers(0, 5000),
    workers=st.integers(1, 8),
    most=st.one_of(st.none(), st.integers(1, 300)),
)
def test_chunks_cover_every_item_once_and_end_small(
    count: int, workers: int, most: int | None
) -> None:
    spans = chunk_spans(count, workers, most)
    assert [i for start, end in spans for i in range(start, end)] == list(range(count))
    assert all(0 < end - start <= (most or count) for start, end in spans)
    full = spans[0][1] - spans[0][0] if spans else 0
    if workers > 1 and count > workers * full:
        # The last `workers` full chunks' worth of items is in chunks of a quarter of one.
        tail = count - workers * full
        assert all(end - start <= full for start, end in spans)
        assert all(end - start <= -(-full // 4) for start, end in spans if start >= tail)


def _build(root: Path, out: Path, **options: object) -> None:
    build_site(root, BuildOptions(out=out, as_of=AS_OF, environ=ENV, **options))  # type: ignore[arg-type]


def test_a_build_that_keeps_no_pages_writes_the_same_site(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    kept = build_site(site, BuildOptions(tmp_path / "kept", pdf=False, as_of=AS_OF, environ=ENV))
    lean = build_site(
        site,
        BuildOptions(tmp_path / "lean", pdf=False, as_of=AS_OF, environ=ENV, keep_pages=False),
    )
    assert len(kept.pages) >= 8 and lean.pages == [] and lean.versions == []
    assert lean.reports == kept.reports and lean.accounts == kept.accounts
    assert snapshot(tmp_path / "kept") == snapshot(tmp_path / "lean")
    # The accounts' warnings: in the details for both; in the report's site only when kept.
    assert lean.warnings == kept.warnings and lean.warning_counts == kept.warning_counts
    assert kept.site is not None and lean.site is not None
    accounts = [d for d in kept.site.diagnostics if d.path.startswith("content/accounts/")]
    assert accounts and accounts == [w for w in kept.warnings if w in accounts]
    assert not [d for d in lean.site.diagnostics if d.path.startswith("content/accounts/")]


def test_the_pdf_spool_is_removed_after_a_build_and_after_a_refused_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDFs are spooled next to the build folder (a killed build's spool goes with its
    staging folder: test_trust_builds.py), never in the system's temporary folder."""
    spools = tmp_path / "tmp"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    site = make_site(tmp_path / "site", {"acme": VALID})
    result = run_cli(site, "build", "--as-of", AS_OF.isoformat(), "--no-cache", env=ENV)
    # (multiprocessing keeps its own folder there: pymp-*)
    assert result.exit_code == 0, result.output
    assert len(list((site / "build" / "public" / "r").glob("*/*.pdf"))) == 1
    assert [p.name for p in spools.iterdir() if not p.name.startswith("pymp-")] == []
    assert list(site.glob(".build.tmp-*")) == []

    broken = edited("a date that is not one", [("start_date: 2026-09-01", "start_date: soon")])
    (site / "content" / "accounts" / "acme.md").write_text(broken, encoding="utf-8")
    before = snapshot(site / "build")
    with pytest.raises(BuildRefused):
        _build(site, site / "build", use_cache=False)
    assert [p.name for p in spools.iterdir() if not p.name.startswith("pymp-")] == []
    assert list(site.glob(".build.tmp-*")) == []
    assert snapshot(site / "build") == before  # the last good build, byte for byte


def test_each_account_of_a_chunk_keeps_its_own_pages_whatever_fails_beside_it(
    tmp_path: Path,
) -> None:
    """A worker takes its chunk one step at a time (validate all, plan all, render all...),
    each step after validating over the valid accounts only: files with errors between them
    leave every report, record and row with its own account. A preview builds the valid ones
    and lists the others' errors."""
    broken = edited("a date that is not one", [("start_date: 2026-09-01", "start_date: soon")])
    accounts = {
        f"acct-{n}": broken if n % 3 == 1 else VALID.replace("Acme Corp", f"Company {n}")
        for n in range(8)
    }
    site = make_site(tmp_path / "site", accounts)
    options = BuildOptions(tmp_path / "out", pdf=False, as_of=AS_OF, environ=ENV, preview=True)
    report = build_site(site, options)
    valid = sorted(slug for slug, text in accounts.items() if text != broken)
    assert (
        sorted(page.account.slug for page in report.pages) == valid == sorted(report.state.accounts)
    )
    for page in report.pages:
        html = (tmp_path / "out" / "public" / page.folder / "index.html").read_text("utf-8")
        assert f"Company {page.account.slug[-1]}" in html
        assert report.state.accounts[page.account.slug].folder == f"public/{page.folder}"
    assert {d.path for d in report.errors} == {
        f"content/accounts/{slug}.md" for slug, text in accounts.items() if text == broken
    }
    # Its workers stamped every file, broken ones too (a cold build's parent scans none): the
    # stamps came back through the spool with the records.
    assert {key for key in report.state.stamps if key.startswith("content/accounts/")} == {
        f"content/accounts/{slug}.md" for slug in accounts
    }


def test_the_spool_gives_back_the_records_and_stamps_as_they_came(tmp_path: Path) -> None:
    """A build's records and stamps wait in an unnamed file (build/spool.py) until the state is
    written: read back equal, in their order, an account with errors stamped without a record,
    and nothing left in the folder."""
    spool = Spool(tmp_path)
    sha = "ab" * 32
    sent: list[tuple[str, AccountRecord | None, dict[str, Stamp]]] = [
        ("b", AccountRecord(sha, ["public/r/x/index.html", "public/r/x/v1/index.html"], 2), {}),
        ("a", None, {"content/accounts/a.md": Stamp(12, -1, sha)}),
        (
            "c",
            AccountRecord("", ["public/r/y/index.html", "public/r/y/report.pdf"], 1, 1),
            {"content/accounts/c.md": Stamp(3, 1_700_000_000_123_456_789, sha)},
        ),
    ]
    for slug, record, stamps in sent:
        spool.add(slug, record, stamps)
    assert not list(tmp_path.iterdir())
    records, stamps = spool.read()
    assert list(records.items()) == [(slug, r) for slug, r, _ in sent if r is not None]
    assert list(stamps.items()) == [item for _, _, s in sent for item in s.items()]
    assert all(type(stamp) is Stamp for stamp in stamps.values())


@pytest.mark.parametrize(
    ("sizes", "most", "count", "groups"),
    [
        ([], 10, None, []),
        ([3, 3, 3], 10, None, [[0, 1, 2]]),
        ([4, 4, 4], 10, None, [[0, 1], [2]]),
        ([5, 5, 5, 5], 10, None, [[0, 1], [2, 3]]),  # exactly the most fits
        ([11, 1, 1], 10, None, [[0], [1, 2]]),  # a larger file is a group of its own
        ([1, 11, 1], 10, None, [[0], [1], [2]]),
        ([0, 0, 0], 0, None, [[0, 1, 2]]),
        ([1] * 5, 10, 2, [[0, 1], [2, 3], [4]]),  # and at most `count` files
        ([4, 4, 4, 1], 10, 3, [[0, 1], [2, 3]]),  # the bytes end a group before the count
        (
            [900_000] * 3 + [4_000] * 200,
            STEP_BYTES,
            None,
            [[0], [1], [2, *range(3, 28)], list(range(28, 203))],
        ),
    ],
)
def test_files_go_through_the_steps_in_groups_of_a_size(
    tmp_path: Path, sizes: list[int], most: int, count: int | None, groups: list[list[int]]
) -> None:
    """A worker takes its chunk's files through each step a group at a time (build/worker.py;
    `check` at most 200 files a group): what waits between steps grows with the files, so
    large ones go a few at a time."""
    paths = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"account-{number:04d}.md"
        path.write_bytes(b"x" * size)
        paths.append(path)
    assert by_size(paths, most, count) == [[paths[n] for n in group] for group in groups]


def test_a_missing_file_counts_as_empty_in_a_group(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_bytes(b"x" * 8)
    paths = [tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md"]
    assert by_size(paths, 8) == [paths]


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value


def _fails() -> tuple[int, int]:
    raise OSError(errno.ENOSPC, "No space left on device", "internal/index.json")


@pytest.mark.parametrize("jobs", [1, 2])
def test_tasks_give_their_results_in_order_in_workers_or_in_process(jobs: int) -> None:
    results = run_tasks([partial(_pid_and, n) for n in range(7)], jobs)
    assert [value for _, value in results] == list(range(7))
    pids = {pid for pid, _ in results}
    assert (pids == {os.getpid()}) == (jobs == 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_task_that_cannot_write_is_the_callers_os_error(jobs: int) -> None:
    with pytest.raises(OSError) as raised:
        tasks: list[Callable[[], tuple[int, int]]] = [partial(_pid_and, 1), _fails]
        run_tasks(tasks, jobs)
    assert raised.value.errno == errno.ENOSPC
    assert raised.value.filename == "internal/index.json"


def test_the_index_written_by_workers_is_the_index_written_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build/write.py hands the index's files to forked workers when there are enough rows
    (a full build of thousands of accounts); here every row is enough. The files are the same,
    for a full build and for a rebuild that patches the exports and rewrites a few pages."""
    site = copy_sample(tmp_path / "site")
    _build(site, tmp_path / "alone", pdf=False, jobs=1)
    monkeypatch.setattr(write, "_ROWS_PER_WORKER", 1)
    _build(site, tmp_path / "workers", pdf=False, jobs=2)
    assert snapshot(tmp_path / "alone") == snapshot(tmp_path / "workers")
    account = sorted((site / "content" / "accounts").glob("*.md"))[0]
    text = account.read_text(encoding="utf-8")
    account.write_text(re.sub(r"(?m)^account: .*$", "account: Renamed Co", text, count=1))
    options = BuildOptions(tmp_path / "workers", pdf=False, jobs=2, as_of=AS_OF, environ=ENV)
    assert build_site(site, options).changed == [account.stem]  # a rebuild of one account
    _build(site, tmp_path / "again", pdf=False, jobs=1, use_cache=False)
    assert snapshot(tmp_path / "workers") == snapshot(tmp_path / "again")
