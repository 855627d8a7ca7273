"""Benchmark `outcomesite changes`: cold and warm runs on a site with a long Git history.

Generates N synthetic accounts (bench/generate.py, fixed seed) in a new Git repository and makes C
commits, one a month from 2026-01-15, each of which rewrites every account file: every result's
`current` takes a step of a deterministic random walk between the baseline and the target (the
generator's range, -0.3 to 1.3 of the way, so some results slip back past the baseline),
`measured_on` becomes the commit's date, and a customer's `confirmed_on` becomes the previous
commit's date (a confirmation of a value only an earlier version holds, which `changes` reads from
Git too; `--confirmed-on measured`: the commit's date, the latest value confirmed). Dates are never
before the account's `start_date`: generated starts run to 2026-10, so a date before it is moved to
it. The site is kept in --site, so a second run of this script skips generation; `outcomesite
check` must pass on its final tree.

Each measurement runs the real command line, `outcomesite -C SITE changes --since S --as-of A
--format json`, with --since three months before the last commit and --as-of after it: cold (the
site's .outcomesite/cache/ deleted first: git log and every placed version) and warm (cache kept).
Prints the medians, the target and what the JSON reported, to show the runs did real work.

    python bench/changes.py [--accounts 10000] [--commits 10] [--runs 3] [--site DIR]
                            [--confirmed-on previous|measured]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

ENV = {**os.environ, "OUTCOMESITE_SECRET": "bench-secret-0123456789abcdef0123456789abcdef"}
ENV.pop("CI", None)
FIRST_COMMIT = dt.date(2026, 1, 15)
LATEST_AS_OF = dt.date(2026, 11, 23)  # after every generated date (confirmed_on 2026-11-21)
COLD_TARGET = 5.0  # seconds, at 10,000 accounts x 10 commits on the 2-core machine
TARGETS_AT = (10_000, 10)
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]

_START = re.compile(r"^start_date: (\S+)$", re.M)
_BASELINE = re.compile(r"^    baseline: (\S+)$", re.M)
_TARGET = re.compile(r"^    target: (\S+)$", re.M)
_CURRENT = re.compile(r"^    current: \S+$", re.M)
_MEASURED = re.compile(r"^    measured_on: \S+$", re.M)
_CONFIRMED = re.compile(r"^      confirmed_on: \S+$", re.M)


def outcomesite() -> str:
    return shutil.which("outcomesite") or str(Path(sys.executable).parent / "outcomesite")


def commit_day(k: int) -> dt.date:
    """The k-th commit's date (0-based): the 15th of each month from January 2026."""
    month = FIRST_COMMIT.month - 1 + k
    return FIRST_COMMIT.replace(year=FIRST_COMMIT.year + month // 12, month=month % 12 + 1)


def months_before(day: dt.date, months: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - months
    return day.replace(year=month // 12, month=month % 12 + 1)


def report_days(commits: int) -> tuple[dt.date, dt.date]:
    """--since three months before the last commit; --as-of a month after it, and not before
    the generator's latest date (so no date in the final tree is in the future)."""
    last = commit_day(commits - 1)
    return months_before(last, 3), max(months_before(last, -1), LATEST_AS_OF)


def walks(text: str, seed: int, slug: str, commits: int) -> list[list[float]]:
    """Per result, its `current` at each commit: a walk of the share of the way from the
    baseline to the target, kept within the generator's -0.3 to 1.3."""
    rng = random.Random(f"{seed}-changes-{slug}")
    found: list[list[float]] = []
    for base, goal in zip(_BASELINE.findall(text), _TARGET.findall(text), strict=True):
        baseline, target = float(base), float(goal)
        share = rng.uniform(-0.3, 0.5)
        values: list[float] = []
        for _ in range(commits):
            share = min(1.3, max(-0.3, share + rng.uniform(-0.2, 0.3)))
            values.append(baseline + (target - baseline) * share)
        found.append(values)
    return found


def version(text: str, values: list[list[float]], k: int, previous: bool) -> str:
    """The account file as commit k leaves it (`previous`: confirmed as of the commit before)."""
    start = dt.date.fromisoformat(_START.findall(text)[0])
    measured = max(start, commit_day(k)).isoformat()
    confirmed = max(start, commit_day(max(k - 1, 0) if previous else k)).isoformat()
    currents = iter(f"    current: {v[k]:.1f}" for v in values)
    text = _CURRENT.sub(lambda _: next(currents), text)
    text = _MEASURED.sub(f"    measured_on: {measured}", text)
    return _CONFIRMED.sub(f"      confirmed_on: {confirmed}", text)


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [*GIT, *args], cwd=root, env=env or ENV, check=True, capture_output=True, text=True
    )
    return done.stdout


def make_site(site: Path, accounts: int, commits: int, seed: int, previous: bool) -> float | None:
    """The site with its history in `site` (seconds taken; None: it was there already). Built
    in a sibling folder and renamed at the end, so an interrupted run leaves no half site."""
    if (site / ".git").is_dir():
        count = int(git(site, "rev-list", "--count", "HEAD").strip())
        found = len(list((site / "content" / "accounts").glob("*.md")))
        if (count, found) != (commits, accounts):
            sys.exit(
                f"{site} has {count} commits and {found} accounts, not {commits} and "
                f"{accounts}: remove it or give another --site"
            )
        return None
    started = time.perf_counter()
    partial = site.with_name(site.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    generate(partial, accounts, seed)
    files = sorted((partial / "content" / "accounts").glob("*.md"))
    texts = [path.read_text(encoding="utf-8") for path in files]
    values = [walks(t, seed, p.stem, commits) for p, t in zip(files, texts, strict=True)]
    git(partial, "init", "-q")
    for k in range(commits):
        for path, text, walk in zip(files, texts, values, strict=True):
            path.write_text(version(text, walk, k, previous), encoding="utf-8")
        when = f"{commit_day(k).isoformat()}T12:00:00+00:00"
        env = {**ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        git(partial, "add", "-A", env=env)
        git(partial, "commit", "-q", "-m", f"Monthly update {k + 1}", env=env)
    partial.rename(site)
    return time.perf_counter() - started


def check(site: Path, as_of: dt.date) -> tuple[float, str]:
    """`outcomesite check` on the final tree: seconds, and its last line of output."""
    started = time.perf_counter()
    done = subprocess.run(
        [outcomesite(), "-C", str(site), "check", "--as-of", as_of.isoformat()],
        env=ENV,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"outcomesite check failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    lines = (done.stdout + done.stderr).strip().splitlines()
    return seconds, lines[-1] if lines else ""


def run_changes(site: Path, since: dt.date, as_of: dt.date, cold: bool) -> tuple[float, str]:
    """Wall seconds of one `outcomesite changes` process, and its JSON output."""
    if cold:
        shutil.rmtree(site / ".outcomesite" / "cache", ignore_errors=True)
    command = [outcomesite(), "-C", str(site), "changes", "--since", since.isoformat()]
    command += ["--as-of", as_of.isoformat(), "--format", "json"]
    started = time.perf_counter()
    done = subprocess.run(command, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout


Row = tuple[str, str, str, str]  # measurement, value, target, note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=10, help="one a month (at least 4)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (median shown)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--confirmed-on",
        choices=["previous", "measured"],
        default="previous",
        help="a confirmation's date: the previous commit's (default) or the commit's",
    )
    parser.add_argument(
        "--site",
        type=Path,
        help="default: /tmp/outcomesite-bench-changes-ACCOUNTS-COMMITS[-confirmed-measured]",
    )
    args = parser.parse_args()
    if args.commits < 4 or args.runs < 1:
        parser.error("--commits must be at least 4 and --runs at least 1")
    variant = "" if args.confirmed_on == "previous" else "-confirmed-measured"
    default = f"/tmp/outcomesite-bench-changes-{args.accounts}-{args.commits}{variant}"
    site = args.site or Path(default)
    previous = args.confirmed_on == "previous"
    since, as_of = report_days(args.commits)

    made = make_site(site.resolve(), args.accounts, args.commits, args.seed, previous)
    site = site.resolve()
    check_seconds, check_said = check(site, as_of)

    cold = [run_changes(site, since, as_of, cold=True) for _ in range(args.runs)]
    warm = [run_changes(site, since, as_of, cold=False) for _ in range(args.runs)]
    outputs = {hashlib.sha256(out.encode()).hexdigest() for _, out in cold + warm}
    found = json.loads(cold[0][1])
    cold_median = statistics.median(s for s, _ in cold)
    warm_median = statistics.median(s for s, _ in warm)

    at_target = (args.accounts, args.commits) == TARGETS_AT
    note = "met" if cold_median <= COLD_TARGET else f"missed ({cold_median / COLD_TARGET:.1f}x)"
    runs = ", ".join(f"{s:.2f}" for s, _ in cold)
    rows: list[Row] = [
        (
            "cold (cache deleted), median",
            f"{cold_median:.2f} s",
            "< 5 s",
            note if at_target else "",
        ),
        ("cold runs", runs, "", "s"),
        ("warm (cache kept), median", f"{warm_median:.2f} s", "", ""),
        ("warm runs", ", ".join(f"{s:.2f}" for s, _ in warm), "", "s"),
        ("same JSON on every run", str(len(outputs) == 1), "True", ""),
    ]
    climbed = sum(m["to_rung"] > m["from_rung"] for m in found["moved"])
    for key in ("moved", "named", "confirmed", "worsened", "added", "removed"):
        extra = (
            f"{climbed} climbed, {len(found['moved']) - climbed} slipped" if key == "moved" else ""
        )
        rows.append((f"JSON `{key}` entries", str(len(found[key])), "", extra))
    slugs = {item["slug"] for key in ("moved", "confirmed", "worsened") for item in found[key]}
    rows.append(("accounts in moved/confirmed/worsened", str(len(slugs)), "", ""))

    print(
        f"outcomesite changes, {args.accounts} accounts x {args.commits} commits "
        f"(one a month from {FIRST_COMMIT.isoformat()}), confirmed_on: {args.confirmed_on}, "
        f"{os.cpu_count()} CPUs"
    )
    generated = "reused" if made is None else f"generated in {made:.1f} s"
    print(f"site: {site} ({generated})")
    print(
        f"outcomesite check --as-of {as_of.isoformat()}: passed in {check_seconds:.2f} s: {check_said}"
    )
    print(f"command: outcomesite -C SITE changes --since {since} --as-of {as_of} --format json")
    print(f"{'measurement':<40}{'value':>18}  {'target':<8} note")
    for name, value, target, extra in rows:
        print(f"{name:<40}{value:>18}  {target:<8} {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
