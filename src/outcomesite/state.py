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

STATE_FILE = ".outcomesite-state.json"
FORMAT = 1
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
    """Stamps files, re-hashing only those whose size or mtime differ from a trusted old stamp."""

    def __init__(self, root: Path, previous: dict[str, Stamp] | None = None) -> None:
        self.root = root
        self.previous = previous or {}
        self.started_ns = time.time_ns()
        self.stamps: dict[str, Stamp] = {}

    def stamp(self, key: str, path: Path, stat: os.stat_result | None = None) -> Stamp | None:
        try:
            stat = stat or path.stat()
        except OSError:
            return None
        old = self.previous.get(key)
        if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns:
            sha = old[2]
        else:
            try:
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return None
        coarse = stat.st_mtime_ns % 1_000_000_000 == 0
        tick = COARSE_TICK_NS if coarse else FINE_TICK_NS
        trusted = stat.st_mtime_ns < self.started_ns - tick
        stamp = [stat.st_size, stat.st_mtime_ns if trusted else -1, sha]
        self.stamps[key] = stamp
        return stamp

    def key(self, path: Path) -> str:
        """Site files by relative path, so a site moved or restored elsewhere keeps its stamps."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def files(self, files: Iterable[Path]) -> dict[str, str]:
        found: dict[str, str] = {}
        for path in files:
            key = self.key(path)
            stamp = self.stamp(key, path)
            found[key] = stamp[2] if stamp else ""
        return found

    def folders(self, folders: Iterable[Path]) -> dict[str, str]:
        found: dict[str, str] = {}
        for folder in folders:
            for path, stat in _walk(folder):
                key = self.key(path)
                stamp = self.stamp(key, path, stat)
                if stamp:
                    found[key] = stamp[2]
        return found

    def accounts(self) -> dict[str, str]:
        """slug -> digest of content/accounts/<slug>.md and every file under <slug>/."""
        folder = self.root / ACCOUNTS
        units: dict[str, list[tuple[str, str]]] = {}
        folders: list[tuple[str, Path]] = []
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return {}
        for entry in entries:
            path = Path(entry.path)
            if entry.is_file() and entry.name.endswith(".md"):
                key = f"{ACCOUNTS.as_posix()}/{entry.name}"
                stamp = self.stamp(key, path, entry.stat())
                units.setdefault(path.stem, []).append((key, stamp[2] if stamp else ""))
            elif entry.is_dir():
                folders.append((entry.name, path))
        for slug, path in folders:
            if slug in units:
                for key, sha in self.folders([path]).items():
                    units[slug].append((key, sha))
        return {
            slug: hashlib.sha256(repr(sorted(parts)).encode()).hexdigest()
            for slug, parts in units.items()
        }


def _walk(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_dir():
            yield from _walk(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path), entry.stat()


@dataclass
class AccountRecord:
    """What one account contributed to a build, enough to rebuild the site without reloading it."""

    digest: str  # of its file and folder
    outputs: list[str]  # files written, relative to the output folder
    row: dict[str, Any]  # its row of the internal index
    warnings: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    listing: list[str] = field(default_factory=list)  # what --verbose prints about it
    reports: int = 0
    pdfs: int = 0
    pdf_keys: list[str] = field(default_factory=list)  # its PDFs in the cache


@dataclass
class BuildState:
    params: dict[str, Any]
    inputs: dict[str, str]  # site-wide input files (config, logo, theme) -> sha256
    watched: dict[str, list[str]]  # {"files": [...], "folders": [...]} that `inputs` came from
    accounts: dict[str, AccountRecord]
    stamps: dict[str, Stamp] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # not about one account
    notices: list[str] = field(default_factory=list)

    def write(self, out: Path) -> None:
        data = {
            "format": FORMAT,
            "params": self.params,
            "inputs": self.inputs,
            "watched": self.watched,
            "warnings": self.warnings,
            "notices": self.notices,
            "stamps": self.stamps,
            "accounts": {slug: vars(record) for slug, record in sorted(self.accounts.items())},
        }
        temporary = out / f"{STATE_FILE}.tmp-{os.getpid()}"
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        os.replace(temporary, out / STATE_FILE)

    @classmethod
    def read(cls, out: Path) -> BuildState | None:
        """The last build's state, or None when there is none we can trust."""
        try:
            data = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return None
            return cls(
                params=data["params"],
                inputs=data["inputs"],
                watched=data["watched"],
                accounts={s: AccountRecord(**r) for s, r in data["accounts"].items()},
                stamps=data["stamps"],
                warnings=data["warnings"],
                notices=data["notices"],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @staticmethod
    def forget(out: Path) -> None:
        """Before writing into a built folder in place: an interrupted build must not look done."""
        (out / STATE_FILE).unlink(missing_ok=True)


def scan_inputs(scanner: Scanner, watched: dict[str, list[str]]) -> dict[str, str]:
    root = scanner.root
    return {
        **scanner.files(root / name for name in watched["files"]),
        **scanner.folders(root / name for name in watched["folders"]),
    }


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
    """Every file the last build wrote is still there (someone may have deleted some by hand)."""
    return all((out / name).is_file() for r in state.accounts.values() for name in r.outputs)
