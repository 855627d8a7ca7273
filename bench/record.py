"""Benchmark `outcomesite record`: one measurement into each of N generated account files.

Generates the site once (bench/generate.py, fixed seed), writes a CSV of one valid measurement per
account (the first result of each, dated after every generated `measured_on`), and times the whole
`outcomesite -C SITE record measurements.csv` process, start-up and workers included: the median of
three runs, each on a fresh copy of the site (a second run would find nothing to change), flushed
to disk before the clock starts. Prints a table.

    python bench/record.py [--accounts 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

AS_OF = "2026-11-23"
DATE = "2026-11-22"  # after every generated measured_on (2026-11-01..20), not in the future
TARGET_SECONDS = 10.0
TARGET_ACCOUNTS = 10_000


def outcomesite() -> str:
    return shutil.which("outcomesite") or str(Path(sys.executable).parent / "outcomesite")


def measurements(site: Path) -> str:
    """One row per account: its first result, a value inside the generated range."""
    lines = ["account,result,value,date,source"]
    for index, path in enumerate(sorted((site / "content" / "accounts").glob("*.md"))):
        lines.append(f"{path.stem},result-1,{50 + index % 100}.5,{DATE},Bench export")
    return "\n".join(lines) + "\n"


def run_record(site: Path, csv: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [outcomesite(), "-C", str(site), "record", str(csv), "--as-of", AS_OF],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"record failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=TARGET_ACCOUNTS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        original = Path(tmp) / "site"
        generate(original, args.accounts)
        csv = Path(tmp) / "measurements.csv"
        csv.write_text(measurements(original), encoding="utf-8")
        times = []
        for run in range(args.runs):
            site = Path(tmp) / f"run-{run}"
            shutil.copytree(original, site)
            # The copy's own writes must reach the disk before the clock starts: otherwise the
            # kernel flushes them during the run, and the figure measures the copy.
            os.sync()
            times.append(run_record(site, csv))
            changed = sum(
                a.read_bytes() != b.read_bytes()
                for a, b in zip(
                    sorted((original / "content" / "accounts").glob("*.md")),
                    sorted((site / "content" / "accounts").glob("*.md")),
                    strict=True,
                )
            )
            shutil.rmtree(site)
    median = statistics.median(times)
    met = "met" if median <= TARGET_SECONDS else f"missed ({median / TARGET_SECONDS:.1f}x)"
    note = met if args.accounts == TARGET_ACCOUNTS else ""
    print(
        f"outcomesite record, {args.accounts} measurements into {args.accounts} files (outside "
        f"Git), {os.cpu_count()} CPUs, {args.runs} runs"
    )
    print(f"{'measurement':<40}{'value':>10}  {'target':<10} note")
    rows = [
        ("record, median wall time", f"{median:.2f} s", "<= 10 s", note),
        ("record, fastest / slowest", f"{min(times):.2f} s", "", f"slowest {max(times):.2f} s"),
        ("per measurement", f"{median / args.accounts * 1000:.2f} ms", "", ""),
        ("files changed (last run)", str(changed), str(args.accounts), ""),
    ]
    for name, value, target, row_note in rows:
        print(f"{name:<40}{value:>10}  {target:<10} {row_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
