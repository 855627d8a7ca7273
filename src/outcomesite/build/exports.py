"""The exports (index.json, index.csv, results.csv) written into the staging folder: whole, from
the details in index order, or patched from the last build's files.

Each file is a head, every account's piece (its lines, from its row of the details) in index
order, and a foot (render/exports.py frames them). A rebuild of one account leaves nearly every
piece as it was, and most of them in the same order, so the last build's files are the source:
pieces that follow each other in both orders are copied as one range of bytes, and only the
rebuilt accounts' pieces are read from the details. A `Layout` kept in the details says where the
pieces are (each account's piece sizes, in the last order, and each file's size and mtime). Files
that are not as the layout says (edited or removed by hand, or no layout at all: a full build)
are written whole.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, TypedDict

from outcomesite.build.details import Details
from outcomesite.render.exports import Frame

FILES = ("index.json", "index.csv", "results.csv")  # in the order of a row's export columns


class Layout(TypedDict):
    """Where each account's pieces are in the exports a build wrote."""

    order: list[str]  # slugs, in the files' order
    sizes: list[list[int]]  # per account in that order: its piece's bytes in each file
    files: list[list[int]]  # per file: [bytes of its head, its size, its mtime in ns]


Run = tuple[int, int] | str  # pieces [start, end) of the last layout, or one account's new piece


def exports_written(
    internal: Path,
    frames: Sequence[Frame],
    order: list[str],
    details: Details,
    last: Path | None,
) -> Layout:
    """The three files in `internal`, their accounts in `order`; patched from the files in
    `last` (the last build's internal folder) when the details' layout matches them. Returns
    where each account's pieces are in them, for the caller to keep in the details
    (`keep_layout`): a forked worker writes them, and only reads the details (build/write.py)."""
    runs = _runs(order, frames, details, last)
    if runs is None:
        return _whole(internal, frames, order, details)
    assert last is not None and details.layout is not None
    return _patched(internal, frames, order, runs, details, last, details.layout)


def _runs(
    order: list[str], frames: Sequence[Frame], details: Details, last: Path | None
) -> list[Run] | None:
    """The new order as runs of the last layout's pieces and the rebuilt accounts' new ones;
    None when the last files cannot be trusted to be where the layout says."""
    layout = details.layout
    try:
        if last is None or layout is None or not _matches(layout, frames, last):
            return None
    except (TypeError, ValueError, KeyError):
        return None  # a layout of another shape (damaged): write the files whole
    where = {slug: i for i, slug in enumerate(layout["order"])}
    runs: list[Run] = []
    for slug in order:
        i = None if slug in details.replaced else where.get(slug)
        if i is None:
            runs.append(slug)
            continue
        previous = runs[-1] if runs else None
        if isinstance(previous, tuple) and previous[1] == i:
            runs[-1] = (previous[0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _matches(layout: Layout, frames: Sequence[Frame], last: Path) -> bool:
    """The last files are as the layout says: their sizes and mtimes, and the sum of their
    parts (a layout that does not add up is not used to copy)."""
    count = len(layout["order"])
    if not count or len(layout["files"]) != len(FILES) or len(layout["sizes"]) != count:
        return False
    for n, (name, frame) in enumerate(zip(FILES, frames, strict=True)):
        head, size, mtime_ns = layout["files"][n]
        pieces = sum(sizes[n] for sizes in layout["sizes"])
        framing = len(frame.separator) * (count - 1) + len(frame.foot)
        try:
            stat = os.stat(last / name)
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns) or head + pieces + framing != size:
            return False
    return True


def _whole(internal: Path, frames: Sequence[Frame], order: list[str], details: Details) -> Layout:
    sizes: list[list[int]] = []
    with _Files(internal, frames, len(order)) as files:
        for texts in details.exports(order):
            sizes.append(files.add([text.encode() for text in texts]))
    return Layout(order=order, sizes=sizes, files=files.stats)


def _patched(
    internal: Path,
    frames: Sequence[Frame],
    order: list[str],
    runs: list[Run],
    details: Details,
    last: Path,
    layout: Layout,
) -> Layout:
    new = [run for run in runs if isinstance(run, str)]
    texts = dict(zip(new, details.exports(new), strict=True))
    old_sizes = layout["sizes"]
    sizes: list[list[int]] = []
    with _Files(internal, frames, len(order)) as files, contextlib.ExitStack() as stack:
        old = [stack.enter_context((last / name).open("rb")).fileno() for name in FILES]
        starts = [
            _starts(head, [size[n] for size in old_sizes], len(frame.separator))
            for n, ((head, _, _), frame) in enumerate(zip(layout["files"], frames, strict=True))
        ]
        for run in runs:
            if isinstance(run, str):
                sizes.append(files.add([text.encode() for text in texts[run]]))
                continue
            first, end = run  # pieces first .. end-1, and the separators between them
            files.copy(
                [
                    (fd, start[first], start[end - 1] + old_sizes[end - 1][n] - start[first])
                    for n, (fd, start) in enumerate(zip(old, starts, strict=True))
                ]
            )
            sizes.extend(old_sizes[first:end])
    return Layout(order=order, sizes=sizes, files=files.stats)


def _starts(head: int, sizes: list[int], separator: int) -> list[int]:
    """Where each piece of a file starts: after the head, each after the one before and a
    separator."""
    return list(itertools.accumulate((size + separator for size in sizes[:-1]), initial=head))


def _copy(source: int, offset: int, count: int, file: BinaryIO) -> None:
    """`count` bytes of `source` from `offset` onto the end of `file`: in the kernel where it
    can (copy_file_range), else through a small buffer; never the whole file in memory."""
    end = offset + count
    file.flush()
    with contextlib.suppress(OSError):  # no copy_file_range here: read and write instead
        while offset < end:
            copied = os.copy_file_range(source, file.fileno(), end - offset, offset)
            if not copied:
                break
            offset += copied
    while offset < end:
        data = os.pread(source, min(end - offset, 1 << 20), offset)
        if not data:
            raise OSError(errno.EIO, "the last build's exports changed while they were read")
        file.write(data)
        offset += len(data)


class _Files:
    """The three files being written: each its frame's head, pieces and foot."""

    def __init__(self, internal: Path, frames: Sequence[Frame], count: int) -> None:
        self.paths = [internal / name for name in FILES]
        self.frames = frames
        self.count = count
        self.started = False
        self.stats: list[list[int]] = []
        self.files: list[BinaryIO] = []
        self.heads: list[int] = []  # the size of each file's head, as written

    def __enter__(self) -> _Files:
        self.files = [path.open("wb") for path in self.paths]
        for file, frame in zip(self.files, self.frames, strict=True):
            size = 0
            for part in frame.head if self.count else frame.empty:
                file.write(part)
                size += len(part)
            self.heads.append(size)
        return self

    def add(self, pieces: list[bytes]) -> list[int]:
        """One account's pieces, after those before it; their sizes."""
        self._separate()
        for file, piece in zip(self.files, pieces, strict=True):
            file.write(piece)
        return [len(piece) for piece in pieces]

    def copy(self, ranges: list[tuple[int, int, int]]) -> None:
        """Pieces of the last files, (file, offset, bytes) each, separators included, after
        those before them."""
        self._separate()
        for file, (source, offset, count) in zip(self.files, ranges, strict=True):
            _copy(source, offset, count, file)

    def _separate(self) -> None:
        if self.started:
            for file, frame in zip(self.files, self.frames, strict=True):
                file.write(frame.separator)
        self.started = True

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        for file, frame in zip(self.files, self.frames, strict=True):
            if self.count and kind is None:
                file.write(frame.foot)
            file.close()
        if kind is None:
            self.stats = [
                [head, stat.st_size, stat.st_mtime_ns]
                for head, stat in zip(self.heads, map(os.stat, self.paths), strict=True)
            ]
