"""The history of content/accounts/ in one `git log`, parsed, and kept per commit in a cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

from outcomesite.files import keep_only
from outcomesite.history.git import GitError, run
from outcomesite.history.records import Change, Commit
from outcomesite.layout import ACCOUNTS

LOG_FORMAT = 3  # the shape of a kept log; a new shape makes old cache files unused
NO_BLOB = "0" * 40  # the "blob" before a file was added and after it was deleted


def read_log(root: Path, after: str = "") -> list[Commit]:
    """The log from HEAD back (only the commits since `after`, when given), parsed."""
    try:
        raw = run(
            root,
            "log",
            "-z",
            "--no-renames",  # a renamed file is a new slug: its history starts with it
            "--relative",
            "--raw",
            "--no-abbrev",
            "--format=%x1e%H %ct",
            *([f"{after}..HEAD"] if after else []),
            "--",
            ACCOUNTS,
        )
    except GitError:
        return []  # a repository without commits yet: everything is a draft of version 1
    return parse_log(raw.decode("utf-8", "surrogateescape"))


def read_commits(root: Path, kept: LogCache | None) -> list[Commit]:
    """The log of content/accounts/, newest first: from the cache for this HEAD; else, when
    HEAD is a kept log's HEAD with new commits on top in a straight line, those commits' log
    put before the kept one (a new commit on main need not read ten thousand changes again:
    `git log` alone was about 0.14 s at 10,000 accounts); else all of it from Git."""
    if kept is None:
        return read_log(root)
    if (commits := kept.read()) is not None:
        return commits
    earlier = kept.earlier()
    if earlier is not None and _straight_after(root, earlier[0]):
        commits = read_log(root, earlier[0]) + earlier[1]
    else:
        commits = read_log(root)
    kept.write(commits)
    return commits


def _straight_after(root: Path, old: str) -> bool:
    """Whether HEAD is `old` with one or more commits on top, each with one parent. Then
    `git log` from HEAD walks those commits one at a time, newest first, and reaches `old` with
    nothing else waiting: what follows is `old`'s own log, whatever the commits' dates. A merge,
    a rewritten or reset branch, or a commit Git no longer has: False."""
    try:
        lines = run(root, "rev-list", "--parents", f"{old}..HEAD").decode().splitlines()
    except GitError:
        return False
    expected = ""  # the parent the commit before named: the next one must be it
    for line in lines:
        sha, *parents = line.split()
        if len(parents) != 1 or (expected and sha != expected):
            return False
        expected = parents[0]
    return bool(lines) and expected == old


class LogCache:
    """The parsed log of one HEAD (and site folder), in `<cache>/git/`; only the latest is kept."""

    def __init__(self, folder: Path | None, head: str, prefix: str) -> None:
        self.folder = folder / "git" if folder else None
        self.head = head
        self.suffix = "-" + hashlib.sha256(f"{LOG_FORMAT}\0{prefix}".encode()).hexdigest()[:12]
        self.name = f"{head}{self.suffix}.json"

    def read(self) -> list[Commit] | None:
        return None if self.folder is None else _load(self.folder / self.name)

    def earlier(self) -> tuple[str, list[Commit]] | None:
        """The log kept for another HEAD of the same site folder, with that HEAD."""
        if self.folder is None:
            return None
        for path in self.folder.glob(f"*{self.suffix}.json"):
            head = path.name.removesuffix(f"{self.suffix}.json")
            if head != self.head and (commits := _load(path)) is not None:
                return head, commits
        return None

    def write(self, commits: list[Commit]) -> None:
        if self.folder is None:
            return
        data = [[sha, day.isoformat(), changes] for sha, day, changes in commits]
        keep_only(self.folder, self.name, [json.dumps(data).encode()])


def _load(path: Path) -> list[Commit] | None:
    try:
        data = json.loads(path.read_bytes())
        return [
            Commit(sha, dt.date.fromisoformat(day), [_change(*change) for change in changes])
            for sha, day, changes in data
        ]
    except (OSError, ValueError, TypeError):
        return None


def parse_log(text: str) -> list[Commit]:
    """Parse `git log -z --raw --no-abbrev --format=%x1e%H %ct` output, newest commit first.

    Each change is `:<mode> <mode> <old blob> <new blob> <status>`, then one path (two for
    renames and copies), NUL-separated.
    """
    commits: list[Commit] = []
    for chunk in text.split("\x1e")[1:]:
        header, _, rest = chunk.partition("\0")
        sha, timestamp = header.split()
        day = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC).date()
        tokens = rest.lstrip("\n").split("\0")
        changes: list[Change] = []
        index = 0
        while index < len(tokens) and tokens[index].startswith(":"):
            fields = tokens[index].split()
            old, new, status = fields[2], fields[3], fields[4][:1]
            if status in ("R", "C"):
                changes.append(_change(status, tokens[index + 1], tokens[index + 2], old, new))
                index += 3
            else:
                changes.append(_change(status, tokens[index + 1], None, old, new))
                index += 2
        commits.append(Commit(sha, day, changes))
    return commits


def _change(status: str, path: str, new_path: str | None, old: str, new: str) -> Change:
    """A change whose strings are shared where they repeat: every added file's old blob is the
    same forty zeros, and a path is the one today's files are listed by (interned there too).
    At 100,000 accounts a log read whole held 17 MB of copies, in every build worker too."""
    return Change(
        status,
        sys.intern(path),
        new_path,
        NO_BLOB if old == NO_BLOB else old,
        NO_BLOB if new == NO_BLOB else new,
    )
