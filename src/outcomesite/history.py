"""Versions and past measurements from Git, read with a fixed, small number of git processes.

Version N of an account is the N-th commit that changed its file. A file's history starts where its
slug starts: renames are not followed (a renamed file is a new slug, with a new share link), and a
file deleted and later added again under the same name starts again at version 1, never showing the
earlier file's versions. The earlier file's share link must stay dead, so the repository also says
which of today's slugs had an earlier, deleted file and the highest `link_version` it used.

One `git log` lists every change under content/accounts/; one `git cat-file --batch` reads every old
file; one `git status` finds drafts. A site with thousands of accounts and versions costs four
processes (five when a slug was reused, to read the deleted files' link versions).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from outcomesite.convert import NUMBER
from outcomesite.files import replacing
from outcomesite.frontmatter import YamlProblem, parse_document

ACCOUNTS_PATHSPEC = "content/accounts"


@dataclass(frozen=True)
class Version:
    number: int
    commit: str
    date: dt.date
    path: str  # the file's path at that commit, relative to the site root (renames change it)
    blob: str = ""  # the file's object id at that commit: reading it needs no tree walk

    @property
    def short(self) -> str:
        return self.commit[:7]


@dataclass(frozen=True)
class FileHistory:
    versions: tuple[Version, ...] = ()  # oldest first
    draft: bool = False  # the working tree differs from the last commit (or the file is new)

    @property
    def number(self) -> int:
        """The version the current file is: the last commit's, or the next one for a draft."""
        return len(self.versions) + 1 if self.draft or not self.versions else len(self.versions)


@dataclass(frozen=True)
class RetiredSlug:
    """An earlier account file with today's name, deleted from Git: its share links must stay dead."""

    deleted_on: dt.date  # the most recent deletion
    link_version: int  # the highest `link_version` any of its versions used (1 when none said)


@dataclass
class Repository:
    """What Git knows about a site; `in_git` False means every account is version 1."""

    root: Path
    in_git: bool = False
    shallow: bool = False
    files: dict[str, FileHistory] = field(default_factory=dict)  # current path -> history
    retired: dict[str, RetiredSlug] = field(default_factory=dict)  # current path -> earlier file

    def history(self, path: str) -> FileHistory:
        if not self.in_git:
            return FileHistory()
        return self.files.get(path, FileHistory(draft=True))

    def read_versions(self, versions: Iterable[Version]) -> dict[Version, bytes]:
        """The file at each version, in one `git cat-file --batch` process."""
        wanted = list(versions)
        if not wanted:
            return {}
        # By object id: `<commit>:<path>` would walk the folder's tree once per request.
        request = "".join(f"{v.blob or f'{v.commit}:./{v.path}'}\n" for v in wanted).encode()
        raw = _git(self.root, "cat-file", "--batch", input=request)
        found = _batch_contents(raw, len(wanted))
        return {v: data for v, data in zip(wanted, found, strict=True) if data is not None}


def _batch_contents(raw: bytes, count: int) -> list[bytes | None]:
    """Split `git cat-file --batch` output into `count` objects (None for a missing one)."""
    contents: list[bytes | None] = []
    position = 0
    for _ in range(count):
        header_end = raw.index(b"\n", position)
        header = raw[position:header_end].split()
        if len(header) < 3 or header[1] != b"blob":
            position = header_end + 1
            contents.append(None)  # "missing": cannot happen for objects git log named
            continue
        size = int(header[2])
        start = header_end + 1
        contents.append(raw[start : start + size])
        position = start + size + 1
    return contents


class GitError(Exception):
    pass


def _git(root: Path, *args: str, input: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            input=input,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout


def read_repository(root: Path, cache: Path | None = None) -> Repository:
    """Read the history of every account file under `root`; outside Git, an empty Repository.

    The log of a commit never changes: with a `cache` folder it is kept per HEAD, so rebuilding
    without a new commit skips `git log`, the one step whose cost grows with the history.
    """
    repo = Repository(root=root)
    revs = ("rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "--show-prefix")
    try:
        info = _git(root, *revs, "HEAD")
    except GitError:
        try:
            info = _git(root, *revs)  # no commit yet: HEAD names nothing
        except GitError:
            return repo
    lines = info.decode().split("\n")
    inside, shallow, prefix = lines[0], lines[1], lines[2] if len(lines) > 2 else ""
    head = lines[3] if len(lines) > 3 else ""
    if inside != "true":
        return repo
    repo.in_git = True
    repo.shallow = shallow == "true"
    kept = None if repo.shallow or not head else _LogCache(cache, head, prefix)
    changes = kept.read() if kept else None
    if changes is None:
        changes = parse_log(_log(root).decode("utf-8", "surrogateescape"))
        if kept:
            kept.write(changes)
    current = {p.relative_to(root).as_posix() for p in (root / ACCOUNTS_PATHSPEC).glob("*.md")}
    versions, earlier = assign_versions(changes, current)
    drafts = _dirty_paths(root, prefix.strip())
    for path in current:
        repo.files[path] = FileHistory(tuple(versions.get(path, ())), draft=path in drafts)
    repo.retired = _retired(root, earlier)
    return repo


def _retired(root: Path, earlier: dict[str, EarlierFile]) -> dict[str, RetiredSlug]:
    """The link versions of deleted files whose names are in use again, in one cat-file."""
    if not earlier:
        return {}
    blobs = sorted({blob for _, found in earlier.values() for blob in found})
    raw = _git(root, "cat-file", "--batch", input="".join(f"{b}\n" for b in blobs).encode())
    texts = dict(zip(blobs, _batch_contents(raw, len(blobs)), strict=True))
    return {
        path: RetiredSlug(
            deleted_on,
            max((link_version_of(texts[blob]) for blob in found), default=1),
        )
        for path, (deleted_on, found) in earlier.items()
    }


def link_version_of(raw: bytes | None) -> int:
    """`link_version` of an old file, read leniently (1 when absent or unreadable), so that an
    old link is never considered dead by mistake: a bad value counts as the default."""
    if raw is None:
        return 1
    try:
        document = parse_document(raw.decode("utf-8-sig", "replace").replace("\r\n", "\n"))
    except YamlProblem:
        return 1
    text = _scalar(_mapping_get(document.root, "link_version"))
    if text is None or not text.strip().isdigit():
        return 1
    return max(1, min(int(text.strip()), 10**9))


def _log(root: Path) -> bytes:
    try:
        return _git(
            root,
            "log",
            "-z",
            "--no-renames",  # a renamed file is a new slug: its history starts with it
            "--relative",
            "--raw",
            "--no-abbrev",
            "--format=%x1e%H %ct",
            "--",
            ACCOUNTS_PATHSPEC,
        )
    except GitError:
        return b""  # a repository without commits yet: everything is a draft of version 1


class _LogCache:
    """The parsed log of one HEAD (and site folder), in `<cache>/git/`; only the latest is kept."""

    def __init__(self, folder: Path | None, head: str, prefix: str) -> None:
        self.folder = folder / "git" if folder else None
        digest = hashlib.sha256(f"{LOG_FORMAT}\0{prefix}".encode()).hexdigest()[:12]
        self.name = f"{head}-{digest}.json"

    def read(self) -> list[Commit] | None:
        if self.folder is None:
            return None
        try:
            data = json.loads((self.folder / self.name).read_bytes())
            return [
                (sha, dt.date.fromisoformat(day), [tuple(change) for change in changes])
                for sha, day, changes in data
            ]
        except (OSError, ValueError, TypeError):
            return None

    def write(self, commits: list[Commit]) -> None:
        if self.folder is None:
            return
        data = [[sha, day.isoformat(), changes] for sha, day, changes in commits]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for old in self.folder.glob("*.json"):
                old.unlink(missing_ok=True)
            with replacing(self.folder / self.name) as file:
                file.write(json.dumps(data))
        except OSError:
            pass  # a cache that cannot be written only costs time


# (status, path, new path for renames and copies, old blob id, new blob id)
Change = tuple[str, str, str | None, str, str]
Commit = tuple[str, dt.date, list[Change]]
LOG_FORMAT = 2  # the shape of a kept log; a new shape makes old cache files unused


def parse_log(text: str) -> list[Commit]:
    """Parse `git log -z --raw --no-abbrev --format=%x1e%H %ct` output, newest commit first.

    Each change is `:<mode> <mode> <old blob> <new blob> <status>`, then one path (two for
    renames and copies), NUL-separated.
    """
    commits: list[Commit] = []
    for chunk in text.split("\x1e")[1:]:
        header, _, rest = chunk.partition("\0")
        sha, timestamp = header.split()
        day = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC).date()
        tokens = rest.lstrip("\n").split("\0")
        changes: list[Change] = []
        index = 0
        while index < len(tokens) and tokens[index].startswith(":"):
            fields = tokens[index].split()
            old, new, status = fields[2], fields[3], fields[4][:1]
            if status in ("R", "C"):
                changes.append((status, tokens[index + 1], tokens[index + 2], old, new))
                index += 3
            else:
                changes.append((status, tokens[index + 1], None, old, new))
                index += 2
        commits.append((sha, day, changes))
    return commits


EarlierFile = tuple[dt.date, list[str]]  # (last deleted on, blob ids of all its versions)


def assign_versions(
    commits: list[Commit], current: set[str]
) -> tuple[dict[str, list[Version]], dict[str, EarlierFile]]:
    """Walk history backwards from today's files; number versions oldest first.

    A file's versions stop at the commit that added it: anything older under the same name is an
    earlier, deleted file, returned apart (with its versions' blobs) so that its link stays dead.
    Renames and copies (which `git log --no-renames` does not report, but a kept log might) count
    as a deletion of the old name and an addition of the new one.
    """
    alive = set(current)  # today's files whose current life we are still walking back through
    found: dict[str, list[tuple[str, dt.date, str, str]]] = {path: [] for path in current}
    earlier: dict[str, EarlierFile] = {}
    for sha, day, changes in commits:
        for status, path, new_path, old_blob, new_blob in changes:
            steps = [(status, path, old_blob, new_blob)]
            if status in ("R", "C") and new_path is not None:
                steps = [("A", new_path, old_blob, new_blob)]
                if status == "R":
                    steps.append(("D", path, old_blob, old_blob))
            for kind, name, old, new in steps:
                if name not in current:
                    continue
                if name in alive:
                    if kind == "D":  # deleted by a commit, back in the working tree today
                        alive.discard(name)
                        earlier[name] = (day, [old])
                        continue
                    found[name].append((sha, day, name, new))
                    if kind == "A":
                        alive.discard(name)
                elif kind == "D":
                    earlier.setdefault(name, (day, []))[1].append(old)
                elif name in earlier:
                    earlier[name][1].append(new)
    versions = {
        path: [
            Version(number, sha, day, file_path, blob)
            for number, (sha, day, file_path, blob) in enumerate(reversed(entries), start=1)
        ]
        for path, entries in found.items()
    }
    return versions, earlier


def _dirty_paths(root: Path, prefix: str) -> set[str]:
    """Account files whose working copy differs from HEAD, or that Git does not track yet.

    Porcelain paths are relative to the repository's top; `prefix` is the site's folder in it.
    """
    try:
        out = _git(
            root, "status", "--porcelain", "-z", "--untracked-files=all", "--", ACCOUNTS_PATHSPEC
        )
    except GitError:
        return set()
    dirty: set[str] = set()
    tokens = out.decode("utf-8", "surrogateescape").split("\0")
    index = 0
    while index < len(tokens):
        entry = tokens[index]
        index += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            index += 1  # the original path follows a rename entry
        if path.startswith(prefix):
            dirty.add(path[len(prefix) :])
    return dirty


def recorded_measurements(text: str) -> dict[str, tuple[dt.date, float]]:
    """`current` and `measured_on` per result id in an old version of a file, read leniently:
    an old version that no longer passes today's checks still contributes what it clearly says."""
    try:
        document = parse_document(text)
    except YamlProblem:
        return {}
    found: dict[str, tuple[dt.date, float]] = {}
    results = _mapping_get(document.root, "results")
    if not isinstance(results, yaml.SequenceNode):
        return found
    for item in results.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        rid, value, day = (_scalar(_mapping_get(item, k)) for k in ("id", "current", "measured_on"))
        number, date = _number(value), _date(day)
        if rid and number is not None and date is not None:
            found[rid] = (date, number)
    return found


def _mapping_get(node: yaml.Node, key: str) -> yaml.Node | None:
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else ():
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _number(text: str | None) -> float | None:
    if text is None or not NUMBER.match(text.strip()):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None
