"""Money the account files hold for the CS team only: `arr`, an amount in the site's `currency`.

An account file never names a currency: one site, one currency (outcomesite.yaml `currency`), so
that the internal index can add the accounts up and compare them. A CSM writes amounts the way a
spreadsheet or an email shows them (`$120,000`, `120k`, `120000 EUR`); the messages here turn
each into the plain number to write, and name the site's currency so that nobody converts twice
or not at all.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_name, get_currency_symbol, is_currency, list_currencies

from outcomesite.load.convert import NUMBER, NumberCheck
from outcomesite.load.locales import or_default

_CODE = re.compile(r"^[A-Z]{3}$")
# An amount as people write one: a currency before or after, separators, a k/M/bn suffix.
_AMOUNT = re.compile(
    r"^(?P<before>[^\s0-9.,+-]{1,3})?\s*"
    r"(?P<number>[-+]?[0-9][0-9,.'\u00a0\u202f ]*?)\s*"
    r"(?P<scale>k|m|mm|mn|mio|b|bn)?\s*"
    r"(?P<after>[^\s0-9.,+-]{1,3})?$",
    re.IGNORECASE,
)
_SCALES = {"k": 3, "m": 6, "mm": 6, "mn": 6, "mio": 6, "b": 9, "bn": 9}
_GROUPED = re.compile(r"^[0-9]{1,3}(?:([,.'\u00a0\u202f ])[0-9]{3})(?:\1[0-9]{3})*$")
# Symbols several currencies share: a `$` may be the site's CAD or AUD whatever the locale says.
_SHARED_SYMBOLS = frozenset({"$", "¥"})
ARR_EXAMPLE = "120000"


def arr_check(currency: str, locale: str) -> NumberCheck:
    """How `arr` reads: a plain number, 0 or more, in `currency`; `locale` (the site's) says
    which currency a symbol such as `€` stands for."""

    def check(text: str, value: float | None) -> str | None:
        site = f"in {currency}, the site's `currency`"
        if value is not None:
            if value >= 0:
                return None
            return (
                f"`arr` must be 0 or more (found `{text}`): write the account's annual recurring "
                f"revenue {site}, as a plain number such as `{ARR_EXAMPLE}`"
            )
        if NUMBER.match(text):
            return None  # a number in quotes, or with a leading zero: the usual hints say so
        unreadable = (
            f"`arr` must be a plain number {site}, such as `{ARR_EXAMPLE}` (found `{text}`)"
        )
        found = _AMOUNT.match(text)
        if found is None:
            return unreadable
        before: str | None = found["before"]
        scale: str | None = found["scale"]
        after: str | None = found["after"]
        if scale and after and is_currency(f"{scale}{after}".upper()):
            scale, after = None, f"{scale}{after}"  # `120000 BRL`: Brazilian reals, not billions
        amount = _amount(found["number"], scale)
        written = [_currency_of(before, locale), _currency_of(after, locale)]
        if amount is None or any(code is False for code in written):
            return unreadable  # `1,2,3`, or letters that are no currency: `120000 ish`
        other = next((c for c in written if isinstance(c, str) and c != currency), None)
        if other is not None:
            named = before if isinstance(written[0], str) and written[0] != currency else after
            return (
                f"`arr` must be a plain number {site} (found `{text}`): convert the amount to "
                f"{currency} and write the number alone, without `{named}`"
            )
        if amount < 0:
            return (
                f"`arr` must be 0 or more (found `{text}`): write the account's annual recurring "
                f"revenue {site}, as a plain number such as `{ARR_EXAMPLE}`"
            )
        return f"`arr` must be a plain number: write `{amount:f}`, {site} (found `{text}`)"

    return check


def _amount(number: str, scale: str | None) -> Decimal | None:
    """`120,000` -> 120000, `1.2` with `M` -> 1200000, `1.200,50` -> 1200.50; None when the
    separators leave the number open (`1,2,3`)."""
    sign = ""
    if number[:1] in "+-":
        sign, number = number[:1], number[1:]
    number = number.strip()
    whole, fraction = number, ""
    marks = [i for i, char in enumerate(number) if char in ".,"]
    if marks:
        last = marks[-1]
        head, tail = number[:last], number[last + 1 :]
        # The last `.` or `,` is a decimal point, unless one separator groups the whole number
        # in threes: `120,000`, `7.654.321`, `1.200` (a plain `1.200` reads as 1.2 before this).
        if not (len(tail) == 3 and _GROUPED.match(number)):
            whole, fraction = head, tail
    if whole and not _GROUPED.match(whole) and not whole.isdigit():
        return None
    digits = re.sub(r"[^0-9]", "", whole) or "0"
    if not fraction.isdigit() and fraction:
        return None
    try:
        value = Decimal(f"{sign}{digits}.{fraction or '0'}")
    except InvalidOperation:
        return None
    return (value.scaleb(_SCALES[scale.lower()]) if scale else value).normalize()


def _currency_of(written: str | None, locale: str) -> str | bool | None:
    """The currency a prefix or suffix names: its code, None when nothing was written or the
    symbol is shared by several currencies, False when it names no currency at all."""
    if not written:
        return None
    text = written.strip()
    if _CODE.match(text.upper()) and is_currency(text.upper()):
        return text.upper()
    if text in _SHARED_SYMBOLS:
        return None
    return _symbols(locale).get(text, False)


def currency_problem(value: str, locale: str) -> str | None:
    """Why `currency` in outcomesite.yaml is not a currency code the index can format, or None.
    Only the code itself: `usd`, `Euro` or `€` would work today and be one more spelling for
    every tool that reads the file to understand."""
    text = value.strip()
    if _CODE.match(text) and is_currency(text):
        return None
    guess = _currency_guess(text, locale)
    hint = f": did you mean `{guess}`?" if guess else ""
    return (
        "`currency` must be an ISO 4217 currency code in capital letters, such as USD, EUR or "
        f"GBP (found `{text}`){hint}"
    )


def _currency_guess(text: str, locale: str) -> str | None:
    """The code a text obviously means: the code in lower case (`usd`), the currency's name in
    English or the site's language (`Euro`, `EURO`, `euros`), its symbol (`€`); no guess for a
    name several currencies share (`Dollars`)."""
    if _CODE.match(text.upper()) and is_currency(text.upper()):
        return text.upper()
    name = " ".join(text.split()).casefold()
    matches = {code for code, names in _names(locale).items() if name in names}
    if len(matches) == 1:
        return matches.pop()
    return _symbols(locale).get(text)


@lru_cache(maxsize=8)
def _names(locale: str) -> dict[str, frozenset[str]]:
    """Every currency's names, singular and plural, in English and in `locale`, case-folded."""
    languages = dict.fromkeys(("en", or_default(locale)))
    names: dict[str, frozenset[str]] = {}
    for code in sorted(list_currencies()):
        names[code] = frozenset(
            get_currency_name(code, count, language).casefold()
            for language in languages
            for count in (None, 1, 2)
        )
    return names


@lru_cache(maxsize=8)
def _symbols(locale: str) -> dict[str, str]:
    """Symbol -> code in `locale`, for the symbols only one currency uses there (`€`, `£`)."""
    codes: dict[str, list[str]] = {}
    for code in sorted(list_currencies()):
        symbol = get_currency_symbol(code, or_default(locale))
        if symbol != code:
            codes.setdefault(symbol, []).append(code)
    return {symbol: found[0] for symbol, found in codes.items() if len(found) == 1}
