"""`outcomesite record`: new measurements from a query or an export into the account files.

Input is CSV (a header row `account,result,value,date[,source]`) or JSON Lines (one object per line
with the same keys), from a file or standard input (named `<stdin>` in messages). Each row sets the
`current` and `measured_on` of one result (and `source` when given), edited in place so that the pull
request shows only those lines (data/edit.py).

Why it is all or nothing: a scheduled job opens a pull request with what it recorded; half a run
would be a pull request that looks complete and is not. So every row is checked first (unknown
accounts and results with a did-you-mean, values by the same number rules and words as `check`,
dates in the future or before `start_date`, two rows for one result and date), every edited file
is validated by the real validator, and only when nothing is wrong is any file written.

Earlier values: in Git, the commit that replaces a `current` keeps the old value, and the build
already reads earlier commits' measurements into the chart, so nothing else is written; a row older
than the file's `measured_on` is not recorded and is named in the summary. Outside Git nothing
would keep them, so the replaced value and the older rows go into the result's `history:`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from outcomesite.data import DataResult
from outcomesite.data.edit import AccountText, Measurement
from outcomesite.errors import EXIT_USAGE, OutcomesiteError, has_errors
from outcomesite.files import REASONS, UnsafeFile, read_file, replace_file
from outcomesite.history.git import GitError, run
from outcomesite.layout import ACCOUNTS, ACCOUNTS_DIR, EARLIEST_DATE, MAX_FILE_BYTES
from outcomesite.load.account import validate_text
from outcomesite.load.config import load_config
from outcomesite.load.convert import NUMBER, _number_message, parse_number, suggest
from outcomesite.load.frontmatter import YamlProblem
from outcomesite.model.config import SiteConfig
from outcomesite.workers import each_chunk

STDIN = "<stdin>"
REQUIRED = ("account", "result", "value", "date")
COLUMNS = (*REQUIRED, "source")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MAX_LISTED = 10  # rows named in the summary's note before "..."


@dataclass(frozen=True)
class Row:
    """One measurement that passed the checks that need no account file."""

    number: int  # 1-based row (CSV: line of the record, header = 1; JSON Lines: line)
    account: str
    result: str
    value: str  # the number as written, for the file
    date: dt.date
    source: str | None


@dataclass
class Outcome:
    """What recording into one file gave: its errors by row, or its new bytes and notes."""

    rel: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    data: bytes | None = None  # the edited file, when it changed
    diff: str = ""
    results: list[str] = field(default_factory=list)  # "id value on date", per changed result
    skipped: list[int] = field(default_factory=list)  # rows older than measured_on (in Git)
    to_history: list[int] = field(default_factory=list)  # rows that went into history (no Git)
    already: int = 0  # results that already held the row's value and date


@dataclass(frozen=True)
class _Context:
    """What every file's work needs; forked workers inherit it."""

    root: Path
    config: SiteConfig
    as_of: dt.date
    in_git: bool
    dry_run: bool
    work: list[tuple[str, list[Row]]]


def record_file(
    root: Path, source: Path | None, data: bytes | None, *, dry_run: bool, as_of: dt.date
) -> DataResult:
    """Record the measurements of `source` (None: `data` holds standard input) into the site at
    `root`. Unreadable input raises OutcomesiteError (exit 2); any problem in a row is an error
    `FILE:ROW: error: ...` and no file is written."""
    name = STDIN if source is None else str(source)
    raw = _read_input(source, data)
    records, errors = read_rows(raw, name)
    config, config_problems = load_config(root)
    if has_errors(config_problems):
        raise OutcomesiteError(
            f"{config_problems[0].format_text()}: fix outcomesite.yaml first "
            "(`outcomesite check` lists every problem); nothing was recorded",
            EXIT_USAGE,
        )
    slugs = sorted(p.name[:-3] for p in (root / ACCOUNTS_DIR).glob("*.md"))
    known = set(slugs)
    by_account: dict[str, list[Row]] = {}
    for number, record in records:
        row, problems = _check_row(number, record, known, slugs, as_of)
        errors += [(number, p) for p in problems]
        if row is not None:
            by_account.setdefault(row.account, []).append(row)

    work = sorted(by_account.items())
    context = _Context(root, config, as_of, _in_git(root), dry_run, work)
    # Each file is read, edited and validated in a worker process (validation is most of the
    # time); the parent writes only once every file passed.
    chunks = each_chunk(_record_chunk, context, len(context.work), None)
    outcomes = [outcome for chunk in chunks for outcome in chunk]
    for outcome in outcomes:
        errors += outcome.errors
    if errors:
        errors.sort(key=lambda e: e[0])
        rows = len({number for number, _ in errors})
        return DataResult(
            errors=[f"{name}:{number}: error: {message}" for number, message in errors],
            summary=f"nothing recorded: {_count(len(errors), 'error')} in "
            f"{_count(rows, 'row')} of {name}; no file was changed",
        )
    changed = [o for o in outcomes if o.data is not None]
    if dry_run:
        report = "".join(o.diff for o in changed)
    else:
        _write_all(root, changed)
        report = "".join(f"recorded {o.rel}: {', '.join(o.results)}\n" for o in changed)
    return DataResult(
        report=report,
        summary=_summary(outcomes, changed, dry_run),
        written=[] if dry_run else [o.rel for o in changed],
    )


def _read_input(source: Path | None, data: bytes | None) -> bytes:
    if source is None:
        return data or b""
    try:
        return source.read_bytes()
    except FileNotFoundError:
        raise OutcomesiteError(f"{source}: no such file", EXIT_USAGE) from None
    except OSError as exc:
        raise OutcomesiteError(f"{source}: cannot read it: {exc.strerror}", EXIT_USAGE) from None


def _in_git(root: Path) -> bool:
    """Whether Git keeps the site's earlier values. Only that question: read_repository would
    also read the whole log, which `record` does not need."""
    try:
        return run(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except GitError:
        return False


# -- reading the input ---------------------------------------------------------------------------

Record = dict[str, Any]


def read_rows(raw: bytes, name: str) -> tuple[list[tuple[int, Record]], list[tuple[int, str]]]:
    """The rows of a CSV or JSON Lines input, each with its 1-based row number, and the problems
    of its shape (unknown or missing columns). Raises OutcomesiteError when it is neither."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OutcomesiteError(
            f"{name} is not UTF-8 text: export it as UTF-8 CSV or JSON Lines", EXIT_USAGE
        ) from None
    if not text.strip():
        return [], []
    if text.lstrip().startswith("{"):
        return _json_lines(text, name)
    return _csv(text, name)


def _neither(name: str) -> OutcomesiteError:
    return OutcomesiteError(
        f"{name} is neither CSV with a header row `account,result,value,date` (and optionally "
        '`source`) nor JSON Lines (one {"account": ..., "result": ..., "value": ..., '
        '"date": ...} object per line): nothing was recorded',
        EXIT_USAGE,
    )


def _csv(text: str, name: str) -> tuple[list[tuple[int, Record]], list[tuple[int, str]]]:
    first = text.split("\n", 1)[0]
    # A spreadsheet in another locale saves `;`; a database may export tabs.
    delimiter = max(
        (",", ";", "\t"),
        key=lambda d: sum(c.strip().lower() in COLUMNS for c in first.split(d)),
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except (StopIteration, csv.Error):
        raise _neither(name) from None
    if not any(column in REQUIRED for column in header):
        raise _neither(name)
    problems = _column_problems(header, 1)
    if problems:
        return [], problems  # the rows would only repeat what the header says
    rows: list[tuple[int, Record]] = []
    start = reader.line_num + 1
    try:
        for values in reader:
            number, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue  # a blank line
            if len(values) != len(header):
                problems.append(
                    (
                        number,
                        f"the row has {len(values)} values, the header {len(header)} columns: "
                        "put a value that holds the separator in double quotes",
                    )
                )
                continue
            rows.append((number, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        problems.append((start, f"cannot read this row as CSV: {exc}"))
    return rows, problems


def _json_lines(text: str, name: str) -> tuple[list[tuple[int, Record]], list[tuple[int, str]]]:
    rows: list[tuple[int, Record]] = []
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            # Numbers stay as written: 12.50 is recorded as 12.50, and NaN is refused below.
            item = json.loads(line, parse_float=str, parse_int=str, parse_constant=str)
        except json.JSONDecodeError as exc:
            problems.append((number, f"not a JSON object: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(item, dict):
            problems.append((number, "not a JSON object: each line must be one {...} object"))
            continue
        if shape := _column_problems(list(item), number):
            problems += shape
        else:
            rows.append((number, item))
    if not rows and not problems:
        raise _neither(name)
    return rows, problems


def _column_problems(columns: Sequence[str], number: int) -> list[tuple[int, str]]:
    problems = []
    for column in columns:
        if column not in COLUMNS:
            guess = suggest(column, list(COLUMNS))
            hint = (
                f": did you mean `{guess}`?" if guess else f": the columns are {', '.join(COLUMNS)}"
            )
            problems.append((number, f"unknown column `{column}`{hint}"))
    for column in REQUIRED:
        if column not in columns:
            problems.append((number, f"the column `{column}` is missing"))
    for column in sorted({c for c in columns if list(columns).count(c) > 1}):
        problems.append((number, f"the column `{column}` is given twice: keep one"))
    return problems


# -- checking a row ------------------------------------------------------------------------------


def _text(record: Record, key: str) -> tuple[str, str | None]:
    """The value of a column as text, or a problem (JSON allows lists, objects, true...)."""
    value = record.get(key)
    if value is None:
        return "", None
    if isinstance(value, str):
        return value.strip(), None
    example = {"value": "41", "date": '"2026-11-01"'}.get(key, '"text"')
    return "", f"`{key}` must be a single value such as {example} (found `{json.dumps(value)}`)"


def _check_row(
    number: int, record: Record, known: set[str], slugs: list[str], as_of: dt.date
) -> tuple[Row | None, list[str]]:
    """The row, when every value that needs no account file is right; else its problems."""
    problems: list[str] = []
    values: dict[str, str] = {}
    for key in COLUMNS:
        values[key], problem = _text(record, key)
        if problem:
            problems.append(problem)
    account, result, value, date_text = (values[k] for k in REQUIRED)
    if problems:
        return None, problems
    if not account:
        problems.append("`account` is empty: write the account's slug, its file name without .md")
    elif account not in known:
        guess = suggest(account, slugs)
        hint = f": did you mean `{guess}`?" if guess else ""
        problems.append(
            f"unknown account `{account}`: there is no file {ACCOUNTS}/{account}.md{hint}"
        )
    if not result:
        problems.append("`result` is empty: write the result's `id` from the account file")
    if not value:
        problems.append("`value` is empty: write the measured value, a plain number such as 44")
    elif (problem := _number_problem(value)) is not None:
        problems.append(problem)
    day, problem = _date(date_text, as_of)
    if problem:
        problems.append(problem)
    if problems or day is None:
        return None, problems
    return Row(number, account, result, value, day, values["source"] or None), []


def _number_problem(text: str) -> str | None:
    """`check`'s own wording for a value that is not a plain number (`65%`, `1,200`, `$1200`)."""
    if NUMBER.match(text):
        if parse_number(text) is None:
            return (
                "`value` is out of range: write a number between -1000000000000000 and "
                f"1000000000000000, a million billion (found `{text}`)"
            )
        return None
    return _number_message("value", yaml.ScalarNode("tag:yaml.org,2002:str", text), False)


def _date(text: str, as_of: dt.date) -> tuple[dt.date | None, str | None]:
    if not text:
        return None, "`date` is empty: write the day it was measured, YYYY-MM-DD"
    day = _iso(text)
    if day is None:
        return None, f"`date` must be a date written YYYY-MM-DD, e.g. 2026-11-01 (found `{text}`)"
    if day < EARLIEST_DATE:
        return None, f"`date` {text} is before 1900: check the year (found `{text}`)"
    if day > as_of:
        return None, (
            f"`date` {text} is after the report date {as_of}: dates cannot be in the future "
            "(check the year, or record with a later --as-of)"
        )
    return day, None


# -- recording into the files --------------------------------------------------------------------


def _record_chunk(context: _Context, start: int, end: int) -> list[Outcome]:
    return [_record_account(context, slug, rows) for slug, rows in context.work[start:end]]


def _record_account(context: _Context, slug: str, rows: list[Row]) -> Outcome:
    """Check the rows against one account file, edit it in memory and validate the result."""
    rel = f"{ACCOUNTS}/{slug}.md"
    outcome = Outcome(rel)
    first = rows[0].number
    try:
        raw = read_file(context.root / ACCOUNTS_DIR / f"{slug}.md", MAX_FILE_BYTES)
    except UnsafeFile as unsafe:
        outcome.errors.append(
            (first, f"cannot record into {rel}: the file {REASONS[unsafe.reason]}")
        )
        return outcome
    try:
        account = AccountText(raw)
    except UnicodeDecodeError:
        outcome.errors.append((first, f"cannot record into {rel}: it is not UTF-8 text"))
        return outcome
    except YamlProblem as problem:
        outcome.errors.append(
            (
                first,
                f"cannot record into {rel}: line {problem.line}: {problem.message} "
                "(fix the file first; `outcomesite check` shows every problem)",
            )
        )
        return outcome
    results = account.results()
    start = _iso(account.scalar("start_date"))
    by_result: dict[str, dict[dt.date, Row]] = {}
    for row in rows:
        if row.result not in results:
            guess = suggest(row.result, list(results))
            hint = (
                f": did you mean `{guess}`?"
                if guess
                else f": its results are {', '.join(f'`{r}`' for r in results) or 'none yet'}"
            )
            outcome.errors.append((row.number, f"{rel} has no result `{row.result}`{hint}"))
            continue
        if start is not None and row.date < start:
            outcome.errors.append(
                (
                    row.number,
                    f"`date` {row.date} is before the account's `start_date` {start}: check the "
                    "year, or the account",
                )
            )
            continue
        dates = by_result.setdefault(row.result, {})
        if row.date in dates:
            outcome.errors.append(
                (
                    row.number,
                    f"a second row for result `{row.result}` of `{slug}` on {row.date} (the "
                    f"first is row {dates[row.date].number}): keep one",
                )
            )
            continue
        dates[row.date] = row
    if outcome.errors:
        return outcome

    for result, dates in by_result.items():
        node = results[result]
        _plan(account, node, sorted(dates.values(), key=lambda r: r.date), context, outcome)
    edited = account.edited()
    if edited == raw:
        return outcome
    loaded = validate_text(edited, rel, slug, context.root, context.config, context.as_of)
    failing = [d for d in loaded.diagnostics if d.severity == "error"]
    if failing:
        outcome.errors.append(
            (
                first,
                f"after recording, {rel} would fail `outcomesite check` at line {failing[0].line}: "
                f"{failing[0].message}",
            )
        )
        return outcome
    outcome.data = edited
    if context.dry_run:
        before = raw.decode("utf-8").splitlines(keepends=True)
        after = edited.decode("utf-8").splitlines(keepends=True)
        diff = difflib.unified_diff(before, after, f"a/{rel}", f"b/{rel}")
        outcome.diff = "".join(
            line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n"
            for line in diff
        )
    return outcome


def _plan(
    account: AccountText,
    node: yaml.MappingNode,
    rows: list[Row],
    context: _Context,
    outcome: Outcome,
) -> None:
    """The newest row becomes `current` unless the file already holds a newer measurement; older
    rows are only named (in Git) or go into `history` (outside Git)."""
    current = _scalar(node, "current")
    measured = _iso(_scalar(node, "measured_on"))
    newest = rows[-1]
    change = Measurement()
    older = rows[:-1]
    if measured is None or newest.date >= measured:
        same = (
            measured == newest.date
            and current is not None
            and parse_number(current) == parse_number(newest.value)
            and (newest.source is None or newest.source == _scalar(node, "source"))
        )
        if same:
            outcome.already += 1
        else:
            change.value, change.date = newest.value, newest.date.isoformat()
            change.source = newest.source
            old = parse_number(current) if current is not None else None
            if (
                not context.in_git
                and measured is not None
                and measured < newest.date
                and old is not None
            ):
                change.history[measured.isoformat()] = current or ""
    else:
        older = rows
    for row in older:
        if context.in_git:
            outcome.skipped.append(row.number)
        else:
            change.history[row.date.isoformat()] = row.value
            outcome.to_history.append(row.number)
    if change.value is None and not change.history:
        return
    account.record(node, change)
    result = _scalar(node, "id") or ""
    if change.value is not None:
        outcome.results.append(f"{result} {change.value} on {change.date}")
    else:
        outcome.results.append(f"{result} history {', '.join(sorted(change.history))}")


def _scalar(node: yaml.MappingNode, key: str) -> str | None:
    for key_node, value_node in node.value:
        if key_node.value == key and isinstance(value_node, yaml.ScalarNode):
            return str(value_node.value).strip() or None
    return None


def _iso(text: str | None) -> dt.date | None:
    if text is None or not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _write_all(root: Path, changed: list[Outcome]) -> None:
    """Write each file whole (a new file renamed over the old one, with the old one's
    permissions), only once every file passed: a crash or a full disk leaves each file either
    as it was or as recorded, never half written."""
    for done, outcome in enumerate(changed):
        assert outcome.data is not None
        try:
            replace_file(root / outcome.rel, outcome.data)
        except OSError as exc:
            raise OutcomesiteError(
                f"cannot write {outcome.rel}: {exc.strerror or exc}; {done} of {len(changed)} "
                "files were written before it (`git diff` shows them)",
                EXIT_USAGE,
            ) from None


# -- the summary ---------------------------------------------------------------------------------


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_MAX_LISTED])
    return f"row{'' if len(numbers) == 1 else 's'} {shown}{', ...' if len(numbers) > 10 else ''}"


def _summary(outcomes: list[Outcome], changed: list[Outcome], dry_run: bool) -> str:
    results = sum(len(o.results) for o in changed)
    verb = "would be recorded" if dry_run else "recorded"
    parts = [f"{_count(results, 'result')} {verb} in {_count(len(changed), 'account file')}"]
    skipped = sorted(n for o in outcomes for n in o.skipped)
    if skipped:
        parts.append(
            f"{_count(len(skipped), 'older measurement')} not recorded ({_rows(skipped)}): "
            "older than the result's measured_on; Git keeps the earlier values"
        )
    moved = sorted(n for o in outcomes for n in o.to_history)
    if moved:
        parts.append(
            f"{_count(len(moved), 'older measurement')} {'would go' if dry_run else 'went'} into "
            f"`history` ({_rows(moved)}): the site is not in Git, which would keep them"
        )
    already = sum(o.already for o in outcomes)
    if already:
        parts.append(f"{_count(already, 'result')} already held the value and date")
    if dry_run:
        parts.append("dry run: nothing written")
    return "; ".join(parts)
