"""Place accounts on the ladder on past dates, reading Git in a fixed number of processes.

The log is the build's (one `git log`, kept per HEAD). The versions wanted are read in one
`git cat-file --batch`. A version whose confirmation covers a value since replaced needs the
measurements earlier versions hold: the version before it is read in one more cat-file (a customer
usually confirms the value of the last update), and all the earlier ones, for the versions it
does not cover, in a third. Each version is placed once, in parallel, and kept in
`.outcomesite/cache/ladder/` under its slug and history: a version's place never changes until
outcomesite or the site's configuration does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from outcomesite.files import json_parts, keep_only, packed_json
from outcomesite.history.measurements import merge_recorded
from outcomesite.history.versions import Repository
from outcomesite.model.config import SiteConfig, config_json
from outcomesite.model.schema import AccountData
from outcomesite.portfolio.past import PastAccount, by_itself, read_version, summarise
from outcomesite.portfolio.past import place as place_version
from outcomesite.portfolio.timeline import State, earlier_blobs, states_on
from outcomesite.workers import each_chunk

LADDER_FORMAT = 2  # 2: each placement a JSON array of PastAccount's fields
_FIRST_DEPTH = 1  # earlier versions read first for a confirmation that needs them


class Placed(NamedTuple):
    """An account on one day: whether Git held its file then, and its place (None: it did not
    exist, or its data fails today's checks). A tuple: a build makes one per account and day
    wanted, about fourteen per account. Not the file's state itself: what follows placing
    asks only whether there was one, and the states held 21 MB at 100,000 accounts."""

    existed: bool
    past: PastAccount | None


class LadderCache:
    """Placed versions, one JSON file per outcomesite code and site configuration."""

    def __init__(self, folder: Path | None, config: SiteConfig) -> None:
        from outcomesite.build.state import package_digest

        key = f"{LADDER_FORMAT}\0{package_digest()}\0{config_json(config)}"
        self.folder = folder / "ladder" if folder else None
        self.name = hashlib.sha256(key.encode()).hexdigest()[:24] + ".json"
        self.known: dict[str, PastAccount | None] = {}
        self.added = False
        if self.folder is not None:
            try:
                kept = json.loads((self.folder / self.name).read_bytes())
                self.known = {k: None if v is None else PastAccount.of(v) for k, v in kept.items()}
            except (OSError, ValueError, TypeError, AttributeError):
                self.known = {}

    def write(self) -> None:
        """Each placement as an array of its fields, which PastAccount.of reads back."""
        if self.folder is not None and self.added:
            keep_only(self.folder, self.name, json_parts(self.known, encode=packed_json))


@dataclass(frozen=True)
class _Work:
    todo: list[tuple[str, str]]  # (slug, blob)
    contents: dict[str, bytes]
    config: SiteConfig


_First = tuple[PastAccount | None, dict[str, dt.date], AccountData | None]


def _place(work: _Work, start: int, end: int) -> list[_First]:
    """Each version placed by its own data; one whose confirmation may cover an earlier value
    comes back with what it needs and its data (placed once that is read: _place_again)."""
    found: list[_First] = []
    for slug, blob in work.todo[start:end]:
        data = read_version(work.contents.get(blob, b""), slug, work.config)
        if data is None:
            found.append((None, {}, None))
            continue
        past, needs = by_itself(data, work.config)
        found.append((past, needs, data if needs else None))
    return found


@dataclass(frozen=True)
class _Again:
    """Versions to place with earlier measurements: each with its data, its earlier versions'
    blobs (newest first, as many as this round reads), the confirmations to cover, and whether
    those blobs are all its earlier versions."""

    todo: list[tuple[AccountData, list[str], dict[str, dt.date], bool]]
    contents: dict[str, bytes]
    config: SiteConfig


def _place_again(work: _Again, start: int, end: int) -> list[tuple[PastAccount | None, bool]]:
    """Walking back from the newest earlier version until every confirmation has the measurement
    it covers (dated on or before it): usually the version just before. False when the versions
    read do not reach it yet."""
    found: list[tuple[PastAccount | None, bool]] = []
    for data, earlier, needs, complete in work.todo[start:end]:
        texts = [work.contents.get(b, b"").decode("utf-8", "replace") for b in earlier]
        recorded = merge_recorded(reversed(texts))  # oldest first: a later version wins a date
        covered = all(
            any(day <= on for day, _ in recorded.get(rid, ())) for rid, on in needs.items()
        )
        if covered or complete:
            found.append((summarise(data, place_version(data, work.config, recorded)), True))
        else:
            found.append((None, False))
    return found


def place(
    repo: Repository,
    config: SiteConfig,
    timelines: dict[str, list[State]],
    wanted: Mapping[str, Sequence[dt.date]],
    jobs: int | None = None,
    cache: LadderCache | None = None,
    placed: Mapping[tuple[str, str], PastAccount] | None = None,
) -> dict[str, tuple[Placed, ...]]:
    """Every account in `wanted` on each of its days, in their order. `placed`: versions already
    placed, by (slug, blob): a build's workers place each committed file they validate
    (build/worker.py), so that a cold build does not read every account back from Git and
    validate it again."""
    known = cache.known if cache is not None else {}
    placed = placed or {}
    todo: dict[str, tuple[str, State]] = {}  # cache key -> (slug, state)
    added = False
    for slug, days in wanted.items():
        for state in dict.fromkeys(states_on(timelines.get(slug, []), days)):  # each file once
            if state is None or (key := _key(slug, state)) in known or key in todo:
                continue
            if (past := placed.get((slug, state.blob or ""))) is not None:
                known[key] = past
                added = True
            else:
                todo[key] = (slug, state)
    if todo:
        found = _place_all(repo, config, timelines, list(todo.values()), jobs)
        known.update(zip(todo, found, strict=True))
        added = True
    if cache is not None and added:
        cache.added = True
    # Each account's states found again (most have one file all along: a quick answer) rather
    # than held from the loop above beside what is made of them: 17 MB at 100,000 accounts.
    none = Placed(False, None)
    return {
        slug: _placed_on(slug, states_on(timelines.get(slug, []), days), known, none)
        for slug, days in wanted.items()
    }


def _key(slug: str, state: State) -> str:
    """A version's key in the ladder cache: its slug and its chain (the file and its history)."""
    return f"{slug}:{state.chain}"


def _placed_on(
    slug: str,
    on_days: tuple[State | None, ...],
    known: Mapping[str, PastAccount | None],
    none: Placed,
) -> tuple[Placed, ...]:
    """An account's days with their places; a day with the same file as the one before shares
    its Placed (most accounts have one file on all fourteen days)."""
    found: list[Placed] = []
    last: tuple[State | None, Placed] = (None, none)
    for state in on_days:
        if state is None:
            found.append(none)
        elif state is last[0]:
            found.append(last[1])
        else:
            last = (state, Placed(True, known[_key(slug, state)]))
            found.append(last[1])
    return tuple(found)


def _place_all(
    repo: Repository,
    config: SiteConfig,
    timelines: dict[str, list[State]],
    todo: list[tuple[str, State]],
    jobs: int | None,
) -> list[PastAccount | None]:
    pairs = [(slug, state.blob or "") for slug, state in todo]
    contents = repo.read_blobs(blob for _, blob in pairs)
    work = _Work(pairs, contents, config)
    first = [item for chunk in each_chunk(_place, work, len(pairs), jobs) for item in chunk]
    places = [past for past, _, _ in first]
    waiting = [i for i, (_, needs, _) in enumerate(first) if needs]
    # The versions before, newest first; read one back, then (for those it does not cover) all.
    earlier = {i: earlier_blobs(timelines[todo[i][0]], todo[i][1])[:-1][::-1] for i in waiting}
    for depth in (_FIRST_DEPTH, None):
        if not waiting:
            break
        wanted = {i: earlier[i][:depth] for i in waiting}
        contents.update(
            repo.read_blobs(b for bs in wanted.values() for b in bs if b not in contents)
        )
        again = _Again(
            [
                (data, wanted[i], needs, len(wanted[i]) == len(earlier[i]))
                for i in waiting
                for _, needs, data in [first[i]]
                if data is not None
            ],
            contents,
            config,
        )
        done = [
            item for chunk in each_chunk(_place_again, again, len(waiting), jobs) for item in chunk
        ]
        for i, (past, placed) in zip(waiting, done, strict=True):
            if placed:
                places[i] = past
        waiting = [i for i, (_, placed) in zip(waiting, done, strict=True) if not placed]
    return places
