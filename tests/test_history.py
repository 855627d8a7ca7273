"""Versions from real Git repositories made in temporary folders."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from outcomesite.history.measurements import recorded_measurements
from outcomesite.history.records import Commit
from outcomesite.history.versions import read_repository
from tests.conftest import VALID, git_at, make_site

git = git_at


def commit_all(root: Path, message: str, date: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)
    return git(root, "rev-parse", "HEAD").strip()


def measured(value: int, day: str) -> str:
    return VALID.replace("current: 44", f"current: {value}").replace(
        "measured_on: 2026-11-01", f"measured_on: {day}"
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    return tmp_path


def test_versions_count_commits_that_changed_the_file(repo: Path) -> None:
    make_site(repo, {"acme": measured(58, "2026-05-01"), "other": VALID})
    first = commit_all(repo, "one", "2026-05-01T10:00:00")
    make_site(repo, {"acme": measured(50, "2026-08-01")})
    commit_all(repo, "two", "2026-08-01T10:00:00")
    make_site(repo, {"other": VALID.replace("Acme Corp", "Other Inc")})
    commit_all(repo, "touches only other", "2026-09-01T10:00:00")
    make_site(repo, {"acme": measured(44, "2026-11-01")})
    third = commit_all(repo, "three", "2026-11-02T10:00:00")

    history = read_repository(repo)
    assert history.in_git and not history.shallow
    acme = history.history("content/accounts/acme.md")
    assert [v.number for v in acme.versions] == [1, 2, 3]
    assert acme.versions[0].commit == first
    assert acme.versions[-1].commit == third
    assert acme.versions[-1].date == dt.date(2026, 11, 2)
    assert acme.number == 3 and not acme.draft
    assert history.history("content/accounts/other.md").number == 2


def test_a_renamed_file_starts_a_new_history(repo: Path) -> None:
    """A rename is a new slug with a new share link: its versions never include the old file's,
    which may have been another customer (trust issue: one customer's data on another's link)."""
    make_site(repo, {"acme": measured(58, "2026-05-01")})
    commit_all(repo, "one", "2026-05-01T10:00:00")
    git(repo, "mv", "content/accounts/acme.md", "content/accounts/acme-corp.md")
    rename = commit_all(repo, "rename", "2026-06-01T10:00:00")
    make_site(repo, {"acme-corp": measured(50, "2026-08-01")})
    commit_all(repo, "edit", "2026-08-01T10:00:00")

    repository = read_repository(repo)
    history = repository.history("content/accounts/acme-corp.md")
    assert [(v.number, v.path) for v in history.versions] == [
        (1, "content/accounts/acme-corp.md"),
        (2, "content/accounts/acme-corp.md"),
    ]
    assert history.versions[0].commit == rename
    assert repository.retired == {}  # acme.md is gone and not in use again


def test_deleted_then_recreated_file_starts_again(repo: Path) -> None:
    make_site(repo, {"acme": VALID})
    commit_all(repo, "one", "2026-05-01T10:00:00")
    (repo / "content/accounts/acme.md").unlink()
    commit_all(repo, "delete", "2026-06-01T10:00:00")
    make_site(repo, {"acme": VALID})
    commit_all(repo, "new customer, same slug", "2026-07-01T10:00:00")
    assert read_repository(repo).history("content/accounts/acme.md").number == 1


def test_drafts(repo: Path) -> None:
    make_site(repo, {"acme": VALID, "clean": VALID})
    commit_all(repo, "one", "2026-05-01T10:00:00")
    make_site(repo, {"acme": measured(40, "2026-11-20"), "brand-new": VALID})
    history = read_repository(repo)
    edited = history.history("content/accounts/acme.md")
    assert edited.draft and edited.number == 2
    new = history.history("content/accounts/brand-new.md")
    assert new.draft and new.number == 1 and new.versions == ()
    assert not history.history("content/accounts/clean.md").draft


def test_site_in_a_subfolder_of_the_repository(repo: Path) -> None:
    site = repo / "sites" / "cs"
    make_site(site, {"acme": VALID})
    commit_all(repo, "one", "2026-05-01T10:00:00")
    make_site(site, {"acme": measured(40, "2026-11-20")})
    history = read_repository(site).history("content/accounts/acme.md")
    assert history.number == 2 and history.draft
    assert history.versions[0].path == "content/accounts/acme.md"


def test_outside_git_everything_is_version_one(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    history = read_repository(tmp_path)
    assert not history.in_git
    assert history.history("content/accounts/acme.md").number == 1


def test_empty_repository(repo: Path) -> None:
    make_site(repo, {"acme": VALID})
    history = read_repository(repo).history("content/accounts/acme.md")
    assert history.number == 1 and history.draft


def test_shallow_clone_is_detected(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    for n in range(3):
        make_site(repo, {"acme": measured(50 - n, f"2026-0{n + 5}-01")})
        commit_all(repo, f"v{n}", f"2026-0{n + 5}-01T10:00:00")
    clone = tmp_path_factory.mktemp("clone") / "c"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    history = read_repository(clone)
    assert history.shallow
    assert history.history("content/accounts/acme.md").number == 1
    assert not read_repository(repo).shallow


def test_old_contents_and_their_measurements(repo: Path) -> None:
    make_site(repo, {"acme": measured(58, "2026-05-01")})
    commit_all(repo, "one", "2026-05-01T10:00:00")
    make_site(repo, {"acme": measured(50, "2026-08-01")})
    commit_all(repo, "two", "2026-08-01T10:00:00")
    history = read_repository(repo)
    versions = history.history("content/accounts/acme.md").versions
    contents = history.read_versions(versions)
    assert [recorded_measurements(contents[v].decode()) for v in versions] == [
        {"onboarding-time": (dt.date(2026, 5, 1), 58)},
        {"onboarding-time": (dt.date(2026, 8, 1), 50)},
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no front matter",
        "---\nresults: 5\n---\n",
        "---\nresults: [1, {id: x, current: '1:30', measured_on: 2026}]\n---\n",
        "---\n[\n---\n",
    ],
)
def test_recorded_measurements_is_lenient(text: str) -> None:
    assert recorded_measurements(text) == {}


def test_git_processes_are_few(repo: Path, processes: list[list[str]]) -> None:
    """Reading history costs a fixed number of git processes, not one per file or version."""
    for n in range(4):
        make_site(repo, {f"a{i}": measured(50 - n, f"2026-0{n + 5}-01") for i in range(6)})
        commit_all(repo, f"v{n}", f"2026-0{n + 5}-01T10:00:00")
    processes.clear()  # the commits above ran git too
    history = read_repository(repo)
    all_versions = [v for f in history.files.values() for v in f.versions]
    history.read_versions(all_versions)
    assert len(all_versions) == 24
    assert len(processes) == 4, processes


def test_the_log_of_a_commit_is_read_once_with_a_cache(
    repo: Path, tmp_path: Path, processes: list[list[str]]
) -> None:
    make_site(repo, {"acme": measured(50, "2026-05-01")})
    commit_all(repo, "one", "2026-05-02T10:00:00")
    cache = tmp_path / "cache"
    processes.clear()
    first = read_repository(repo, cache)
    assert [c for c in processes if "log" in c]
    processes.clear()
    again = read_repository(repo, cache)
    assert not [c for c in processes if "log" in c], "same HEAD: the log comes from the cache"
    assert again.files == first.files
    assert read_repository(repo).files == first.files  # without a cache: the same answer

    make_site(repo, {"acme": measured(44, "2026-06-01")})
    assert read_repository(repo, cache).history("content/accounts/acme.md").draft
    commit_all(repo, "two", "2026-06-02T10:00:00")
    processes.clear()
    after = read_repository(repo, cache)
    assert [c for c in processes if "log" in c], "a new commit: the log is read again"
    assert after.history("content/accounts/acme.md").number == 2
    assert len(list((cache / "git").iterdir())) == 1, "only the latest HEAD's log is kept"


def _logs(repo: Path, cache: Path) -> tuple[list[Commit], list[Commit]]:
    """The log read with the cache, and read whole from Git."""
    return read_repository(repo, cache).commits, read_repository(repo).commits


def test_new_commits_on_top_read_only_their_own_log(
    repo: Path, tmp_path: Path, processes: list[list[str]]
) -> None:
    """A commit on top of the kept HEAD: `git log` reads only the new commit (its range), and
    the log is the one Git gives whole, even for commits dated before their parents."""
    cache = tmp_path / "cache"
    make_site(repo, {"acme": measured(50, "2026-05-01"), "beta": VALID})
    first = commit_all(repo, "one", "2026-05-02T10:00:00")
    read_repository(repo, cache)
    make_site(repo, {"acme": measured(44, "2026-06-01")})
    commit_all(repo, "two", "2026-06-02T10:00:00")
    (repo / "notes.txt").write_text("not an account\n")
    commit_all(repo, "three: nothing under content/accounts", "2026-06-03T10:00:00")
    make_site(repo, {"beta": measured(40, "2026-04-01"), "gamma": VALID})
    commit_all(repo, "four, dated before its parents", "2026-04-02T10:00:00")
    processes.clear()
    cached, whole = _logs(repo, cache)
    logs = [c for c in processes if "log" in c]
    assert logs[0][-3:] == [f"{first}..HEAD", "--", "content/accounts"], logs
    assert cached == whole and len(whole) == 3
    assert [c.day for c in whole] == [dt.date(2026, 4, 2), dt.date(2026, 6, 2), dt.date(2026, 5, 2)]
    assert len(list((cache / "git").iterdir())) == 1


@pytest.mark.parametrize("rewrite", ["merge", "amend", "reset"])
def test_a_head_not_straight_on_top_of_the_kept_one_reads_the_whole_log(
    repo: Path, tmp_path: Path, processes: list[list[str]], rewrite: str
) -> None:
    """A merge, an amended commit, a branch reset back: the kept log is not a prefix of the new
    one (or not one git log would give), so the whole log is read."""
    cache = tmp_path / "cache"
    make_site(repo, {"acme": measured(50, "2026-05-01")})
    commit_all(repo, "one", "2026-05-02T10:00:00")
    make_site(repo, {"beta": VALID})
    commit_all(repo, "two", "2026-05-03T10:00:00")
    if rewrite == "merge":
        git(repo, "checkout", "-q", "-b", "side", "HEAD~1")
        make_site(repo, {"gamma": VALID})
        commit_all(repo, "side", "2026-05-04T10:00:00")
        git(repo, "checkout", "-q", "main")
        read_repository(repo, cache)
        git(repo, "merge", "-q", "--no-edit", "side", date="2026-05-05T10:00:00")
    elif rewrite == "amend":
        read_repository(repo, cache)
        make_site(repo, {"beta": measured(41, "2026-05-01")})
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "--amend", "-m", "two again", date="2026-05-06T10:00:00")
    else:
        read_repository(repo, cache)
        git(repo, "reset", "-q", "--hard", "HEAD~1")
    processes.clear()
    cached, whole = _logs(repo, cache)
    logs = [c for c in processes if "log" in c]
    assert logs[0][-2:] == ["--", "content/accounts"] and ".." not in logs[0][-3], logs
    assert cached == whole


def test_reading_a_few_files_tells_them_what_reading_every_file_does(
    repo: Path, processes: list[list[str]]
) -> None:
    """A rebuild of a few accounts reads the versions, drafts and reused slugs of those files
    only (`only`): each must be what a reading of every file says of it. Among them a draft, a
    new file, a slug in use again and a name Git would take for a pattern; past a hundred files,
    `git status` looks at the whole folder again."""
    make_site(repo, {"kept": measured(58, "2026-05-01"), "gone": VALID, "edited": VALID})
    commit_all(repo, "one", "2026-05-01T10:00:00")
    (repo / "content" / "accounts" / "gone.md").unlink()
    make_site(repo, {"kept": measured(50, "2026-06-01")})
    commit_all(repo, "two", "2026-06-01T10:00:00")
    many = {f"n{i:03}": VALID for i in range(101)}
    make_site(repo, {"gone": VALID, "edited": measured(1, "2026-07-01"), "a[d]": VALID, **many})
    everything = read_repository(repo)
    assert everything.history("content/accounts/a[d].md").draft
    assert everything.history("content/accounts/edited.md").draft
    assert "content/accounts/gone.md" in everything.retired

    cases = [["kept"], ["edited"], ["gone"], ["a[d]"], ["kept", "edited", "gone"], [*many]]
    for slugs in cases:
        paths = [f"content/accounts/{slug}.md" for slug in slugs]
        processes.clear()
        few = read_repository(repo, only=paths)
        for path in paths:
            assert few.history(path) == everything.history(path), path
            assert few.retired.get(path) == everything.retired.get(path), path
        assert few.files.keys() == set(paths)
        (status,) = [command for command in processes if "status" in command]
        folder_only = len(paths) > 100
        assert (status[-1] == "content/accounts") == folder_only, status
