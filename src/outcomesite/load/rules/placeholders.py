"""Warnings for the placeholder texts `outcomesite new` writes (scaffold/placeholders.py), wherever
one is still in a file: its front matter, or a line of its narrative.

The scaffold passes `check` so that a CSM can start from it; these warnings keep its texts from
reaching a customer as if they were content.
"""

from __future__ import annotations

from collections.abc import Iterator

from outcomesite.load.convert import Loc
from outcomesite.load.rules.base import AccountFacts, Finding, place_label
from outcomesite.scaffold.placeholders import (
    FRONT_MATTER,
    NARRATIVE,
    Placeholder,
    folded,
    same_text,
)

# The values found at each path of the typed model so far, with their locations (see _values).
_Found = dict[tuple[str, ...], list[tuple[Loc, object]]]


def no_placeholders(facts: AccountFacts) -> Iterator[Finding]:
    """Every front-matter value that is still the scaffold's text, at its line."""
    found: _Found = {(): [((), facts.data)]}
    for placeholder in FRONT_MATTER:
        for loc, value in _values(placeholder.where, found):
            if isinstance(value, str) and same_text(value, placeholder.text):
                label = place_label(loc[:-1], facts.conv.ids)
                yield loc, f"{label}`{loc[-1]}` is still {_the(placeholder)}"


# A word of each narrative placeholder (its longest): a line that is still the placeholder has
# it, so a narrative with none of them has no such line, and is not folded line by line.
_TELLTALES = tuple(max(p.text.casefold().split(), key=len) for p in NARRATIVE)


def narrative_placeholders(body: str, body_line: int) -> Iterator[tuple[int, str]]:
    """(line, message) for every line of the narrative that is still the scaffold's text."""
    whole = body.casefold()
    if not any(word in whole for word in _TELLTALES):
        return
    for index, line in enumerate(body.split("\n")):
        text = folded(line)  # once a line, not once a placeholder
        for placeholder in NARRATIVE:
            if text == placeholder.text.casefold():
                yield body_line + index, f"the narrative still has {_the(placeholder)}"


def _the(placeholder: Placeholder) -> str:
    """The placeholder `Your Name` from `outcomesite new`: write ..."""
    return f"the placeholder `{placeholder.text}` from `outcomesite new`: {placeholder.fix}"


def _values(where: tuple[str, ...], found: _Found) -> list[tuple[Loc, object]]:
    """The values at `where` (keys of the typed model, "*" standing for every item of a list),
    with their locations. `found` keeps the values of every path asked so far, which the
    placeholders share: eight of them are below `results.*`."""
    values = found.get(where)
    if values is None:
        parents, head = _values(where[:-1], found), where[-1]
        if head == "*":
            values = [
                ((*loc, index), item)
                for loc, node in parents
                if isinstance(node, tuple)
                for index, item in enumerate(node)
            ]
        else:
            values = [
                ((*loc, head), getattr(node, head, None))
                for loc, node in parents
                if node is not None
            ]
        found[where] = values
    return values
