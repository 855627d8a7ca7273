"""What the last build was made from and what it wrote: the record that makes rebuilds incremental.

A build leaves two files in its output folder. `.outcomesite-state.json` holds the build's
parameters (package code, as-of date, options, a digest of the secret, the Git commit), a stamp of
every input file, and per account a digest of its file and folder and the files it wrote.
`.outcomesite-details.sqlite` (details.py) holds a row per account: its pieces of the internal
index, its warnings and notices, what a rebuild needs to put the index together again without
loading the other accounts.

The next build compares the parameters and stamps. Nothing changed: it is done, without loading a
single account (this module imports nothing heavy, so that answer costs a fraction of a second).
Only some accounts changed: only those are validated and rendered. Anything else changed: a full
build. Read with the standard library only (a no-op imports nothing else); written with orjson.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from outcomesite.build.stamps import Stamp, Watched
from outcomesite.errors import Diagnostic
from outcomesite.files import replacing
from outcomesite.layout import DETAILS_FILE, STATE_FILE

if TYPE_CHECKING:
    from outcomesite.build.details import Details

FORMAT = 8  # the shape of the two files; another shape is no state at all (a full build)
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
    catalogs (the reports' words): an editable install changes without a new version number.
    The running code's is worked out once per process (the state, the ladder and the history
    each key on it): a process runs the code it imported, whatever its files say later."""
    if package == PACKAGE:
        return _running_code()
    return _code_digest(package)


@functools.cache
def _running_code() -> str:
    return _code_digest(PACKAGE)


def _code_digest(package: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.mo")]):
        stat = path.stat()
        name = path.relative_to(package).as_posix()
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:32]


@dataclass(slots=True)
class AccountRecord:
    """What one account contributed to a build, enough to rebuild the site without reloading it.
    The state file keeps it for every account (ten thousand of them are read on every rebuild:
    no more than this); its row of the details (details.py) has the rest."""

    digest: str  # of its file and folder
    outputs: list[str]  # files written, relative to the output folder
    reports: int = 0
    pdfs: int = 0

    def row(self) -> tuple[str, list[str], int, int]:
        """Its fields as the state file (and the build's spool) keep them."""
        return (self.digest, self.outputs, self.reports, self.pdfs)

    @property
    def folder(self) -> str:
        """The account's link folder, `public/r/<link-id>`: every file it wrote is inside."""
        return "/".join(self.outputs[0].split("/")[:3]) if self.outputs else ""


class Summary(TypedDict):
    warnings: dict[str, int]  # warning code -> how many
    notices: list[str]  # the site's and every account's


@dataclass
class BuildState:
    """The state file says whether anything changed; the details database (details.py) has what
    a rebuild needs (index pieces, warnings). A no-op build never opens it unless asked."""

    params: BuildParams
    inputs: dict[str, str]  # site-wide input files (config, logo, theme) -> sha256
    watched: Watched  # the site-wide files `inputs` came from
    accounts: dict[str, AccountRecord]
    stamps: dict[str, Stamp] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)  # not about one account
    notices: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # internal/ page -> digest of its content
    build_id: str = ""  # pairs a state file with its details
    # What a build prints by default (warnings counted by kind, every notice), kept in the state
    # file so that an up-to-date site is reported without opening the details.
    summary: Summary = field(default_factory=lambda: Summary(warnings={}, notices=[]))

    def details(self, out: Path) -> Details:
        """The details this state was written with (DetailsError when they do not match)."""
        from outcomesite.build.details import Details

        return Details.open(out / DETAILS_FILE, self.build_id, len(self.accounts))

    def has_details(self, out: Path) -> bool:
        from outcomesite.build.details import DetailsError

        try:
            self.details(out).close()
        except DetailsError:
            return False
        return True

    def write(self, out: Path) -> None:
        """The state file, after its details (a crash between the two leaves a state whose
        details do not match, which the next build treats as no state)."""
        state = {
            "format": FORMAT,
            "build_id": self.build_id,
            "params": self.params,
            "inputs": self.inputs,
            "watched": self.watched,
            "stamps": {key: [*stamp] for key, stamp in self.stamps.items()},
            "pages": self.pages,
            "summary": self.summary,
            "site": [[asdict(w) for w in self.warnings], self.notices],
            "accounts": {slug: record.row() for slug, record in sorted(self.accounts.items())},
        }
        import orjson  # written only by a build that rendered; read with the standard library

        data = orjson.dumps(state, option=orjson.OPT_APPEND_NEWLINE)
        with replacing(out / STATE_FILE, "wb") as file:
            file.write(data)

    @classmethod
    def read(cls, out: Path) -> BuildState | None:
        """The last build's state without its details, or None when there is none we can trust."""
        try:
            data = json.loads((out / STATE_FILE).read_bytes())
            if data.get("format") != FORMAT:
                return None
            warnings, notices = data["site"]
            return cls(
                params=data["params"],
                inputs=data["inputs"],
                watched=data["watched"],
                accounts={
                    slug: AccountRecord(digest, outputs, reports, pdfs)
                    for slug, (digest, outputs, reports, pdfs) in data["accounts"].items()
                },
                stamps={key: Stamp(*stamp) for key, stamp in data["stamps"].items()},
                warnings=[Diagnostic(**warning) for warning in warnings],
                notices=list(notices),
                pages=data["pages"],
                build_id=data["build_id"],
                summary=Summary(
                    warnings=dict(data["summary"]["warnings"]),
                    notices=list(data["summary"]["notices"]),
                ),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def outputs_present(out: Path, state: BuildState) -> bool:
    """Each account's report is still there (someone may have deleted a report by hand). One
    file per account: a quick look, not an audit; `--no-cache` rebuilds everything. Asked with
    access(), relative to the output folder: no stat result is made for each of ten thousand
    reports (at 10,000 accounts: 22 ms, against os.path.isfile's 44)."""
    exists = os.F_OK
    try:
        folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False  # gone since its state was read: built again
    try:
        return all(
            os.access(r.outputs[0], exists, dir_fd=folder)
            for r in state.accounts.values()
            if r.outputs
        )
    finally:
        os.close(folder)
