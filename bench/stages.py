"""Where a build's time goes: one cold and one one-edit HTML build in a single process, profiled.

With --jobs 1 every stage runs in this process, so cProfile sees all of it. Prints the time of
each stage (cumulative seconds, with the profiler's overhead) for a synthetic site of N accounts.

    python bench/stages.py [--accounts 2000]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

from outcomesite.build import BuildOptions, build_site

STAGES = [
    ("state: scan the site's files", "build/stamps.py", "accounts"),
    ("each account, in its worker", "build/worker.py", "_build_one"),
    ("  read and validate", "build/worker.py", "_validated"),
    ("  YAML front matter", "load/frontmatter.py", "parse_document"),
    ("  schema and rules", "load/convert.py", "convert"),
    ("  Markdown: parse", "load/narrative.py", "parse"),
    ("  Markdown: HTML", "render/markdown.py", "render"),
    ("  error rules", "load/rules/__init__.py", "errors"),
    ("  warnings", "load/rules/__init__.py", "warnings"),
    ("plan: links, versions", "build/plan.py", "plan_account"),
    ("render: report pages", "render/pages.py", "report_html"),
    ("render: index pieces", "render/pages.py", "pieces_html"),
    ("write: report files", "pathlib.py", "write_text"),
    ("index: put together and write", "build/write.py", "write_internal"),
    ("state: record the build", "build/state.py", "write"),
    ("state: the last build's details", "build/details.py", "heads"),
]


def profile(call: str, scope: dict[str, object]) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.runctx(call, scope, scope)
    return pstats.Stats(profiler)


def stage_times(stats: pstats.Stats) -> list[tuple[str, float]]:
    table = stats.stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in table.values())
    rows = [("whole build", total)]
    for label, file, function in STAGES:
        seconds = sum(
            entry[3]
            for (path, _, name), entry in table.items()
            if path.endswith(file) and name == function
        )
        rows.append((label, seconds))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    args = parser.parse_args()
    options = BuildOptions(
        pdf=False,
        jobs=1,
        keep_pages=False,
        as_of=dt.date(2026, 11, 23),
        environ={"OUTCOMESITE_SECRET": "bench-0123456789abcdef0123456789abcdef"},
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.accounts)
        scope: dict[str, object] = {"build_site": build_site, "root": root, "options": options}
        cold = stage_times(profile("build_site(root, options)", scope))
        edited = root / "content" / "accounts" / "customer-00007.md"
        edited.write_text(edited.read_text().replace("Customer 00007", "Customer 00007 (edited)"))
        edit = stage_times(profile("build_site(root, options)", scope))
    print(
        f"where the time goes, {args.accounts} accounts, one process (profiler overhead included)"
    )
    print(f"{'stage':<40}{'cold':>10}{'one edit':>10}")
    for (label, seconds), (_, edit_seconds) in zip(cold, edit, strict=True):
        print(f"{label:<40}{seconds:>9.2f}s{edit_seconds:>9.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
