"""Problems as data.

Validation never raises for bad input: it returns Diagnostics, and one place (the CLI) turns them into
output and an exit code. Exceptions are kept for conditions where the command cannot go on at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

EXIT_OK = 0
EXIT_VALIDATION = 1
EXIT_USAGE = 2


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one line of one file; `path` is relative to the site root, POSIX style.

    `code` names the rule a warning comes from (WARNING_KINDS), for summaries; "" for errors.
    """

    path: str
    line: int
    severity: Severity
    message: str
    code: str = ""

    def format_text(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    def format_github(self) -> str:
        # GitHub's workflow-command syntax: properties and message need their own escaping.
        kind = "error" if self.severity == "error" else "warning"
        file = _gh_escape_property(self.path)
        return f"::{kind} file={file},line={self.line}::{_gh_escape_data(self.message)}"


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


# The kinds of warning (singular, plural), for one-line summaries: "6 results without a validator".
WARNING_KINDS: dict[str, tuple[str, str]] = {
    "no-results": ("account with no named result", "accounts with no named result"),
    "moving-away": ("result moving away from its target", "results moving away from their target"),
    "no-validator": ("result without a validator", "results without a validator"),
    "validator-level": (
        "validator below the segment's level",
        "validators below the segment's level",
    ),
    "confirmed-nothing": (
        "confirmation of nothing that moved",
        "confirmations of nothing that moved",
    ),
    "activity": ("metric of activity or usage", "metrics of activity or usage"),
    "stale": ("stale measurement", "stale measurements"),
    "before-start": ("measurement before the start", "measurements before the start"),
    "overdue": ("overdue result", "overdue results"),
    "step-overdue": ("next step past its due date", "next steps past their due date"),
    "renewal-before-start": (
        "renewal date before the start",
        "renewal dates before the start",
    ),
    "renewal-passed": ("renewal date passed", "renewal dates passed"),
    "placeholder": (
        "placeholder left from `outcomesite new`",
        "placeholders left from `outcomesite new`",
    ),
    "long-text": ("text too long for a report", "texts too long for a report"),
    "result-check": ("account failing the result check", "accounts failing the result check"),
    "locale": ("locale without translated words", "locales without translated words"),
    "no-font": (
        "text with a character no installed font can draw",
        "texts with a character no installed font can draw",
    ),
}


def warning_summary(warnings: Iterable[Diagnostic]) -> str:
    """`15 warnings: 6 results without a validator, 4 accounts failing the result check, ...`,
    most frequent first."""
    counts: dict[str, int] = {}
    for warning in warnings:
        counts[warning.code] = counts.get(warning.code, 0) + 1
    return counts_summary(counts)


def counts_summary(counts: Mapping[str, int]) -> str:
    """`warning_summary` from the warnings counted by kind (code -> how many)."""
    total = sum(counts.values())
    parts = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        singular, plural = WARNING_KINDS.get(code, ("other warning", "other warnings"))
        parts.append(f"{count} {singular if count == 1 else plural}")
    noun = "warning" if total == 1 else "warnings"
    return f"{total} {noun}: {', '.join(parts)}" if parts else "no warnings"


def format_diagnostics(diagnostics: Iterable[Diagnostic], fmt: str) -> str:
    """Render diagnostics as `text`, `github` annotations or a `json` list."""
    items = list(diagnostics)
    if fmt == "json":
        keys = ("path", "line", "severity", "message")
        return json.dumps(
            [{k: asdict(d)[k] for k in keys} for d in items], indent=2, ensure_ascii=False
        )
    if fmt == "github":
        return "\n".join(d.format_github() for d in items)
    return "\n".join(d.format_text() for d in items)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


class OutcomesiteError(Exception):
    """A condition that stops a command; carries the exit status the CLI should use."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
