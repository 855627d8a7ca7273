"""The KPIs that need history, as pure functions: the rung mix at the end of past months, the
90-day cohorts, and renewals set against where the account stood on day 90.

Day 90 is `result_check_days` after an account's `start_date` (today's file says both). An account
counts in a cohort only once its day 90 has passed and Git holds its file on that day: a day 90
before the repository's history is unknown, not a miss.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple, TypedDict

from outcomesite.model.ladder import Rung
from outcomesite.model.schema import RENEWED
from outcomesite.portfolio.read import Placed

MONTHS = 12  # the rung-mix chart: the end of each of the last twelve whole months


class MonthMix(TypedDict):
    """The active accounts Git held at the end of one month, per rung."""

    month: str  # YYYY-MM
    end: str  # its last day, YYYY-MM-DD
    accounts: int
    by_rung: list[int]  # accounts per rung, index = rung number (0: no named result ... 4)


class Cohort(TypedDict):
    start_quarter: str  # YYYY-Qn of start_date
    segment: str
    accounts: int  # whose day 90 has passed and is in Git's history
    at_result_on_day_90: int  # of those, at Measurable Result on day 90
    share: float  # at_result_on_day_90 / accounts, 0-1


class RenewalCount(TypedDict):
    renewed: int  # renewals recorded as renewed or expanded
    total: int  # every renewal outcome recorded


class RenewalsByDay90(TypedDict):
    at_result: RenewalCount  # accounts at Measurable Result on day 90
    below: RenewalCount  # accounts below it on day 90


class Started(NamedTuple):
    """What today's file says about an account that the KPIs need, and its rung on day 90 (a
    tuple, like Current: one per account)."""

    slug: str
    start_date: dt.date
    segment: str
    renewals: tuple[tuple[dt.date, str], ...]  # (date, outcome)
    # None: day 90 is still ahead, or Git held no file that passes today's checks that day
    rung_on_day_90: int | None


def month_ends(as_of: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The last day of each of the `count` whole months before `as_of`'s month, oldest first."""
    ends: list[dt.date] = []
    end = as_of.replace(day=1) - dt.timedelta(days=1)
    for _ in range(count):
        ends.append(end)
        end = end.replace(day=1) - dt.timedelta(days=1)
    return ends[::-1]


def month_mix(end: dt.date, placed: Iterable[Placed]) -> MonthMix:
    """The accounts placed on `end` (files that fail today's checks, or said churned, left out)."""
    counts = [0] * len(Rung)
    for item in placed:
        if item.past is not None and item.past.status != "churned":
            counts[item.past.rung] += 1
    return {
        "month": end.strftime("%Y-%m"),
        "end": end.isoformat(),
        "accounts": sum(counts),
        "by_rung": counts,
    }


def quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _known(accounts: Iterable[Started]) -> list[tuple[Started, bool]]:
    """Accounts whose day 90 passed with a placed file, and whether they were at the top then."""
    return [(a, a.rung_on_day_90 == Rung.RESULT) for a in accounts if a.rung_on_day_90 is not None]


def cohorts(accounts: Iterable[Started]) -> list[Cohort]:
    """Per start quarter and segment (sorted by both), the share at Measurable Result on day 90."""
    groups: dict[tuple[str, str], list[bool]] = {}
    for account, top in _known(accounts):
        groups.setdefault((quarter(account.start_date), account.segment), []).append(top)
    return [
        {
            "start_quarter": start,
            "segment": segment,
            "accounts": len(tops),
            "at_result_on_day_90": sum(tops),
            "share": round(sum(tops) / len(tops), 3),
        }
        for (start, segment), tops in sorted(groups.items())
    ]


def renewals_by_day_90(accounts: Iterable[Started], days: int) -> RenewalsByDay90:
    """Renewal outcomes recorded after day 90, for accounts at Measurable Result on day 90 and
    for those below it: renewed + expanded over every outcome."""
    counts: RenewalsByDay90 = {
        "at_result": {"renewed": 0, "total": 0},
        "below": {"renewed": 0, "total": 0},
    }
    for account, top in _known(accounts):
        day_90 = account.start_date + dt.timedelta(days=days)
        group = counts["at_result" if top else "below"]
        for day, outcome in account.renewals:
            if day > day_90:
                group["total"] += 1
                group["renewed"] += outcome in RENEWED
    return counts
