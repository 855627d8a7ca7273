"""What rules look at and what they give back; shared by every rule module."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
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
    """A number in a message as the CSM could have typed it, so that they can find it in the file
    and compare: 6000000, 1234567.5 and 0.000012, never an exponent (6e+06, 1.2e-05) and never
    rounded (1.23457e+06). Every digit of the value is kept: the shortest decimal that reads back
    as the same float (Python's repr), written out in full; -0.0 is 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        return repr(number)  # never from the converter, which refuses them
    text = f"{Decimal(repr(number + 0.0)).normalize():f}"
    return "0" if text in ("0", "-0") else text


def article(word: str) -> str:
    """`a` or `an` before a word as it is read aloud (an executive, an SMB, a user)."""
    return "an" if word[:1].lower() in "aeio" or word.lower() in ("smb",) else "a"


def result_name(result: dict[str, Any], index: int) -> str:
    return f"result `{result['id']}`" if "id" in result else f"result {index + 1}"


def next_step_name(index: int) -> str:
    """Next steps have no id: a CSM finds one by its place in the list, counted from 1."""
    return f"next step {index + 1}"


def place_label(loc: Loc, ids: dict[Loc, str]) -> str:
    """Name the place of a key in messages, from the location of the mapping that holds it:
    '' at the top, 'result `x`: ', 'result `x`, validator: ', 'next step 2: '."""
    if len(loc) >= 2 and loc[0] == "next_steps" and isinstance(loc[1], int):
        return f"{next_step_name(loc[1])}: "
    if len(loc) < 2 or loc[0] != "results":
        return ""
    result_loc = loc[:2]
    name = f"result `{ids[result_loc]}`" if result_loc in ids else f"result {int(loc[1]) + 1}"
    if len(loc) >= 3 and loc[2] == "validator":
        return f"{name}, validator: "
    if len(loc) >= 4 and loc[2] == "history":
        return f"{name}, history entry {int(loc[3]) + 1}: "
    return f"{name}: "
