"""Locale formatting: the fast path always agrees with Babel, and the wording is direction-aware."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomesite.render import formatting as fmt

LOCALES = ["en_US", "de_DE", "fr_FR", "en_IN", "es_ES", "ja_JP", "de_CH", "ar_EG", "pt_BR"]
UNITS = [None, "days", "%", "USD", "EUR", "JPY"]


@settings(max_examples=600, deadline=None)
@given(
    value=st.one_of(
        st.integers(min_value=-(10**9), max_value=10**9),
        st.decimals(min_value=-(10**6), max_value=10**7, places=3, allow_nan=False).map(float),
    ),
    unit=st.sampled_from(UNITS),
    locale=st.sampled_from(LOCALES),
)
def test_fast_formatting_matches_babel(value: float, unit: str | None, locale: str) -> None:
    assert fmt.quantity(value, unit, locale) == fmt._babel_quantity(value, unit, locale)


@pytest.mark.parametrize(
    ("value", "unit", "locale", "expected"),
    [
        (65, "%", "en_US", "65%"),
        (65, "%", "de_DE", "65\xa0%"),
        (11.5, "%", "en_US", "11.5%"),
        (84000, "USD", "en_US", "$84,000"),
        (84000.5, "EUR", "de_DE", "84.000,50\xa0€"),
        (38, "days", "en_US", "38 days"),
        (1234567, "days", "en_IN", "12,34,567 days"),
        (1.5, "hours", "de_DE", "1,5 hours"),
        (-4, None, "en_US", "-4"),
    ],
)
def test_quantity(value: float, unit: str | None, locale: str, expected: str) -> None:
    assert fmt.quantity(value, unit, locale) == expected


@pytest.mark.parametrize(
    ("baseline", "target", "current", "unit", "expected"),
    [
        (4, 2, 1.5, "hours", "Fell from 4 hours to 1.5 hours; target 2 hours"),
        (10, 20, 15, "%", "Rose from 10% to 15%; target 20%"),
        (60, 40, 70, "days", "Rose from 60 days to 70 days; target 40 days"),
        (60, 40, 60, "days", "Unchanged at 60 days; target 40 days"),
        (60, 40, None, "days", "Not measured yet: baseline 60 days, target 40 days"),
    ],
)
def test_movement(
    baseline: float, target: float, current: float | None, unit: str, expected: str
) -> None:
    assert fmt.movement(baseline, target, current, unit, "en_US") == expected


@pytest.mark.parametrize(
    ("progress", "met", "expected"),
    [
        (None, False, "No measurement yet"),
        (-0.25, False, "Moved away from the target (-25% of the way)"),
        (0.625, False, "62% of the way from baseline to target"),
        (1.0, True, "Target met"),
        (1.5, True, "Target exceeded: 150% of the way"),
    ],
)
def test_progress_text(progress: float | None, met: bool, expected: str) -> None:
    assert fmt.progress_text(progress, met, "en_US") == expected


def test_dates_follow_the_locale() -> None:
    assert fmt.day(dt.date(2026, 11, 10), "en_US") == "Nov 10, 2026"
    assert fmt.day(dt.date(2026, 11, 10), "en_GB") == "10 Nov 2026"
    assert fmt.day(dt.date(2026, 11, 10), "de_DE") == "10.11.2026"
