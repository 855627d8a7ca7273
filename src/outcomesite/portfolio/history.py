"""The portfolio over time for `outcomesite changes` and the internal index: one reading of Git,
the days wanted, the placements, then the pure comparisons and KPIs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypedDict, TypeGuard

import orjson

from outcomesite.errors import EXIT_USAGE, EXIT_VALIDATION, OutcomesiteError, format_diagnostics
from outcomesite.files import json_parts, keep_only
from outcomesite.history.versions import Repository
from outcomesite.layout import CACHE_DIR
from outcomesite.model.config import SiteConfig
from outcomesite.portfolio import kpis
from outcomesite.portfolio.changes import Changes, compare
from outcomesite.portfolio.past import PastAccount
from outcomesite.portfolio.read import LadderCache, Placed, place
from outcomesite.portfolio.timeline import timelines

HISTORY_FORMAT = 1  # the shape of a kept history; another shape is not read


class PortfolioHistory(TypedDict):
    """What the internal index shows of the past (and index.json holds)."""

    changes: Changes
    months: list[kpis.MonthMix]
    cohorts: list[kpis.Cohort]
    renewals_by_day_90: kpis.RenewalsByDay90


class Current(NamedTuple):
    """What today's file says about an account that the KPIs need (the build keeps it in the
    account's index pieces, so an incremental build has it for every account). A tuple: every
    build with history makes one per account (10,000 frozen dataclasses took 20-30 ms)."""

    slug: str
    start_date: dt.date
    segment: str
    renewals: tuple[tuple[dt.date, str], ...]  # (date, outcome)


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
    return _compare(placed, since, as_of)


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


def _compare(placed: dict[str, tuple[Placed, ...]], since: dt.date, as_of: dt.date) -> Changes:
    """`placed`: each account on `since`, then on `as_of` (then any other days)."""
    before = {slug: days[0] for slug, days in placed.items()}
    after = {slug: days[1] for slug, days in placed.items()}
    return compare(since, as_of, before, after)


def portfolio_history(
    repo: Repository,
    config: SiteConfig,
    accounts: Iterable[Current],
    since: dt.date,
    as_of: dt.date,
    jobs: int | None = None,
    cache: Path | None = None,
    placed: Mapping[tuple[str, str], PastAccount] | None = None,
) -> PortfolioHistory:
    """The changes since `since`, the rung mix at the last twelve month ends, the 90-day cohorts
    and renewals by day 90, from one reading of the log and at most three `git cat-file`
    (`placed`: versions the build placed already, portfolio/read.py's `place`).

    The answer depends only on the history, the days, today's starts, segments and renewals, the
    configuration and the code: with a `cache` folder it is kept under that key, so a build
    without a new commit (an edit in the preview) does not work it out again.
    """
    current = list(accounts)
    kept = _KeptHistory(cache, _history_key(repo, config, current, since, as_of))
    if (found := kept.read()) is not None:
        return found
    history = _work_out(repo, config, current, since, as_of, jobs, cache, placed)
    kept.write(history)
    return history


def _history_key(
    repo: Repository, config: SiteConfig, current: list[Current], since: dt.date, as_of: dt.date
) -> str:
    from outcomesite.build.state import package_digest

    newest = repo.commits[0].sha if repo.commits else ""
    parts = [HISTORY_FORMAT, package_digest(), config.model_dump_json(), newest, since, as_of]
    # By slug: a rebuild of one account lists the accounts in another order than a full build.
    # As JSON (orjson writes dates; the accounts as plain tuples): repr() of ten thousand
    # accounts' dates was 10 ms of every edit.
    by_slug = sorted(current, key=lambda account: account.slug)
    accounts = [(a.slug, a.start_date, a.segment, a.renewals) for a in by_slug]
    return hashlib.sha256(orjson.dumps([parts, accounts])).hexdigest()[:32]


class _KeptHistory:
    """The last portfolio history worked out, in `<cache>/history/<key>.json`."""

    def __init__(self, cache: Path | None, key: str) -> None:
        self.folder = cache / "history" if cache else None
        self.name = f"{key}.json"

    def read(self) -> PortfolioHistory | None:
        if self.folder is None:
            return None
        try:
            # The standard library's: orjson reads it a third faster, but its peak is 1.4 times
            # the file's size higher (5 MB at 10,000 accounts, 55 MB at 100,000).
            found = json.loads((self.folder / self.name).read_bytes())
        except (OSError, ValueError):
            return None
        return found if _shaped(found) else None

    def write(self, history: PortfolioHistory) -> None:
        if self.folder is None:
            return
        keep_only(self.folder, self.name, json_parts(history))


def _shaped(found: Any) -> TypeGuard[PortfolioHistory]:
    """A kept history with this code's keys and containers (its key names the code that wrote
    it, so only a damaged or hand-made file fails this). Not each change: an edit reads the
    kept history of a first quarter's 40,000 changes at 10,000 accounts."""
    if not isinstance(found, dict) or found.keys() != PortfolioHistory.__annotations__.keys():
        return False
    changes, renewals = found["changes"], found["renewals_by_day_90"]
    return (
        isinstance(changes, dict)
        and changes.keys() == Changes.__annotations__.keys()
        and all(isinstance(changes[day], str) for day in ("since", "as_of"))
        and all(isinstance(v, list) for k, v in changes.items() if k not in ("since", "as_of"))
        and _rows(found["months"], kpis.MonthMix)
        and _rows(found["cohorts"], kpis.Cohort)
        and isinstance(renewals, dict)
        and renewals.keys() == kpis.RenewalsByDay90.__annotations__.keys()
        and all(_rows([count], kpis.RenewalCount) for count in renewals.values())
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
    placed: Mapping[tuple[str, str], PastAccount] | None,
) -> PortfolioHistory:
    lives = timelines(repo.commits)
    ends = kpis.month_ends(as_of)
    # One tuple shared by every account (since and as_of first, as _compare reads them, then the
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
    del ladder  # its table of every version placed: on_days holds the ones the KPIs need
    started = [
        kpis.Started(
            a.slug,
            a.start_date,
            a.segment,
            a.renewals,
            on_days[a.slug][-1] if a.start_date + days <= as_of else None,
        )
        for a in current
    ]
    months = range(2, 2 + len(ends))  # where each month end is in an account's days
    return {
        "changes": _compare(on_days, since, as_of),
        "months": [
            kpis.month_mix(end, (d[n] for d in on_days.values()))
            for n, end in zip(months, ends, strict=True)
        ],
        "cohorts": kpis.cohorts(started),
        "renewals_by_day_90": kpis.renewals_by_day_90(started, config.result_check_days),
    }
