"""Guard rails of the package's shape: no import cycles, nothing heavy on an up-to-date build, a
code digest that sees every module, and a theme guide that lists exactly the template variables."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import get_type_hints

import pytest

from outcomesite.build.state import package_digest
from outcomesite.render import charts, index, pages, views
from tests.conftest import AS_OF, ROOT, VALID, make_site

PACKAGE = ROOT / "src" / "outcomesite"
HEAVY = ("msgspec", "jinja2", "markdown_it", "weasyprint", "yaml", "babel")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def top_level_imports(path: Path, known: set[str]) -> set[str]:
    """Modules of the package this module imports when it is imported: top-level statements
    only (not `if TYPE_CHECKING:` blocks, not imports inside functions)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
    return found & known


def test_no_import_cycles() -> None:
    known = modules()
    graph = {name: top_level_imports(path, set(known)) - {name} for name, path in known.items()}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            name, trail = stack.pop()
            for target in graph[name]:
                if target == start:
                    return [*trail, start]
                if target not in trail and len(trail) < len(graph):
                    stack.append((target, [*trail, target]))
        return None

    cycles = [cycle for name in graph if (cycle := cycle_from(name))]
    assert cycles == []


def test_imports_are_read_the_way_python_runs_them(tmp_path: Path) -> None:
    """`from package import module` is an edge to the module; imports for type checking only
    and imports inside functions run later, so they are not edges."""
    (tmp_path / "a.py").write_text("from outcomesite.build import decide\n")
    known = {"outcomesite.build", "outcomesite.build.decide"}
    assert top_level_imports(tmp_path / "a.py", known) == {"outcomesite.build.decide"}
    (tmp_path / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import outcomesite.build\n"
        "def f():\n    import outcomesite.build\n"
    )
    assert top_level_imports(tmp_path / "b.py", known) == set()


def test_an_up_to_date_build_imports_nothing_heavy(tmp_path: Path) -> None:
    """A no-op `outcomesite build` answers from the build's record: no msgspec, Jinja, Markdown,
    WeasyPrint, YAML or Babel."""
    make_site(tmp_path, {"acme": VALID, "globex": VALID.replace("Acme Corp", "Globex")})
    past = time.time() - 3600
    for path in (tmp_path / "content").rglob("*"):
        os.utime(path, (past, past))
    script = (
        "import sys\n"
        "from outcomesite.cli import cli\n"
        "args = ['--root', sys.argv[1], 'build', '--no-pdf', '--as-of', sys.argv[2]]\n"
        "try:\n    cli(args)\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    env = {**os.environ, "OUTCOMESITE_SECRET": "structure-0123456789abcdef0123456789abcdef"}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, str(tmp_path), AS_OF.isoformat()],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )

    first = run()
    assert "built 2 account(s):" in first.stderr
    assert first.stdout.strip() != "[]"  # the first build renders, and imports what it needs
    again = run()
    assert "(0 changed)" in again.stderr
    assert again.stdout.strip() == "[]"


def test_the_code_digest_covers_every_module(tmp_path: Path) -> None:
    copy = tmp_path / "outcomesite"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = package_digest(copy)
    for path in sorted(copy.rglob("*.py")):
        stamp = path.stat().st_mtime_ns
        os.utime(path, ns=(stamp, stamp + 1_000_000_000))
        after = package_digest(copy)
        assert after != before, f"{path.relative_to(copy)} is not in the build's code digest"
        before = after


THEME_GUIDE = ROOT / "docs" / "theme-guide.md"
CONTRACTS = {
    "ReportPage": pages.ReportPage,
    "ResultView": views.ResultView,
    "ProgressBar": views.ProgressBar,
    "ChartView": charts.ChartView,
    "LadderStep": views.LadderStep,
    "Stamp": views.Stamp,
    "Highlights": views.Highlights,
    "Highlight": views.Highlight,
    "NextStepView": views.NextStepView,
    "VersionLink": views.VersionLink,
    "AccountView": index.AccountView,
    "IndexPage": pages.IndexPage,
    "ListPage": pages.ListPage,
    "PublicIndexPage": pages.PublicIndexPage,
}


def documented_variables() -> dict[str, set[str]]:
    """For each `### ...: TypeName` heading of the theme guide, the names in its table."""
    text = THEME_GUIDE.read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = section.partition("\n")
        name = heading.rsplit(": ", 1)[-1].strip()
        rows = [line for line in body.splitlines() if line.startswith("| `")]
        found[name] = {
            variable for row in rows for variable in re.findall(r"`(\w+)`", row.split("|")[1])
        }
    return found


@pytest.mark.parametrize("name", CONTRACTS)
def test_the_theme_guide_lists_exactly_the_template_variables(name: str) -> None:
    documented = documented_variables()
    assert name in documented, f"docs/theme-guide.md has no section for {name}"
    assert documented[name] == set(get_type_hints(CONTRACTS[name]))


def test_check_needs_no_pdf_renderer_and_no_templates(tmp_path: Path) -> None:
    """The pull-request check runs without Pango: `check` never imports WeasyPrint (or Jinja)."""
    make_site(tmp_path, {"acme": VALID})
    script = (
        "import sys\n"
        "from outcomesite.cli import cli\n"
        "try:\n    cli(['--root', sys.argv[1], 'check', '--as-of', sys.argv[2]])\n"
        "except SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'weasyprint', 'jinja2', 'cairocffi'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), AS_OF.isoformat()],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"
