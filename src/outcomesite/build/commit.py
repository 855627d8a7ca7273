"""Putting a build in place so that `build/` is always the last good build.

Every build writes into a staging folder next to the output (`.build.tmp-<pid>-<random>`) and
touches the output only at the end:

- a full build swaps the whole staging folder with the output in one atomic exchange
  (`renameat2(RENAME_EXCHANGE)` on Linux): there is never a moment without a `build/`;
- an incremental build moves in what changed (each changed account's link folder, `internal/`, the
  build's record), each by an atomic exchange or rename, after writing a journal of the moves.

A build that fails or is interrupted before the end leaves the output untouched. One that fails in
the middle of the moves undoes those already made, and one killed there (kill -9, power loss) leaves
its journal behind: the next build undoes the moves it finds made (each is recognised by the inode
of what was moved) before doing anything else, and removes every staging folder a dead build left.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from outcomesite.files import replacing

JOURNAL = ".outcomesite-journal.json"
# Fault injection for the crash tests: after this many moves, the build kills itself (SIGKILL).
CRASH_AFTER_MOVES = "OUTCOMESITE_CRASH_AFTER_MOVES"

MoveKind = Literal["replace", "add", "remove"]


@dataclass(frozen=True)
class Move:
    """One item moved between the staging folder and the output, at the same relative path.

    replace: exchanged (the new item goes in, the old one comes out into staging);
    add: moved in; remove: moved out into staging. `inode` identifies the item moved in (or, for
    remove, the item moved out), so that a later build can tell whether the move happened.
    """

    path: str
    kind: MoveKind
    inode: int


def staging_folder(out: Path) -> Path:
    """A new, empty staging folder next to `out`, named so that the next build can find it and
    tell whether the build that made it is still running."""
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = out.parent / f".{out.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}"
    folder.mkdir()
    return folder


@contextlib.contextmanager
def scratch_folder(out: Path) -> Iterator[Path]:
    """A folder for the build's own use while it runs (the PDFs rendered before they are
    cached), named like a staging folder: gone when the build ends, and should the build be
    killed, removed by the next one (`recover`) rather than left in the system's temporary
    folder."""
    folder = staging_folder(out)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def swap_in(staging: Path, out: Path) -> None:
    """Make `staging` the output in one step; the replaced output is deleted in the background."""
    if out.exists():
        exchange(staging, out)
        discard(staging)
    else:
        os.rename(staging, out)


def plan_moves(staging: Path, out: Path, paths: list[str]) -> list[Move]:
    """The moves that bring each of `paths` (relative, present in staging, in out or both) to
    its state in staging. Paths missing from both are skipped."""
    moves: list[Move] = []
    for path in paths:
        new, old = staging / path, out / path
        if new.exists() and old.exists():
            moves.append(Move(path, "replace", new.lstat().st_ino))
        elif new.exists():
            moves.append(Move(path, "add", new.lstat().st_ino))
        elif old.exists():
            moves.append(Move(path, "remove", old.lstat().st_ino))
    return moves


def commit(staging: Path, out: Path, moves: list[Move]) -> None:
    """Apply `moves` after writing their journal; on any failure, undo the ones made and raise."""
    with replacing(staging / JOURNAL) as file:
        json.dump([asdict(move) for move in moves], file)
        file.flush()
        os.fsync(file.fileno())
    crash_after = int(os.environ.get(CRASH_AFTER_MOVES, "-1"))
    try:
        for done, move in enumerate(moves):
            if done == crash_after:
                os.kill(os.getpid(), signal.SIGKILL)
            _apply(staging, out, move)
    except BaseException:
        rollback(staging, out, moves)
        raise
    (staging / JOURNAL).unlink()


def _apply(staging: Path, out: Path, move: Move) -> None:
    new, old = staging / move.path, out / move.path
    if move.kind == "replace":
        exchange(new, old)
    elif move.kind == "add":
        old.parent.mkdir(parents=True, exist_ok=True)
        os.rename(new, old)
    else:
        new.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old, new)


def _made(staging: Path, out: Path, move: Move) -> bool:
    where = staging / move.path if move.kind == "remove" else out / move.path
    try:
        return where.lstat().st_ino == move.inode
    except OSError:
        return False


def rollback(staging: Path, out: Path, moves: list[Move]) -> None:
    """Undo, newest first, every move that was made: the output is the previous build again."""
    for move in reversed(moves):
        if not _made(staging, out, move):
            continue
        new, old = staging / move.path, out / move.path
        if move.kind == "replace":
            exchange(new, old)
        elif move.kind == "add":
            os.rename(old, new)
        else:
            os.rename(new, old)


def recover(out: Path) -> bool:
    """Before a build: undo a commit a killed build left half made, and remove the staging
    folders of builds that are no longer running (and old outputs left to delete).

    False when a half-made commit could not be undone: the output cannot be trusted, and the
    build must replace it whole.
    """
    prefix = f".{out.name}.tmp-"
    if not out.parent.is_dir():
        return True
    trusted = True
    for folder in sorted(out.parent.glob(f"{prefix}*")):
        if _running(folder.name[len(prefix) :]):
            continue  # another build, still at work
        journal = folder / JOURNAL
        if journal.is_file():
            try:
                moves = [Move(**item) for item in json.loads(journal.read_text(encoding="utf-8"))]
                rollback(folder, out, moves)
                journal.unlink()
            except (OSError, ValueError, TypeError):
                trusted = False
        discard(folder)
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        discard(leftover)
    return trusted


def _running(suffix: str) -> bool:
    """Whether the build whose staging folder ends in `<pid>-<random>` is still running."""
    pid_text = suffix.split("-", 1)[0]
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but is not ours to signal
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux renameat2); elsewhere, three renames."""
    import ctypes  # here: a full build's swap is its one use (and a no-op's import is lighter)

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if result == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(b))
    aside = b.with_name(f"{b.name}.swap-{os.getpid()}")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)


def discard(folder: Path) -> None:
    """Delete a folder without making anyone wait for it: removing ten thousand report folders
    takes seconds, so on POSIX a detached `rm -rf` does it after the build returns."""
    rm = shutil.which("rm")
    if os.name != "posix" or rm is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    subprocess.Popen(
        [rm, "-rf", "--", str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
