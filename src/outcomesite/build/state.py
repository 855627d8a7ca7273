"""What the last build was made from and what it wrote: the record that makes rebuilds incremental.

A build leaves two files in its output folder. `.outcomesite-state.json` holds the build's
parameters (package code, as-of date, options, a digest of the secret, the Git commit), a stamp of
every input file, and per account a digest of its file and folder and the files it wrote.
`.outcomesite-details.json` holds per account its pieces of the internal index, its warnings and
notices: what a rebuild needs to put the index together again without loading the other accounts.

The next build compares the parameters and stamps. Nothing changed: it is done, without loading a
single account (this module imports nothing heavy, so that answer costs a fraction of a second).
Only some accounts changed: only those are validated and rendered. Anything else changed: a full
build. Standard library only.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from outcomesite.build.stamps import Stamp, Watched
from outcomesite.errors import Diagnostic
from outcomesite.files import replacing
from outcomesite.layout import DETAILS_FILE, STATE_FILE

if TYPE_CHECKING:
    from outcomesite.render.index import IndexPieces

FORMAT = 7  # the shape of the two files; another shape is no state at all (a full build)
PACKAGE = Path(__file__).parent.parent


class BuildParams(TypedDict):
    """Everything besides files that a build's output depends on; any change: a full build."""

    outcomesite: str
    package: str
    as_of: str
    pdf: bool
    strict: bool
    secret: str  # a keyed digest: it says whether the secret changed, nothing about the secret
    git: str
    since: str  # build --since (empty: outcomesite.yaml decides, and a config change rebuilds)
    source_date_epoch: str


def build_params(
    *,
    as_of: str,
    pdf: bool,
    strict: bool,
    secret: bytes,
    head: str,
    environ: dict[str, str],
    since: str = "",
) -> BuildParams:
    from outcomesite import __version__

    return {
        "outcomesite": __version__,
        "package": package_digest(),
        "as_of": as_of,
        "pdf": pdf,
        "strict": strict,
        "secret": hmac.new(secret, b"outcomesite-state", hashlib.sha256).hexdigest()[:32],
        "git": head,
        "since": since,
        "source_date_epoch": environ.get("SOURCE_DATE_EPOCH", ""),
    }


def package_digest(package: Path = PACKAGE) -> str:
    """The installed code itself, every module of every sub-package, and the compiled message
    catalogs (the reports' words): an editable install changes without a new version number."""
    digest = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.mo")]):
        stat = path.stat()
        name = path.relative_to(package).as_posix()
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:32]


@dataclass
class AccountRecord:
    """What one account contributed to a build, enough to rebuild the site without reloading it."""

    digest: str  # of its file and folder
    outputs: list[str]  # files written, relative to the output folder
    reports: int = 0
    pdfs: int = 0
    # The details below live in the details file, read only when a build needs them.
    pieces: IndexPieces | None = None  # its part of the internal index
    warnings: list[Diagnostic] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    listing: list[str] = field(default_factory=list)  # what --verbose prints about it
    pdf_keys: list[str] = field(default_factory=list)  # its PDFs in the cache
    # The record's line as read from the details file: written back as it was when kept.
    details_line: bytes = field(default=b"", repr=False, compare=False)

    @property
    def folder(self) -> str:
        """The account's link folder, `public/r/<link-id>`: every file it wrote is inside."""
        return "/".join(self.outputs[0].split("/")[:3]) if self.outputs else ""

    def details(self) -> list[Any]:
        return [
            self.pieces,
            [asdict(warning) for warning in self.warnings],
            self.notices,
            self.listing,
            self.pdf_keys,
        ]

    def read_details(self, values: list[Any], line: bytes) -> None:
        pieces, warnings, self.notices, self.listing, self.pdf_keys = values
        self.pieces = pieces
        self.warnings = [Diagnostic(**warning) for warning in warnings]
        self.details_line = line


class Summary(TypedDict):
    warnings: dict[str, int]  # warning code -> how many
    notices: list[str]  # the site's and every account's


@dataclass
class BuildState:
    """The state file says whether anything changed; the details file has what a rebuild needs
    (index pieces, warnings). A no-op build never reads the larger of the two unless asked."""

    params: BuildParams
    inputs: dict[str, str]  # site-wide input files (config, logo, theme) -> sha256
    watched: Watched  # the site-wide files `inputs` came from
    accounts: dict[str, AccountRecord]
    stamps: dict[str, Stamp] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)  # not about one account
    notices: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # internal/ page -> digest of its content
    build_id: str = ""  # pairs a state file with its details file
    detailed: bool = True  # the details are in memory
    # What a build prints by default (warnings counted by kind, every notice), kept in the state
    # file so that an up-to-date site is reported without reading the details file.
    summary: Summary = field(default_factory=lambda: Summary(warnings={}, notices=[]))

    def summarise(self) -> Summary:
        """From the details in memory; a state read without them keeps the summary it had."""
        if not self.detailed:
            return self.summary
        counts: dict[str, int] = {}
        for warning in self.all_warnings():
            counts[warning.code] = counts.get(warning.code, 0) + 1
        notices = [*self.notices, *(n for r in self.accounts.values() for n in r.notices)]
        return Summary(warnings=counts, notices=notices)

    def all_warnings(self) -> list[Diagnostic]:
        """Every warning: the site's and each account's (from the details)."""
        records = self.accounts.values()
        return sorted([*self.warnings, *(d for r in records for d in r.warnings)])

    def write(self, out: Path) -> None:
        """The details first, then the state file that names them: a crash between the two
        leaves a state whose details do not match, which the next build treats as no state.
        A state read without its details keeps the details file it came with."""
        if self.detailed:
            self.build_id = os.urandom(8).hex()
            self._write_details(out)
        self.summary = self.summarise()
        state = {
            "format": FORMAT,
            "build_id": self.build_id,
            "params": self.params,
            "inputs": self.inputs,
            "watched": self.watched,
            "stamps": self.stamps,
            "pages": self.pages,
            "summary": self.summary,
            "accounts": {
                slug: [record.digest, record.outputs, record.reports, record.pdfs]
                for slug, record in sorted(self.accounts.items())
            },
        }
        with replacing(out / STATE_FILE) as file:
            file.write(_json_line(state))

    def _write_details(self, out: Path) -> None:
        """JSON Lines: a header, then one line per account, so neither writing nor reading ever
        holds the whole file as one string. orjson (about 30 MB at 10,000 accounts: a third of
        the standard library's time each way, which a one-account edit pays in full)."""
        import orjson

        header = {
            "build_id": self.build_id,
            "warnings": [asdict(warning) for warning in self.warnings],
            "notices": self.notices,
        }
        with replacing(out / DETAILS_FILE, "wb") as file:
            file.write(orjson.dumps(header) + b"\n")
            for slug, record in self.accounts.items():
                line = record.details_line or orjson.dumps([slug, *record.details()]) + b"\n"
                file.write(line)

    @classmethod
    def read(cls, out: Path) -> BuildState | None:
        """The last build's state without its details, or None when there is none we can trust."""
        try:
            data = json.loads((out / STATE_FILE).read_bytes())
            if data.get("format") != FORMAT:
                return None
            return cls(
                params=data["params"],
                inputs=data["inputs"],
                watched=data["watched"],
                accounts={
                    slug: AccountRecord(digest, outputs, reports, pdfs)
                    for slug, (digest, outputs, reports, pdfs) in data["accounts"].items()
                },
                stamps={key: Stamp(*stamp) for key, stamp in data["stamps"].items()},
                pages=data["pages"],
                build_id=data["build_id"],
                detailed=False,
                summary=Summary(
                    warnings=dict(data["summary"]["warnings"]),
                    notices=list(data["summary"]["notices"]),
                ),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def read_details(self, out: Path) -> bool:
        """Load index pieces, warnings and notices; False when they are missing or do not match."""
        if self.detailed:
            return True
        import orjson

        seen = 0
        try:
            with (out / DETAILS_FILE).open("rb") as file:
                header = orjson.loads(file.readline())
                if header["build_id"] != self.build_id:
                    return False
                for line in file:
                    slug, *values = orjson.loads(line)
                    self.accounts[slug].read_details(values, line)
                    seen += 1
            self.warnings = [Diagnostic(**warning) for warning in header["warnings"]]
            self.notices = header["notices"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if seen != len(self.accounts):
            return False
        self.detailed = True
        # Ten thousand accounts' details are long-lived: keep the garbage collector from walking
        # them again at every collection of the rebuild (they hold no reference cycles).
        gc.freeze()
        return True


def _json_line(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def outputs_present(out: Path, state: BuildState) -> bool:
    """Each account's report is still there (someone may have deleted a report by hand). One
    file per account: a quick look, not an audit; `--no-cache` rebuilds everything."""
    prefix = f"{out}{os.sep}"
    isfile = os.path.isfile
    return all(isfile(prefix + r.outputs[0]) for r in state.accounts.values() if r.outputs)
