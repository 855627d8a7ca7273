"""Trust, part 3: no failed build touches the last good one, and output depends only on the input.

Real builds, real failures: kill -9 at random moments and at chosen moves of the final commit, a
full disk (a file size limit set on the build process), read-only folders, an image or a PDF over
its limit, a PDF cache that cannot be written. After each, build/ is byte-identical to the last good
build, and the next build succeeds and equals a fresh full build.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from outcomesite.build import BuildOptions, BuildRefused, build_site, commit
from outcomesite.build.state import BuildState
from outcomesite.errors import OutcomesiteError
from outcomesite.links import link_id
from outcomesite.pdf.jobs import PdfError
from tests.conftest import AS_OF, ROOT, VALID, make_site

SECRET = "crash-secret-0123456789abcdef0123456789abcdef"
ENV = {"OUTCOMESITE_SECRET": SECRET}
OPTIONS = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF, jobs=1)
EXE = shutil.which("outcomesite") or str(Path(sys.executable).parent / "outcomesite")
CHART = ROOT / "content" / "accounts" / "northwind-logistics" / "chart.png"


def no_staging_left(site: Path) -> bool:
    """No staging folder is left: the replaced files are removed by a detached `rm -rf` after
    the build returns (commit.discard), so they are gone soon, not necessarily at once."""
    deadline = time.monotonic() + 10
    while list(site.glob(".build.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not list(site.glob(".build.tmp-*"))


def tree(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder`, with a hash of each file's bytes."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        found[key] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return found


def account(n: int, current: int = 44) -> str:
    return VALID.replace("Acme Corp", f"Customer {n:03d}").replace(
        "current: 44", f"current: {current}"
    )


def make_accounts(root: Path, count: int, current: int = 44) -> None:
    make_site(root, {f"acct-{n:03d}": account(n, current) for n in range(count)})


def age(root: Path) -> None:
    past = time.time() - 3600
    for path in (root / "content").rglob("*"):
        os.utime(path, (past, past))


def cli_build(
    root: Path, *args: str, env: dict[str, str] | None = None, pdf: bool = False
) -> subprocess.Popen[str]:
    """`outcomesite build` as a separate process (HTML only unless `pdf`, like OPTIONS)."""
    return subprocess.Popen(
        [EXE, "build", "--as-of", AS_OF.isoformat(), "--jobs", "1", *args]
        + ([] if pdf else ["--no-pdf"]),
        cwd=root,
        env={**os.environ, **ENV, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def fresh_full_build(root: Path, pdf: bool = False) -> dict[str, str]:
    out = root.parent / f"{root.name}-fresh"
    shutil.rmtree(out, ignore_errors=True)
    build_site(root, replace(OPTIONS, out=out, use_cache=False, pdf=pdf))
    return {k: v for k, v in tree(out).items() if not k.startswith(".outcomesite-")}


def outputs(root: Path) -> dict[str, str]:
    """The build's output without its bookkeeping (which records stamps and a build id)."""
    return {k: v for k, v in tree(root / "build").items() if not k.startswith(".outcomesite-")}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    make_accounts(root, 60)
    age(root)
    build_site(root, OPTIONS)
    return root


# --------------------------------------------------------------------------------------------
# kills


def test_kill_9_at_random_moments_never_damages_the_last_good_build(site: Path) -> None:
    """Each round edits all 60 accounts (an incremental build) and kills the build at a random
    moment: build/ is then the last good build, byte for byte, or the complete new one, or
    (a kill among the final moves, which take milliseconds) half moved with a journal from
    which the next build restores the last good one exactly."""
    rng = random.Random(20261202)
    landed = {"before the end": 0, "among the moves": 0, "after the end": 0}
    for round_ in range(8):
        good = tree(site / "build")
        make_accounts(site, 60, current=30 + round_)
        complete = fresh_full_build(site)
        process = cli_build(site)
        time.sleep(rng.uniform(0.05, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        journals = [p for p in site.glob(".build.tmp-*") if (p / commit.JOURNAL).exists()]
        if journals:
            assert commit.recover(site / "build")
            assert tree(site / "build") == good, "a kill among the moves is undone exactly"
            landed["among the moves"] += 1
        elif tree(site / "build") == good:
            landed["before the end"] += 1
        else:
            assert outputs(site) == complete  # the build had finished: nothing half-written
            assert BuildState.read(site / "build") is not None
            landed["after the end"] += 1
        assert commit.recover(site / "build")
        finished = cli_build(site)  # the next build succeeds and is correct
        assert finished.wait() == 0
        assert outputs(site) == complete
    assert landed["before the end"] >= 2, landed
    assert no_staging_left(site)


@pytest.mark.parametrize("moves_done", [0, 1, 30, 61])
def test_kill_9_in_the_middle_of_the_final_moves_is_undone(site: Path, moves_done: int) -> None:
    """The moves of an incremental build are few and quick; a kill among them leaves a journal
    from which the next build restores the last good build exactly, before building."""
    good = tree(site / "build")
    make_accounts(site, 60, current=41)
    process = cli_build(site, env={commit.CRASH_AFTER_MOVES: str(moves_done)})
    assert process.wait() == -signal.SIGKILL
    journals = [p for p in site.glob(".build.tmp-*") if (p / commit.JOURNAL).exists()]
    assert len(journals) == 1
    if moves_done:
        assert tree(site / "build") != good  # the kill really landed among the moves
    assert commit.recover(site / "build")
    assert tree(site / "build") == good
    assert not (journals[0] / commit.JOURNAL).exists()

    process = cli_build(site)
    assert process.wait() == 0
    assert outputs(site) == fresh_full_build(site)


def test_the_next_build_after_a_kill_in_the_moves_is_correct(site: Path) -> None:
    make_accounts(site, 60, current=41)
    assert cli_build(site, env={commit.CRASH_AFTER_MOVES: "20"}).wait() == -signal.SIGKILL
    done = cli_build(site)
    assert done.wait() == 0
    assert outputs(site) == fresh_full_build(site)
    assert no_staging_left(site)


def test_staging_folders_of_killed_builds_are_removed(site: Path) -> None:
    make_accounts(site, 60, current=41)
    process = cli_build(site)
    deadline = time.monotonic() + 30
    while not list(site.glob(".build.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert list(site.glob(".build.tmp-*")), "the kill should leave a staging folder"
    build_site(site, OPTIONS)
    assert no_staging_left(site)


def test_a_full_build_is_swapped_in_with_no_moment_without_a_build(site: Path) -> None:
    missing: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (site / "build" / "public" / "index.html").exists():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(5):
            build_site(site, replace(OPTIONS, use_cache=False))
    finally:
        stop.set()
        watcher.join()
    assert missing == []


# --------------------------------------------------------------------------------------------
# failures that are not kills


def failed_incremental(site: Path, edit: str, expect: type[Exception], **options: Any) -> None:
    good = tree(site / "build")
    make_site(site, {"acct-001": edit, "acct-002": account(2, current=41)})
    with pytest.raises(expect):
        build_site(site, replace(OPTIONS, **options))
    assert tree(site / "build") == good


def test_an_image_over_the_size_limit_fails_without_touching_the_build(site: Path) -> None:
    (site / "content/accounts/acct-001").mkdir()
    with (site / "content/accounts/acct-001/big.png").open("wb") as file:
        file.write(CHART.read_bytes())
        file.truncate(11_000_000)
    failed_incremental(site, account(1) + "\n![big](big.png)\n", BuildRefused)


def test_a_pdf_over_its_time_limit_fails_without_touching_the_build(tmp_path: Path) -> None:
    root = tmp_path / "site"
    make_accounts(root, 3)
    build_site(root, replace(OPTIONS, pdf=True))
    good = tree(root / "build")
    long_text = "\n\n".join(f"Paragraph {n}: " + "word " * 80 for n in range(300))
    make_site(root, {"acct-001": account(1) + "\n" + long_text + "\n"})
    with pytest.raises(PdfError) as caught:
        build_site(root, replace(OPTIONS, pdf=True, pdf_timeout=0.01))
    assert "the PDF took longer than 0.01 s to render" in str(caught.value)
    assert tree(root / "build") == good


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """A folder no build may change: read-only for a normal user, immutable (chattr) for root,
    whom permissions do not stop."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    else:
        path.chmod(0o555)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o755)


def test_a_read_only_report_folder_fails_the_build_with_one_line(site: Path) -> None:
    good = tree(site / "build")
    make_site(site, {"acct-001": account(1, current=41), "acct-002": account(2, current=41)})
    folder = site / "build/public/r" / link_id(SECRET.encode(), "acct-002", 1)
    with immutable(folder):
        process = cli_build(site)
        assert process.wait() == 2
        assert process.stderr is not None
        message = process.stderr.read()
        assert tree(site / "build") == good
    assert message.startswith("Error: could not write the build: ")
    assert message.rstrip().endswith("the previous build was left as it was")
    assert len(message.strip().splitlines()) == 1
    assert cli_build(site).wait() == 0
    assert outputs(site) == fresh_full_build(site)


def test_a_read_only_index_fails_after_some_moves_and_they_are_undone(site: Path) -> None:
    """The index is moved in after the accounts' folders: a failure there undoes those."""
    good = tree(site / "build")
    make_accounts(site, 60, current=41)
    with immutable(site / "build" / "internal"), pytest.raises(OutcomesiteError):
        build_site(site, OPTIONS)
    assert tree(site / "build") == good


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _build_on_a_full_disk(site: Path, limit: int, *args: str) -> tuple[int, str]:
    """`outcomesite build` with no file allowed past `limit` bytes: (exit status, stderr)."""
    process = subprocess.Popen(
        [EXE, "build", "--as-of", AS_OF.isoformat(), "--jobs", "1", "--no-pdf", *args],
        cwd=site,
        env={**os.environ, **ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: _limit_file_size(limit),
    )
    _, err = process.communicate()
    return process.returncode, err


@pytest.mark.parametrize("kind", ["full", "incremental"])
def test_a_full_disk_fails_with_one_line_and_keeps_the_build(site: Path, kind: str) -> None:
    good = tree(site / "build")
    make_accounts(site, 60, current=41)
    make_site(site, {"acct-001": account(1) + "\n" + "Long notes. " * 20_000 + "\n"})
    # The limit lets the empty details database (seven 16 KB pages) be made, not the long page.
    status, err = _build_on_a_full_disk(site, 200_000, *(["--no-cache"] if kind == "full" else []))
    assert status == 2, err
    assert err.startswith("Error: could not write the build: File too large")
    assert "Traceback" not in err
    assert tree(site / "build") == good


def test_a_full_disk_under_the_builds_details_fails_with_one_line(site: Path) -> None:
    """The details database (SQLite) is the first file past the limit here: SQLite's own error
    is reported as the file that could not be written, and the last build stays."""
    good = tree(site / "build")
    make_accounts(site, 120, current=41)
    status, err = _build_on_a_full_disk(site, 200_000, "--no-cache")
    assert status == 2, err
    assert err.startswith("Error: could not write the build: the build's details cannot be written")
    assert ".outcomesite-details.sqlite" in err and "Traceback" not in err
    assert tree(site / "build") == good


def test_a_full_disk_while_a_rebuild_copies_the_details_fails_with_one_line(site: Path) -> None:
    """A rebuild copies the last details into its staging folder in a thread, while it reads
    the config and Git (details.copying): a copy that fails there is the build's error, in
    one line, and the last build and no staging folder stay."""
    good = tree(site / "build")
    details = site / "build" / ".outcomesite-details.sqlite"
    make_site(site, {"acct-001": account(1, current=41)})
    status, err = _build_on_a_full_disk(site, details.stat().st_size - 1)
    assert status == 2, err
    assert err.startswith("Error: could not write the build: File too large"), err
    assert ".outcomesite-details.sqlite" in err and "Traceback" not in err
    assert tree(site / "build") == good
    assert no_staging_left(site)


def test_a_pdf_cache_that_cannot_be_written_costs_time_not_the_build(tmp_path: Path) -> None:
    root = tmp_path / "site"
    make_accounts(root, 2)
    (root / ".outcomesite/cache/pdf").mkdir(parents=True)
    with immutable(root / ".outcomesite/cache/pdf"):
        process = cli_build(root, pdf=True)
        assert process.wait() == 0
        assert process.stderr is not None
        err = process.stderr.read()
    assert "warning: the PDF cache in " in err
    assert "cannot be written" in err and "rendered again next time" in err
    assert len(list((root / "build/public/r").glob("*/*.pdf"))) == 2


# --------------------------------------------------------------------------------------------
# 8. no absolute path of the build machine in any output; 10. no dependence on render order


def test_the_same_site_built_in_two_folders_is_byte_identical(tmp_path: Path) -> None:
    text = (
        VALID
        + "\n![Chart](chart.png)\n\nSee [the details](details/notes.html) and "
        + "[our site](https://example.com/).\n"
    )
    for name in ("one", "elsewhere/two"):
        root = make_site(tmp_path / name, {"acme": text, "globex": VALID.replace("Acme", "Globex")})
        (root / "content/accounts/acme").mkdir()
        shutil.copyfile(CHART, root / "content/accounts/acme/chart.png")
    epoch = {"SOURCE_DATE_EPOCH": "1795000000"}
    for name in ("one", "elsewhere/two"):
        process = subprocess.run(
            [EXE, "build", "--jobs", "1"],
            cwd=tmp_path / name,
            env={**os.environ, **ENV, **epoch},
            capture_output=True,
            text=True,
        )
        assert process.returncode == 0, process.stderr
    one, two = outputs(tmp_path / "one"), outputs(tmp_path / "elsewhere/two")
    assert one == two
    for path in (tmp_path / "one/build").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert str(tmp_path).encode() not in data, path
            assert b"file:///" not in data or path.suffix != ".pdf", path


def test_no_minus_zero_whatever_order_accounts_are_rendered_in(tmp_path: Path) -> None:
    """A progress of -0.0 and one of 0.0 shared a cache entry, so a report said "0%" or "-0%"
    depending on which account a worker rendered first."""

    def moved(name: str, current: str) -> str:
        return (
            VALID.replace("Acme Corp", name)
            .replace("baseline: 60", "baseline: 0")
            .replace("target: 40", "target: -10")
            .replace("current: 44", f"current: {current}")
        )

    pages: dict[str, dict[str, str]] = {}
    for order, slugs in {"zero first": ("a", "b"), "minus zero first": ("b", "a")}.items():
        root = make_site(
            tmp_path / order.replace(" ", "-"),
            {slugs[0]: moved("Zero", "0.0"), slugs[1]: moved("Minus zero", "-0.0")},
        )
        build_site(root, OPTIONS)
        pages[order] = {
            name: (root / "build/public/r" / link_id(SECRET.encode(), slug, 1) / "index.html")
            .read_text(encoding="utf-8")
            .split("<main", 1)[1]
            for slug, name in zip(slugs, ("Zero", "Minus zero"), strict=True)
        }
    assert pages["zero first"] == pages["minus zero first"]
    for page in pages["zero first"].values():
        assert "-0" not in page.split("<footer", 1)[0]


def test_ctrl_c_stops_the_workers_and_keeps_the_build(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group, PDF workers included: the build says
    "interrupted" (exit 130, not a PDF error), the last good build stays, no worker lives on."""
    root = tmp_path / "site"
    make_accounts(root, 8)
    build_site(root, replace(OPTIONS, pdf=True))
    good = tree(root / "build")
    make_accounts(root, 8, current=41)
    process = subprocess.Popen(
        [EXE, "build", "--as-of", AS_OF.isoformat(), "--jobs", "2", "--no-cache"],
        cwd=root,
        env={**os.environ, **ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(
        (root).glob(".build.tmp-*/public/r/*/index.html")
    ):
        time.sleep(0.02)
    time.sleep(0.5)  # into the PDFs
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == "Error: interrupted", err
    assert "PDF" not in err
    assert tree(root / "build") == good
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("a process of the build outlived it")
