"""Incremental builds: a rebuild equals a full build byte for byte, and touches exactly what changed.

Every case builds a real site twice in place (the second build reads the first one's state), then
builds the same content from scratch into another folder and compares the two trees.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from outcomesite import workers
from outcomesite.build import BuildOptions, BuildRefused, BuildReport, build_site
from outcomesite.build.stamps import Scanner
from outcomesite.build.state import BuildState
from outcomesite.errors import OutcomesiteError
from outcomesite.layout import ACCOUNTS, BOOKKEEPING, DETAILS_FILE, STATE_FILE
from outcomesite.links import link_id
from tests.conftest import AS_OF, VALID, copy_sample, make_site, run_cli
from tests.test_history import commit_all, git

SECRET = "incremental-secret-0123456789abcdef0123456789abcdef"
ENV = {"OUTCOMESITE_SECRET": SECRET}
OPTIONS = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF, jobs=1)
GLOBEX = VALID.replace("Acme Corp", "Globex Inc")
INITECH = (
    VALID.replace("Acme Corp", "Initech")
    .replace("current: 44", "current: 58")
    .replace("csm: Dana Reyes", "csm: Sam Lee")
    .replace("segment: enterprise", "segment: smb")
)
HOUR_AGO = 3600


def build(root: Path, **changes: Any) -> BuildReport:
    return build_site(root, replace(OPTIONS, **changes))


def snapshot(folder: Path) -> dict[str, str]:
    """Every built file's hash; the state file is the build's bookkeeping, not its output."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in BOOKKEEPING
    }


def stamps(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.*")}


def from_scratch(root: Path, **changes: object) -> dict[str, str]:
    """The same site built by a full build into a fresh folder."""
    out = root / "scratch"
    shutil.rmtree(out, ignore_errors=True)
    build(root, out=out, use_cache=False, **changes)
    return snapshot(out)


def age(root: Path, seconds: int = HOUR_AGO) -> None:
    """Make every account file look saved a while ago, as they are between real builds."""
    past = os.stat(root).st_mtime - seconds
    for path in (root / "content").rglob("*"):
        os.utime(path, (past, past))


def report_folder(slug: str, link_version: int = 1) -> str:
    return f"public/r/{link_id(SECRET.encode(), slug, link_version)}"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX, "initech": INITECH})
    age(tmp_path)
    first = build(tmp_path)
    assert first.changed is None, "the first build is a full one"
    return tmp_path


def test_nothing_changed_writes_nothing_and_reports_the_same(site: Path) -> None:
    before = stamps(site / "build")
    full = build(site, out=site / "other", use_cache=False)
    again = build(site)
    assert again.changed == [] and again.site is None and again.pages == []
    assert stamps(site / "build") == before
    assert (again.accounts, again.reports, again.warnings) == (3, 3, full.warnings)
    assert snapshot(site / "build") == snapshot(site / "other")


def test_one_edit_rewrites_that_account_and_the_index_only(site: Path) -> None:
    before = stamps(site / "build")
    make_site(site, {"globex": GLOBEX.replace("current: 44", "current: 41")})
    report = build(site)
    assert report.changed == ["globex"]
    assert [p.account.slug for p in report.pages] == ["globex"]
    after = stamps(site / "build")
    rewritten = {name for name in after if after[name] != before.get(name)}
    # The pages that show Globex, the first page and the exports; not Sam Lee's or smb's page.
    assert rewritten == {
        *BOOKKEEPING,
        f"{report_folder('globex')}/index.html",
        "internal/index.html",
        "internal/index.json",
        "internal/index.csv",
        "internal/results.csv",
        "internal/accounts-1.html",
        "internal/csm-dana-reyes-1.html",
        "internal/segment-enterprise-1.html",
    }
    assert {"internal/csm-sam-lee-1.html", "internal/segment-smb-1.html"} <= set(after)
    assert snapshot(site / "build") == from_scratch(site)
    assert "41" in (site / "build" / report_folder("globex") / "index.html").read_text()


def test_added_and_removed_accounts(site: Path) -> None:
    (site / "content/accounts/initech.md").unlink()
    make_site(site, {"hooli": VALID.replace("Acme Corp", "Hooli")})
    report = build(site)
    assert report.changed == ["hooli", "initech"]
    assert not (site / "build" / report_folder("initech")).exists()
    assert (site / "build" / report_folder("hooli") / "index.html").is_file()
    assert report.accounts == 3
    assert snapshot(site / "build") == from_scratch(site)


def test_a_new_link_version_moves_the_report(site: Path) -> None:
    make_site(site, {"acme": VALID.replace("csm: Dana Reyes", "csm: Dana Reyes\nlink_version: 2")})
    build(site)
    assert not (site / "build" / report_folder("acme")).exists()
    assert (site / "build" / report_folder("acme", 2) / "index.html").is_file()
    assert snapshot(site / "build") == from_scratch(site)


def test_an_image_in_the_accounts_folder_is_part_of_the_account(site: Path) -> None:
    chart = Path(__file__).parent.parent / "content/accounts/northwind-logistics/chart.png"
    make_site(site, {"acme": VALID.replace("Onboarding is faster.", "![Chart](chart.png)")})
    (site / "content/accounts/acme").mkdir()
    shutil.copyfile(chart, site / "content/accounts/acme/chart.png")
    assert build(site).changed == ["acme"]
    published = site / "build" / report_folder("acme") / "chart.png"
    assert published.read_bytes() == chart.read_bytes()

    (site / "content/accounts/acme/chart.png").write_bytes(chart.read_bytes() + b"\0")
    assert build(site).changed == ["acme"]
    assert published.read_bytes().endswith(b"\0")
    assert snapshot(site / "build") == from_scratch(site)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cold_build_records_its_accounts_as_a_scan_before_it_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Without a last build nothing is compared, so the parent does not scan the accounts
    before building: each worker stamps its own. The record holds what a scan of the site
    gives (digests and stamps, an account with images included), and the next build is a
    no-op."""
    site = copy_sample(tmp_path / "site")
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)  # forked workers for a few accounts
    out = tmp_path / "out"
    assert build(site, out=out, jobs=jobs).changed is None  # a full build
    state = BuildState.read(out)
    assert state is not None
    scanner = Scanner(site)
    digests = scanner.accounts()
    assert {slug: record.digest for slug, record in state.accounts.items()} == digests
    assert {k: v for k, v in state.stamps.items() if k.startswith(ACCOUNTS)} == scanner.stamps
    assert any("/" in key.removeprefix(f"{ACCOUNTS}/") for key in scanner.stamps)  # an image
    assert build(site, out=out, jobs=jobs).changed == []


def test_touching_a_file_without_changing_it_is_not_a_change(site: Path) -> None:
    (site / "content/accounts/acme.md").touch()
    assert build(site).changed == []


def test_an_edit_in_the_same_clock_tick_as_the_build_is_still_seen(tmp_path: Path) -> None:
    """Same size, same mtime, new content: only a stamp taken long enough after the save is
    trusted, so a file saved just before a build is read again next time."""
    path = make_site(tmp_path, {"acme": VALID}) / "content/accounts/acme.md"
    # Saved "now" as the build's clock sees it, however long a loaded machine takes to get
    # from here to the build's scan (more than the 20 ms tick made this test flaky).
    soon = time.time_ns() + 5_000_000_000
    os.utime(path, ns=(soon, soon))
    build(tmp_path)  # the file was saved within the scan's tick: its stamp is not trusted
    stat = path.stat()
    path.write_text(VALID.replace("current: 44", "current: 45"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert build(tmp_path).changed == ["acme"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda root: (root / "outcomesite.yaml").write_text("vendor: Outcomely\n"), "config"),
        (lambda root: _theme_css(root), "theme"),
        (lambda root: None, "as_of"),
        (lambda root: None, "secret"),
        (lambda root: None, "pdf"),
    ],
)
def test_site_wide_changes_rebuild_everything(site: Path, change: object, why: str) -> None:
    change(site)  # type: ignore[operator]
    every: dict[str, dict[str, Any]] = {
        "as_of": {"as_of": AS_OF.replace(day=24)},
        "secret": {"environ": {"OUTCOMESITE_SECRET": "another-0123456789abcdef0123456789abcdef"}},
        "pdf": {"pdf": True},
    }
    settings = every.get(why, {})
    report = build(site, **settings)
    assert report.changed is None, why
    assert len(report.pages) == 3


def _theme_css(root: Path) -> None:
    assets = root / "themes" / "brand" / "assets"
    assets.mkdir(parents=True)
    (root / "outcomesite.yaml").write_text("theme: brand\n")
    build(root)  # the config change is a full build on its own
    (assets / "theme.css").write_text("h1 { color: teal; }\n")


def test_files_removed_from_the_output_by_hand_are_put_back(site: Path) -> None:
    page = site / "build" / report_folder("acme") / "index.html"
    page.unlink()
    report = build(site)
    assert report.changed is None and page.is_file()


def test_no_cache_rebuilds_everything(site: Path) -> None:
    assert build(site, use_cache=False).changed is None


def test_an_edit_with_errors_is_refused_and_the_built_site_stays(site: Path) -> None:
    before = snapshot(site / "build")
    make_site(site, {"acme": VALID.replace("    owner: Dana Reyes\n", "")})
    with pytest.raises(BuildRefused) as refused:
        build(site)
    assert [d.message for d in refused.value.site.diagnostics if d.severity == "error"] == [
        "result `onboarding-time`: `owner` is missing: add a line `owner: ...` with the internal "
        "owner of this result (a person's name)"
    ]
    assert snapshot(site / "build") == before
    assert (site / "build" / STATE_FILE).is_file()
    make_site(site, {"acme": VALID})
    assert build(site).changed == []  # back to what was built: nothing to do


def test_warnings_of_unchanged_accounts_are_still_reported(tmp_path: Path) -> None:
    stale = VALID.replace("measured_on: 2026-11-01", "measured_on: 2026-05-01").replace(
        "start_date: 2026-09-01", "start_date: 2026-04-01"
    )
    make_site(tmp_path, {"acme": stale, "globex": GLOBEX})
    first = build(tmp_path)
    assert len(first.warnings) == 1
    make_site(tmp_path, {"globex": GLOBEX.replace("current: 44", "current: 43")})
    second = build(tmp_path)
    assert second.changed == ["globex"]
    assert second.warnings == first.warnings


def test_with_pdfs_only_the_edited_accounts_pdf_is_rendered(site: Path) -> None:
    build(site, pdf=True)
    make_site(site, {"acme": VALID.replace("current: 44", "current: 43")})
    report = build(site, pdf=True)
    assert report.changed == ["acme"]
    assert (report.pdfs, report.pdfs_reused) == (3, 2)
    # The other accounts' PDFs stayed in the cache: a full build elsewhere renders none.
    elsewhere = build(site, pdf=True, out=site / "elsewhere")
    assert (elsewhere.changed, elsewhere.pdfs_reused) == (None, 3)
    assert snapshot(site / "build") == snapshot(site / "elsewhere")


def test_drafts_and_commits_in_git(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    commit_all(tmp_path, "one", "2026-11-02T10:00:00")
    age(tmp_path)
    build(tmp_path)

    make_site(tmp_path, {"acme": VALID.replace("current: 44", "current: 43")})
    draft = build(tmp_path)
    assert draft.changed == ["acme"]
    assert (draft.pages[0].version, draft.pages[0].draft) == (2, True)
    assert snapshot(tmp_path / "build") == from_scratch(tmp_path)

    commit_all(tmp_path, "two", "2026-11-03T10:00:00")
    committed = build(tmp_path)
    # A new commit rebuilds the accounts it changed (acme's draft becomes version 2); globex's
    # versions did not move. The same bytes as a full build.
    assert committed.changed == ["acme"]
    assert [(p.account.slug, p.version, p.draft) for p in committed.pages] == [("acme", 2, False)]
    assert snapshot(tmp_path / "build") == from_scratch(tmp_path)

    # A commit of files that are not accounts rebuilds nothing; one that edits, adds and removes
    # accounts rebuilds exactly those.
    (tmp_path / "NOTES.md").write_text("team notes\n", encoding="utf-8")
    commit_all(tmp_path, "three", "2026-11-04T10:00:00")
    assert build(tmp_path).changed == []
    make_site(tmp_path, {"globex": GLOBEX.replace("current: 44", "current: 45"), "initech": VALID})
    (tmp_path / "content" / "accounts" / "acme.md").unlink()
    commit_all(tmp_path, "four", "2026-11-05T10:00:00")
    moved = build(tmp_path)
    assert moved.changed == ["acme", "globex", "initech"]
    assert snapshot(tmp_path / "build") == from_scratch(tmp_path)


def test_the_command_line_says_what_changed(site: Path) -> None:
    env = {**ENV, "CI": ""}
    quiet = run_cli(site, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=env)
    assert quiet.exit_code == 0, quiet.stderr
    assert "built 3 account(s) (0 changed): 3 report(s), 0 PDF(s)" in quiet.stderr
    make_site(site, {"acme": VALID.replace("current: 44", "current: 43")})
    edited = run_cli(site, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), "-v", env=env)
    assert "built 3 account(s) (1 changed): 3 report(s)" in edited.stderr
    assert f"  {report_folder('acme')[len('public/') :]}/  acme v1, rung 4" in edited.stderr
    full = run_cli(site, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), "--no-cache", env=env)
    assert "built 3 account(s): 3 report(s)" in full.stderr


def test_damaged_details_mean_a_full_build_or_a_clear_error(site: Path) -> None:
    (site / "build" / DETAILS_FILE).write_text("{}", encoding="utf-8")
    up_to_date = build(site)
    assert up_to_date.changed == [] and up_to_date.accounts == 3
    with pytest.raises(OutcomesiteError) as damaged:
        _ = up_to_date.warnings
    assert str(damaged.value) == (
        f"the records in {site / 'build'} are damaged: run `outcomesite build --no-cache`"
    )
    make_site(site, {"acme": VALID.replace("current: 44", "current: 43")})
    assert build(site).changed is None, "an edit cannot be applied without the records"
    assert snapshot(site / "build") == from_scratch(site)


def test_an_up_to_date_site_is_reported_without_its_details_file(tmp_path: Path) -> None:
    """The default output (warnings by kind, notes) comes from the small state file: a no-op at
    10,000 accounts does not read the 30 MB of details to print one line (`--verbose` does)."""
    stale = VALID.replace("measured_on: 2026-11-01", "measured_on: 2026-05-01").replace(
        "start_date: 2026-09-01", "start_date: 2026-04-01"
    )
    make_site(tmp_path, {"acme": stale, "globex": GLOBEX})
    env = {"OUTCOMESITE_SECRET": "incremental-secret-0123456789abcdef0123456789"}
    first = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=env)
    (tmp_path / "build" / DETAILS_FILE).write_text("not the details", encoding="utf-8")
    again = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=env)
    assert again.exit_code == 0, again.output
    assert "(0 changed)" in again.output
    said = [line for line in again.output.splitlines() if "warning" in line]
    assert said[0] == next(line for line in first.output.splitlines() if "warning" in line)
    assert said[0].startswith("1 warning: 1 stale measurement")
    verbose = run_cli(
        tmp_path, "build", "--no-pdf", "--verbose", "--as-of", AS_OF.isoformat(), env=env
    )
    assert verbose.exit_code == 2 and "are damaged" in verbose.output


def test_an_edit_prints_the_edited_accounts_warnings_and_a_summary_of_all(tmp_path: Path) -> None:
    stale = VALID.replace("measured_on: 2026-11-01", "measured_on: 2026-05-01").replace(
        "start_date: 2026-09-01", "start_date: 2026-04-01"
    )
    make_site(tmp_path, {"acme": stale, "globex": stale.replace("Acme Corp", "Globex Inc")})
    args = ("build", "--no-pdf", "--as-of", AS_OF.isoformat())
    full = run_cli(tmp_path, *args, env=ENV)
    assert "content/accounts/" not in full.output  # a full build: the summary only
    make_site(tmp_path, {"globex": stale.replace("Acme Corp", "Globex Ltd")})
    edit = run_cli(tmp_path, *args, env=ENV)
    listed = [line for line in edit.output.splitlines() if line.startswith("content/accounts/")]
    assert listed and all(line.startswith("content/accounts/globex.md:") for line in listed)
    assert "2 warnings: 2 stale measurements" in edit.output  # and the rest, counted
