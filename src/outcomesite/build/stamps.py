"""Stamps of a site's input files, so that the next build can tell what changed without reading
much: a file is hashed only when its size or mtime moved, like Git's index. A stamp taken within
one clock tick of a file's last change is not trusted next time, so a save in the same tick as a
build is still seen. Standard library only: this runs on every build, even one with nothing to do.
"""

from __future__ import annotations

import hashlib
import os
import stat as stats
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple, TypedDict

from outcomesite.layout import ACCOUNTS, CONFIG_FILE

# A stamp is trusted once the file is older than the scan by more than the clock's tick: 20 ms for
# nanosecond timestamps (Linux ticks are 1-10 ms), 2 s where a file system keeps whole seconds.
FINE_TICK_NS, COARSE_TICK_NS = 20_000_000, 2_000_000_000


class Stamp(NamedTuple):
    size: int
    mtime_ns: int  # -1 when not trusted (taken in the same clock tick as the file's last change)
    sha256: str


class Watched(TypedDict):
    """The site-wide inputs of a build (besides the accounts), by path relative to the site."""

    files: list[str]  # the config and the logo
    folders: list[str]  # the theme's folders (the packaged theme by its absolute path)


class Scanner:
    """Stamps files, re-hashing only those whose size or mtime differ from a trusted old stamp.

    Keys are paths relative to the site (absolute for the packaged theme), so a site moved or
    restored elsewhere keeps its stamps. Plain strings and os.scandir: this runs on every build.
    """

    def __init__(
        self,
        root: Path,
        previous: dict[str, Stamp] | None = None,
        started_ns: int | None = None,
    ) -> None:
        """`started_ns`: the scan's start, when it goes on elsewhere (a build worker stamping
        its own accounts for the parent's scan, which started first)."""
        self.root = root
        self.previous = previous or {}
        self.started_ns = time.time_ns() if started_ns is None else started_ns
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
            if old[1] < self.started_ns - COARSE_TICK_NS:
                self.stamps[key] = old  # as trusted as it was: most files of most builds
                return sha
        else:
            try:
                with open(path, "rb") as file:
                    sha = hashlib.sha256(file.read()).hexdigest()
            except OSError:
                return ""
        coarse = stat.st_mtime_ns % 1_000_000_000 == 0
        tick = COARSE_TICK_NS if coarse else FINE_TICK_NS
        trusted = stat.st_mtime_ns < self.started_ns - tick
        self.stamps[key] = Stamp(stat.st_size, stat.st_mtime_ns if trusted else -1, sha)
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
        digests: dict[str, str] = {}  # slug -> its file's hash (most accounts have no folder)
        folders: list[tuple[str, str]] = []  # (slug, link target when a link)
        stamp, prefix = self.stamp, f"{ACCOUNTS}/"
        try:
            # One entry at a time: a hundred thousand of them are never held at once. An account
            # file is stamped right here (is_file without following links reads the entry's
            # type, no system call): the one case of almost every entry of every build.
            with os.scandir(os.path.join(self.root, ACCOUNTS)) as entries:
                for entry in entries:
                    name = entry.name
                    if name.endswith(".md") and entry.is_file(follow_symlinks=False):
                        digests[name[:-3]] = stamp(prefix + name, entry.path, entry.stat())
                    else:
                        self._entry(entry, digests, folders)
        except OSError:
            return {}
        for slug, link in folders:
            if slug not in digests:
                continue  # a folder without its account file is not an account
            digests[slug] = self._with_folder(slug, digests[slug], link)
        return digests

    def account(self, slug: str) -> str:
        """What `accounts` gives `slug` (an account file the folder is known to list), for one
        account: a cold build's workers stamp their own accounts, which spares the parent
        reading and hashing every file before the workers can start."""
        path = os.path.join(self.root, ACCOUNTS, f"{slug}.md")
        try:
            found = os.lstat(path)
        except OSError:
            return ""
        if stats.S_ISLNK(found.st_mode):
            digest = _link_stamp(path)
        elif stats.S_ISREG(found.st_mode):
            digest = self.stamp(f"{ACCOUNTS}/{slug}.md", path, found)
        else:
            return ""
        folder = os.path.join(self.root, ACCOUNTS, slug)
        try:
            mode = os.lstat(folder).st_mode
        except OSError:
            return digest  # most accounts have no folder
        if stats.S_ISLNK(mode):
            return self._with_folder(slug, digest, _link_stamp(folder))
        if stats.S_ISDIR(mode):
            return self._with_folder(slug, digest, "")
        return digest

    def _with_folder(self, slug: str, digest: str, link: str) -> str:
        """The account's digest with its folder's files (or the folder's link target)."""
        parts = [(f"{ACCOUNTS}/{slug}.md", digest)]
        if link:
            parts.append((f"{ACCOUNTS}/{slug}", link))
        else:
            parts.extend(self.folders([f"{ACCOUNTS}/{slug}"]).items())
        return _digest(parts)

    def _entry(
        self, entry: os.DirEntry[str], digests: dict[str, str], folders: list[tuple[str, str]]
    ) -> None:
        """An entry of the accounts folder other than an account file: a link, or a folder."""
        name = entry.name
        if name.endswith(".md") and entry.is_symlink():
            # Refused by check; its target still counts, so that fixing it is a change.
            digests[name[:-3]] = _link_stamp(entry.path)
        elif entry.is_symlink():
            folders.append((name, _link_stamp(entry.path)))
        elif entry.is_dir(follow_symlinks=False):
            folders.append((name, ""))


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


def scan_inputs(scanner: Scanner, watched: Watched) -> dict[str, str]:
    return {**scanner.files(watched["files"]), **scanner.folders(watched["folders"])}


def watched_inputs(root: Path, theme_folders: list[Path], logo: str | None) -> Watched:
    """The site-wide files a build reads: the config, the logo and the theme's folders. The one
    list: the build's record keeps it, and the preview watches exactly these (and the accounts)."""
    files = [CONFIG_FILE] + ([logo] if logo else [])

    def name(path: Path) -> str:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return path.as_posix()  # the packaged theme: absolute, joined to root as-is

    return {"files": files, "folders": [name(folder) for folder in theme_folders]}
