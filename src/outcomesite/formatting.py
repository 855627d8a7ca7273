"""Numbers, money, percentages and dates for the configured locale (Babel), and the sentences
that describe how a metric moved. Pure functions: the templates only place their output."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@lru_cache(maxsize=16)
def _whole_currency_pattern(locale: str) -> str:
    return Locale.parse(locale).currency_formats["standard"].pattern.replace(".00", "")


def is_currency(unit: str | None) -> bool:
    return bool(unit and _CURRENCY_CODE.match(unit))


def quantity(value: float, unit: str | None, locale: str) -> str:
    """`65` with unit `%` -> "65%"; `84000` USD -> "$84,000"; `38` days -> "38 days"."""
    if unit == "%":
        return format_percent(value / 100, locale=locale, decimal_quantization=False)
    if is_currency(unit):
        assert unit is not None
        pattern = _whole_currency_pattern(locale) if float(value).is_integer() else None
        return format_currency(
            value, unit, format=pattern, locale=locale, currency_digits=pattern is None
        )
    number = format_decimal(value, locale=locale, decimal_quantization=False)
    return f"{number} {unit}" if unit else number


def day(value: dt.date, locale: str) -> str:
    return format_date(value, format="medium", locale=locale)


def ratio(value: float, locale: str) -> str:
    """A progress ratio as a whole percentage: 0.625 -> "63%"."""
    return format_percent(value, locale=locale)


def movement(
    baseline: float, target: float, current: float | None, unit: str | None, locale: str
) -> str:
    """Direction-aware wording: "Fell from 4 hours to 1.5 hours; target 2 hours"."""

    def q(value: float) -> str:
        return quantity(value, unit, locale)

    if current is None:
        return f"Not measured yet: baseline {q(baseline)}, target {q(target)}"
    if current == baseline:
        return f"Unchanged at {q(current)}; target {q(target)}"
    verb = "Rose" if current > baseline else "Fell"
    return f"{verb} from {q(baseline)} to {q(current)}; target {q(target)}"


def progress_text(progress: float | None, target_met: bool, locale: str) -> str:
    """An honest sentence for the progress bar, including moving away and overshooting."""
    if progress is None:
        return "No measurement yet"
    if progress < 0:
        return f"Moved away from the target ({ratio(progress, locale)} of the way)"
    if progress > 1:
        return f"Target exceeded: {ratio(progress, locale)} of the way"
    if target_met:
        return "Target met"
    return f"{ratio(progress, locale)} of the way from baseline to target"
