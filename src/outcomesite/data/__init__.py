"""Numbers from data: `import` makes account files from a team's spreadsheet, `record` writes new
measurements into existing files. Both are all or nothing (every problem first, as
`FILE:ROW: error: ...`, and no file written), and both keep every change a reviewable Git diff."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DataResult:
    """What `import` or `record` did, for the CLI to print: nothing written when `errors`."""

    errors: list[str] = field(default_factory=list)  # "FILE:ROW: error: ...", in row order
    report: str = ""  # standard output: the files (or, with --dry-run, what would be written)
    summary: str = ""  # one line for standard error: what changed, in how many files
    written: list[str] = field(default_factory=list)  # files written, relative to the site

    @property
    def ok(self) -> bool:
        return not self.errors
