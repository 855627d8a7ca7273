"""The internal index as files people analyse: index.json, index.csv and results.csv.

Each account's lines are made once, with its report (IndexPieces), and the files are joined from
them in index order. CSV files start with a UTF-8 byte-order mark (Excel otherwise reads "Müller"
as "MÃ¼ller") and neutralise spreadsheet formulas: account files are untrusted, and CS leaders open
these in Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from outcomesite.files import compact_json, compact_json_bytes
from outcomesite.render.index import IndexEntry, attention_lines

if TYPE_CHECKING:
    from outcomesite.portfolio.history import IndexHistory

BOM = "\ufeff"

INDEX_COLUMNS = [
    "slug", "account", "segment", "csm", "rung", "rung_label", "version", "result_check",
    "needs_attention", "attention", "results", "renewal_date", "arr", "status", "report_url", "pdf_url",
]  # fmt: skip

RESULT_COLUMNS = [
    "slug", "account", "segment", "csm", "result", "goal", "metric", "unit", "baseline", "current",
    "target", "progress", "measured_on", "target_met", "confirmed", "stale", "overdue", "owner",
]  # fmt: skip


def json_line(entry: IndexEntry) -> str:
    return compact_json(entry)


@dataclass(frozen=True)
class Frame:
    """What surrounds the accounts' pieces in an export file: the file is `head`, the pieces
    joined by `separator`, and `foot`; or `empty` when there are no accounts. Pieces are written
    one at a time (build/exports.py): a large site's exports are never held whole. Bytes, in
    parts, as they are written (each iteration makes them again: index.json's are made as they
    are written, _IndexJsonHead)."""

    head: Iterable[bytes]
    separator: bytes
    foot: bytes
    empty: Iterable[bytes]


@dataclass(frozen=True)
class _IndexJsonHead:
    """index.json up to its accounts, made part by part as it is written: the portfolio's
    history in it lists every account and result of a first quarter in Git (55 MB of JSON at
    100,000 accounts, held whole by the process writing it, and again by orjson as it grew)."""

    as_of: dt.date
    attention: Sequence[str]
    history: IndexHistory | None
    end: bytes

    def __iter__(self) -> Iterator[bytes]:
        yield f'{{\n  "as_of": "{self.as_of.isoformat()}",\n  "attention": '.encode()
        yield compact_json_bytes(list(self.attention))
        for key, parts in self.history.json() if self.history else ():
            yield f',\n  "{key}": '.encode()
            yield from parts
        yield self.end


def index_json_frame(
    as_of: dt.date, attention: Sequence[str], history: IndexHistory | None = None
) -> Frame:
    """index.json: one account per line (readable; a change is a one-line diff), in index order,
    and `attention`: the slugs that need attention, most severe first. With Git history:
    `changes`, `months`, `cohorts` and `renewals_by_day_90` (README, "The portfolio over
    time")."""
    return Frame(
        head=_IndexJsonHead(as_of, attention, history, b',\n  "accounts": [\n    '),
        separator=b",\n    ",
        foot=b"\n  ]\n}\n",
        empty=_IndexJsonHead(as_of, attention, history, b',\n  "accounts": []\n}\n'),
    )


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _row(values: Iterable[object]) -> str:
    """One CSV line ("\n" after it), cells quoted only where they must be, as the csv module
    writes them. Made here, not by a csv writer per line: that was most of an account's export
    lines. Unlike Python 3.11's writer, a cell with a carriage return is quoted too, so that
    every reader reads it back as one cell."""
    return ",".join(map(_cell, values)) + "\n"


def _cell(value: object) -> str:
    text = _safe(value)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _safe(value: object) -> str:
    """Neutralise spreadsheet formulas; None is an empty cell."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def index_csv_line(entry: IndexEntry) -> str:
    values: dict[str, object] = {
        **entry,
        "attention": "; ".join(attention_lines(entry)),
        "results": len(entry["results"]),
        "needs_attention": _yes(entry["needs_attention"]),
    }
    return _row(values[column] for column in INDEX_COLUMNS)


def results_csv_lines(entry: IndexEntry) -> str:
    """One line per result: the numbers themselves, for whoever analyses the portfolio."""
    account = [entry["slug"], entry["account"], entry["segment"], entry["csm"]]
    return "".join(
        _row(
            [
                *account,
                *(r["id"], r["goal"], r["metric"], r["unit"]),
                *(r["baseline"], r["current"], r["target"], r["progress"], r["measured_on"]),
                *map(_yes, (r["target_met"], r["validated"], r["stale"], r["overdue"])),
                r["owner"],
            ]
        )
        for r in entry["results"]
    )


def csv_frame(columns: Sequence[str]) -> Frame:
    """A CSV file: the byte-order mark and the header, then each account's lines."""
    head = ((BOM + _row(columns)).encode(),)
    return Frame(head=head, separator=b"", foot=b"", empty=head)
