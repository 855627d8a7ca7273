"""The records and stamps a build's workers send back, kept on disk until the state is written.

The parent needs them only for the state file, its last write; in between it works out the
portfolio's history and writes the index, its two largest stages. Held as objects, 100,000
accounts' records and stamps took about 80 MB of the parent through both; as one line each in
an unnamed file next to the build, they take none.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

import orjson

from outcomesite.build.stamps import Stamp
from outcomesite.build.state import AccountRecord


class Spool:
    """Written once, in the order the accounts arrive; read back once."""

    def __init__(self, folder: Path) -> None:
        # Unnamed (O_TMPFILE where the system has it): nothing to remove, even after a kill.
        # Open until `read` (or, should the build fail first, until the spool is let go).
        self._file: IO[bytes] = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115

    def add(self, slug: str, record: AccountRecord | None, stamps: dict[str, Stamp]) -> None:
        """An account file's stamps, and its record when it was built (None: its errors)."""
        fields = None if record is None else record.row()
        line = [slug, fields, {key: [*stamp] for key, stamp in stamps.items()}]
        self._file.write(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))

    def close(self) -> None:
        """Let the spool go unread."""
        self._file.close()

    def read(self) -> tuple[dict[str, AccountRecord], dict[str, Stamp]]:
        """Every record by slug and every stamp by path, in the order they came; the file is
        closed (and so gone)."""
        records: dict[str, AccountRecord] = {}
        stamps: dict[str, Stamp] = {}
        with self._file as file:
            file.seek(0)
            for line in file:
                slug, fields, stamped = orjson.loads(line)
                if fields is not None:
                    records[slug] = AccountRecord(*fields)
                stamps.update((key, Stamp(*stamp)) for key, stamp in stamped.items())
        return records, stamps
