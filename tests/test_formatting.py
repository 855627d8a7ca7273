"""Locale formatting: the fast path always agrees with Babel, units agree with their value in the
locale, the wording is direction-aware, and nothing prints as -0 or +0."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomesite.render import formatting as fmt

LOCALES = ["en_US", "de_DE", "fr_FR", "en_IN", "es_ES", "ja_JP", "de_CH", "ar_EG", "pt_BR"]
UNITS = [
    None,
    "days",
    "day",
    "hours",
    "minutes",
    "%",
    "USD",
    "EUR",
    "JPY",
    "EUR/month",
    "USD per year",
    "errors",
    "payments/day",
    "NPS",
]
# A sign in front of a zero that is not the start of a longer number: "-0", "+0 %", "−0".
SIGNED_ZERO = re.compile(r"[-+\u2212]0(?![0-9.,])")


@settings(max_examples=1000, deadline=None)
@given(
    value=st.one_of(
        st.integers(min_value=-(10**9), max_value=10**9),
        st.decimals(min_value=-(10**6), max_value=10**7, places=3, allow_nan=False).map(float),
        st.sampled_from([0.000012, 1.5, 1.0, -1.0, 21.0, 0.1, 2.0]),
    ),
    unit=st.sampled_from(UNITS),
    locale=st.sampled_from(LOCALES),
)
def test_fast_formatting_matches_babel(value: float, unit: str | None, locale: str) -> None:
    assert fmt.quantity(value, unit, locale) == fmt._babel_quantity(value, unit, locale)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.sampled_from([1, 1.0, -1.0, 0, 0.0, -0.0, 2, 1.5, 0.1, 21.0, 100.0]),
            st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(float),
        ),
        min_size=1,
        max_size=8,
    ),
    locale=st.sampled_from([*LOCALES, "ru_RU", "pl_PL", "cy_GB"]),
)
def test_a_cached_plural_category_is_babels(values: list[float], locale: str) -> None:
    """Equal keys share a cache entry (1 and 1.0, 0.0 and -0.0): each must get the category
    Babel gives the value itself, whichever came first."""
    from babel import Locale

    rule = Locale.parse(locale).plural_form
    for value in values:
        assert fmt._plural(value, locale) == rule(fmt._exact(value)), value


def test_the_fast_paths_are_taken() -> None:
    """Otherwise the test above would only compare Babel with itself."""
    assert fmt._style("plain", "en_US") is not None
    assert fmt._style("money:EUR", "de_DE") is not None
    for value in (3, 4, 1):
        fmt.quantity(value, "days", "de_DE")
    assert fmt._TIME_AFFIXES[("duration-day", "other", "de_DE")] == ("", " Tage")
    assert fmt._TIME_AFFIXES[("duration-day", "one", "de_DE")] == ("", " Tag")
    assert fmt._per_affixes("duration-month", "en_US") == ("", " per month")


@pytest.mark.parametrize(
    ("value", "unit", "locale", "expected"),
    [
        # percent and money: as before, the symbol is part of the number
        (65, "%", "en_US", "65%"),
        (65, "%", "de_DE", "65\xa0%"),
        (11.5, "%", "en_US", "11.5%"),
        (84000, "USD", "en_US", "$84,000"),
        (5500, "EUR", "en_US", "€5,500"),
        (84000.5, "EUR", "de_DE", "84.000,50\xa0€"),
        # money with a period: CLDR's long per-unit pattern, in the locale's words
        (5500, "EUR/month", "en_US", "€5,500 per month"),
        (5500, "EUR / month", "en_US", "€5,500 per month"),
        (5500, "EUR per month", "de_DE", "5.500\xa0€ pro Monat"),
        (5500, "EUR a month", "fr_FR", "5\u202f500\xa0€ par mois"),
        (5500.5, "USD per year", "en_US", "$5,500.50 per year"),
        (120, "USD/hour", "en_US", "$120 per hour"),
        # time units: CLDR patterns, plural by value and locale
        (38, "days", "en_US", "38 days"),
        (1, "days", "en_US", "1 day"),
        (1.0, "days", "en_US", "1 day"),
        (-1, "days", "en_US", "-1 day"),
        (0, "days", "en_US", "0 days"),
        (2, "day", "en_US", "2 days"),
        (1, "Days", "en_US", "1 day"),
        (1.5, "hours", "en_US", "1.5 hours"),
        (1, "weeks", "en_US", "1 week"),
        (1, "years", "en_US", "1 year"),
        (30, "seconds", "en_US", "30 seconds"),
        (38, "days", "de_DE", "38 Tage"),
        (1, "days", "de_DE", "1 Tag"),
        (1.5, "hours", "de_DE", "1,5 Stunden"),
        (1, "minutes", "de_DE", "1 Minute"),
        (3, "months", "de_DE", "3 Monate"),
        (1.5, "hours", "fr_FR", "1,5\xa0heure"),  # French: 1.5 is singular
        (38, "days", "fr_FR", "38\xa0jours"),
        (1234567, "days", "en_IN", "12,34,567 days"),
        (0.000012, "days", "en_US", "0.000012 days"),  # every digit, as written
        (1234567.125, "hours", "en_US", "1,234,567.125 hours"),
        # free text: as written, singular for "one" in English only
        (2, "errors", "en_US", "2 errors"),
        (1, "errors", "en_US", "1 error"),
        (-1, "errors", "en_US", "-1 error"),
        (0, "errors", "en_US", "0 errors"),
        (1.5, "errors", "en_US", "1.5 errors"),
        (1, "payments/day", "en_US", "1 payment/day"),
        (1900, "payments/day", "en_US", "1,900 payments/day"),
        (1, "tickets per week", "en_US", "1 ticket per week"),
        (1, "active users/day", "en_GB", "1 active user/day"),
        (1, "errors", "de_DE", "1 errors"),
        (1, "Fehler", "de_DE", "1 Fehler"),
        (1, "NPS", "en_US", "1 NPS"),  # not a currency: CLDR knows no NPS
        (-4, None, "en_US", "-4"),
        (-0.0, None, "en_US", "0"),
    ],
)
def test_quantity(value: float, unit: str | None, locale: str, expected: str) -> None:
    assert fmt.quantity(value, unit, locale) == expected


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("errors", "error"),
        ("Errors", "Error"),
        ("payments/day", "payment/day"),
        ("tickets per week", "ticket per week"),
        ("active users/day", "active user/day"),
        ("processes", "process"),
        ("batches", "batch"),
        ("pushes", "push"),
        ("boxes", "box"),
        ("queries", "query"),
        ("entries/month", "entry/month"),
        ("caches", "cache"),
        ("movies", "movie"),
        ("statuses", "status"),
        ("licenses", "license"),
        ("people", "person"),
        ("ties", "tie"),
        # not a plain plural: left as written
        ("status", "status"),
        ("class", "class"),
        ("analysis", "analysis"),
        ("series", "series"),
        ("news", "news"),
        ("data", "data"),
        ("NPS", "NPS"),
        ("ms", "ms"),
        ("kWh", "kWh"),
        ("tickets closed", "tickets closed"),
        ("hours saved", "hours saved"),
    ],
)
def test_english_singular_of_a_free_text_unit(unit: str, expected: str) -> None:
    assert fmt.quantity(1, unit, "en_US") == f"1 {expected}"


@pytest.mark.parametrize(
    ("unit", "money"),
    [("EUR", True), ("EUR/month", True), ("USD per year", True), ("%", False), ("NPS", False)],
)
def test_is_money(unit: str, money: bool) -> None:
    assert fmt.is_money(unit) is money
    assert fmt.is_currency(unit) is (money and "/" not in unit and " " not in unit)


@pytest.mark.parametrize(
    ("baseline", "target", "current", "unit", "locale", "expected"),
    [
        (4, 2, 1.5, "hours", "en_US", "Fell from 4 hours to 1.5 hours; target 2 hours"),
        (10, 20, 15, "%", "en_US", "Rose from 10% to 15%; target 20%"),
        (60, 40, 70, "days", "en_US", "Rose from 60 days to 70 days; target 40 days"),
        (2, 0, 1, "days", "en_US", "Fell from 2 days to 1 day; target 0 days"),
        (60, 40, 60, "days", "en_US", "Unchanged at 60 days; target 40 days"),
        (60, 40, None, "days", "en_US", "Not measured yet: baseline 60 days, target 40 days"),
        (60, 40, 38, "days", "de_DE", "Gesunken: vorher 60 Tage, jetzt 38 Tage; Ziel 40 Tage"),
        # a free-text unit once, with the value it is read with
        (1900, 700, 1650, "payments/day", "en_US", "Fell from 1,900 to 1,650 payments/day; target 700"),
        (340, 250, 355, "tickets/week", "en_US", "Rose from 340 to 355 tickets/week; target 250"),
        (2, 0, 1, "errors", "en_US", "Fell from 2 to 1 error; target 0"),
        (1900, 700, 1900, "payments/day", "en_US", "Unchanged at 1,900 payments/day; target 700"),
        (1900, 700, None, "payments/day", "en_US", "Not measured yet: baseline 1,900, target 700 payments/day"),
        (1900, 700, 1650, "Zahlungen/Tag", "de_DE", "Gesunken: vorher 1.900, jetzt 1.650 Zahlungen/Tag; Ziel 700"),
        # money: the symbol on every amount, a period once
        (84000, 120000, 96000, "USD", "en_US", "Rose from $84,000 to $96,000; target $120,000"),
        (8000, 2000, 2500, "EUR/month", "en_US", "Fell from €8,000 to €2,500 per month; target €2,000"),
        (8000, 2000, 2500, "EUR/month", "de_DE", "Gesunken: vorher 8.000\xa0€, jetzt 2.500\xa0€ pro Monat; Ziel 2.000\xa0€"),
    ],
)  # fmt: skip
def test_movement(
    baseline: float, target: float, current: float | None, unit: str, locale: str, expected: str
) -> None:
    assert fmt.movement(baseline, target, current, unit, locale) == expected


@pytest.mark.parametrize(
    ("progress", "met", "locale", "expected"),
    [
        (None, False, "en_US", "No measurement yet"),
        (-0.25, False, "en_US", "Moved away from the target by 25% of the way"),
        (-0.004, False, "en_US", "Moved away from the target by less than 1% of the way"),
        (-0.004, False, "de_DE", "Um weniger als 1\xa0% der Strecke vom Ziel entfernt"),
        (-0.005, False, "en_US", "Moved away from the target by less than 1% of the way"),
        (-2e6, False, "en_US", "Moved away from the target by more than 100,000,000% of the way"),
        (0.0, False, "en_US", "0% of the way from baseline to target"),
        (0.004, False, "en_US", "less than 1% of the way from baseline to target"),
        (0.625, False, "en_US", "62% of the way from baseline to target"),
        (0.625, False, "de_DE", "62\xa0% der Strecke vom Ausgangswert zum Ziel"),
        (0.996, False, "en_US", "more than 99% of the way from baseline to target"),
        (1.0, True, "en_US", "Target met"),
        (1.004, True, "en_US", "Target exceeded: more than 100% of the way"),
        (1.5, True, "en_US", "Target exceeded: 150% of the way"),
    ],
)
def test_progress_text(progress: float | None, met: bool, locale: str, expected: str) -> None:
    assert fmt.progress_text(progress, met, locale) == expected


@settings(max_examples=300, deadline=None)
@given(
    progress=st.floats(min_value=-3, max_value=3, allow_nan=False),
    locale=st.sampled_from(["en_US", "de_DE", "fr_FR"]),
)
def test_progress_never_says_minus_zero_or_zero_for_a_move(progress: float, locale: str) -> None:
    text = fmt.progress_text(progress, progress >= 1, locale)
    assert "-" not in text and "\u2212" not in text
    if progress != 0:
        assert not re.search(r"(?<![0-9.,\s])\s?0\s?%", text), text


@pytest.mark.parametrize(
    ("baseline", "current", "unit", "direction", "locale", "expected"),
    [
        (60, 38, "days", "decrease", "en_US", ("-22 days (-37%)", "-22 days", "-37%", True)),
        (60, 38, "days", "decrease", "de_DE", ("-22 Tage (-37\xa0%)", "-22 Tage", "-37\xa0%", True)),
        (60, 61, "days", "decrease", "en_US", ("+1 day (+2%)", "+1 day", "+2%", False)),
        (38, 60, "days", "increase", "fr_FR", ("+22\xa0jours (+58\xa0%)", "+22\xa0jours", "+58\xa0%", True)),
        (14, 9, "errors", "decrease", "en_US", ("-5 errors (-36%)", "-5 errors", "-36%", True)),
        (1000, 1001, "errors", "increase", "en_US", ("+1 error (less than 1%)", "+1 error", "less than 1%", True)),
        (1000, 999, "errors", "increase", "de_DE", ("-1 errors (weniger als 1\xa0%)", "-1 errors", "weniger als 1\xa0%", False)),
        (0, 3, "errors", "decrease", "en_US", ("+3 errors", "+3 errors", None, False)),
        (0.001, 5000, "errors", "increase", "en_US", ("+4,999.999 errors", "+4,999.999 errors", None, True)),
        (-10, -5, None, "increase", "en_US", ("+5 (+50%)", "+5", "+50%", True)),
        (0.1, 0.3, "hours", "increase", "en_US", ("+0.2 hours (+200%)", "+0.2 hours", "+200%", True)),
        (1900, 1650, "payments/day", "decrease", "en_US", ("-250 payments/day (-13%)", "-250 payments/day", "-13%", True)),
        # percent: the amount in percentage points, the percentage relative to the baseline
        (50, 65, "%", "increase", "en_US", ("+15 percentage points (+30%)", "+15 percentage points", "+30%", True)),
        (50, 49, "%", "increase", "de_DE", ("-1 Prozentpunkt (-2\xa0%)", "-1 Prozentpunkt", "-2\xa0%", False)),
        # money: a saving or a gain, its period closing the phrase
        (11000, 5500, "EUR", "decrease", "en_US", ("€5,500 less (-50%)", "€5,500 less", "-50%", True)),
        (5500, 11000, "EUR", "decrease", "de_DE", ("5.500\xa0€ mehr (+100\xa0%)", "5.500\xa0€ mehr", "+100\xa0%", False)),
        (84000, 96000.5, "USD", "increase", "en_US", ("$12,000.50 more (+14%)", "$12,000.50 more", "+14%", True)),
        (11000, 5500, "EUR/month", "decrease", "en_US", ("€5,500 less per month (-50%)", "€5,500 less per month", "-50%", True)),
        (11000, 5500, "EUR per month", "decrease", "de_DE", ("5.500\xa0€ weniger pro Monat (-50\xa0%)", "5.500\xa0€ weniger pro Monat", "-50\xa0%", True)),
        (10, 10.001, "USD", "increase", "en_US", ("less than $0.01 more (less than 1%)", "less than $0.01 more", "less than 1%", True)),
        (0, 100, "JPY", "increase", "en_US", ("¥100 more", "¥100 more", None, True)),
        # no change: no sign, no percentage, neither way
        (60, 60, "days", "decrease", "en_US", ("No change", "No change", None, None)),
        (0, 0.0, "EUR", "increase", "de_DE", ("Keine Veränderung", "Keine Veränderung", None, None)),
    ],
)  # fmt: skip
def test_change(
    baseline: float,
    current: float,
    unit: str | None,
    direction: fmt.Direction,
    locale: str,
    expected: tuple[str, str, str | None, bool | None],
) -> None:
    found = fmt.change(baseline, current, unit, direction, locale)
    assert (found.text, found.amount, found.percent, found.in_right_direction) == expected


@settings(max_examples=300, deadline=None)
@given(
    baseline=st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(float),
    current=st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(float),
    unit=st.sampled_from(UNITS),
    locale=st.sampled_from(["en_US", "de_DE", "fr_FR"]),
)
def test_change_never_says_minus_or_plus_zero(
    baseline: float, current: float, unit: str | None, locale: str
) -> None:
    found = fmt.change(baseline, current, unit, "increase", locale)
    assert not SIGNED_ZERO.search(found.text.replace("\xa0", "").replace("\u202f", "")), found
    assert (found.in_right_direction is None) == (baseline == current)
    if baseline != current:
        assert found.in_right_direction is (current > baseline)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.625, "62%"),
        (0.635, "64%"),
        (-0.004, "0%"),
        (-0.006, "-1%"),
        (2e6, "more than 100,000,000%"),
    ],
)
def test_ratio(value: float, expected: str) -> None:
    assert fmt.ratio(value, "en_US") == expected


def test_dates_follow_the_locale() -> None:
    assert fmt.day(dt.date(2026, 11, 10), "en_US") == "Nov 10, 2026"
    assert fmt.day(dt.date(2026, 11, 10), "en_GB") == "10 Nov 2026"
    assert fmt.day(dt.date(2026, 11, 10), "de_DE") == "10.11.2026"
