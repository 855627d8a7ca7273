"""The internal index at 10,000 accounts: every page within its size limit, every report linked.

The site is bench/generate.py's (fixed seed), with the portfolio option: 40 CSMs, renewal dates and
ARR. One HTML build of it takes about 15 s here.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from outcomesite.build import BuildOptions, build_site
from tests.conftest import AS_OF, ROOT

ACCOUNTS = 10_000
MB = 1_000_000
HREF = re.compile(r'href="([^"#:]+)"')


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def internal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ten-thousand")
    _generator().generate(root, ACCOUNTS, portfolio=True)
    options = BuildOptions(
        pdf=False, environ={"OUTCOMESITE_SECRET": "scale-" + "0" * 32}, as_of=AS_OF
    )
    report = build_site(root, options)
    assert report.accounts == ACCOUNTS
    return root / "build" / "internal"


def test_no_page_is_too_large(internal: Path) -> None:
    pages = {page.name: page.stat().st_size for page in internal.glob("*.html")}
    assert len(pages) > 20  # the lists are split into pages
    assert pages["index.html"] < 500_000, pages["index.html"]
    too_large = {name: size for name, size in pages.items() if size > 1.5 * MB}
    assert too_large == {}


def test_every_report_is_linked_from_the_first_page(internal: Path) -> None:
    """Crawl from internal/index.html by its links: every account's report is reached."""
    seen, todo, reports = {"index.html"}, ["index.html"], set()
    while todo:
        html = (internal / todo.pop()).read_text("utf-8")
        for href in HREF.findall(html):
            if href.startswith("../public/r/") and href.endswith("/"):
                reports.add(href)
            elif href.endswith(".html") and "/" not in href and href not in seen:
                seen.add(href)
                todo.append(href)
    published = {
        f"../public/r/{folder.name}/"
        for folder in (internal.parent / "public" / "r").iterdir()
        if folder.is_dir()
    }
    assert len(published) == ACCOUNTS
    assert reports == published


def test_the_pages_need_no_javascript(internal: Path) -> None:
    for page in internal.glob("*.html"):
        assert "<script" not in page.read_text("utf-8"), page.name
