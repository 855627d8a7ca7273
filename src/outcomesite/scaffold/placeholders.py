"""The placeholder texts `outcomesite new` writes, kept in one place: the scaffold (new.py) writes
them and `check` warns about every one still in a file (load/rules/placeholders.py), so the two
cannot drift apart.

A scaffold that passes `check` is easy to start from, but its texts read like content: "Your Name"
as a result's owner or "What is in the way, honestly." in the narrative would reach the customer
without anyone noticing. Standard library only: `check` reads this without loading the scaffold.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Placeholder:
    """One text of the scaffold, where it is, and what to write instead (the end of a sentence
    starting with a verb: "write ...")."""

    where: tuple[str, ...]  # the key, "*" standing for every item of a list; () for the narrative
    text: str
    fix: str


YOUR_NAME = "Your Name"
RESULT_ID = "first-result"
INTERNAL_NOTES = "Internal only, never shown to the customer: risks, renewal date, politics."
GOAL = "The customer's goal, in their own words"
METRIC = "What is measured, e.g. Hours to close the month"
SOURCE = "Where the number comes from"
ATTRIBUTION = "How our product caused the change"
VALIDATOR_NAME = "Customer Contact"
VALIDATOR_ROLE = "Their job title"
STEP = "What happens next, in a few words"
WORKING = "What the customer achieved so far, in a few sentences."
NOT_WORKING = "What is in the way, honestly."
NEXT_STEP = "The one thing that happens next, who does it and by when."

FRONT_MATTER: tuple[Placeholder, ...] = (
    Placeholder(("csm",), YOUR_NAME, "write your own name, as the internal owner of this account"),
    Placeholder(
        ("internal_notes",),
        INTERNAL_NOTES,
        "write your team's notes (risks, renewal date), or remove `internal_notes`",
    ),
    Placeholder(
        ("results", "*", "id"),
        RESULT_ID,
        "name the result after what it measures, e.g. `month-end-close`",
    ),
    Placeholder(
        ("results", "*", "goal"),
        GOAL,
        "write the customer's goal as they say it, e.g. Close the books faster at month end",
    ),
    Placeholder(
        ("results", "*", "metric"),
        METRIC,
        "write what is measured, e.g. Working days to close the month",
    ),
    Placeholder(
        ("results", "*", "source"),
        SOURCE,
        "write where the numbers come from, e.g. SAP month-end close, or remove `source`",
    ),
    Placeholder(
        ("results", "*", "owner"),
        YOUR_NAME,
        "write the name of the person on our side who owns this result",
    ),
    Placeholder(
        ("results", "*", "attribution"),
        ATTRIBUTION,
        "write one sentence on how our product caused the change, or remove `attribution`",
    ),
    Placeholder(
        ("results", "*", "validator", "name"),
        VALIDATOR_NAME,
        "write the name of the person at the customer who confirms the result",
    ),
    Placeholder(
        ("results", "*", "validator", "role"),
        VALIDATOR_ROLE,
        "write their job title, e.g. Controller",
    ),
    Placeholder(
        ("next_steps", "*", "step"),
        STEP,
        "write what happens next, e.g. Roll out guided onboarding to the second warehouse",
    ),
    Placeholder(
        ("next_steps", "*", "owner"), YOUR_NAME, "write the name of the person who does it"
    ),
)

NARRATIVE: tuple[Placeholder, ...] = (
    Placeholder((), WORKING, "write what the customer achieved so far, in a few sentences"),
    Placeholder((), NOT_WORKING, "write what is in the way, honestly"),
    Placeholder((), NEXT_STEP, "write the one thing that happens next, who does it and by when"),
)


def same_text(value: str, placeholder: str) -> bool:
    """A value is still the placeholder when only spacing or case changed (a folded line, a
    lower-cased word), not when a single word was edited."""
    return folded(value) == placeholder.casefold()


def folded(value: str) -> str:
    """The text as same_text compares it: spacing collapsed, case folded."""
    return " ".join(value.split()).casefold()
