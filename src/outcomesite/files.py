"""Files read without following links and written whole or not at all.

Account folders, themes and logos are committed by people we do not control: a symbolic link in a
commit could make the build publish `.git/config` or the local share-link secret. So every file the
build publishes or lets the PDF renderer read is opened one path component at a time, from a folder
we trust (the site's root, or the packaged theme), refusing links on the way and anything at the end
that is not a regular file. Writing goes through a temporary sibling and a rename, so a reader (or a
crash) never sees half a file.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


class UnsafeFile(Exception):
    """Why a file cannot be read safely. `reason` is one of the REASONS keys, for messages."""

    def __init__(self, reason: str, size: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size


# What each refusal means, worded for the person who committed the file.
REASONS = {
    "link": "is a link (symlink), not a file: commit the file itself, not a link",
    "missing": "was not found",
    "not-a-file": "is not a regular file",
    "too-large": "is too large",
    "unreadable": "cannot be read",
}

_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_FILE = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")


def read_inside(base: Path, parts: Sequence[str], limit: int, head: int | None = None) -> bytes:
    """The bytes of base/parts[0]/.../parts[-1], reached without following any link below `base`.

    Raises UnsafeFile for a link on the way, a missing file, anything but a regular file at the
    end, or a file over `limit` bytes. With `head`, only that many leading bytes are read (the
    size limit still applies to the whole file).
    """
    if not parts or any(p in ("", ".", "..") or "/" in p or "\0" in p for p in parts):
        raise UnsafeFile("missing")
    if not _DIR_FD:
        return _read_by_path(base, parts, limit, head)
    fd = _open(str(base), _DIRECTORY, None)
    try:
        for part in parts[:-1]:
            inner = _open(part, _DIRECTORY, fd)
            os.close(fd)
            fd = inner
        file_fd = _open(parts[-1], _FILE, fd)
    finally:
        os.close(fd)
    try:
        info = os.fstat(file_fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("not-a-file")
        if info.st_size > limit:
            raise UnsafeFile("too-large", info.st_size)
        data = _read_fd(file_fd, limit + 1 if head is None else head, info.st_size)
    except OSError:
        raise UnsafeFile("unreadable") from None
    finally:
        os.close(file_fd)
    if len(data) > limit:  # it grew while we read it
        raise UnsafeFile("too-large", len(data))
    return data


def _read_fd(fd: int, want: int, size: int) -> bytes:
    """Up to `want` bytes of an open file, or all of it when it holds fewer; `size` is what it
    held when looked at. With os.read, not a file object around the descriptor: every account
    file of a build is read here, and making the object cost as much as reading (21 against
    11 µs a file). os.read(n) allocates n bytes first: the first read asks for the size, not
    for the limit; more is read only if the file grew."""
    data = b""
    ask = min(want, size + 1)
    while len(data) < want:
        more = os.read(fd, ask)
        if not more:
            break
        data += more
        ask = min(want - len(data), 1 << 16)
    return data


def _open(name: str, flags: int, dir_fd: int | None) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile("link") from None
        if exc.errno == errno.ENOENT:
            raise UnsafeFile("missing") from None
        if exc.errno == errno.ENOTDIR:
            # Some systems answer ENOTDIR for a link where a folder was asked for.
            raise UnsafeFile("link" if _is_link_at(name, dir_fd) else "not-a-file") from None
        raise UnsafeFile("unreadable") from None


def _is_link_at(name: str, dir_fd: int | None) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        return False


def _read_by_path(base: Path, parts: Sequence[str], limit: int, head: int | None) -> bytes:
    """The same checks by path, for platforms without dir_fd (a check-then-read, good enough for
    a build that reads files it has just checked)."""
    path = base
    for part in parts:
        path = path / part
        try:
            info = path.lstat()
        except OSError:
            raise UnsafeFile("missing") from None
        if stat.S_ISLNK(info.st_mode):
            raise UnsafeFile("link")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile("not-a-file")
    if info.st_size > limit:
        raise UnsafeFile("too-large", info.st_size)
    try:
        with path.open("rb") as file:
            return file.read(head) if head is not None else file.read()
    except OSError:
        raise UnsafeFile("unreadable") from None


@dataclass(frozen=True)
class PublishedFile:
    """A file the build publishes or lets the PDF renderer read: its address, and where it lives.

    `url` is its path below public/ (e.g. "assets/report.css", "r/<link-id>/chart.png"); `base` is
    a folder we trust (the site's root, or the packaged theme's assets), and `parts` lead from it to
    the file, opened without following any link. A file the build makes itself (the brand colour's
    stylesheet) carries its bytes instead.
    """

    url: str
    base: str
    parts: tuple[str, ...]
    made: bytes | None = None

    def read(self, limit: int) -> bytes:
        if self.made is not None:
            return self.made
        return read_inside(Path(self.base), self.parts, limit)

    @classmethod
    def generated(cls, url: str, data: bytes) -> PublishedFile:
        return cls(url, "", (), data)


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of `path`, refusing a link in its last component, anything but a regular file,
    and a file over `limit` bytes: for files whose folder was checked already (an account file)."""
    return read_inside(path.parent, [path.name], limit)


def is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return False


def links_under(folder: Path) -> list[Path]:
    """Every symbolic link at or below `folder` (not following any), for refusing them by name."""
    if is_link(folder):
        return [folder]
    found: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        if entry.is_symlink():
            found.append(Path(entry.path))
        elif entry.is_dir(follow_symlinks=False):
            found.extend(links_under(Path(entry.path)))
    return sorted(found)


@contextlib.contextmanager
def replacing(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write a temporary sibling, then rename it over `path`: a reader (or a crash) never sees
    half a file. On an error the temporary file goes and `path` stays as it was."""
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with temporary.open(mode, encoding=None if "b" in mode else "utf-8") as file:
            yield file
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def replace_file(path: Path, data: bytes) -> None:
    """`path` written whole (replacing), keeping an existing file's permissions: an account file
    rewritten by `import --update` or `record` stays as readable (or executable) as it was; a new
    file gets the usual mode."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    with replacing(path, "wb") as file:
        file.write(data)
        if mode is not None:
            os.fchmod(file.fileno(), mode)


def compact_json(value: object) -> str:
    """A JSON value on one line, compact (no space after `:` and `,`), UTF-8 text unescaped.
    orjson: a tenth of the standard library's time (44 against 4 us an account's index line;
    a 5 MB cache, 8 ms against 120). What orjson refuses (an integer beyond 64 bits, a lone
    surrogate) the standard library writes, in the same compact form."""
    import orjson  # only where JSON is written: a no-op build imports none of it

    try:
        return orjson.dumps(value).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def compact_json_bytes(value: object) -> bytes:
    """compact_json in UTF-8, for a file written from it: a large value is not held twice,
    as text and as bytes."""
    import orjson

    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return compact_json(value).encode("utf-8")


JSON_PART_ITEMS = 2_000  # items of a long list, or entries of a large dict, encoded together


def json_parts(
    value: object,
    items: int = JSON_PART_ITEMS,
    encode: Callable[[object], bytes] | None = None,
) -> Iterator[bytes]:
    """`encode(value)` (compact_json_bytes by default) in parts, made as they are consumed: a
    dict key by key, or `items` entries at a time when it has more; a long list `items` at a
    time. For a large value written to a file, which is then never held whole: index.json's
    history lists every account and result of a first quarter in Git (55 MB of JSON at 100,000
    accounts), the ladder cache holds every account's placement. (A part orjson refuses is
    written as the standard library writes it, the rest as orjson does.)"""
    encode = encode or compact_json_bytes
    if isinstance(value, dict) and value and all(isinstance(key, str) for key in value):
        if len(value) > items:
            entries = iter(value.items())
            for start in range(0, len(value), items):
                chunk = encode(dict(itertools.islice(entries, items)))
                yield (b"," if start else b"{") + chunk[1:-1]
        else:
            for n, (key, item) in enumerate(value.items()):
                yield (b"," if n else b"{") + encode(key) + b":"
                yield from json_parts(item, items, encode)
        yield b"}"
    elif isinstance(value, list) and len(value) > items:
        for start in range(0, len(value), items):
            chunk = encode(value[start : start + items])
            yield (b"," if start else b"[") + chunk[1:-1]
        yield b"]"
    else:
        yield encode(value)


def packed_json(value: object) -> bytes:
    """A cache's JSON: compact, and a named tuple an array of its fields (as the standard
    library writes it; a hundred thousand objects would each repeat their keys). A field that
    is bytes is JSON already (PastAccount's results), written as it is."""
    import orjson

    def fields(item: Any) -> object:
        return orjson.Fragment(item) if isinstance(item, bytes) else tuple(item)

    def plain(item: object) -> object:
        if isinstance(item, bytes):
            return json.loads(item)
        raise TypeError(f"{type(item).__name__} is not JSON")

    try:
        return orjson.dumps(value, default=fields)
    except orjson.JSONEncodeError:  # what orjson refuses, as the standard library writes it
        return json.dumps(value, separators=(",", ":"), default=plain).encode()


def keep_only(folder: Path, name: str, parts: Iterable[bytes]) -> None:
    """Write a cache file as the only `*.json` of its folder (a cache keeps its latest answer);
    a cache that cannot be written only costs time, so errors are ignored."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            if old.name != name:
                old.unlink(missing_ok=True)
        with replacing(folder / name, "wb") as file:
            file.writelines(parts)
    except OSError:
        pass
