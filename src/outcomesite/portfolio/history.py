"""The portfolio over time for `outcomesite changes` and the internal index: one reading of Git,
the days wanted, the placements, then the pure comparisons and KPIs."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypedDict, TypeGuard, TypeVar, cast, overload

import orjson

from outcomesite.errors import EXIT_USAGE, EXIT_VALIDATION, OutcomesiteError, format_diagnostics
from outcomesite.files import json_parts, keep_only
from outcomesite.history.versions import Repository
from outcomesite.layout import CACHE_DIR
from outcomesite.model.config import SiteConfig, config_json
from outcomesite.portfolio import kpis
from outcomesite.portfolio.changes import (
    AccountChange,
    Changes,
    Moved,
    ResultChange,
    climbed,
    compare,
    slipped,
)
from outcomesite.portfolio.past import PastAccount
from outcomesite.portfolio.read import LadderCache, Placed, place
from outcomesite.portfolio.timeline import timelines

HISTORY_FORMAT = 2  # the shape of a kept history; another shape is not read
# The lines of each kind of change a kept history has at hand without reading all of them: the
# default theme shows eight (_since.html); a theme that shows more has the rest read for it.
FIRST_LINES = 8
T = TypeVar("T")


class PortfolioHistory(TypedDict):
    """What the internal index shows of the past (and index.json holds)."""

    changes: Changes
    months: list[kpis.MonthMix]
    cohorts: list[kpis.Cohort]
    renewals_by_day_90: kpis.RenewalsByDay90


_KEYS = tuple(PortfolioHistory.__annotations__)  # index.json's, in its order


class ChangeGroups(TypedDict):
    """Each kind of change the first page lists, in its order."""

    climbed: Sequence[Moved]
    slipped: Sequence[Moved]
    worsened: Sequence[ResultChange]
    confirmed: Sequence[ResultChange]
    named: Sequence[ResultChange]
    added: Sequence[AccountChange]
    removed: Sequence[AccountChange]


def change_groups(changes: Changes) -> ChangeGroups:
    return {
        "climbed": climbed(changes),
        "slipped": slipped(changes),
        "worsened": changes["worsened"],
        "confirmed": changes["confirmed"],
        "named": changes["named"],
        "added": changes["added"],
        "removed": changes["removed"],
    }


@dataclass(frozen=True)
class IndexHistory:
    """The portfolio over time as the internal index takes it: what the first page shows, and
    index.json's keys each as the JSON it writes (`json`). Worked out (`of`), or read back
    from the cache (_KeptHistory), where each kind of change is read only as far as a page
    shows it: a first quarter's 40,000 changes at 10,000 accounts took 30 ms of every edit to
    read whole, for eight lines of each kind."""

    since: str
    groups: ChangeGroups
    months: list[kpis.MonthMix]
    cohorts: list[kpis.Cohort]
    renewals_by_day_90: kpis.RenewalsByDay90
    json: Callable[[], Iterator[tuple[str, Iterable[bytes]]]]

    @classmethod
    def of(cls, history: PortfolioHistory) -> IndexHistory:
        values = dict(history.items())

        def parts() -> Iterator[tuple[str, Iterable[bytes]]]:
            return ((key, json_parts(values[key])) for key in _KEYS)

        return cls(
            history["changes"]["since"],
            change_groups(history["changes"]),
            history["months"],
            history["cohorts"],
            history["renewals_by_day_90"],
            parts,
        )


class Partly(Sequence[T]):
    """A long list's first items and its length, the whole list read (`whole`) only when an
    item past the first ones is asked for."""

    def __init__(self, first: list[T], count: int, whole: Callable[[], Sequence[T]]) -> None:
        self._first, self._count, self._whole = first, count, whole

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, slice):
            wanted = range(*index.indices(self._count))
            if not wanted or max(wanted[0], wanted[-1]) < len(self._first):
                return [self._first[n] for n in wanted]
            return self._whole()[index]
        n = index + self._count if index < 0 else index
        if not 0 <= n < self._count:
            raise IndexError(index)
        return self._first[n] if n < len(self._first) else self._whole()[n]


class Current(NamedTuple):
    """What today's file says about an account that the KPIs need (the build keeps it in the
    account's index pieces, so an incremental build has it for every account). A tuple: every
    build with history makes one per account (10,000 frozen dataclasses took 20-30 ms)."""

    slug: str
    start_date: dt.date
    segment: str
    renewals: tuple[tuple[dt.date, str], ...]  # (date, outcome)

    @classmethod
    def of(
        cls, slug: str, start_date: str, segment: str, renewals: Iterable[tuple[str, str]]
    ) -> Current:
        """From an account's index head (render/index.py's IndexHead: dates as text, renewals
        as (date, outcome))."""
        day = _day
        return cls(slug, day(start_date), segment, tuple((day(d), o) for d, o in renewals))


_day = functools.cache(dt.date.fromisoformat)  # accounts share their days


def start_of(setting: str, as_of: dt.date) -> dt.date:
    """The day `since` names (outcomesite.yaml or --since): the start of as_of's quarter, month
    or year, or a date (checked when the config was read)."""
    if setting == "month":
        return as_of.replace(day=1)
    if setting == "quarter":
        return as_of.replace(month=(as_of.month - 1) // 3 * 3 + 1, day=1)
    if setting == "year":
        return as_of.replace(month=1, day=1)
    return dt.date.fromisoformat(setting)


def changes_between(
    repo: Repository,
    config: SiteConfig,
    since: dt.date,
    as_of: dt.date,
    jobs: int | None = None,
    cache: Path | None = None,
) -> Changes:
    """What moved from `since` to `as_of` (`outcomesite changes`)."""
    lives = timelines(repo.commits)
    ladder = LadderCache(cache, config)
    placed = place(repo, config, lives, dict.fromkeys(lives, (since, as_of)), jobs, ladder)
    ladder.write()
    return compare(since, as_of, sorted(placed.items()))


def site_changes(root: Path, since: dt.date, as_of: dt.date, jobs: int | None = None) -> Changes:
    """`outcomesite changes`: the site's configuration, its Git history, what moved."""
    from outcomesite.history.versions import read_repository
    from outcomesite.load.config import load_config

    if since > as_of:
        raise OutcomesiteError(
            f"--since {since.isoformat()} is after --as-of {as_of.isoformat()}: give an earlier "
            "--since",
            EXIT_USAGE,
        )
    config, problems = load_config(root)
    if problems:
        raise OutcomesiteError(format_diagnostics(problems, "text"), EXIT_VALIDATION)
    repo = read_repository(root, root / CACHE_DIR, log_only=True)
    if not repo.in_git:
        raise OutcomesiteError(
            f"{root} is not in a Git repository: `changes` reads how the accounts moved from "
            "their files' history in Git (commit the site to Git first)",
            EXIT_USAGE,
        )
    if repo.shallow:
        raise OutcomesiteError(
            "this is a shallow Git clone: the accounts' history is incomplete; fetch all of it "
            "(`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
            EXIT_USAGE,
        )
    return changes_between(repo, config, since, as_of, jobs, root / CACHE_DIR)


def portfolio_history(
    repo: Repository,
    config: SiteConfig,
    accounts: Iterable[Current],
    since: dt.date,
    as_of: dt.date,
    jobs: int | None = None,
    cache: Path | None = None,
    placed: dict[tuple[str, str], PastAccount] | None = None,
    *,
    release: bool = False,
) -> IndexHistory:
    """The changes since `since`, the rung mix at the last twelve month ends, the 90-day cohorts
    and renewals by day 90, from one reading of the log and at most three `git cat-file`
    (`placed`: versions the build placed already, portfolio/read.py's `place`). A build, the
    last reader of `repo`'s log and of `placed`, has them let go as soon as they are used
    (`release`): the log once each file's timeline is made from it, `placed` (emptied) once
    the days are placed. At 100,000 accounts they took 60 MB through the comparisons.

    The answer depends only on the history, the days, today's starts, segments and renewals, the
    configuration and the code: with a `cache` folder it is kept under that key, so a build
    without a new commit (an edit in the preview) does not work it out again.
    """
    current = list(accounts)
    kept = _KeptHistory(cache, _history_key(repo, config, current, since, as_of))
    if (found := kept.read()) is not None:
        return found
    history = _work_out(repo, config, current, since, as_of, jobs, cache, placed, release)
    kept.write(history)
    # Read back as a rebuild reads it: the worked-out lists go once this returns, and the
    # index copies their lines from the file (about 90 MB held at 100,000 accounts, in a
    # first quarter, while the index was written).
    return kept.read() or IndexHistory.of(history)


def _history_key(
    repo: Repository, config: SiteConfig, current: list[Current], since: dt.date, as_of: dt.date
) -> str:
    from outcomesite.build.state import package_digest

    newest = repo.commits[0].sha if repo.commits else ""
    parts = [HISTORY_FORMAT, package_digest(), config_json(config), newest, since, as_of]
    # By slug: a rebuild of one account lists the accounts in another order than a full build.
    # As JSON (orjson writes dates; the accounts as plain tuples): repr() of ten thousand
    # accounts' dates was 10 ms of every edit.
    by_slug = sorted(current, key=lambda account: account.slug)
    accounts = [(a.slug, a.start_date, a.segment, a.renewals) for a in by_slug]
    return hashlib.sha256(orjson.dumps([parts, accounts])).hexdigest()[:32]


class _KeptHistory:
    """The last portfolio history worked out, in `<cache>/history/<key>.json`: a line for each
    of index.json's keys (its compact JSON, exactly as index.json holds it), a line with `since`
    and, of each kind of change, how many and the first few, then the SHA-256 of all that. An
    edit reads the short line and copies the others into index.json as they are: the 40,000
    changes of a first quarter (5 MB at 10,000 accounts) are read only for a theme that shows
    more of them than the first page does."""

    def __init__(self, cache: Path | None, key: str) -> None:
        self.folder = cache / "history" if cache else None
        self.name = f"{key}.json"

    def write(self, history: PortfolioHistory) -> None:
        if self.folder is None:
            return
        values = dict(history.items())
        groups = cast(dict[str, Sequence[Any]], change_groups(history["changes"]))
        about = {
            "since": history["changes"]["since"],
            "groups": {
                kind: [len(items), list(items[:FIRST_LINES])] for kind, items in groups.items()
            },
        }

        def lines() -> Iterator[bytes]:
            digest = hashlib.sha256()
            for value in [*(values[key] for key in _KEYS), about]:
                for part in itertools.chain(json_parts(value), [b"\n"]):  # made as written
                    digest.update(part)
                    yield part
            yield digest.hexdigest().encode() + b"\n"

        keep_only(self.folder, self.name, lines())

    def read(self) -> IndexHistory | None:
        """The kept history, or None when there is none, or none this code wrote whole (a
        damaged or hand-made file, which its digest or shapes give away). Its lines stay in the
        file, read a piece at a time when index.json copies them: the changes of a first
        quarter are 55 MB at 100,000 accounts."""
        if self.folder is None:
            return None
        try:
            kept = _KeptFile(self.folder / self.name, len(_KEYS) + 1)
        except (OSError, ValueError):
            return None
        try:
            about = json.loads(kept.line(len(_KEYS)))
            if not _about(about):
                return None
            months, cohorts, renewals = (json.loads(kept.line(n)) for n in (1, 2, 3))
        except (OSError, ValueError):
            return None
        if not (
            _rows(months, kpis.MonthMix) and _rows(cohorts, kpis.Cohort) and _renewals(renewals)
        ):
            return None
        whole = functools.cache(lambda: change_groups(json.loads(kept.line(0))))

        def partly(kind: str, rest: Callable[[], Sequence[Any]]) -> Partly[Any]:
            count, first = about["groups"][kind]
            return Partly(first, count, rest)

        groups: ChangeGroups = {
            "climbed": partly("climbed", lambda: whole()["climbed"]),
            "slipped": partly("slipped", lambda: whole()["slipped"]),
            "worsened": partly("worsened", lambda: whole()["worsened"]),
            "confirmed": partly("confirmed", lambda: whole()["confirmed"]),
            "named": partly("named", lambda: whole()["named"]),
            "added": partly("added", lambda: whole()["added"]),
            "removed": partly("removed", lambda: whole()["removed"]),
        }

        def parts() -> Iterator[tuple[str, Iterable[bytes]]]:
            return ((key, kept.pieces(n)) for n, key in enumerate(_KEYS))

        history = IndexHistory(about["since"], groups, months, cohorts, renewals, parts)
        weakref.finalize(history, kept.close)  # the file is read through it until then
        return history


class _KeptFile:
    """A kept history's file, checked whole (its digest, its `count` lines) a piece at a time,
    then read by line: open until `close`, so that another build keeping another history in
    the folder (which removes this file) does not take it away from this one."""

    PIECE = 1 << 20

    def __init__(self, path: Path, count: int) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        try:
            self._spans = self._check(count)
        except BaseException:
            self.close()
            raise

    def _check(self, count: int) -> list[tuple[int, int]]:
        """Each line's (start, end), its newline left out; ValueError unless the digest (the
        last line) is the SHA-256 of all the rest, made of exactly `count` lines."""
        size = os.fstat(self._fd).st_size - 65  # the digest's line
        if size <= 0:
            raise ValueError("no kept history")
        digest, spans, start = hashlib.sha256(), [], 0
        for offset in range(0, size, self.PIECE):
            piece = os.pread(self._fd, min(self.PIECE, size - offset), offset)
            digest.update(piece)
            end = piece.find(b"\n")
            while end >= 0:
                spans.append((start, offset + end))
                start = offset + end + 1
                end = piece.find(b"\n", end + 1)
        if os.pread(self._fd, 65, size) != digest.hexdigest().encode() + b"\n":
            raise ValueError("a damaged kept history")
        if len(spans) != count or start != size:
            raise ValueError("a kept history of another shape")
        return spans

    def line(self, number: int) -> bytes:
        start, end = self._spans[number]
        return os.pread(self._fd, end - start, start)

    def pieces(self, number: int) -> Iterator[bytes]:
        """A line in pieces of at most PIECE bytes: 55 MB is never held whole."""
        start, end = self._spans[number]
        for offset in range(start, end, self.PIECE):
            yield os.pread(self._fd, min(self.PIECE, end - offset), offset)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _about(found: Any) -> TypeGuard[dict[str, Any]]:
    """The kept history's short line as this code writes it."""
    return (
        isinstance(found, dict)
        and found.keys() == {"since", "groups"}
        and isinstance(found["since"], str)
        and isinstance(found["groups"], dict)
        and found["groups"].keys() == ChangeGroups.__annotations__.keys()
        and all(
            isinstance(group, list)
            and len(group) == 2
            and isinstance(group[0], int)
            and isinstance(group[1], list)
            and len(group[1]) == min(group[0], FIRST_LINES)
            for group in found["groups"].values()
        )
    )


def _renewals(found: Any) -> bool:
    return (
        isinstance(found, dict)
        and found.keys() == kpis.RenewalsByDay90.__annotations__.keys()
        and all(_rows([count], kpis.RenewalCount) for count in found.values())
    )


def _rows(found: Any, shape: type) -> bool:
    """A list of dicts with `shape`'s keys (a TypedDict)."""
    keys = shape.__annotations__.keys()
    return isinstance(found, list) and all(
        isinstance(row, dict) and row.keys() == keys for row in found
    )


def _work_out(
    repo: Repository,
    config: SiteConfig,
    current: list[Current],
    since: dt.date,
    as_of: dt.date,
    jobs: int | None,
    cache: Path | None,
    placed: dict[tuple[str, str], PastAccount] | None,
    release: bool,
) -> PortfolioHistory:
    lives = timelines(repo.commits)
    if release:
        repo.commits = []
    ends = kpis.month_ends(as_of)
    # One tuple shared by every account (since and as_of first, as compare reads them, then the
    # month ends), and one per day 90 for the accounts whose day 90 has passed, with that day
    # last: a tuple per account took 2.2 MB at 10,000 accounts, these 0.8 MB.
    common = (since, as_of, *ends)
    wanted: dict[str, tuple[dt.date, ...]] = dict.fromkeys(lives, common)
    with_day_90: dict[dt.date, tuple[dt.date, ...]] = {}
    days = dt.timedelta(days=config.result_check_days)
    for account in current:
        day_90 = account.start_date + days
        if day_90 <= as_of:
            wanted[account.slug] = with_day_90.setdefault(day_90, (*common, day_90))
    ladder = LadderCache(cache, config)
    on_days = place(repo, config, lives, wanted, jobs, ladder, placed)
    ladder.write()
    # What placing needed and nothing after it does: the timelines, the days wanted and the
    # ladder's table of every version placed (on_days holds the ones the KPIs need).
    del ladder, lives, wanted
    if release and placed:
        placed.clear()
    started = [
        kpis.Started(
            a.slug,
            a.start_date,
            a.segment,
            a.renewals,
            _rung(on_days[a.slug][-1]) if a.start_date + days <= as_of else None,
        )
        for a in current
    ]
    months = range(2, 2 + len(ends))  # where each month end is in an account's days
    mix = [
        kpis.month_mix(end, (d[n] for d in on_days.values()))
        for n, end in zip(months, ends, strict=True)
    ]
    # Compared last, each account's days let go as it is: a first quarter's changes grow as
    # its placements go (at 100,000 accounts, about 80 MB of each).
    taken = ((slug, on_days.pop(slug)) for slug in sorted(on_days))
    return {
        "changes": compare(since, as_of, taken),
        "months": mix,
        "cohorts": kpis.cohorts(started),
        "renewals_by_day_90": kpis.renewals_by_day_90(started, config.result_check_days),
    }


def _rung(placed: Placed) -> int | None:
    return placed.past.rung if placed.past is not None else None
