"""Which locale names Babel knows: the site's `locale` is checked here, and money falls back from here.

A wrong locale is reported once, as its own error on `locale`; every other check that needs a locale
uses the default meanwhile, so one typo does not turn into a cascade of unrelated messages.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from outcomesite.layout import DEFAULT_LOCALE


def known_locale(name: str) -> bool:
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def or_default(name: str) -> str:
    """`name` when Babel knows it, else the default locale (the wrong name is its own error)."""
    return name if known_locale(name) else DEFAULT_LOCALE
