"""The one way outcomesite runs Git: a subprocess, its errors as GitError. Standard library only,
so that deciding whether a build has anything to do can ask for the commit cheaply."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


class GitError(Exception):
    pass


def run(root: Path, *args: str, input: bytes | None = None) -> bytes:
    """`git -C root args...`; its standard output, or GitError with what Git said.

    The input goes through a temporary file, not a pipe: a long `cat-file --batch` request
    written to a pipe alongside the reading of its answer costs a poll per few hundred bytes.
    """
    try:
        with tempfile.TemporaryFile() as stdin:
            if input is not None:
                stdin.write(input)
                stdin.seek(0)
            proc = subprocess.run(
                ["git", "-C", str(root), *args],
                stdin=stdin if input is not None else subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout


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
