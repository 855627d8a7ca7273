"""What the last build was made from and what it wrote: the record that makes rebuilds incremental.

A build leaves `<out>/.outcomesite-state.json` behind. It holds the build's parameters (package
version, as-of date, options, a digest of the secret, the Git commit), a stamp (size, mtime, SHA-256)
of every input file, and per account: a digest of its file and folder, the files it wrote, its row
of the internal index and its warnings.

The next build compares. Nothing changed: it is done, without loading a single account (this module
imports nothing heavy, so that answer costs a fraction of a second). Only some accounts changed: only
those are validated and rendered, and the index is put together from the stored rows. Anything else
changed (theme, config, date, options, secret, commit, package): a full build.

File contents are hashed only when their size or mtime moved, like Git's index. A stamp taken within
one clock tick of a file's last change is not trusted next time, so a save in the same tick as a
build is still seen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.files import replacing

STATE_FILE = ".outcomesite-state.json"
DETAILS_FILE = ".outcomesite-details.json"
BOOKKEEPING = (STATE_FILE, DETAILS_FILE)  # in the output folder, never published
FORMAT = 3
ACCOUNTS = Path("content") / "accounts"
CONFIG = "outcomesite.yaml"
PACKAGE = Path(__file__).parent
# A stamp is trusted once the file is older than the scan by more than the clock's tick: 20 ms for
# nanosecond timestamps (Linux ticks are 1-10 ms), 2 s where a file system keeps whole seconds.
FINE_TICK_NS, COARSE_TICK_NS = 20_000_000, 2_000_000_000

Stamp = list[Any]  # [size, mtime_ns, sha256]


def default_as_of() -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH so that reproducible builds agree on the date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise OutcomesiteError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (found {epoch!r})",
                EXIT_USAGE,
            ) from None
    return dt.date.today()


def git_head(root: Path) -> str:
    """The commit (and shallowness) versions are read from, in one cheap git call; "" outside Git."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--is-shallow-repository", "HEAD"],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError:
        return ""
    return f"{done.returncode}:{done.stdout.decode('utf-8', 'replace').strip()}"


def build_params(
    *, as_of: str, pdf: bool, strict: bool, secret: bytes, head: str, environ: dict[str, str]
) -> dict[str, Any]:
    """Everything besides files that a build's output depends on; any change means a full build."""
    from outcomesite import __version__

    return {
        "outcomesite": __version__,
        "package": _package_digest(),
        "as_of": as_of,
        "pdf": pdf,
        "strict": strict,
        # A keyed digest: it says whether the secret changed and nothing about the secret itself.
        "secret": hmac.new(secret, b"outcomesite-state", hashlib.sha256).hexdigest()[:32],
        "git": head,
        "source_date_epoch": environ.get("SOURCE_DATE_EPOCH", ""),
    }


def _package_digest() -> str:
    """The installed code itself: an editable install changes without a new version number."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:32]


class Scanner:
    """Stamps files, re-hashing only those whose size or mtime differ from a trusted old stamp.

    Keys are paths relative to the site (absolute for the packaged theme), so a site moved or
    restored elsewhere keeps its stamps. Plain strings and os.scandir: this runs on every build.
    """

    def __init__(self, root: Path, previous: dict[str, Stamp] | None = None) -> None:
        self.root = root
        self.previous = previous or {}
        self.started_ns = time.time_ns()
        self.stamps: dict[str, Stamp] = {}

    def stamp(self, key: str, path: str, stat: os.stat_result | None = None) -> str:
        """The file's SHA-256 ("" when it cannot be read), from its old stamp when trusted."""
        try:
            stat = stat or os.stat(path)
        except OSError:
            return ""
        old = self.previous.get(key)
        if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns:
            sha = old[2]
        else:
            try:
                with open(path, "rb") as file:
                    sha = hashlib.sha256(file.read()).hexdigest()
            except OSError:
                return ""
        coarse = stat.st_mtime_ns % 1_000_000_000 == 0
        tick = COARSE_TICK_NS if coarse else FINE_TICK_NS
        trusted = stat.st_mtime_ns < self.started_ns - tick
        self.stamps[key] = [stat.st_size, stat.st_mtime_ns if trusted else -1, sha]
        return sha

    def files(self, names: Iterable[str]) -> dict[str, str]:
        return {name: self.stamp(name, os.path.join(self.root, name)) for name in names}

    def folders(self, names: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for name in names:
            for key, path, stat in _walk(os.path.join(self.root, name), name):
                if sha := self.stamp(key, path, stat):
                    found[key] = sha
        return found

    def accounts(self) -> dict[str, str]:
        """slug -> digest of content/accounts/<slug>.md and every file under <slug>/."""
        base = ACCOUNTS.as_posix()
        try:
            entries = list(os.scandir(self.root / ACCOUNTS))
        except OSError:
            return {}
        units: dict[str, list[tuple[str, str]]] = {}
        folders: list[tuple[str, str]] = []  # (slug, link target when a link)
        for entry in entries:
            if entry.name.endswith(".md") and entry.is_symlink():
                # Refused by check; its target still counts, so that fixing it is a change.
                units[entry.name[:-3]] = [(f"{base}/{entry.name}", _link_stamp(entry.path))]
            elif entry.name.endswith(".md") and entry.is_file(follow_symlinks=False):
                key = f"{base}/{entry.name}"
                units[entry.name[:-3]] = [(key, self.stamp(key, entry.path, entry.stat()))]
            elif entry.is_symlink():
                folders.append((entry.name, _link_stamp(entry.path)))
            elif entry.is_dir(follow_symlinks=False):
                folders.append((entry.name, ""))
        for slug, link in folders:
            if slug in units and link:
                units[slug].append((f"{base}/{slug}", link))
            elif slug in units:
                units[slug].extend(self.folders([f"{base}/{slug}"]).items())
        return {slug: _digest(parts) for slug, parts in units.items()}


def _digest(parts: list[tuple[str, str]]) -> str:
    if len(parts) == 1:
        return parts[0][1]  # the file's own hash: most accounts have no folder
    return hashlib.sha256(repr(sorted(parts)).encode()).hexdigest()


def _link_stamp(path: str) -> str:
    try:
        return "link:" + os.readlink(path)
    except OSError:
        return "link:"


def _walk(folder: str, key: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """(key, path, stat) of every file under a folder, in a stable order; links are not
    followed (nothing is published through one, and a link to `.` would never end)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, f"{key}/{entry.name}")
        elif entry.is_file(follow_symlinks=False):
            yield f"{key}/{entry.name}", entry.path, entry.stat()


@dataclass
class AccountRecord:
    """What one account contributed to a build, enough to rebuild the site without reloading it."""

    digest: str  # of its file and folder
    outputs: list[str]  # files written, relative to the output folder
    reports: int = 0
    pdfs: int = 0
    # The details below live in a second file, read only when a build needs them.
    row: dict[str, Any] = field(default_factory=dict)  # its pieces of the internal index
    warnings: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    listing: list[str] = field(default_factory=list)  # what --verbose prints about it
    pdf_keys: list[str] = field(default_factory=list)  # its PDFs in the cache
    # The record's line as read from the details file: written back as it was when kept.
    details_line: str = field(default="", repr=False, compare=False)

    @property
    def folder(self) -> str:
        """The account's link folder, `public/r/<link-id>`: every file it wrote is inside."""
        return "/".join(self.outputs[0].split("/")[:3]) if self.outputs else ""


SUMMARY = ("digest", "outputs", "reports", "pdfs")
DETAILS = ("row", "warnings", "notices", "listing", "pdf_keys")


@dataclass
class BuildState:
    """The state file says whether anything changed; the details file has what a rebuild needs
    (index pieces, warnings). A no-op build never reads the larger of the two unless asked."""

    params: dict[str, Any]
    inputs: dict[str, str]  # site-wide input files (config, logo, theme) -> sha256
    watched: dict[str, list[str]]  # {"files": [...], "folders": [...]} that `inputs` came from
    accounts: dict[str, AccountRecord]
    stamps: dict[str, Stamp] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # not about one account
    notices: list[str] = field(default_factory=list)
    build_id: str = ""  # pairs a state file with its details file
    detailed: bool = True  # the details are in memory

    def write(self, out: Path) -> None:
        """The details first, then the state file that names them: a crash between the two
        leaves a state whose details do not match, which the next build treats as no state.
        A state read without its details keeps the details file it came with."""
        if self.detailed:
            self.build_id = os.urandom(8).hex()
            self._write_details(out)
        state = {
            "format": FORMAT,
            "build_id": self.build_id,
            "params": self.params,
            "inputs": self.inputs,
            "watched": self.watched,
            "stamps": self.stamps,
            "accounts": {
                slug: [getattr(record, name) for name in SUMMARY]
                for slug, record in sorted(self.accounts.items())
            },
        }
        _write_json(out / STATE_FILE, state)

    def _write_details(self, out: Path) -> None:
        """JSON Lines: a header, then one line per account, so neither writing nor reading ever
        holds the whole file as one string."""
        header = {"build_id": self.build_id, "warnings": self.warnings, "notices": self.notices}
        with replacing(out / DETAILS_FILE) as file:
            file.write(_json_line(header))
            for slug, record in self.accounts.items():
                file.write(
                    record.details_line
                    or _json_line([slug, *(getattr(record, name) for name in DETAILS)])
                )

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
                    slug: AccountRecord(**dict(zip(SUMMARY, values, strict=True)))
                    for slug, values in data["accounts"].items()
                },
                stamps=data["stamps"],
                build_id=data["build_id"],
                detailed=False,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def read_details(self, out: Path) -> bool:
        """Load index pieces, warnings and notices; False when they are missing or do not match."""
        if self.detailed:
            return True
        seen = 0
        try:
            with (out / DETAILS_FILE).open(encoding="utf-8") as file:
                header = json.loads(file.readline())
                if header["build_id"] != self.build_id:
                    return False
                for line in file:
                    slug, *values = json.loads(line)
                    record = self.accounts[slug]
                    for name, value in zip(DETAILS, values, strict=True):
                        setattr(record, name, value)
                    record.details_line = line
                    seen += 1
            self.warnings, self.notices = header["warnings"], header["notices"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if seen != len(self.accounts):
            return False
        self.detailed = True
        return True


def _json_line(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _write_json(path: Path, data: object) -> None:
    with replacing(path) as file:
        file.write(_json_line(data))


def scan_inputs(scanner: Scanner, watched: dict[str, list[str]]) -> dict[str, str]:
    return {**scanner.files(watched["files"]), **scanner.folders(watched["folders"])}


def watched_inputs(root: Path, theme_folders: list[Path], logo: str | None) -> dict[str, list[str]]:
    """The site-wide files a build reads: the config, the logo and the theme's folders."""
    files = [CONFIG] + ([logo] if logo else [])

    def name(path: Path) -> str:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return path.as_posix()  # the packaged theme: absolute, joined to root as-is

    return {"files": files, "folders": [name(folder) for folder in theme_folders]}


def outputs_present(out: Path, state: BuildState) -> bool:
    """Each account's report is still there (someone may have deleted a report by hand). One
    file per account: a quick look, not an audit; `--no-cache` rebuilds everything."""
    prefix = f"{out}{os.sep}"
    isfile = os.path.isfile
    return all(isfile(prefix + r.outputs[0]) for r in state.accounts.values() if r.outputs)
