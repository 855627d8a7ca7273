"""Numbers, money, percentages and dates for the configured locale (Babel), and the sentences
that describe how a metric moved. Pure functions: the templates only place their output."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@lru_cache(maxsize=16)
def _whole_currency_pattern(locale: str) -> str:
    return str(Locale.parse(locale).currency_formats["standard"].pattern).replace(".00", "")


def is_currency(unit: str | None) -> bool:
    return bool(unit and _CURRENCY_CODE.match(unit))


def _babel_quantity(value: float, unit: str | None, locale: str) -> str:
    """The reference formatting; the fast path below must agree with it exactly."""
    if unit == "%":
        # Decimal: 42448.72 / 100 as a float would print as 424.4872000000001.
        share = Decimal(repr(float(value))) / 100
        return format_percent(share, locale=locale, decimal_quantization=False)
    if is_currency(unit):
        assert unit is not None
        pattern = _whole_currency_pattern(locale) if float(value).is_integer() else None
        return format_currency(
            value, unit, format=pattern, locale=locale, currency_digits=pattern is None
        )
    number = format_decimal(value, locale=locale, decimal_quantization=False)
    return f"{number} {unit}" if unit else number


# Babel spends ~50 µs per number; a site of 10,000 accounts formats hundreds of thousands. For
# locales whose grouping is plain thousands, numbers are formatted with Python's own formatting and
# the locale's symbols, inside templates taken from Babel once. Each template is checked against
# Babel on probe values when it is made; any disagreement switches that locale/unit back to Babel.
_PROBES = (0, 7, 12.5, 40, 999, 1234, 12345.25, 1234567, 1234567.5, 0.75, 3.125, -4, -1234.5)


@dataclass(frozen=True)
class _Style:
    decimal: str
    group: str
    positive: str  # "{}" template for the absolute value, e.g. "${}" or "{} €"
    negative: str
    digits: int | None  # fixed fraction digits (money), or None for "as many as the value has"

    def format(self, value: float) -> str | None:
        text = _plain(abs(value), self.digits)
        if text is None:
            return None
        whole, _, fraction = text.partition(".")
        number = f"{int(whole):,}".replace(",", self.group)
        if fraction:
            number += self.decimal + fraction
        return (self.negative if value < 0 else self.positive).format(number)


def _plain(value: float, digits: int | None) -> str | None:
    if digits is not None:  # money: round half-even on the decimal value, as Babel does
        exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN)
        return f"{exact:f}"
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    return None if "e" in text or "inf" in text or "nan" in text else text


@lru_cache(maxsize=256)
def _style(unit_kind: str, locale: str) -> _Style | None:
    """A verified fast template for one locale and kind of unit, or None to keep using Babel."""
    from babel.numbers import get_currency_precision, get_decimal_symbol, get_group_symbol

    try:
        decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
        unit = None if unit_kind == "plain" else unit_kind
        if unit_kind.startswith("money:"):
            unit = unit_kind.split(":", 1)[1]
        digits = None
        if unit_kind.startswith("money:") and unit_kind.endswith(":fraction"):
            unit = unit_kind.split(":")[1]
            digits = get_currency_precision(unit)
        sample = 1234.5 if digits else 1234
        plain = _Style(decimal, group, "{}", "{}", digits)
        positive = _babel_quantity(sample, unit, locale)
        negative = _babel_quantity(-sample, unit, locale)
        scaled = sample
        number = plain.format(scaled)
        if number is None or number not in positive or number not in negative:
            return None
        style = _Style(
            decimal,
            group,
            positive.replace(number, "{}", 1),
            negative.replace(number, "{}", 1),
            digits,
        )
        for probe in _PROBES:
            if digits is None and unit_kind.startswith("money:"):
                probe = float(int(probe))  # whole amounts only on this path
            if digits is not None and float(probe).is_integer():
                continue
            if style.format(probe) != _babel_quantity(probe, unit, locale):
                return None
        return style
    except Exception:
        return None


def quantity(value: float, unit: str | None, locale: str) -> str:
    """`65` with unit `%` -> "65%"; `84000` USD -> "$84,000"; `38` days -> "38 days".

    -0.0 is printed as 0, whichever of the two equal keys the cache saw first."""
    return _quantity(value + 0.0 if value == 0 else value, unit, locale)


@lru_cache(maxsize=65536)
def _quantity(value: float, unit: str | None, locale: str) -> str:
    if unit == "%":
        kind = "%"
    elif is_currency(unit):
        kind = f"money:{unit}" + ("" if float(value).is_integer() else ":fraction")
    else:
        kind = "plain"
    style = _style(kind, locale)
    text = style.format(value) if style is not None else None
    if text is None:
        return _babel_quantity(value, unit, locale)
    return f"{text} {unit}" if kind == "plain" and unit else text


@lru_cache(maxsize=4096)
def day(value: dt.date, locale: str) -> str:
    return format_date(value, format="medium", locale=locale)


def ratio(value: float, locale: str) -> str:
    """A progress ratio as a whole percentage: 0.625 -> "63%"; never "-0%".

    Rounded here, half to even as Babel does, so that the cache is keyed by what is printed:
    keyed by the float, -0.0 and 0.0 (equal, with one hash) would share an entry, and a report
    would say "0%" or "-0%" depending on which account a worker happened to render first.
    """
    if abs(value) >= _RATIO_CAP:  # a target a hair from its baseline: 1e300 of the way
        bound = _whole_percent(int(_RATIO_CAP * 100), locale)
        return f"more than {bound}" if value > 0 else f"less than -{bound}"
    whole = int(Decimal(repr(float(value))).scaleb(2).to_integral_value(ROUND_HALF_EVEN))
    return _whole_percent(whole, locale)


_RATIO_CAP = 1e6


@lru_cache(maxsize=16384)
def _whole_percent(whole: int, locale: str) -> str:
    return format_percent(Decimal(whole).scaleb(-2), locale=locale)


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
