"""The Customer Results Ladder as small pure functions over the model.

A rung is computed from evidence, never typed in; reaching the target is reported separately and
does not change the rung. Every function here is total: unmeasured results give `None`, not errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from outcomesite.i18n import N_
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
# In English in index.json and the CSV exports; a report translates them (render/views.py).
_LABELS = {
    Rung.NONE: N_("No named result"),
    Rung.ACTIVITY: N_("Activity"),
    Rung.ADOPTION: N_("Adoption"),
    Rung.OUTCOME: N_("Outcome"),
    Rung.RESULT: N_("Measurable Result"),
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


Point = tuple[dt.date, float]  # one measurement: when, and the value


def moved_from_baseline(result: Result, value: float | None) -> bool:
    """True when `value` moved away from the baseline in the result's direction."""
    if value is None:
        return False
    delta = value - result.baseline
    return delta > 0 if direction(result) == "increase" else delta < 0


def moved(result: Result) -> bool:
    """True when `current` moved away from the baseline in the result's direction."""
    return moved_from_baseline(result, result.current)


def moving_away(result: Result) -> bool:
    """True when `current` moved from the baseline away from the target: costs that should fall
    rose. The loudest signal a result can give."""
    if result.current is None or result.current == result.baseline:
        return False
    return not moved(result)


def is_attributed(result: Result) -> bool:
    return bool(result.attribution and result.attribution.strip())


def measurements(result: Result, recorded: tuple[Point, ...] = ()) -> tuple[Point, ...]:
    """Every known measurement, oldest first: what earlier commits recorded, the file's history
    and its current value (the file wins on a date it gives too)."""
    by_date = dict(recorded)
    by_date.update((h.date, h.value) for h in result.history)
    if result.current is not None and result.measured_on is not None:
        by_date[result.measured_on] = result.current
    return tuple(sorted(by_date.items()))


@dataclass(frozen=True)
class Confirmation:
    """What the customer confirmed: the latest measurement dated on or before `confirmed_on`."""

    on: dt.date  # the day they confirmed
    value: float | None  # None: there was no measurement yet, so nothing was confirmed
    measured_on: dt.date | None
    latest: bool  # it is the latest measurement: nothing newer awaits confirmation


def confirmation(result: Result, points: tuple[Point, ...]) -> Confirmation | None:
    """None while nobody confirmed; a confirmation covers one measurement, not later ones."""
    if result.validator is None or result.validator.confirmed_on is None:
        return None
    confirmed_on = result.validator.confirmed_on
    covered = [point for point in points if point[0] <= confirmed_on]
    if not covered:
        return Confirmation(confirmed_on, None, None, latest=not points)
    day, value = covered[-1]
    return Confirmation(confirmed_on, value, day, latest=day == points[-1][0])


def confirmed_nothing_that_moved(result: Result, points: tuple[Point, ...]) -> bool:
    """The customer confirmed before the first measurement that moved from the baseline. While
    nothing has moved yet (or the numbers moved the wrong way) there is nothing to ask them to
    confirm again: the result check and the moving-away warning speak for those."""
    found = confirmation(result, points)
    moved_on = [day for day, value in points if moved_from_baseline(result, value)]
    return found is not None and bool(moved_on) and moved_on[0] > found.on


def result_rung(result: Result, points: tuple[Point, ...] | None = None) -> Rung:
    """Outcome once `current` moved; Measurable Result when, besides, the change is attributed to
    the product, the customer confirmed a value that had itself moved, and it is not an estimate
    (a customer cannot defend an estimate to their CFO)."""
    if not moved(result):
        return Rung.ACTIVITY
    found = confirmation(result, measurements(result) if points is None else points)
    confirmed_a_move = found is not None and moved_from_baseline(result, found.value)
    if is_attributed(result) and confirmed_a_move and result.evidence != "estimated":
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
    validated: bool  # the customer confirmed a measurement (maybe not the latest)
    stale: bool
    overdue: bool
    moving_away: bool = False
    points: tuple[Point, ...] = ()  # every known measurement, oldest first
    confirmation: Confirmation | None = None

    @property
    def latest_confirmed(self) -> bool:
        """The customer confirmed the latest measurement: nothing awaits their confirmation."""
        return self.confirmation is not None and self.confirmation.latest and self.validated

    @property
    def confirmed_value(self) -> float | None:
        return self.confirmation.value if self.confirmation else None


# Why an account needs a person, most severe first (SPEC): the order of Assessment.attention.
ATTENTION_REASONS = (
    "no-result",  # no named result
    "moving-away",  # a result moving away from its target
    "result-check",  # failing the 90-day result check
    "overdue",  # a target past its due date, not met
    "stale",  # a measurement older than the stale limit
    "unconfirmed",  # the latest measurement awaits the customer's confirmation
)


@dataclass(frozen=True)
class Attention:
    """One reason an account needs attention, and the result it is about (None: the account)."""

    reason: str  # one of ATTENTION_REASONS
    result: str | None = None  # the result's id


@dataclass(frozen=True)
class Assessment:
    """Everything the reports and the index say about one account, computed once."""

    rung: Rung
    results: tuple[ResultAssessment, ...]
    result_check: ResultCheck
    attention: tuple[Attention, ...]  # why the account needs attention, most severe first

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


def assess(
    account: AccountData,
    as_of: dt.date,
    check_days: int,
    stale_days: int,
    recorded: Mapping[str, tuple[Point, ...]] | None = None,
) -> Assessment:
    """Where the account stands as of `as_of`; `recorded` adds measurements earlier commits
    recorded, by result id (a confirmation may cover a value the file no longer holds)."""
    results = []
    for r in account.results:
        points = measurements(r, (recorded or {}).get(r.id, ()))
        found = confirmation(r, points)
        results.append(
            ResultAssessment(
                result=r,
                rung=result_rung(r, points),
                direction=direction(r),
                progress=progress(r),
                target_met=target_met(r),
                validated=found is not None and found.value is not None,
                stale=is_stale(r, as_of, stale_days),
                overdue=is_overdue(r, as_of),
                moving_away=moving_away(r),
                points=points,
                confirmation=found,
            )
        )
    items = tuple(results)
    rung = Rung.NONE if not items else max([usage_rung(account), *(i.rung for i in items)])
    check = result_check(rung, account.start_date, as_of, check_days)
    return Assessment(rung, items, check, attention_reasons(items, check))


def attention_reasons(
    results: tuple[ResultAssessment, ...], check: ResultCheck
) -> tuple[Attention, ...]:
    """Why a CS leader should look at this account, most severe first (ATTENTION_REASONS)."""
    found: list[Attention] = []
    if not results:
        found.append(Attention("no-result"))
    found += [Attention("moving-away", r.result.id) for r in results if r.moving_away]
    if check == "failing":
        found.append(Attention("result-check"))
    found += [Attention("overdue", r.result.id) for r in results if r.overdue]
    found += [Attention("stale", r.result.id) for r in results if r.stale]
    found += [Attention("unconfirmed", r.result.id) for r in results if not r.latest_confirmed]
    return tuple(found)


def next_rung_step(rung: Rung) -> str | None:
    """What it takes to reach the next rung, to the CSM (the result check's warning says it);
    `None` at the top. The report says it to the customer in its own words (render/views.py)."""
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
