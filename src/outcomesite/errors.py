"""Problems as data.

Validation never raises for bad input: it returns Diagnostics, and one place (the CLI) turns them into
output and an exit code. Exceptions are kept for conditions where the command cannot go on at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

EXIT_OK = 0
EXIT_VALIDATION = 1
EXIT_USAGE = 2


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one line of one file; `path` is relative to the site root, POSIX style."""

    path: str
    line: int
    severity: Severity
    message: str

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


def format_diagnostics(diagnostics: Iterable[Diagnostic], fmt: str) -> str:
    """Render diagnostics as `text`, `github` annotations or a `json` list."""
    items = list(diagnostics)
    if fmt == "json":
        return json.dumps([asdict(d) for d in items], indent=2, ensure_ascii=False)
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
