"""Warnings for characters no installed font can draw (load/glyphs.py), in the texts a customer
reads in the PDF: the account's name, its results and next steps, and the narrative.

Without them the PDF prints an empty box where the character was, and nobody notices until the
customer does. One warning a text, naming every such character with its code point and Unicode
name, so that the CSM can find it (or ask for the font). Internal texts (`csm`, `internal_notes`,
`why_an_outcome`) reach only the internal index, which readers open in their own browsers.
"""

from __future__ import annotations

from collections.abc import Iterator

from outcomesite.load.convert import Loc
from outcomesite.load.glyphs import describe, undrawable
from outcomesite.load.rules.base import AccountFacts, Finding, place_label

# How many characters a message names; the rest are counted.
LISTED = 5

# The customer-visible texts of a result, of its validator and of a next step.
RESULT_TEXTS = ("goal", "metric", "unit", "attribution", "source", "owner")
VALIDATOR_TEXTS = ("name", "role")
STEP_TEXTS = ("step", "owner")


def _texts(facts: AccountFacts) -> Iterator[tuple[Loc, str | None]]:
    data = facts.data
    yield ("account",), data.account
    for index, result in enumerate(data.results):
        for key in RESULT_TEXTS:
            yield ("results", index, key), getattr(result, key)
        if result.validator is not None:
            for key in VALIDATOR_TEXTS:
                yield ("results", index, "validator", key), getattr(result.validator, key)
    for index, step in enumerate(data.next_steps):
        for key in STEP_TEXTS:
            yield ("next_steps", index, key), getattr(step, key)


def drawable_texts(facts: AccountFacts) -> Iterator[Finding]:
    """Every customer-visible text of the front matter with a character no font can draw."""
    for loc, text in _texts(facts):
        if text is not None and (chars := undrawable(text)):
            where = place_label(loc[:-1], facts.conv.ids)
            yield loc, f"{where}`{loc[-1]}` {_problem([describe(c) for c in chars])}"


def narrative_glyphs(body: str, body_line: int) -> Iterator[tuple[int, str]]:
    """(line, message): one warning for the narrative, at the first line with a character no
    font can draw; a character first seen on a later line says which."""
    chars = undrawable(body)
    if not chars:
        return
    lines = body.split("\n")
    first_line = {c: next(n for n, line in enumerate(lines) if c in line) for c in chars}
    at = min(first_line.values())
    named = [
        describe(c) + ("" if first_line[c] == at else f" on line {body_line + first_line[c]}")
        for c in chars
    ]
    yield body_line + at, f"the narrative {_problem(named)}"


def _problem(named: list[str]) -> str:
    """`has a character no installed font can draw: "x" (U+...): it prints as ...`."""
    one = len(named) == 1
    listed = ", ".join(named[:LISTED])
    if len(named) > LISTED:
        listed += f" and {len(named) - LISTED} more"
    what = "a character" if one else f"{len(named)} characters"
    it, shows = (
        ("it", "it prints as an empty box") if one else ("them", "they print as empty boxes")
    )
    return (
        f"has {what} no installed font can draw: {listed}; {shows} in the PDF: remove {it}, or "
        f"install a font that has {it} where the site is built (admin guide: Fonts)"
    )
