"""Shared fixtures: real sites in temporary folders, checked through the public API and the CLI."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from outcomesite import load_site
from outcomesite.cli import cli

AS_OF = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent

# A complete, valid account at rung 4 that produces no warning on AS_OF. Line numbers matter:
# the message tables in the tests point at them.
VALID = """\
---
account: Acme Corp
segment: enterprise
csm: Dana Reyes
start_date: 2026-09-01
results:
  - id: onboarding-time
    goal: Cut onboarding time
    metric: Days to onboard
    unit: days
    direction: decrease
    baseline: 60
    target: 40
    current: 44
    measured_on: 2026-11-01
    owner: Dana Reyes
    attribution: Guided onboarding replaced the paper checklist.
    validator:
      name: Priya Shah
      role: VP Operations
      confirmed_on: 2026-11-10
---
## What's working

Onboarding is faster.
"""


def edited(case: str, edits: list[tuple[str, str]], text: str = VALID) -> str:
    """`text` (the VALID account) with each (old, new) edit applied once, in order; an edit that
    does not apply fails the test case instead of silently testing the unedited file."""
    for old, new in edits:
        assert old in text, f"the edit {old!r} for {case!r} does not apply"
        text = text.replace(old, new, 1)
    return text


def copy_sample(target: Path) -> Path:
    """The example site of this repository (its accounts, images, settings and logo) in `target`."""
    shutil.copytree(ROOT / "content", target / "content")
    shutil.copy2(ROOT / "outcomesite.yaml", target / "outcomesite.yaml")
    return target


def make_site(root: Path, accounts: dict[str, str], config: str | None = None) -> Path:
    folder = root / "content" / "accounts"
    folder.mkdir(parents=True, exist_ok=True)
    for slug, text in accounts.items():
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    if config is not None:
        (root / "outcomesite.yaml").write_text(config, encoding="utf-8")
    return root


def diagnostics_of(root: Path, as_of: dt.date = AS_OF) -> list[str]:
    return [d.format_text() for d in load_site(root, as_of).diagnostics]


def run_cli(root: Path, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args], env=env, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs the same on a laptop and in CI: `CI` (which GitHub sets) changes what
    `build` prints and requires, so it is unset; the tests of that behaviour set it themselves."""
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def http_server() -> Iterator[tuple[int, list[str]]]:
    """A tiny HTTP server on 127.0.0.1 that counts every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b"p { color: red }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """`folder` over real HTTP on 127.0.0.1 (a build's pages, as a host serves them); its URL."""
    handler = functools.partial(_QuietFiles, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def git_at(root: Path, *args: str, date: str = "2026-05-01T12:00:00") -> str:
    """`git -C root args...` as a test author at `date` (author and committer date): history
    with chosen dates."""
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = subprocess.run(
        ["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every process started from here on (git's, in these tests), as its argument list:
    subprocess.run's and those started to be waited for later (history/git.py's `started`)."""
    calls: list[list[str]] = []

    class Counted(subprocess.Popen[bytes]):
        def __init__(self, args: list[str], *more: Any, **options: Any) -> None:
            calls.append(list(args))
            super().__init__(args, *more, **options)

    monkeypatch.setattr(subprocess, "Popen", Counted)
    return calls
