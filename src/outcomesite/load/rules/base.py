"""What rules look at and what they give back; shared by every rule module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from outcomesite.history.records import RetiredSlug
from outcomesite.load.convert import Conversion, Loc
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import Assessment
from outcomesite.model.schema import AccountData

Finding = tuple[Loc, str]


@dataclass(frozen=True)
class FileFacts:
    """What an error rule may look at: the file as converted, and what it is checked against."""

    conv: Conversion
    slug: str
    as_of: dt.date
    retired: RetiredSlug | None  # an earlier, deleted file with this slug, when there was one

    @property
    def data(self) -> dict[str, Any]:
        return self.conv.data


@dataclass(frozen=True)
class AccountFacts:
    """What a warning rule may look at: the valid account, assessed as of the report date."""

    data: AccountData
    assessment: Assessment
    config: SiteConfig
    as_of: dt.date
    conv: Conversion  # the file as converted: where each key is


ErrorRule = Callable[[FileFacts], Iterable[Finding]]
WarningRule = Callable[[AccountFacts], Iterable[Finding]]


def plain(value: float) -> str:
    """A number in a message as the CSM would type it: 6000000, not 6e+06."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def article(word: str) -> str:
    """`a` or `an` before a word as it is read aloud (an executive, an SMB, a user)."""
    return "an" if word[:1].lower() in "aeio" or word.lower() in ("smb",) else "a"


def result_name(result: dict[str, Any], index: int) -> str:
    return f"result `{result['id']}`" if "id" in result else f"result {index + 1}"
