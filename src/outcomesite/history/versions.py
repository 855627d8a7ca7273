"""Versions from Git, read with a fixed, small number of git processes.

Version N of an account is the N-th commit that changed its file. A file's history starts where its
slug starts: renames are not followed (a renamed file is a new slug, with a new share link), and a
file deleted and later added again under the same name starts again at version 1, never showing the
earlier file's versions. The earlier file's share link must stay dead, so the repository also says
which of today's slugs had an earlier, deleted file and the highest `link_version` it used.

One `git log` lists every change under content/accounts/ (kept per commit, log.py: after new
commits on top of the kept one, a `git rev-list` and the log of those commits only); one
`git cat-file --batch` reads every old file; one `git status` finds drafts. A site with thousands
of accounts and versions costs four processes (five when a slug was reused, to read the deleted
files' link versions).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from outcomesite.history.git import GitError, batch_contents, run, started
from outcomesite.history.log import LogCache, read_commits
from outcomesite.history.measurements import link_version_of
from outcomesite.history.records import Commit, FileHistory, RetiredSlug, Version
from outcomesite.layout import ACCOUNTS


@dataclass
class Repository:
    """What Git knows about a site; `in_git` False means every account is version 1."""

    root: Path
    in_git: bool = False
    shallow: bool = False
    files: dict[str, FileHistory] = field(default_factory=dict)  # current path -> history
    retired: dict[str, RetiredSlug] = field(default_factory=dict)  # current path -> earlier file
    commits: list[Commit] = field(
        default_factory=list
    )  # the log of content/accounts/, newest first

    @property
    def whole(self) -> bool:
        """In Git and not a shallow clone: the portfolio's history can be worked out (a shallow
        clone's is incomplete)."""
        return self.in_git and not self.shallow

    def history(self, path: str) -> FileHistory:
        if not self.in_git:
            return FileHistory()
        return self.files.get(path, FileHistory(draft=True))

    def drop_versions(self) -> None:
        """Forget each file's versions once the account workers (which page them) are done: what
        follows in a build reads the log only (the portfolio's history), and the versions
        held 4.4 MB at 10,000 accounts."""
        self.files = {}

    def read_blobs(self, blobs: Iterable[str]) -> dict[str, bytes]:
        """Files by object id, in one `git cat-file --batch` process."""
        wanted = list(dict.fromkeys(blobs))
        if not wanted:
            return {}
        raw = run(
            self.root, "cat-file", "--batch", input="".join(f"{b}\n" for b in wanted).encode()
        )
        found = batch_contents(raw, len(wanted))
        return {b: data for b, data in zip(wanted, found, strict=True) if data is not None}

    def read_versions(self, versions: Iterable[Version]) -> dict[Version, bytes]:
        """The file at each version, in one `git cat-file --batch` process."""
        wanted = list(versions)
        if not wanted:
            return {}
        # By object id: `<commit>:<path>` would walk the folder's tree once per request.
        request = "".join(f"{v.blob or f'{v.commit}:./{v.path}'}\n" for v in wanted).encode()
        raw = run(self.root, "cat-file", "--batch", input=request)
        found = batch_contents(raw, len(wanted))
        return {v: data for v, data in zip(wanted, found, strict=True) if data is not None}


def read_repository(
    root: Path,
    cache: Path | None = None,
    log_only: bool = False,
    only: Collection[str] | None = None,
) -> Repository:
    """Read the history of every account file under `root`; outside Git, an empty Repository.

    The log of a commit never changes: with a `cache` folder it is kept per HEAD, so rebuilding
    without a new commit skips `git log`, the one step whose cost grows with the history, and
    new commits on top of the kept HEAD have only their own changes read (log.py).
    `log_only` reads the log only (`commits`): no versions, drafts or reused slugs. `only`: the
    versions, drafts and reused slugs of these account files alone (`content/accounts/<slug>.md`,
    files that exist), for a rebuild of a few accounts: at 10,000 accounts, the others' made
    an edit's reading of a repository whose log is kept three times as long.
    """
    repo = Repository(root=root)
    revs = ("rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "--show-prefix")
    try:
        info = run(root, *revs, "HEAD")
    except GitError:
        try:
            info = run(root, *revs)  # no commit yet: HEAD names nothing
        except GitError:
            return repo
    lines = info.decode().split("\n")
    inside, shallow, prefix = lines[0], lines[1], lines[2] if len(lines) > 2 else ""
    head = lines[3] if len(lines) > 3 else ""
    if inside != "true":
        return repo
    repo.in_git = True
    repo.shallow = shallow == "true"
    kept = None if repo.shallow or not head else LogCache(cache, head, prefix)
    status = None if log_only else _status(root, None if only is None else sorted(set(only)))
    try:
        changes = repo.commits = read_commits(root, kept)
    except BaseException:
        if status is not None:  # waited for, its answer unread
            with contextlib.suppress(GitError):
                status()
        raise
    if log_only or status is None:
        return repo
    current = _account_paths(root) if only is None else set(only)
    versions, earlier = assign_versions(changes, current)
    drafts = _dirty_paths(status, prefix.strip())
    for path in current:
        repo.files[path] = FileHistory(tuple(versions.get(path, ())), draft=path in drafts)
    repo.retired = _retired(root, earlier)
    return repo


def _account_paths(root: Path) -> set[str]:
    """content/accounts/<slug>.md of every account file (os.scandir: ten thousand Path objects
    were a third of reading a repository whose log is cached)."""
    try:
        with os.scandir(root / ACCOUNTS) as entries:
            return {
                sys.intern(f"{ACCOUNTS}/{entry.name}")  # as the log's paths are (log.py)
                for entry in entries
                if entry.name.endswith(".md")
            }
    except OSError:
        return set()


def _retired(root: Path, earlier: dict[str, EarlierFile]) -> dict[str, RetiredSlug]:
    """The link versions of deleted files whose names are in use again, in one cat-file."""
    if not earlier:
        return {}
    blobs = sorted({blob for _, found in earlier.values() for blob in found})
    raw = run(root, "cat-file", "--batch", input="".join(f"{b}\n" for b in blobs).encode())
    texts = dict(zip(blobs, batch_contents(raw, len(blobs)), strict=True))
    return {
        path: RetiredSlug(
            deleted_on,
            max((link_version_of(texts[blob]) for blob in found), default=1),
        )
        for path, (deleted_on, found) in earlier.items()
    }


EarlierFile = tuple[dt.date, list[str]]  # (last deleted on, blob ids of all its versions)


def assign_versions(
    commits: list[Commit], current: set[str]
) -> tuple[dict[str, list[Version]], dict[str, EarlierFile]]:
    """Walk history backwards from today's files; number versions oldest first.

    A file's versions stop at the commit that added it: anything older under the same name is an
    earlier, deleted file, returned apart (with its versions' blobs) so that its link stays dead.
    Renames and copies (which `git log --no-renames` does not report, but a kept log might) count
    as a deletion of the old name and an addition of the new one.
    """
    alive = set(current)  # today's files whose current life we are still walking back through
    found: dict[str, list[tuple[str, dt.date, str, str]]] = {path: [] for path in current}
    earlier: dict[str, EarlierFile] = {}
    for sha, day, changes in commits:
        for status, path, new_path, old_blob, new_blob in changes:
            steps = [(status, path, old_blob, new_blob)]
            if status in ("R", "C") and new_path is not None:
                steps = [("A", new_path, old_blob, new_blob)]
                if status == "R":
                    steps.append(("D", path, old_blob, old_blob))
            for kind, name, old, new in steps:
                if name not in current:
                    continue
                if name in alive:
                    if kind == "D":  # deleted by a commit, back in the working tree today
                        alive.discard(name)
                        earlier[name] = (day, [old])
                        continue
                    found[name].append((sha, day, name, new))
                    if kind == "A":
                        alive.discard(name)
                elif kind == "D":
                    earlier.setdefault(name, (day, []))[1].append(old)
                elif name in earlier:
                    earlier[name][1].append(new)
    versions = {
        path: [
            Version(number, sha, day, file_path, blob)
            for number, (sha, day, file_path, blob) in enumerate(reversed(entries), start=1)
        ]
        for path, entries in found.items()
    }
    return versions, earlier


# The most paths `git status` is asked about one by one, not as their folder.
_FEW_PATHS = 100


def _status(root: Path, paths: list[str] | None) -> Callable[[], bytes]:
    """`git status` of the account files (of `paths` when a few are given: Git then looks at
    those files only), started now: it runs while the log is read."""
    # Git matches every file against every path given: past a few, the folder is quicker.
    if paths is None or len(paths) > _FEW_PATHS:
        wanted = [ACCOUNTS]
    else:  # as written, never as patterns
        wanted = [f":(literal){path}" for path in paths]
    return started(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", *wanted)


def _dirty_paths(answer: Callable[[], bytes], prefix: str) -> set[str]:
    """Account files whose working copy differs from HEAD, or that Git does not track yet.

    Porcelain paths are relative to the repository's top; `prefix` is the site's folder in it.
    """
    try:
        out = answer()
    except GitError:
        return set()
    dirty: set[str] = set()
    tokens = out.decode("utf-8", "surrogateescape").split("\0")
    index = 0
    while index < len(tokens):
        entry = tokens[index]
        index += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            index += 1  # the original path follows a rename entry
        if path.startswith(prefix):
            dirty.add(path[len(prefix) :])
    return dirty
