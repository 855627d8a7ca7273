"""The build's details: a SQLite database in the output folder, one row per account.

A row holds what a rebuild needs from an account without loading it again: its head (the small
fields that sort, count and group it in the internal index), its finished texts (index.json line,
CSV lines, table row, attention card), its warnings, notices, --verbose listing and PDF keys.

Rows, not one file: a rebuild of one account replaces one row and reads only what it needs (every
head, to sort the portfolio; the row or card of each account on a list page that changed; the
export lines of the accounts it rebuilt, build/exports.py patching the rest from the last build's
files), and the parent of a full build writes each account's row as its worker's results arrive
instead of holding ten thousand accounts' texts in memory. The counts of the accounts' warnings
are kept up to date as rows change, so a rebuild never reads every row to count them.

The database is written in the staging folder (a copy of the last one, for a rebuild) and put in
place with the rest of the build (commit.py), so it needs no journal of its own. sqlite3, and
orjson for the small JSON values: imported only by a build that writes or reads details.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from outcomesite.errors import Diagnostic

if TYPE_CHECKING:
    from outcomesite.build.exports import Layout
    from outcomesite.render.index import IndexHead, IndexPieces

SCHEMA = 4  # a new shape of the tables or of IndexHead (stored as an array): a new number
# Heads in a narrow table of their own: every rebuild reads all of them (to sort the portfolio)
# and should not read every account's texts on the way. The texts in a rowid table: it keeps a
# row of up to about 16 KB in its page, where a WITHOUT ROWID table (a b-tree of keys) moves
# anything beyond about 4 KB to overflow pages; with rows of about 5 KB that made the file three
# times its data (141 MB for 10,000 accounts instead of 58 MB), and every rebuild copies it.
# The partial index lists the few accounts with notices. x'5b5d' is an empty list as the JSON
# values are stored: a BLOB, which is never equal to the text '[]'.
_SCHEMA_SQL = """
CREATE TABLE build (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE heads (slug TEXT PRIMARY KEY, head BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE accounts (
    slug TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    csv TEXT NOT NULL,
    results_csv TEXT NOT NULL,
    html TEXT NOT NULL,
    card TEXT NOT NULL,
    warnings BLOB NOT NULL,
    codes TEXT NOT NULL,
    notices BLOB NOT NULL,
    listing BLOB NOT NULL,
    pdf_keys BLOB NOT NULL
);
CREATE INDEX noticed ON accounts (slug) WHERE notices != x'5b5d';
"""


_INSERT_ACCOUNT = "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

# Head fields whose values repeat from account to account.
_SHARED_VALUES = ("segment", "csm", "result_check", "renewal_date", "status", "start_date")


@dataclass
class AccountRow:
    """What an account's worker made for its row, besides the files it wrote."""

    pieces: IndexPieces  # its part of the internal index, texts included
    warnings: list[Diagnostic]
    notices: list[str]
    listing: list[str]  # what --verbose prints about it
    pdf_keys: list[str] = field(default_factory=list)  # its PDFs in the cache


class StoredRow(NamedTuple):
    """An account's row as the tables keep it, every value already text or JSON: the worker
    makes it (`stored_row`), so the parent of a build only inserts it. Sending the row's objects
    instead (its head, its warnings) and serialising them in the parent took a quarter of its CPU
    time while the workers ran (1.25 s against 0.9-1.05 s at 10,000 accounts), taken from the
    workers' two cores."""

    slug: str
    head: bytes  # IndexHead.row(), as JSON
    json: str  # IndexPieces' finished texts, in their order
    csv: str
    results_csv: str
    html: str
    card: str
    warnings: bytes
    codes: str  # the warnings' codes, space-separated: what the counts need
    notices: bytes
    listing: bytes
    pdf_keys: bytes

    def keys(self) -> list[str]:
        """Its PDFs in the cache."""
        found: list[str] = orjson.loads(self.pdf_keys)
        return found


def stored_row(slug: str, row: AccountRow) -> StoredRow:
    pieces = row.pieces
    return StoredRow(
        slug,
        orjson.dumps(pieces.head.row()),
        pieces.json,
        pieces.csv,
        pieces.results_csv,
        pieces.html,
        pieces.card,
        orjson.dumps(row.warnings),  # dataclasses, as dicts (orjson writes them)
        " ".join(warning.code for warning in row.warnings),
        orjson.dumps(row.notices),
        orjson.dumps(row.listing),
        orjson.dumps(row.pdf_keys),
    )


@contextlib.contextmanager
def copying(previous: Path, path: Path) -> Iterator[Callable[[], None]]:
    """`previous` copied to `path` in a thread while the caller goes on: a rebuild reads its
    config and Git meanwhile, and the copy (55 MB at 10,000 accounts: 20 ms that an edit
    waited for) is the kernel's work. The callable given waits for the copy and raises what
    it raised; leaving waits too, so that nothing is still written into a staging folder
    being removed."""
    failed: list[BaseException] = []

    def copy() -> None:
        try:
            shutil.copyfile(previous, path)
        except BaseException as exc:  # handed to the caller, in its thread
            failed.append(exc)

    thread = threading.Thread(target=copy, name="outcomesite-details-copy", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed[0]

    try:
        yield wait
    finally:
        thread.join()


class DetailsError(Exception):
    """Details that are missing, damaged or of another build: the caller builds everything."""


class Details:
    """One build's details database, open for reading or for writing in a staging folder."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        # The accounts' warnings by kind, kept up to date as rows change: a rebuild of one
        # account counts its warnings, not everyone's (stored with the build's key "counts").
        self._counts: Counter[str] = Counter()
        # The accounts whose rows this build put or removed, and where the last build's
        # exports have each account's lines (build/exports.py; None: write them whole).
        self.replaced: set[str] = set()
        self.layout: Layout | None = None
        self._created = False  # a new database: its only rows are those this build put
        self._pid = os.getpid()  # the process whose connection `_db` is
        self._parents: sqlite3.Connection | None = None  # see `here`

    @classmethod
    def create(cls, path: Path) -> Details:
        path.unlink(missing_ok=True)
        details = cls(_connect(path), path)
        details._created = True
        with details._writing():
            # Pages that hold a whole row (about 5 KB of finished text), so reading one column
            # does not follow a chain of overflow pages.
            details._db.execute("PRAGMA page_size = 16384")
            details._db.executescript(_SCHEMA_SQL)
            details._set("schema", orjson.dumps(SCHEMA))
        return details

    @classmethod
    def open(cls, path: Path, build_id: str, accounts: int) -> Details:
        """The details of build `build_id`, a row for each of its `accounts`; or DetailsError."""
        if not path.is_file():
            raise DetailsError(f"{path.name} is missing")
        details = cls(_connect(path), path)
        try:
            (count,) = details._db.execute("SELECT count(*) FROM accounts").fetchone()
            (heads,) = details._db.execute("SELECT count(*) FROM heads").fetchone()
            if details._get("schema") != SCHEMA or details._get("build_id") != build_id:
                raise DetailsError(f"{path.name} belongs to another build")
            if count != accounts or heads != accounts:
                raise DetailsError(f"{path.name} has {count} accounts, not {accounts}")
            details._counts = Counter(details._get("counts"))
        except (sqlite3.Error, ValueError, DetailsError) as exc:
            details.close()
            raise DetailsError(f"{path.name} cannot be used: {exc}") from None
        return details

    @classmethod
    def copy(
        cls,
        previous: Path,
        path: Path,
        build_id: str,
        accounts: int,
        copied: Callable[[], None] | None = None,
    ) -> Details:
        """A copy of the last build's details, to change the rows of the accounts rebuilt;
        `copied`: waits for the copy `copying` started."""
        last = cls.open(previous, build_id, accounts)
        last.close()
        if copied is not None:
            copied()
        else:
            shutil.copyfile(previous, path)
        details = cls(_connect(path), path)
        details._counts = last._counts
        with contextlib.suppress(sqlite3.Error, ValueError, DetailsError):
            details.layout = details._get("exports")  # a layout that cannot be read: none
        return details

    # --- writing -------------------------------------------------------------------------------

    def put(self, slug: str, row: AccountRow) -> None:
        self.put_stored(stored_row(slug, row))

    def put_stored(self, row: StoredRow) -> None:
        slug = row.slug
        with self._writing():
            if not self._created or slug in self.replaced:
                self._forget([slug])  # a row it may have: its warnings leave the counts
            self._db.execute("INSERT OR REPLACE INTO heads VALUES (?, ?)", row[:2])
            self._db.execute(_INSERT_ACCOUNT, (slug, *row[2:]))
            self.replaced.add(slug)
            if row.codes:
                self._counts.update(row.codes.split(" "))

    def remove(self, slugs: Iterable[str]) -> None:
        slugs = list(slugs)
        with self._writing():
            self._forget(slugs)
            for table in ("heads", "accounts"):
                self._db.executemany(f"DELETE FROM {table} WHERE slug = ?", [(s,) for s in slugs])
            self.replaced.update(slugs)

    def _forget(self, slugs: Sequence[str]) -> None:
        """Take the warnings of these accounts' rows (if they have one) out of the counts."""
        counts = self._counts
        for slug in slugs:
            row = self._db.execute("SELECT codes FROM accounts WHERE slug = ?", (slug,)).fetchone()
            if row and row[0]:
                counts.subtract(row[0].split(" "))
        for code in [code for code, count in counts.items() if count <= 0]:
            del counts[code]

    def keep_layout(self, layout: Layout) -> None:
        """Where this build's exports have each account's lines, for the next build."""
        with self._writing():
            self._set("exports", orjson.dumps(layout))

    def finish(self, build_id: str) -> None:
        """Mark the details as build `build_id`'s (its state file names it), and close."""
        with self._writing():
            self._set("counts", orjson.dumps(dict(sorted(self._counts.items()))))
            self._set("build_id", orjson.dumps(build_id))
            self._db.commit()
        self.close()

    def flush(self) -> None:
        """Write what was put to the file, for `here()` in other processes to read."""
        with self._writing():
            self._db.commit()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A database that cannot be written (a full disk) is a file that cannot be written:
        an OSError naming it, which the build reports and survives like any other."""
        try:
            yield
        except sqlite3.Error as exc:
            message = f"the build's details cannot be written ({exc})"
            raise OSError(0, message, str(self.path)) from None

    # --- reading -------------------------------------------------------------------------------

    def here(self) -> Details:
        """These details, to read in this process. A forked worker (build/write.py's index
        files) opens the file again, read-only, and reads what the parent had when it last
        called `flush`: a SQLite connection must not be used across a fork."""
        if os.getpid() != self._pid:
            try:
                uri = f"{self.path.absolute().as_uri()}?mode=ro"
                connection = sqlite3.connect(uri, uri=True)
            except sqlite3.Error as exc:
                raise DetailsError(f"{self.path.name} cannot be opened: {exc}") from None
            self._parents = self._db  # kept, never closed: it is the parent's
            self._db, self._pid = connection, os.getpid()
        return self

    def heads(self) -> dict[str, IndexHead]:
        """Every account's head, by slug. The values many accounts share (a segment, a CSM, a
        status, a date) are kept once, not once per account: a hundred thousand heads are what
        a large build holds longest."""
        from outcomesite.render.index import HEAD_FIELDS, IndexHead

        repeated = [HEAD_FIELDS.index(name) for name in _SHARED_VALUES]
        at_slug = HEAD_FIELDS.index("slug")
        heads: dict[str, IndexHead] = {}
        shared: dict[object, object] = {}
        keep, loads = shared.setdefault, orjson.loads  # ten thousand rows: no lookups in the loop
        for slug, data in self._db.execute("SELECT slug, head FROM heads"):
            values = loads(data)  # IndexHead.row()
            for n in repeated:
                values[n] = keep(values[n], values[n])
            values[at_slug] = slug
            heads[slug] = IndexHead(*values)
        return heads

    def texts(self, slugs: Sequence[str], column: str) -> dict[str, str]:
        """One finished text of each of these accounts: "html" (its table row) or "card", for
        a list page; nothing else of their rows is read."""
        if column not in ("html", "card"):
            raise ValueError(f"no list page shows an account's {column}")
        found: dict[str, str] = {}
        for start in range(0, len(slugs), 500):
            batch = slugs[start : start + 500]
            marks = ",".join("?" * len(batch))
            query = f"SELECT slug, {column} FROM accounts WHERE slug IN ({marks})"
            found.update(self._db.execute(query, batch))
        return found

    def exports(self, slugs: Sequence[str]) -> Iterator[tuple[str, str, str]]:
        """The export lines (index.json, index.csv, results.csv) of every account in `slugs`,
        in that order, one account at a time: the exports are streamed, never held whole."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (n INTEGER PRIMARY KEY, slug)")
        self._db.execute("DELETE FROM wanted")
        self._db.executemany("INSERT INTO wanted VALUES (?, ?)", enumerate(slugs))
        yield from self._db.execute(
            "SELECT a.json, a.csv, a.results_csv FROM wanted w "
            "JOIN accounts a ON a.slug = w.slug ORDER BY w.n"
        )

    def warnings(self) -> list[Diagnostic]:
        """Every account's warnings."""
        found: list[Diagnostic] = []
        for (warnings,) in self._db.execute("SELECT warnings FROM accounts WHERE codes != ''"):
            found.extend(Diagnostic(**w) for w in orjson.loads(warnings))
        return sorted(found)

    def warning_counts(self) -> Counter[str]:
        """The accounts' warnings by kind."""
        return self._counts

    def notices(self) -> list[str]:
        """The accounts' notices, by slug (the index `noticed` lists the few that have any)."""
        rows = self._db.execute(
            "SELECT notices FROM accounts WHERE notices != x'5b5d' ORDER BY slug"
        )
        return [notice for (notices,) in rows for notice in orjson.loads(notices)]

    def listing(self) -> list[str]:
        rows = self._db.execute("SELECT listing FROM accounts ORDER BY slug")
        return [line for (listing,) in rows for line in orjson.loads(listing)]

    def pdf_keys(self, slugs: Iterable[str]) -> set[str]:
        """The PDF cache keys of these accounts."""
        wanted = set(slugs)
        rows = self._db.execute("SELECT slug, pdf_keys FROM accounts WHERE pdf_keys != x'5b5d'")
        return {key for slug, keys in rows if slug in wanted for key in orjson.loads(keys)}

    def close(self) -> None:
        self._db.close()

    def _set(self, key: str, value: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO build VALUES (?, ?)", (key, value))

    def _get(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM build WHERE key = ?", (key,)).fetchone()
        if row is None or not isinstance(row[0], bytes):
            raise DetailsError(f"no {key} in the details")
        return orjson.loads(row[0])


def _connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, isolation_level="DEFERRED")
        # Written in a staging folder and put in place whole (commit.py): no journal to keep.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
    except sqlite3.Error as exc:
        raise DetailsError(f"{path.name} cannot be opened: {exc}") from None
    return connection
