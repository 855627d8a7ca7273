"""The one way outcomesite runs Git: a subprocess, its errors as GitError. Standard library only,
so that deciding whether a build has anything to do can ask for the commit cheaply."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


class GitError(Exception):
    pass


def run(root: Path, *args: str, input: bytes | None = None) -> bytes:
    """`git -C root args...`; its standard output, or GitError with what Git said."""
    return started(root, *args, input=input)()


def started(root: Path, *args: str, input: bytes | None = None) -> Callable[[], bytes]:
    """`run(root, *args)` begun now; the function returned waits for its answer. Git works
    while the caller does: an edit's `git status` (8 ms at 10,000 accounts) while the log is
    read. Call the function on every path, errors too, or the process is never waited for.

    The input goes through a temporary file, not a pipe: a long `cat-file --batch` request
    written to a pipe alongside the reading of its answer costs a poll per few hundred bytes.
    """
    process: subprocess.Popen[bytes] | None = None
    with contextlib.ExitStack() as files:  # the input file is closed once Git has its own
        stdin: IO[bytes] | int = subprocess.DEVNULL
        if input is not None:
            stdin = files.enter_context(tempfile.TemporaryFile())
            stdin.write(input)
            stdin.seek(0)
        with contextlib.suppress(FileNotFoundError):  # no git: the answer says so
            process = subprocess.Popen(
                ["git", "-C", str(root), *args],
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )

    def answer() -> bytes:
        if process is None:
            raise GitError("git is not installed")
        out, err = process.communicate()
        if process.returncode != 0:
            raise GitError(err.decode("utf-8", "replace").strip())
        return out

    return answer


def head(root: Path) -> str:
    """The commit (and shallowness) versions are read from, in one cheap call; "" outside Git."""
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


def changed_paths(root: Path, before: str, after: str, under: str) -> list[str] | None:
    """The paths below `under` that differ between two commits given as `head()` values; None
    when Git cannot tell (outside Git, a shallow clone, a commit no longer in the repository)."""
    old, new = _commit(before), _commit(after)
    if not old or not new:
        return None
    try:
        done = subprocess.run(
            ["git", "diff", "--name-only", "--no-renames", "-z", old, new, "--", under],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return [path for path in done.stdout.decode("utf-8", "surrogateescape").split("\0") if path]


def _commit(head_value: str) -> str:
    """The commit of a full clone's `head()` ("0:false\n<sha>"), else ""."""
    code, _, out = head_value.partition(":")
    words = out.split()
    return words[1] if code == "0" and len(words) == 2 and words[0] == "false" else ""


def batch_contents(raw: bytes, count: int) -> list[bytes | None]:
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
