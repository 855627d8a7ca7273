"""Versions and past measurements from Git, read with a fixed, small number of git processes.

Version N of an account is the N-th commit that changed its file, following renames. One `git log`
lists every change under content/accounts/; one `git cat-file --batch` reads every old file; one
`git status` finds drafts. A site with thousands of accounts and versions costs four processes.
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


@dataclass
class Repository:
    """What Git knows about a site; `in_git` False means every account is version 1."""

    root: Path
    in_git: bool = False
    shallow: bool = False
    files: dict[str, FileHistory] = field(default_factory=dict)  # current path -> history

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
        contents: dict[Version, bytes] = {}
        position = 0
        for version in wanted:
            header_end = raw.index(b"\n", position)
            header = raw[position:header_end].split()
            if len(header) < 3 or header[1] != b"blob":
                position = header_end + 1
                continue  # "missing": cannot happen for paths git log named, but never crash
            size = int(header[2])
            start = header_end + 1
            contents[version] = raw[start : start + size]
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
    versions = assign_versions(changes, current)
    drafts = _dirty_paths(root, prefix.strip())
    for path in current:
        repo.files[path] = FileHistory(tuple(versions.get(path, ())), draft=path in drafts)
    return repo


def _log(root: Path) -> bytes:
    try:
        return _git(
            root,
            "log",
            "-z",
            "-M",
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
        self.name = f"{head}-{hashlib.sha256(prefix.encode()).hexdigest()[:12]}.json"

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


Change = tuple[str, str, str | None, str]  # (status, path, new path for renames, new blob id)
Commit = tuple[str, dt.date, list[Change]]


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
            blob, status = fields[3], fields[4][:1]
            if status in ("R", "C"):
                changes.append((status, tokens[index + 1], tokens[index + 2], blob))
                index += 3
            else:
                changes.append((status, tokens[index + 1], None, blob))
                index += 2
        commits.append((sha, day, changes))
    return commits


def assign_versions(commits: list[Commit], current: set[str]) -> dict[str, list[Version]]:
    """Walk history backwards from today's files, following renames; number versions oldest first."""
    alias = {path: path for path in current}  # path in the commit being read -> today's path
    found: dict[str, list[tuple[str, dt.date, str, str]]] = {path: [] for path in current}
    for sha, day, changes in commits:
        for status, path, new_path, blob in changes:
            if status in ("R", "C") and new_path is not None:
                if new_path in alias:
                    owner = alias.pop(new_path)
                    found[owner].append((sha, day, new_path, blob))
                    if status == "R":
                        alias[path] = owner  # older commits know the file by its old name
            elif path in alias:
                if status == "D":
                    alias.pop(path)  # an older, deleted file of the same name is another account
                    continue
                found[alias[path]].append((sha, day, path, blob))
                if status == "A":
                    alias.pop(path)
    return {
        path: [
            Version(number, sha, day, file_path, blob)
            for number, (sha, day, file_path, blob) in enumerate(reversed(entries), start=1)
        ]
        for path, entries in found.items()
    }


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
