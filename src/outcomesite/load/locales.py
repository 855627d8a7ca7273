"""Which locale names Babel knows, and which have the theme's words translated: the site's and an
account's `locale` are checked here, and money falls back from here.

A wrong locale is reported once, as its own error on `locale`; every other check that needs a locale
uses the default meanwhile, so one typo does not turn into a cascade of unrelated messages. A real
locale whose language has no catalog (`it_IT`) is a warning: its numbers and dates are right, but
the report's words would stay English.
"""

from __future__ import annotations

from outcomesite.i18n import has_catalog, languages, parse_locale
from outcomesite.layout import DEFAULT_LOCALE


def known_locale(name: str) -> bool:
    return parse_locale(name) is not None


def or_default(name: str) -> str:
    """`name` when Babel knows it, else the default locale (the wrong name is its own error)."""
    return name if known_locale(name) else DEFAULT_LOCALE


def locale_problem(name: str) -> str | None:
    """An error: `name` is no locale at all (`german`, `de_XX`)."""
    if known_locale(name):
        return None
    return (
        f"`locale` `{name}` is not a known locale: write a language and country such as en_US "
        f"or de_DE (the report's words come in {_available()})"
    )


def catalog_problem(name: str) -> str | None:
    """A warning: `name` is a locale, but the theme's words are not translated into its
    language."""
    if not known_locale(name) or has_catalog(name):
        return None
    return (
        f"`locale` `{name}` has no translation of the report's words: the report would show "
        f"English text with {name} numbers and dates. Use a locale of {_available()}, or add a "
        "catalog (README: Languages)"
    )


def _available() -> str:
    names = list(languages())
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
