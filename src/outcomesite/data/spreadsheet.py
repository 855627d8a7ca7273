"""Read a team's spreadsheet as rows of cells: CSV (any delimiter, UTF-8 with or without a BOM)
or XLSX (one sheet). Only reading happens here; what the cells mean is the importer's business.

Cells keep what the spreadsheet knows about them (a number, a date) so that an XLSX number 65.0 is
written as `65` and a date cell as `2026-03-15`, while a CSV cell stays the text the CSM typed, so
that `check` can quote it back in its message ("found `65%`"). Anything that makes the file
unreadable as a whole raises OutcomesiteError with exit status 2: there is no row to blame.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.load.convert import suggest

Cell = str | int | float | dt.date | None
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Table:
    """The header (row 1) and every non-blank row below it with its 1-based spreadsheet row."""

    header: list[str]
    rows: list[tuple[int, list[Cell]]]


def read_table(source: Path, sheet: str | None = None) -> Table:
    """The table in `source`, CSV or XLSX by its name (or, failing that, by its content)."""
    if not source.is_file():
        raise OutcomesiteError(f"{source}: no such file", EXIT_USAGE)
    data = source.read_bytes()
    suffix = source.suffix.lower()
    if suffix in XLSX_SUFFIXES or (suffix not in CSV_SUFFIXES and data[:2] == b"PK"):
        return _xlsx_table(source, data, sheet)
    if suffix not in CSV_SUFFIXES:
        raise OutcomesiteError(
            f"{source}: not a CSV or XLSX file: save the spreadsheet as .csv (UTF-8) or .xlsx",
            EXIT_USAGE,
        )
    if sheet is not None:
        raise OutcomesiteError(
            f"{source}: --sheet is for XLSX files; a CSV file has one table", EXIT_USAGE
        )
    return csv_table(source, data)


def csv_table(source: Path, data: bytes) -> Table:
    """A CSV file's rows: the delimiter is what csv.Sniffer finds among , ; tab and |."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OutcomesiteError(
            f'{source}: not UTF-8 text: save it as "CSV UTF-8" (Excel) or export it with '
            "UTF-8 encoding",
            EXIT_USAGE,
        ) from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:20000], delimiters=",;\t|"
        )
    except csv.Error:
        dialect = csv.excel  # one column, or too little to tell: commas
    records = list(csv.reader(io.StringIO(text, newline=""), dialect))
    cells: list[list[Cell]] = [[_text_cell(value) for value in record] for record in records]
    return _table(source, cells)


def _xlsx_table(source: Path, data: bytes, sheet: str | None) -> Table:
    """One sheet's rows; openpyxl gives dates as datetimes and every number as int or float."""
    import openpyxl  # only an XLSX import pays for loading it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise OutcomesiteError(
            f"{source}: not a readable XLSX file ({exc}): save it again as .xlsx, or as .csv",
            EXIT_USAGE,
        ) from None
    names: list[str] = list(book.sheetnames)
    if sheet is not None and sheet not in names:
        guess = suggest(sheet, names)
        hint = f"did you mean `{guess}`?" if guess else f"the sheets are {', '.join(names)}"
        raise OutcomesiteError(f"{source}: no sheet `{sheet}`: {hint}", EXIT_USAGE)
    worksheet = book[sheet if sheet is not None else names[0]]
    cells = [[xlsx_cell(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
    book.close()
    return _table(source, cells)


def _table(source: Path, cells: list[list[Cell]]) -> Table:
    if not cells or all(_blank(c) for c in cells[0]):
        raise OutcomesiteError(
            f"{source}: the first row must name the columns (account, segment, csm, ...)",
            EXIT_USAGE,
        )
    header = [str(c).strip() if c is not None else "" for c in cells[0]]
    while header and not header[-1]:
        header.pop()
    rows = [
        (number, (row + [None] * len(header))[: max(len(header), len(row))])
        for number, row in enumerate(cells[1:], start=2)
        if not all(_blank(c) for c in row)
    ]
    return Table(header, rows)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text_cell(value: str) -> Cell:
    value = value.strip()
    return value or None


def xlsx_cell(value: object) -> Cell:
    """An XLSX value as a cell: a date (a datetime at midnight too), a whole float as an int,
    booleans as Excel shows them, anything else as its text; empty text is no value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    return _text_cell(str(value))


def column_key(name: str) -> str:
    """A header as compared with the known columns: no case, spaces or punctuation, so that
    "Start Date", "start-date" and "START_DATE" are the same column."""
    return re.sub(r"[\W_]+", "", name.casefold())


def read_columns(path: Path, known: list[str]) -> dict[str, str | None]:
    """A --columns file: `Their header: column` lines (YAML); `Their header: null` ignores a
    column. Keys are compared like headers, by column_key."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise OutcomesiteError(f"{path}: cannot read the column map ({exc})", EXIT_USAGE) from None
    except yaml.YAMLError as exc:
        raise OutcomesiteError(
            f"{path}: the column map is not valid YAML ({exc}): write one `Header: column` per line",
            EXIT_USAGE,
        ) from None
    if not isinstance(data, dict):
        raise OutcomesiteError(
            f"{path}: the column map must be `Their header: column` lines, e.g. `Kunde: account`",
            EXIT_USAGE,
        )
    mapping: dict[str, str | None] = {}
    for header, target in data.items():
        if target is not None and (not isinstance(target, str) or target not in known):
            guess = suggest(str(target), known)
            hint = f"did you mean `{guess}`?" if guess else f"the columns are {', '.join(known)}"
            raise OutcomesiteError(
                f"{path}: `{header}` maps to `{target}`, which is not a column: {hint}",
                EXIT_USAGE,
            )
        mapping[column_key(str(header))] = target
    return mapping
