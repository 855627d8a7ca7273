"""The history of content/accounts/ in one `git log`, parsed, and kept per commit in a cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from outcomesite.files import keep_only
from outcomesite.history.git import GitError, run
from outcomesite.history.records import Change, Commit
from outcomesite.layout import ACCOUNTS

LOG_FORMAT = 3  # the shape of a kept log; a new shape makes old cache files unused


def read_log(root: Path) -> bytes:
    try:
        return run(
            root,
            "log",
            "-z",
            "--no-renames",  # a renamed file is a new slug: its history starts with it
            "--relative",
            "--raw",
            "--no-abbrev",
            "--format=%x1e%H %ct",
            "--",
            ACCOUNTS,
        )
    except GitError:
        return b""  # a repository without commits yet: everything is a draft of version 1


class LogCache:
    """The parsed log of one HEAD (and site folder), in `<cache>/git/`; only the latest is kept."""

    def __init__(self, folder: Path | None, head: str, prefix: str) -> None:
        self.folder = folder / "git" if folder else None
        digest = hashlib.sha256(f"{LOG_FORMAT}\0{prefix}".encode()).hexdigest()[:12]
        self.name = f"{head}-{digest}.json"

    def read(self) -> list[Commit] | None:
        if self.folder is None:
            return None
        try:
            data = json.loads((self.folder / self.name).read_bytes())
            return [
                Commit(sha, dt.date.fromisoformat(day), [Change(*change) for change in changes])
                for sha, day, changes in data
            ]
        except (OSError, ValueError, TypeError):
            return None

    def write(self, commits: list[Commit]) -> None:
        if self.folder is None:
            return
        data = [[sha, day.isoformat(), changes] for sha, day, changes in commits]
        keep_only(self.folder, self.name, json.dumps(data))


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
                changes.append(Change(status, tokens[index + 1], tokens[index + 2], old, new))
                index += 3
            else:
                changes.append(Change(status, tokens[index + 1], None, old, new))
                index += 2
        commits.append(Commit(sha, day, changes))
    return commits
