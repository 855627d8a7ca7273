"""Rules an account file must follow beyond its types: one small function each, run in order.

Like markdown-it-py's rulers, each phase is an ordered tuple of rules (in errors.py and
warnings.py), and adding a rule is adding a function to a tuple. A rule yields findings,
`(where, message)`, where `where` is the key the message is about; the caller looks up its line.

- ERRORS read the converted data (plain values, only the keys that converted cleanly), so that they
  run even when other keys of the file are wrong, and every problem is reported at once.
- WARNINGS read the typed, valid account and where it stands on the ladder.
"""

from __future__ import annotations

from outcomesite.load.rules.base import AccountFacts, FileFacts, Finding, place_label
from outcomesite.load.rules.errors import ERRORS
from outcomesite.load.rules.warnings import WARNINGS


def errors(facts: FileFacts) -> list[Finding]:
    return [finding for rule in ERRORS for finding in rule(facts)]


def warnings(facts: AccountFacts) -> list[tuple[str, Finding]]:
    """(code, finding) of every warning rule, in order."""
    return [(code, finding) for code, rule in WARNINGS for finding in rule(facts)]


__all__ = [
    "ERRORS",
    "WARNINGS",
    "AccountFacts",
    "FileFacts",
    "Finding",
    "errors",
    "place_label",
    "warnings",
]
