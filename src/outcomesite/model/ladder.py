"""The Customer Results Ladder as small pure functions over the model.

A rung is computed from evidence, never typed in; reaching the target is reported separately and
does not change the rung. Every function here is total: unmeasured results give `None`, not errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from outcomesite.model.schema import AccountData, Direction, Result

ResultCheck = Literal["passed", "failing", "not_due"]


class Rung(IntEnum):
    NONE = 0
    ACTIVITY = 1
    ADOPTION = 2
    OUTCOME = 3
    RESULT = 4

    @property
    def key(self) -> str:
        return _KEYS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_KEYS = {
    Rung.NONE: "none",
    Rung.ACTIVITY: "activity",
    Rung.ADOPTION: "adoption",
    Rung.OUTCOME: "outcome",
    Rung.RESULT: "result",
}
_LABELS = {
    Rung.NONE: "No named result",
    Rung.ACTIVITY: "Activity",
    Rung.ADOPTION: "Adoption",
    Rung.OUTCOME: "Outcome",
    Rung.RESULT: "Measurable Result",
}


def direction(result: Result) -> Direction:
    """The declared direction, or the one baseline -> target implies."""
    if result.direction is not None:
        return result.direction
    return "increase" if result.target > result.baseline else "decrease"


def implied_direction(baseline: float, target: float) -> Direction | None:
    if target == baseline:
        return None
    return "increase" if target > baseline else "decrease"


def moved(result: Result) -> bool:
    """True when `current` moved away from the baseline in the result's direction."""
    if result.current is None:
        return False
    delta = result.current - result.baseline
    return delta > 0 if direction(result) == "increase" else delta < 0


def is_attributed(result: Result) -> bool:
    return bool(result.attribution and result.attribution.strip())


def is_validated(result: Result) -> bool:
    return result.validator is not None and result.validator.confirmed_on is not None


def result_rung(result: Result) -> Rung:
    if not moved(result):
        return Rung.ACTIVITY
    if is_attributed(result) and is_validated(result):
        return Rung.RESULT
    return Rung.OUTCOME


def usage_rung(account: AccountData) -> Rung:
    return Rung.ADOPTION if account.usage == "adoption" else Rung.ACTIVITY


def account_rung(account: AccountData) -> Rung:
    """Highest of the results' rungs and the usage rung; `NONE` when there is no result at all."""
    if not account.results:
        return Rung.NONE
    return max([usage_rung(account), *(result_rung(r) for r in account.results)])


def progress(result: Result) -> float | None:
    """(current - baseline) / (target - baseline): negative when moving away, > 1 past the target."""
    if result.current is None:
        return None
    # + 0.0: no movement toward a lower target is 0 / -20 = -0.0, which must read as 0.
    return (result.current - result.baseline) / (result.target - result.baseline) + 0.0


def target_met(result: Result) -> bool:
    if result.current is None:
        return False
    if direction(result) == "increase":
        return result.current >= result.target
    return result.current <= result.target


def is_stale(result: Result, as_of: dt.date, stale_after_days: int) -> bool:
    """A measurement older than `stale_after_days`; an unmeasured result is not stale."""
    if result.measured_on is None:
        return False
    return (as_of - result.measured_on).days > stale_after_days


def is_overdue(result: Result, as_of: dt.date) -> bool:
    return result.due is not None and as_of > result.due and not target_met(result)


def result_check(rung: Rung, start_date: dt.date, as_of: dt.date, days: int) -> ResultCheck:
    """The 90-day result check: rung 4 passes; below it, failing once `days` have gone by."""
    if rung == Rung.RESULT:
        return "passed"
    if (as_of - start_date).days >= days:
        return "failing"
    return "not_due"


@dataclass(frozen=True)
class ResultAssessment:
    result: Result
    rung: Rung
    direction: Direction
    progress: float | None
    target_met: bool
    validated: bool
    stale: bool
    overdue: bool


@dataclass(frozen=True)
class Assessment:
    """Everything the reports and the index say about one account, computed once."""

    rung: Rung
    results: tuple[ResultAssessment, ...]
    result_check: ResultCheck
    attention: tuple[str, ...]  # why the account needs attention; empty when it does not

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


def assess(account: AccountData, as_of: dt.date, check_days: int, stale_days: int) -> Assessment:
    results = tuple(
        ResultAssessment(
            result=r,
            rung=result_rung(r),
            direction=direction(r),
            progress=progress(r),
            target_met=target_met(r),
            validated=is_validated(r),
            stale=is_stale(r, as_of, stale_days),
            overdue=is_overdue(r, as_of),
        )
        for r in account.results
    )
    rung = account_rung(account)
    check = result_check(rung, account.start_date, as_of, check_days)
    return Assessment(rung, results, check, attention_reasons(results, check))


def attention_reasons(results: tuple[ResultAssessment, ...], check: ResultCheck) -> tuple[str, ...]:
    """Why a CS leader should look at this account first, in the order they matter."""
    reasons: list[str] = []
    if not results:
        reasons.append("no named result")
    if check == "failing":
        reasons.append("failing 90-day result check")
    reasons.extend(f"stale measurement: {r.result.id}" for r in results if r.stale)
    reasons.extend(f"target overdue: {r.result.id}" for r in results if r.overdue)
    reasons.extend(
        f"not confirmed by the customer: {r.result.id}" for r in results if not r.validated
    )
    return tuple(reasons)


def why_this_rung(account: AccountData, rung: Rung) -> str:
    """One sentence a customer's executive can read: the evidence behind the rung."""
    if rung == Rung.NONE:
        return "No result has been named for this account yet."
    if rung == Rung.RESULT:
        return (
            "At least one result moved in the right direction, is attributed to the product and "
            "was confirmed by the customer."
        )
    if rung == Rung.OUTCOME:
        return "At least one result has moved from its baseline in the right direction."
    if rung == Rung.ADOPTION:
        return "The product is used repeatedly across users and weeks; no result has moved yet."
    return "The product is in use; no result has moved from its baseline yet."


def next_rung_step(rung: Rung) -> str | None:
    """What it takes to reach the next rung; `None` at the top."""
    steps = {
        Rung.NONE: "Name a result: a goal the customer would call valuable, with a metric, a "
        "baseline and a target.",
        Rung.ACTIVITY: "Show repeated use across users and weeks (Adoption), or measure a result "
        "that moved from its baseline.",
        Rung.ADOPTION: "Measure the metric again and show it moved from its baseline toward the "
        "target.",
        Rung.OUTCOME: "Attribute the change to the product and have the customer confirm it.",
    }
    return steps.get(rung)
