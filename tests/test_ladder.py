"""The ladder rules as tables: rung boundaries, both directions, progress, the 90-day check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from outcomesite.model import ladder
from outcomesite.model.ladder import Rung
from outcomesite.model.schema import AccountData, Result

D = dt.date


def result(**overrides: Any) -> Result:
    fields: dict[str, Any] = {
        "id": "r",
        "goal": "g",
        "metric": "m",
        "baseline": 60,
        "target": 40,
        "owner": "o",
    }
    fields.update(overrides)
    return msgspec.convert(fields, Result)


CONFIRMED = {"name": "Priya", "confirmed_on": D(2026, 11, 10)}
UNCONFIRMED = {"name": "Priya"}

RUNG_CASES = [
    # (description, result fields, expected rung)
    ("unmeasured", {}, Rung.ACTIVITY),
    ("measured at baseline", {"current": 60, "measured_on": D(2026, 11, 1)}, Rung.ACTIVITY),
    (
        "moved the wrong way (decrease)",
        {"current": 61, "measured_on": D(2026, 11, 1)},
        Rung.ACTIVITY,
    ),
    ("moved one unit the right way", {"current": 59, "measured_on": D(2026, 11, 1)}, Rung.OUTCOME),
    ("moved past the target", {"current": 10, "measured_on": D(2026, 11, 1)}, Rung.OUTCOME),
    (
        "attributed but not validated",
        {
            "current": 50,
            "measured_on": D(2026, 11, 1),
            "attribution": "a",
            "validator": UNCONFIRMED,
        },
        Rung.OUTCOME,
    ),
    (
        "validated but not attributed",
        {"current": 50, "measured_on": D(2026, 11, 1), "validator": CONFIRMED},
        Rung.OUTCOME,
    ),
    (
        "attributed and validated",
        {"current": 50, "measured_on": D(2026, 11, 1), "attribution": "a", "validator": CONFIRMED},
        Rung.RESULT,
    ),
    (
        "attributed and validated but not moved",
        {"current": 60, "measured_on": D(2026, 11, 1), "attribution": "a", "validator": CONFIRMED},
        Rung.ACTIVITY,
    ),
    (
        "estimated, attributed and validated",
        {
            "current": 50,
            "measured_on": D(2026, 11, 1),
            "attribution": "a",
            "validator": CONFIRMED,
            "evidence": "estimated",
        },
        Rung.OUTCOME,
    ),
    (
        "customer-reported, attributed and validated",
        {
            "current": 50,
            "measured_on": D(2026, 11, 1),
            "attribution": "a",
            "validator": CONFIRMED,
            "evidence": "customer-reported",
        },
        Rung.RESULT,
    ),
    (
        "confirmed a value that had moved, a newer one awaits",
        {
            "current": 44,
            "measured_on": D(2026, 11, 20),
            "history": ({"date": D(2026, 10, 1), "value": 50},),
            "attribution": "a",
            "validator": CONFIRMED,
        },
        Rung.RESULT,
    ),
    (
        "confirmed only the baseline, a newer one moved",
        {
            "current": 44,
            "measured_on": D(2026, 11, 20),
            "history": ({"date": D(2026, 10, 1), "value": 60},),
            "attribution": "a",
            "validator": CONFIRMED,
        },
        Rung.OUTCOME,
    ),
    (
        "confirmed before any measurement",
        {"current": 44, "measured_on": D(2026, 11, 20), "attribution": "a", "validator": CONFIRMED},
        Rung.OUTCOME,
    ),
    (
        "increase: moved up",
        {"baseline": 10, "target": 20, "current": 11, "measured_on": D(2026, 1, 1)},
        Rung.OUTCOME,
    ),
    (
        "increase: moved down",
        {"baseline": 10, "target": 20, "current": 9, "measured_on": D(2026, 1, 1)},
        Rung.ACTIVITY,
    ),
    (
        "negative numbers, increase",
        {"baseline": -5, "target": 0, "current": -4, "measured_on": D(2026, 1, 1)},
        Rung.OUTCOME,
    ),
]


@pytest.mark.parametrize(("case", "fields", "expected"), RUNG_CASES, ids=[c[0] for c in RUNG_CASES])
def test_result_rung(case: str, fields: dict[str, Any], expected: Rung) -> None:
    assert ladder.result_rung(result(**fields)) == expected


def account(results: list[Result], usage: str = "activity") -> AccountData:
    return msgspec.convert(
        {
            "account": "A",
            "segment": "smb",
            "csm": "c",
            "start_date": D(2026, 1, 1),
            "usage": usage,
            "results": tuple(results),
        },
        AccountData,
    )


MOVED = {"current": 50, "measured_on": D(2026, 11, 1)}
PROVEN = {**MOVED, "attribution": "a", "validator": CONFIRMED}

ACCOUNT_CASES = [
    ("no results", [], "activity", Rung.NONE),
    ("no results but adoption", [], "adoption", Rung.NONE),
    ("one unmeasured result", [{}], "activity", Rung.ACTIVITY),
    ("adoption beats activity", [{}], "adoption", Rung.ADOPTION),
    ("outcome beats adoption", [MOVED], "adoption", Rung.OUTCOME),
    ("highest result wins", [{}, MOVED, PROVEN], "activity", Rung.RESULT),
]


@pytest.mark.parametrize(
    ("case", "results", "usage", "expected"), ACCOUNT_CASES, ids=[c[0] for c in ACCOUNT_CASES]
)
def test_account_rung(case: str, results: list[dict[str, Any]], usage: str, expected: Rung) -> None:
    items = [result(id=f"r{i}", **fields) for i, fields in enumerate(results)]
    assert ladder.account_rung(account(items, usage)) == expected


PROGRESS_CASES = [
    # baseline, target, current, progress, target met
    (60, 40, None, None, False),
    (60, 40, 60, 0.0, False),
    (60, 40, 50, 0.5, False),
    (60, 40, 40, 1.0, True),
    (60, 40, 30, 1.5, True),
    (60, 40, 70, -0.5, False),
    (10, 20, 15, 0.5, False),
    (10, 20, 25, 1.5, True),
    (10, 20, 5, -0.5, False),
    (10, 20, 20, 1.0, True),
]


@pytest.mark.parametrize(("baseline", "target", "current", "progress", "met"), PROGRESS_CASES)
def test_progress_and_target_met(
    baseline: float, target: float, current: float | None, progress: float | None, met: bool
) -> None:
    fields: dict[str, Any] = {"baseline": baseline, "target": target}
    if current is not None:
        fields |= {"current": current, "measured_on": D(2026, 1, 1)}
    r = result(**fields)
    assert ladder.progress(r) == progress
    assert ladder.target_met(r) is met


@pytest.mark.parametrize(
    ("rung", "start", "as_of", "expected"),
    [
        (Rung.OUTCOME, D(2026, 1, 1), D(2026, 3, 31), "not_due"),  # 89 days
        (Rung.OUTCOME, D(2026, 1, 1), D(2026, 4, 1), "failing"),  # 90 days
        (Rung.NONE, D(2026, 1, 1), D(2026, 12, 1), "failing"),
        (Rung.RESULT, D(2026, 1, 1), D(2026, 1, 2), "passed"),
        (Rung.RESULT, D(2026, 1, 1), D(2026, 12, 1), "passed"),
    ],
)
def test_result_check(rung: Rung, start: dt.date, as_of: dt.date, expected: str) -> None:
    assert ladder.result_check(rung, start, as_of, 90) == expected


@pytest.mark.parametrize(
    ("measured_on", "stale"),
    [(None, False), (D(2026, 7, 26), False), (D(2026, 7, 25), True)],  # 120 vs 121 days
)
def test_stale(measured_on: dt.date | None, stale: bool) -> None:
    fields = {"current": 50, "measured_on": measured_on} if measured_on else {}
    assert ladder.is_stale(result(**fields), D(2026, 11, 23), 120) is stale


@pytest.mark.parametrize(
    ("due", "current", "overdue"),
    [
        (None, 50, False),
        (D(2026, 11, 23), 50, False),  # due today is not overdue yet
        (D(2026, 11, 22), 50, True),
        (D(2026, 11, 22), 40, False),  # target met
        (D(2026, 11, 22), None, True),
    ],
)
def test_overdue(due: dt.date | None, current: float | None, overdue: bool) -> None:
    fields: dict[str, Any] = {"due": due} if due else {}
    if current is not None:
        fields |= {"current": current, "measured_on": D(2026, 11, 1)}
    assert ladder.is_overdue(result(**fields), D(2026, 11, 23)) is overdue


def test_direction_is_inferred_or_declared() -> None:
    assert ladder.direction(result(baseline=1, target=2)) == "increase"
    assert ladder.direction(result(baseline=2, target=1)) == "decrease"
    assert ladder.direction(result(baseline=2, target=1, direction="decrease")) == "decrease"


def test_attention_reasons() -> None:
    stale = result(id="old", current=50, measured_on=D(2026, 1, 1))
    assessment = ladder.assess(account([stale]), D(2026, 11, 23), 90, 120)
    assert assessment.rung == Rung.OUTCOME
    assert assessment.result_check == "failing"
    assert assessment.attention == (
        ladder.Attention("result-check"),
        ladder.Attention("stale", "old"),
        ladder.Attention("unconfirmed", "old"),
    )
    assert ladder.assess(account([]), D(2026, 1, 2), 90, 120).attention == (
        ladder.Attention("no-result"),
    )


CONFIRMATION_CASES = [
    # (description, confirmed_on, measurements, expected (value, measured_on, latest) or None)
    ("nobody confirmed", None, [(D(2026, 10, 1), 50.0)], None),
    (
        "confirmed the only value",
        D(2026, 10, 2),
        [(D(2026, 10, 1), 50.0)],
        (50.0, D(2026, 10, 1), True),
    ),
    ("same day counts", D(2026, 10, 1), [(D(2026, 10, 1), 50.0)], (50.0, D(2026, 10, 1), True)),
    (
        "a newer value awaits",
        D(2026, 10, 2),
        [(D(2026, 10, 1), 50.0), (D(2026, 11, 1), 44.0)],
        (50.0, D(2026, 10, 1), False),
    ),
    (
        "covers the latest before it, not the first",
        D(2026, 11, 5),
        [(D(2026, 10, 1), 50.0), (D(2026, 11, 1), 44.0)],
        (44.0, D(2026, 11, 1), True),
    ),
    ("before any measurement", D(2026, 9, 1), [(D(2026, 10, 1), 50.0)], (None, None, False)),
    ("no measurement at all", D(2026, 9, 1), [], (None, None, True)),
]


@pytest.mark.parametrize(
    ("case", "confirmed_on", "points", "expected"),
    CONFIRMATION_CASES,
    ids=[c[0] for c in CONFIRMATION_CASES],
)
def test_confirmation_covers_one_measurement(
    case: str,
    confirmed_on: dt.date | None,
    points: list[tuple[dt.date, float]],
    expected: tuple[float | None, dt.date | None, bool] | None,
) -> None:
    validator = {"name": "Priya", "confirmed_on": confirmed_on} if confirmed_on else UNCONFIRMED
    found = ladder.confirmation(result(validator=validator), tuple(points))
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.value, found.measured_on, found.latest) == expected
        assert found.on == confirmed_on


NOTHING_MOVED_CASES = [
    # (description, confirmed_on, measurements (baseline 60, target 40), warns)
    ("confirmed a value that moved", D(2026, 10, 2), [(D(2026, 10, 1), 50.0)], False),
    ("confirmed before the first move", D(2026, 9, 15), [(D(2026, 10, 1), 50.0)], True),
    (
        "confirmed the baseline, a later value moved",
        D(2026, 9, 15),
        [(D(2026, 9, 10), 60.0), (D(2026, 10, 1), 50.0)],
        True,
    ),
    ("nothing moved yet", D(2026, 10, 2), [(D(2026, 10, 1), 60.0)], False),
    ("moved the wrong way only", D(2026, 10, 2), [(D(2026, 10, 1), 65.0)], False),
    ("nobody confirmed", None, [(D(2026, 10, 1), 50.0)], False),
]


@pytest.mark.parametrize(
    ("case", "confirmed_on", "points", "warns"),
    NOTHING_MOVED_CASES,
    ids=[c[0] for c in NOTHING_MOVED_CASES],
)
def test_confirmed_nothing_that_moved(
    case: str, confirmed_on: dt.date | None, points: list[tuple[dt.date, float]], warns: bool
) -> None:
    validator = {"name": "Priya", "confirmed_on": confirmed_on} if confirmed_on else UNCONFIRMED
    assert ladder.confirmed_nothing_that_moved(result(validator=validator), tuple(points)) is warns


MOVING_AWAY_CASES = [
    # (description, fields, moving away)
    ("unmeasured", {}, False),
    ("at the baseline", {"current": 60}, False),
    ("toward the target", {"current": 50}, False),
    ("away from the target (decrease)", {"current": 65}, True),
    ("away from the target (increase)", {"baseline": 10, "target": 20, "current": 9}, True),
    ("past the target is not away", {"current": 10}, False),
]


@pytest.mark.parametrize(
    ("case", "fields", "expected"), MOVING_AWAY_CASES, ids=[c[0] for c in MOVING_AWAY_CASES]
)
def test_moving_away(case: str, fields: dict[str, Any], expected: bool) -> None:
    measured = {"measured_on": D(2026, 11, 1)} if "current" in fields else {}
    assert ladder.moving_away(result(**fields, **measured)) is expected


def test_moving_away_is_the_first_reason_after_no_result() -> None:
    assert ladder.ATTENTION_REASONS[:2] == ("no-result", "moving-away")


def test_rung_labels() -> None:
    assert [(r.key, r.label) for r in Rung] == [
        ("none", "No named result"),
        ("activity", "Activity"),
        ("adoption", "Adoption"),
        ("outcome", "Outcome"),
        ("result", "Measurable Result"),
    ]
    assert ladder.next_rung_step(Rung.RESULT) is None
    assert all(ladder.next_rung_step(r) for r in Rung if r != Rung.RESULT)
