"""Numbers, money, percentages, dates and units for the configured locale (Babel), and the
sentences that describe how a metric moved. Pure functions: the templates only place their output.

A result's `unit:` is one of five kinds, and each is worded the way a reader of that locale expects:

* none: the number alone, "1,234.5" (de_DE "1.234,5").
* `%`: Babel's percent format, "65%" (de_DE "65 %").
* a currency code (`USD`, `EUR`): Babel's currency format, whole amounts without cents, "$84,000",
  "84.000,50 €". A code with a period, `EUR/month`, `EUR per month` or `EUR a month` (periods:
  hour, day, week, month, quarter, year), adds CLDR's long per-unit pattern, "€5,500 per month",
  "5.500 € pro Monat": CLDR translates "per month", where "/month" would stay English in a German
  report.
* a time unit CSMs write (`days`, `hours`, `minutes`, `seconds`, `weeks`, `months`, `years` and their
  singulars, in any case): CLDR's long unit pattern for the value's plural category, so the unit
  agrees with the number in the locale: "1 day", "38 days", "1,5 Tage", "1,5 jour" (in French 1.5 is
  singular).
* anything else is free text (`errors`, `payments/day`, `tickets per week`): kept as written, since
  nothing can translate it. In English locales only, a value whose plural category is "one" (exactly
  1 or -1 as printed) singularises the unit's head noun when it is a plain English plural, so that a
  report never says "1 errors". The head noun is the last word before the first `/` or ` per `
  (`active users/day` -> "active user/day"); it is singularised by the regular rules (-sses, -shes,
  -ches, -xes, -zzes drop "es"; -ies becomes -y; any other -s is dropped) unless it is a known
  exception (caches, movies, statuses, ...), ends in -ss, -us or -is, is invariant (series, news) or
  is not a lowercase word (NPS, ms). A unit whose head noun is not plural ("tickets closed") is left
  as written: a wrong guess would be worse than the CSM's own words.

Sentences (`movement`) say a free-text unit, and a currency's period, once, after the value it is
read with: "Fell from 1,900 to 1,650 payments/day; target 700". Percent, currency and time units stay
on every number: the symbol is part of the number, and a CLDR time pattern decides by itself where
the unit goes and which form it takes for each value.

Signs: a decrease shows Babel's own negative format; an increase puts the locale's plus sign where
that minus would be. Nothing prints "-0", "+0" or "-0%": a value that rounds to zero without being
zero says "less than 1%" (or "less than €0.01"), and no change at all says "No change".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_timedelta
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    get_plus_sign_symbol,
)
from babel.numbers import is_currency as _known_currency
from babel.units import format_compound_unit, format_unit

from outcomesite.i18n import translator

_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_CURRENCY_PER = re.compile(r"^([A-Z]{3})(?:\s*/\s*|\s+(?:per|an?)\s+)([A-Za-z]+)$")
_PERIODS = {p: f"duration-{p}" for p in ("hour", "day", "week", "month", "quarter", "year")}
_TIME_UNITS = {
    word: f"duration-{singular}"
    for singular in ("second", "minute", "hour", "day", "week", "month", "year")
    for word in (singular, singular + "s")
}

Direction = Literal["increase", "decrease"]


@dataclass(frozen=True)
class _Unit:
    """What kind of unit a CSM wrote, and what the formatting needs of it."""

    kind: Literal["none", "percent", "money", "time", "text"]
    code: str = ""  # the currency code, the CLDR unit (duration-day), or the free text as written
    period: str | None = None  # the CLDR unit of a currency's period (duration-month)


@lru_cache(maxsize=1024)
def _unit(unit: str | None) -> _Unit:
    if not unit:
        return _Unit("none")
    if unit == "%":
        return _Unit("percent", unit)
    if is_currency(unit):
        return _Unit("money", unit)
    per = _CURRENCY_PER.match(unit.strip())
    if per and _known_currency(per.group(1)) and per.group(2).lower() in _PERIODS:
        return _Unit("money", per.group(1), _PERIODS[per.group(2).lower()])
    if unit.strip().lower() in _TIME_UNITS:
        return _Unit("time", _TIME_UNITS[unit.strip().lower()])
    return _Unit("text", unit)


@lru_cache(maxsize=64)
def _locale(locale: str) -> Locale:
    return Locale.parse(locale)


def _exact(value: float) -> int | Decimal:
    """The value as it is printed (1.0 prints as 1), for plural rules and Babel's number format."""
    number = float(value)
    return int(number) if number.is_integer() else Decimal(repr(number))


@lru_cache(maxsize=4096)
def _plural(value: float, locale: str) -> str:
    """Cached: Babel reads a value's operands through Decimal, tens of microseconds a call. Equal
    keys (1 and 1.0, 0.0 and -0.0) print alike, so they share a category."""
    return _locale(locale).plural_form(_exact(value))


@lru_cache(maxsize=16)
def _whole_currency_pattern(locale: str) -> str:
    return str(Locale.parse(locale).currency_formats["standard"].pattern).replace(".00", "")


def is_currency(unit: str | None) -> bool:
    """A currency code alone (`EUR`); `EUR/month` is money too, see `is_money`. Only codes CLDR
    knows: `NPS` or `FTE` are free text, not a currency to print as "NPS 42"."""
    return bool(unit and _CURRENCY_CODE.match(unit) and _known_currency(unit))


def is_money(unit: str | None) -> bool:
    """A currency code, with or without a period: `EUR`, `EUR/month`, `USD per year`."""
    return _unit(unit).kind == "money"


# Free-text units: the head noun's singular in English (see the module docstring).
_HEAD_NOUN = re.compile(r"^(.*?)([A-Za-z]+)(\s*/.*|\s+per\s.*)?$", re.IGNORECASE | re.DOTALL)
_INVARIANT = frozenset({"series", "species", "news", "means"})
_IRREGULAR = {"people": "person", "children": "child"}
_DROP_S_ONLY = frozenset(
    {"caches", "niches", "aches", "headaches", "avalanches", "moustaches"}
    | {"movies", "cookies", "calories", "zombies", "rookies", "selfies", "hoodies", "goodies"}
)
_DROP_ES = frozenset({"statuses", "bonuses", "viruses", "buses", "campuses", "censuses"})


def _singular(word: str) -> str:
    lower = word.lower()
    if not (word.islower() or (word[:1].isupper() and word[1:].islower())) or len(word) < 3:
        return word  # an acronym (NPS) or an abbreviation (ms): not an English plural
    if lower in _IRREGULAR:
        return word[:1] + _IRREGULAR[lower][1:] if word[:1].isupper() else _IRREGULAR[lower]
    if lower in _INVARIANT or not lower.endswith("s") or lower.endswith(("ss", "us", "is")):
        return word
    if lower in _DROP_S_ONLY:
        return word[:-1]
    if lower in _DROP_ES or lower.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y"
    return word[:-1]


@lru_cache(maxsize=1024)
def _singular_unit(unit: str) -> str:
    match = _HEAD_NOUN.match(unit)
    if not match:
        return unit
    before, noun, after = match.group(1), match.group(2), match.group(3) or ""
    return before + _singular(noun) + after


def _unit_text(value: float, unit: str, locale: str) -> str:
    """A free-text unit as read with `value`: "errors" with 1 in en_US is "error"; else as written."""
    if _locale(locale).language == "en" and _plural(value, locale) == "one":
        return _singular_unit(unit)
    return unit


def _unquantized_pattern(locale: str, value: int | Decimal) -> str:
    """The locale's number pattern with room for every fraction digit `value` has, so that a time
    unit's number is printed in full, as `format_decimal(decimal_quantization=False)` prints it
    (`format_unit` itself would round to three digits)."""
    digits = 0 if isinstance(value, int) else max(0, -int(value.as_tuple().exponent))
    fraction = "." + "#" * max(3, digits)
    pattern = str(_locale(locale).decimal_formats[None].pattern)
    return re.sub(r"\.#+", fraction, pattern) if "." in pattern else pattern + fraction


def _babel_quantity(value: float, unit: str | None, locale: str) -> str:
    """The reference formatting; the fast path below must agree with it exactly."""
    kind = _unit(unit)
    if kind.kind == "percent":
        # Decimal: 42448.72 / 100 as a float would print as 424.4872000000001.
        share = Decimal(repr(float(value))) / 100
        return format_percent(share, locale=locale, decimal_quantization=False)
    if kind.kind == "money":
        pattern = _whole_currency_pattern(locale) if float(value).is_integer() else None
        money = format_currency(
            value, kind.code, format=pattern, locale=locale, currency_digits=pattern is None
        )
        return money if kind.period is None else _per(money, kind.period, locale)
    if kind.kind == "time":
        exact = _exact(value)
        pattern = _unquantized_pattern(locale, exact)
        text = format_unit(exact, kind.code, length="long", format=pattern, locale=locale)
        # None only without a CLDR pattern, which every duration has in every locale
        return text if text is not None else f"{exact} {_unit_name(kind.code)}"
    number = format_decimal(value, locale=locale, decimal_quantization=False)
    return f"{number} {_unit_text(value, kind.code, locale)}" if kind.kind == "text" else number


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
    """`65` with unit `%` -> "65%"; `84000` USD -> "$84,000"; `38` days -> "38 days"; `1` day ->
    "1 day"; `5500` EUR/month -> "€5,500 per month"; `1` errors -> "1 error" (module docstring).

    -0.0 is printed as 0, whichever of the two equal keys the cache saw first."""
    return _quantity(value + 0.0 if value == 0 else value, unit, locale)


@lru_cache(maxsize=65536)
def _quantity(value: float, unit: str | None, locale: str) -> str:
    kind = _unit(unit)
    if kind.kind == "time":
        return _time_quantity(value, kind.code, locale)
    if kind.kind == "money" and kind.period is not None:
        before, after = _per_affixes(kind.period, locale)
        return before + _quantity(value, kind.code, locale) + after
    if kind.kind == "percent":
        style_kind = "%"
    elif kind.kind == "money":
        style_kind = f"money:{unit}" + ("" if float(value).is_integer() else ":fraction")
    else:
        style_kind = "plain"
    style = _style(style_kind, locale)
    text = style.format(value) if style is not None else None
    if text is None:
        return _babel_quantity(value, unit, locale)
    return f"{text} {_unit_text(value, kind.code, locale)}" if kind.kind == "text" else text


@lru_cache(maxsize=256)
def _per_affixes(period: str, locale: str) -> tuple[str, str]:
    """What CLDR's per-unit pattern puts around an amount: ("", " per month")."""
    before, _, after = _per("\0", period, locale).partition("\0")
    return before, after


def _per(amount: str, period: str, locale: str) -> str:
    """`amount` per `period` in CLDR's long per-unit pattern, "€5,500 per month"."""
    text = format_compound_unit(amount, denominator_unit=period, locale=locale)
    return text if text is not None else f"{amount}/{_unit_name(period)}"


# A time unit's text around its number, per (CLDR unit, plural category, locale): taken from
# Babel's output for the first value of that category (CLDR has one pattern per category), or
# None when that output does not contain the number as printed, which keeps Babel for good.
_TIME_AFFIXES: dict[tuple[str, str, str], tuple[str, str] | None] = {}


def _time_quantity(value: float, code: str, locale: str) -> str:
    number = _quantity(value, None, locale)  # the verified fast number
    key = (code, _plural(value, locale), locale)
    if key in _TIME_AFFIXES:
        affixes = _TIME_AFFIXES[key]
        if affixes is not None:
            return affixes[0] + number + affixes[1]
        return _babel_quantity(value, _unit_name(code), locale)
    reference = _babel_quantity(value, _unit_name(code), locale)
    before, found, after = reference.partition(number)
    plain_words = not any(c.isdigit() for c in before + after)
    _TIME_AFFIXES[key] = (before, after) if found and plain_words else None
    return reference


def _unit_name(code: str) -> str:
    return code.removeprefix("duration-")


@lru_cache(maxsize=4096)
def day(value: dt.date, locale: str) -> str:
    return format_date(value, format="medium", locale=locale)


def month(value: dt.date, locale: str) -> str:
    """ "Nov 2026": a month of a chart's data table."""
    return format_date(value, "MMM y", locale=_locale(locale))


def month_short(value: dt.date, locale: str) -> str:
    """ "Nov": a month under a chart's column."""
    return format_date(value, "MMM", locale=_locale(locale))


def ratio(value: float, locale: str) -> str:
    """A progress ratio as a whole percentage: 0.625 -> "63%"; never "-0%".

    Rounded here, half to even as Babel does, so that the cache is keyed by what is printed:
    keyed by the float, -0.0 and 0.0 (equal, with one hash) would share an entry, and a report
    would say "0%" or "-0%" depending on which account a worker happened to render first.
    """
    if abs(value) >= _RATIO_CAP:  # a target a hair from its baseline: 1e300 of the way
        t = translator(locale)
        if value > 0:
            return t.gettext("more than %(percent)s", percent=whole_percent(_CAP_WHOLE, locale))
        return t.gettext("less than %(percent)s", percent=whole_percent(-_CAP_WHOLE, locale))
    return whole_percent(_whole(value, 2), locale)


_RATIO_CAP = 1e6
_CAP_WHOLE = int(_RATIO_CAP * 100)  # the cap as a whole percentage


def _whole(value: float | Decimal, scale: int = 0) -> int:
    """`value` times 10**scale rounded half to even, as Babel rounds; exact on the decimal value."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return int(exact.scaleb(scale).to_integral_value(ROUND_HALF_EVEN))


@lru_cache(maxsize=16384)
def whole_percent(whole: int, locale: str) -> str:
    """A whole percentage in the locale: 75 -> "75%" (en_US), "75 %" (de_DE)."""
    return format_percent(Decimal(whole).scaleb(-2), locale=locale)


def _share(value: float, locale: str) -> str:
    """A positive share of the way as a whole percentage that never claims more than it is: a
    sliver is "less than 1%", not 0%; short of the target is at most "more than 99%", not 100%;
    past it, at least "more than 100%"."""
    if value >= _RATIO_CAP:  # a target a hair from its baseline: 1e300 of the way
        return ratio(value, locale)
    whole, t = _whole(value, 2), translator(locale)
    if whole == 0 and value > 0:
        return t.gettext("less than %(percent)s", percent=whole_percent(1, locale))
    if whole >= 100 and value < 1:
        return t.gettext("more than %(percent)s", percent=whole_percent(99, locale))
    if whole <= 100 and value > 1:
        return t.gettext("more than %(percent)s", percent=whole_percent(100, locale))
    return ratio(value, locale)


def _sentence_units(unit: str | None) -> str | None:
    """The unit each number of a sentence carries: a free-text unit and a currency's period are
    said once, after one number (see the module docstring)."""
    kind = _unit(unit)
    if kind.kind == "text":
        return None
    if kind.kind == "money":
        return kind.code
    return unit


def movement(
    baseline: float, target: float, current: float | None, unit: str | None, locale: str
) -> str:
    """Direction-aware wording: "Fell from 4 hours to 1.5 hours; target 2 hours", "Fell from 1,900
    to 1,650 payments/day; target 700" (one free-text unit, read with the value it follows)."""
    bare, t = _sentence_units(unit), translator(locale)

    def each(value: float) -> str:
        return quantity(value, bare, locale)

    def last(value: float) -> str:
        return quantity(value, unit, locale)

    if current is None:
        return t.gettext(
            "Not measured yet: baseline %(baseline)s, target %(target)s",
            baseline=each(baseline),
            target=last(target),
        )
    if current == baseline:
        return t.gettext(
            "Unchanged at %(current)s; target %(target)s",
            current=last(current),
            target=each(target),
        )
    values = {"baseline": each(baseline), "current": last(current), "target": each(target)}
    if current > baseline:
        return t.gettext("Rose from %(baseline)s to %(current)s; target %(target)s", **values)
    return t.gettext("Fell from %(baseline)s to %(current)s; target %(target)s", **values)


def progress_text(progress: float | None, target_met: bool, locale: str) -> str:
    """An honest sentence for the progress bar, including moving away and overshooting.

    Moving away is said as a distance ("by 25% of the way"), not as a negative share of the way,
    and a sliver of either is "less than 1%": never "-0%", never "0% of the way" for a move."""
    t = translator(locale)
    if progress is None:
        return t.gettext("No measurement yet")
    if progress < 0:
        return t.gettext(
            "Moved away from the target by %(share)s of the way", share=_share(-progress, locale)
        )
    if progress > 1:
        return t.gettext("Target exceeded: %(share)s of the way", share=_share(progress, locale))
    if target_met:
        return t.gettext("Target met")
    return t.gettext("%(share)s of the way from baseline to target", share=_share(progress, locale))


@dataclass(frozen=True)
class Change:
    """How a result moved from its baseline, for a report's highlight card.

    `text` is `amount` with `percent` in brackets when there is one: "-22 days (-37%)",
    "€5,500 less (-37%)", "+3 errors" (baseline 0: no percentage), "No change"."""

    text: str
    amount: str  # "-22 days", "+1 error", "€5,500 less", "€5,500 less per month", "No change"
    # "-37%", "+8%", "less than 1%"; None when unchanged, when the baseline is 0, or when the
    # change is a million times the baseline or more (1e-300 -> 5: no percentage says that)
    percent: str | None
    in_right_direction: bool | None  # the change goes the result's way; None when unchanged


def change(
    baseline: float, current: float, unit: str | None, direction: Direction, locale: str
) -> Change:
    """The change from `baseline` to `current` as an amount and a percentage of the baseline.

    Computed on the decimal values as written (0.3 - 0.1 is 0.2, not 0.19999999999999998). An
    amount carries its sign (Babel's negative format, the locale's plus sign in the same place),
    except money, which is a saving or a gain ("€5,500 less", "€5,500 more"), whose period, if
    any, closes the phrase ("€5,500 less per month"), and a `%` metric, whose change is in
    percentage points ("+15 percentage points (+30%)": 50% -> 65%). Whether that is good depends
    on `direction`: fewer errors are good, less revenue is not."""
    delta = Decimal(repr(float(current))) - Decimal(repr(float(baseline)))
    t = translator(locale)
    if delta == 0:
        unchanged = t.gettext("No change")
        return Change(unchanged, unchanged, None, None)
    amount = _change_amount(float(delta), unit, locale)
    percent = None
    if baseline != 0:  # and a percentage of a baseline next to nothing would say nothing
        share = delta / abs(Decimal(repr(float(baseline))))
        percent = _signed_percent(share, locale) if abs(share) < _RATIO_CAP else None
    if percent is None:
        text = amount
    else:
        text = t.gettext("%(amount)s (%(percent)s)", amount=amount, percent=percent)
    return Change(text, amount, percent, (delta > 0) == (direction == "increase"))


def _change_amount(delta: float, unit: str | None, locale: str) -> str:
    kind, t = _unit(unit), translator(locale)
    if kind.kind == "money":
        size = abs(delta)
        digits = get_currency_precision(kind.code)
        if _whole(size, digits) == 0:  # would print as €0.00: say how small it is instead
            least = quantity(10.0**-digits, kind.code, locale)
            if delta > 0:
                money = t.gettext("less than %(amount)s more", amount=least)
            else:
                money = t.gettext("less than %(amount)s less", amount=least)
        elif delta > 0:
            money = t.gettext("%(amount)s more", amount=quantity(size, kind.code, locale))
        else:
            money = t.gettext("%(amount)s less", amount=quantity(size, kind.code, locale))
        if kind.period is None:
            return money
        before, after = _per_affixes(kind.period, locale)
        return before + money + after
    if kind.kind == "percent":  # 50% -> 65% is 15 points, and 30% of the baseline
        return t.ngettext(
            "%(points)s percentage point",
            "%(points)s percentage points",
            plural_number(abs(delta), locale),
            points=_signed(delta, None, locale),
        )
    return _signed(delta, unit, locale)


def _signed(value: float, unit: str | None, locale: str) -> str:
    """A non-zero quantity with its sign: "-22 days", "+3 errors"."""
    if value < 0:
        return quantity(value, unit, locale)
    return _plus(quantity(-value, unit, locale), locale)


def _signed_percent(share: Decimal, locale: str) -> str:
    whole = _whole(share, 2)
    if whole == 0:
        return translator(locale).gettext("less than %(percent)s", percent=whole_percent(1, locale))
    text = whole_percent(-abs(whole), locale)
    return text if whole < 0 else _plus(text, locale)


@lru_cache(maxsize=64)
def _plus_sign(locale: str) -> str:
    """Babel parses the locale on every call: once per change shown is once per result."""
    return str(get_plus_sign_symbol(locale))


def _plus(negative: str, locale: str) -> str:
    """A positive number's text from its negative's: the plus sign where the minus sign was, so
    that the sign sits where the locale puts it ("+22 days", "+37 %")."""
    plus = _plus_sign(locale)
    for minus in ("-", "\u2212"):
        if minus in negative:
            return negative.replace(minus, plus, 1)
    return plus + negative


def plural_number(value: float, locale: str) -> int:
    """The whole number gettext chooses a message's plural form by: the value itself when it is
    whole; for a fraction, 1 when CLDR's rule makes it singular in the locale (French "1,5 point")
    and 5 otherwise (gettext's rules read whole numbers only)."""
    if float(value).is_integer():
        return abs(int(value))
    return 1 if _plural(value, locale) == "one" else 5


def count(value: int, locale: str) -> str:
    """A count of things, for sentences: 1,234."""
    return quantity(value, None, locale)


def ago(delta: dt.timedelta, locale: str) -> str:
    """How long ago, in the locale's words and the largest whole unit: "5 months ago"."""
    return str(format_timedelta(-delta, add_direction=True, threshold=1, locale=locale))
