"""Each account file's life in Git as dated states, from the log the build already reads.

The state of an account on a day is its file after the last commit on or before that day (commits
taken in history order, dated by their committer date, UTC). Renames are not followed: a renamed
file is a new slug, so its old name ends (removed) and its new name starts (added) on that day,
as versions never cross slugs. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from typing import NamedTuple

from outcomesite.history.records import Commit
from outcomesite.layout import ACCOUNTS

_PREFIX = ACCOUNTS + "/"
_ACCOUNT_FILE = re.compile(rf"^{re.escape(ACCOUNTS)}/([^/]+)\.md$")


class State(NamedTuple):
    """An account file as one commit left it (a tuple: the log makes one per change)."""

    day: dt.date
    blob: str | None  # the file's object id; None: the commit deleted it
    chain: str  # a digest of every blob up to this one: the version and all before it


def account_slug(path: str) -> str | None:
    """The slug of `content/accounts/<slug>.md`; None for anything else (images, subfolders)."""
    if not path.endswith(".md") or not path.startswith(_PREFIX):
        return None  # the quick test first: it runs once per change in the log
    found = _ACCOUNT_FILE.match(path)
    return found.group(1) if found else None


def timelines(commits: list[Commit]) -> dict[str, list[State]]:
    """Every account file that ever existed -> its states, oldest first (`commits` newest first,
    as `git log` gives them)."""
    found: dict[str, list[State]] = {}
    for _, day, changes in reversed(commits):
        for status, path, new_path, _old, new_blob in changes:
            steps: list[tuple[str, str | None]] = [(path, None if status == "D" else new_blob)]
            if status in ("R", "C") and new_path is not None:
                steps = [(new_path, new_blob)] + ([(path, None)] if status == "R" else [])
            for name, blob in steps:
                slug = account_slug(name)
                if slug is None:
                    continue
                states = found.setdefault(slug, [])
                before = states[-1].chain if states else ""
                chain = hashlib.sha256(f"{before}\0{blob}".encode()).hexdigest()[:20]
                states.append(State(day, blob, chain))
    return found


def state_on(states: list[State], day: dt.date) -> State | None:
    """The file on `day`: after the last commit on or before it; None when it did not exist."""
    last: State | None = None
    for state in states:
        if state.day <= day:
            last = state
    return last if last is not None and last.blob is not None else None


def states_on(states: list[State], days: Sequence[dt.date]) -> tuple[State | None, ...]:
    """`state_on` for each of `days`, in their order. A build asks about fourteen days of every
    account, and most accounts have had one file all along: that case is answered without a
    walk per day. A tuple, not a dict by day: at 10,000 accounts, every account's days with
    their states took 13.1 MB as dicts and 4.1 MB as tuples."""
    if len(states) == 1:
        only = states[0]
        alive = only if only.blob is not None else None
        return tuple(alive if only.day <= day else None for day in days)
    return tuple(state_on(states, day) for day in days)


def earlier_blobs(states: list[State], state: State) -> list[str]:
    """The blobs of the file's versions up to `state`, in its current life (since it was last
    added): where the measurements it no longer holds were recorded."""
    blobs: list[str] = []
    for item in states:
        if item.blob is None:
            blobs = []
        else:
            blobs.append(item.blob)
        if item is state:
            break
    return blobs
