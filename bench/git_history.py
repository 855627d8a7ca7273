"""Benchmark: how long the Git step of a build takes for a large site.

Creates a repository with N accounts and K commits per account (10,000 commits for the defaults)
with `git fast-import`, then times what `outcomesite build` asks of Git: reading every account's
versions (one `git log`) and every old file (one `git cat-file --batch`), plus drafts.

    python bench/git_history.py [--accounts 1000] [--commits 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from outcomesite.history.versions import read_repository

TEMPLATE = """---
account: Account {n}
segment: smb
csm: Dana Reyes
start_date: 2026-01-05
results:
  - id: cycle-time
    goal: Faster month-end close
    metric: Days to close
    unit: days
    baseline: 12
    target: 6
    current: {value}
    measured_on: 2026-{month:02d}-01
    owner: Dana Reyes
---
## What's working

Version {version} of the notes.
"""


def fast_import_stream(accounts: int, commits: int) -> bytes:
    """One commit per (round, account): round r changes every account once."""
    out: list[bytes] = []
    mark = 0
    timestamp = 1767225600  # 2026-01-01
    for version in range(1, commits + 1):
        for n in range(accounts):
            mark += 1
            timestamp += 60
            body = TEMPLATE.format(
                n=n, value=12 - version * 0.5, month=min(version, 11), version=version
            )
            data = body.encode()
            message = f"account-{n:05d} v{version}".encode()
            out.append(b"commit refs/heads/main\n")
            out.append(f"mark :{mark}\n".encode())
            out.append(f"committer Bench <bench@example.com> {timestamp} +0000\n".encode())
            out.append(f"data {len(message)}\n".encode() + message + b"\n")
            if mark > 1:
                out.append(f"from :{mark - 1}\n".encode())
            out.append(f"M 100644 inline content/accounts/account-{n:05d}.md\n".encode())
            out.append(f"data {len(data)}\n".encode() + data + b"\n")
    return b"".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
        started = time.perf_counter()
        subprocess.run(
            ["git", "-C", str(root), "fast-import", "--quiet"],
            input=fast_import_stream(args.accounts, args.commits),
            check=True,
        )
        subprocess.run(["git", "-C", str(root), "checkout", "-q", "main"], check=True)
        setup = time.perf_counter() - started

        started = time.perf_counter()
        repo = read_repository(root)
        history_seconds = time.perf_counter() - started
        versions = [v for f in repo.files.values() for v in f.versions]
        started = time.perf_counter()
        contents = repo.read_versions(versions)
        read_seconds = time.perf_counter() - started

        drafts = sum(f.draft for f in repo.files.values())
        print(
            f"repository: {args.accounts} accounts x {args.commits} commits ({setup:.1f} s to create)"
        )
        print(f"{'step':<40}{'seconds':>10}")
        print(f"{'versions of every account (git log)':<40}{history_seconds:>10.2f}")
        print(f"{'every old file (git cat-file --batch)':<40}{read_seconds:>10.2f}")
        print(f"{'total Git step':<40}{history_seconds + read_seconds:>10.2f}")
        print(f"versions found: {len(versions)}, files read: {len(contents)}, drafts: {drafts}")
        assert len(versions) == args.accounts * args.commits
    return 0


if __name__ == "__main__":
    sys.exit(main())
