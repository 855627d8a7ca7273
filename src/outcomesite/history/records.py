"""What Git knows about an account file, as typed records. Standard library only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple


class Change(NamedTuple):
    """One file a commit changed, as `git log --raw` reports it."""

    status: str  # A, M, D (R and C only in logs read with rename detection)
    path: str
    new_path: str | None  # for renames and copies
    old_blob: str
    new_blob: str


class Commit(NamedTuple):
    sha: str
    day: dt.date  # the committer date, UTC
    changes: list[Change]


class Version(NamedTuple):
    """One commit's version of a file (a tuple: a repository makes one per version of every
    account on every build; a frozen dataclass took a third of reading the versions)."""

    number: int
    commit: str
    date: dt.date
    path: str  # the file's path at that commit, relative to the site root (renames change it)
    blob: str = ""  # the file's object id at that commit: reading it needs no tree walk

    @property
    def short(self) -> str:
        return self.commit[:7]


class FileHistory(NamedTuple):
    """A tuple, like Version: one per account file on every build."""

    versions: tuple[Version, ...] = ()  # oldest first
    draft: bool = False  # the working tree differs from the last commit (or the file is new)

    @property
    def number(self) -> int:
        """The version the current file is: the last commit's, or the next one for a draft."""
        return len(self.versions) + 1 if self.draft or not self.versions else len(self.versions)


@dataclass(frozen=True)
class RetiredSlug:
    """An earlier account file with today's name, deleted from Git: its share links must stay dead."""

    deleted_on: dt.date  # the most recent deletion
    link_version: int  # the highest `link_version` any of its versions used (1 when none said)
