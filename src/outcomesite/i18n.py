"""The theme's words in the reader's language: gettext message catalogs, compiled by Babel.

English is the source language: the messages in the code and the templates are the English text,
so English needs no catalog. Every other language is a catalog under `outcomesite/locales/`
(`de/LC_MESSAGES/messages.po`, compiled to `messages.mo` and shipped in the wheel); a locale uses
its own catalog if there is one (`de_AT`), else its language's (`de`), and plural forms follow the
catalog's CLDR rule ("1 Tag", "2 Tage"). README's "Languages" section says how to add one.

Every message is a Python format string with named placeholders, `%(value)s`, and is always
formatted, placeholders or not (a literal percent sign is `%%`): in the code as in the templates,
where Jinja's i18n extension does the same (`newstyle` gettext). Translators see whole sentences
with their placeholders, never pieces glued together.

Standard library at import (Babel is loaded when a translator or a locale is asked for): the
model marks its captions with `N_` from here.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table of captions); the message is
    translated where it is shown, with the reader's locale."""
    return message


@cache
def languages() -> tuple[str, ...]:
    """Every language a report can be written in: English and each compiled catalog."""
    compiled = {path.parent.parent.name for path in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(compiled | {SOURCE_LANGUAGE}))


def parse_locale(locale: str) -> Locale | None:
    """The locale Babel knows by `locale`, or None (an unknown name is `check`'s error)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def has_catalog(locale: str) -> bool:
    """Whether reports in `locale` get their words in its language (`de_CH` -> the `de` catalog)."""
    parsed = parse_locale(locale)
    if parsed is None:
        return False
    return parsed.language in languages() or str(parsed) in languages()


class Translator:
    """gettext and ngettext for one locale, formatting each message with its named values."""

    def __init__(self, catalog: gettext.NullTranslations, source: Path | None = None) -> None:
        self.catalog = catalog  # unformatted messages, for Jinja (which formats them itself)
        # The compiled catalog read (None: the source language's text), which locales share:
        # `de_DE` and `de_AT` both read de's. Templates are compiled once per catalog (theme.py).
        self.source = source

    def gettext(self, message: str, **values: object) -> str:
        return self.catalog.gettext(message) % values

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The form for `n` in the locale's plural rule; `n` is also the placeholder `%(num)s`
        unless `values` names it, as in Jinja's `{% trans count=... %}` (whose `num` is that)."""
        return self.catalog.ngettext(singular, plural, n) % {"num": n, **values}


@cache
def translator(locale: str) -> Translator:
    """The translator for `locale`; English, and a locale without a catalog, keep the source
    text (`check` warns about the second)."""
    from babel.support import Translations

    parsed = parse_locale(locale)
    if parsed is None or parsed.language == SOURCE_LANGUAGE:
        return Translator(gettext.NullTranslations())
    # As Babel's Translations.load finds it (`de_AT`, else `de`), keeping which file it read.
    found = gettext.find(DOMAIN, str(LOCALES_DIR), [str(parsed)])
    if found is None:
        return Translator(gettext.NullTranslations())
    with open(found, "rb") as file:
        return Translator(Translations(file, DOMAIN), Path(found))
