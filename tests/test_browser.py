"""The sample site in a real browser: headless Chromium (Debian's, never a downloaded one) driven by
Playwright, over real HTTP on 127.0.0.1.

For two customer reports and the internal index: no console error, no request leaves the local
server, nothing scrolls sideways on a 375 px phone, axe-core finds nothing serious or critical, and
the page still shows its content with JavaScript turned off.

Needs /usr/bin/chromium and tests/browser/node_modules/axe-core (scripts/test installs both).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import playwright.sync_api as playwright_api
import pytest

from outcomesite import load_site
from outcomesite.build import BuildOptions, build_site
from tests.conftest import ROOT, copy_sample, git_at, serving

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AS_OF = dt.date(2026, 11, 23)
REPORTS = ["northwind-logistics", "meridian-hr-cloud"]
PAGES = [*REPORTS, "internal", "internal-list"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


@dataclass(frozen=True)
class Site:
    base: str  # http://127.0.0.1:<port>/ serving build/
    urls: dict[str, str]  # page name -> absolute URL
    names: dict[str, str]  # report slug -> account name
    goals: dict[str, list[str]]  # report slug -> its results' goals


OPTIONS = BuildOptions(
    pdf=False, environ={"OUTCOMESITE_SECRET": "s-0123456789abcdef0123456789abcdef"}, as_of=AS_OF
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("browser-site")
    copy_sample(root)
    build_site(root, OPTIONS)
    out = root / "build"
    accounts = {a.slug: a.data for a in load_site(root, AS_OF).accounts}
    index = json.loads((out / "internal" / "index.json").read_text(encoding="utf-8"))
    entries = {a["slug"]: a for a in index["accounts"]}

    # The server's root is build/, so the internal index's ../public/ links resolve.
    with serving(out) as base:
        urls = {slug: base + "public/" + entries[slug]["report_url"] for slug in entries}
        urls["internal"] = base + "internal/index.html"
        urls["internal-list"] = base + "internal/accounts-1.html"
        yield Site(
            base,
            urls,
            {slug: accounts[slug].account for slug in REPORTS},
            {slug: [r.goal for r in accounts[slug].results] for slug in REPORTS},
        )


@pytest.fixture(scope="module")
def history_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site in a Git repository with two dated commits, so the internal index has its
    "since" and "over time" sections (the other fixture's copy has no history)."""
    root = tmp_path_factory.mktemp("history-site")
    copy_sample(root)
    account = root / "content" / "accounts" / "tessellate-analytics.md"
    final = account.read_text(encoding="utf-8")
    account.write_text(final.replace("current: 12", "current: 13"), encoding="utf-8")
    git_at(root, "init", "-q")
    for date, message in (("2026-09-15", "first"), ("2026-10-20", "second")):
        if message == "second":
            account.write_text(final, encoding="utf-8")
        git_at(root, "add", "-A")
        git_at(root, "commit", "-qm", message, date=f"{date}T12:00:00+00:00")
    build_site(root, replace(OPTIONS, since=dt.date(2026, 10, 1)))
    html = (root / "build" / "internal" / "index.html").read_text(encoding="utf-8")
    assert 'id="since"' in html and 'id="over-time"' in html and "<svg" in html
    with serving(root / "build") as base:
        yield base + "internal/index.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    console_errors: list[str]
    page_errors: list[str]
    requests: list[str]
    scroll_width: int
    text: str


def visit(browser: object, url: str, viewport: dict[str, int], **context: object) -> Visit:
    ctx = browser.new_context(viewport=viewport, **context)  # type: ignore[attr-defined]
    try:
        page = ctx.new_page()
        console: list[str] = []
        errors: list[str] = []
        requests: list[str] = []
        page.on(
            "console",
            lambda m: (
                console.append(f"{m.text} [{m.location.get('url')}]") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url, wait_until="load")
        return Visit(
            console,
            errors,
            requests,
            page.evaluate("document.documentElement.scrollWidth"),
            page.inner_text("body"),
        )
    finally:
        ctx.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_and_only_from_the_local_server(
    site: Site, browser: object, name: str
) -> None:
    seen = visit(browser, site.urls[name], DESKTOP)
    assert seen.console_errors == [], f"{name}: console errors: {seen.console_errors}"
    assert seen.page_errors == [], f"{name}: page errors: {seen.page_errors}"
    origin = urlsplit(site.base).netloc
    outside = [u for u in seen.requests if urlsplit(u).netloc != origin]
    assert outside == [], f"{name}: requests that left the local server: {outside}"
    assert site.urls[name] in seen.requests
    # The stylesheets really loaded (a CSP or path mistake would drop them silently).
    assert any(u.endswith("/assets/report.css") for u in seen.requests), seen.requests


@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways_on_a_phone(site: Site, browser: object, name: str) -> None:
    seen = visit(browser, site.urls[name], PHONE)
    assert seen.console_errors == [] and seen.page_errors == []
    assert seen.scroll_width <= PHONE["width"], (
        f"{name}: the page is {seen.scroll_width} px wide at a {PHONE['width']} px viewport"
    )


def _axe_report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def axe_violations(
    browser: object,
    url: str,
    viewport: dict[str, int],
    before: str | None = None,
    impacts: tuple[str, ...] = ("serious", "critical"),
) -> list[dict]:
    """axe-core's violations for a page; `before` is JavaScript to run first (the self-test)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in tests/browser (scripts/test does)")
    # The pages' CSP (default-src 'none') blocks every script, the injected axe-core too, so this
    # context bypasses the CSP. It is the only one that does: the other tests see the real policy.
    ctx = browser.new_context(viewport=viewport, bypass_csp=True)  # type: ignore[attr-defined]
    try:
        page = ctx.new_page()
        page.goto(url, wait_until="load")
        if before:
            page.evaluate(before)
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("async () => await axe.run(document)")
    finally:
        ctx.close()
    assert results["passes"], "axe ran no rules at all"
    return [v for v in results["violations"] if v["impact"] in impacts]


SERIOUS = ("serious", "critical")
ANY = ("minor", "moderate", "serious", "critical")
ALL_REPORTS = sorted(p.stem for p in (ROOT / "content" / "accounts").glob("*.md"))
PHONE_390 = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=["1280", "390"])
@pytest.mark.parametrize("name", ALL_REPORTS)
def test_axe_finds_no_violation_on_any_sample_report(
    site: Site, browser: object, name: str, viewport: dict[str, int]
) -> None:
    """What a customer sees: every sample report, at desktop and phone width, with no axe-core
    violation of any impact."""
    bad = axe_violations(browser, site.urls[name], viewport, impacts=ANY)
    assert bad == [], f"{name} at {viewport['width']} px:\n{_axe_report(bad)}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_serious(
    site: Site, browser: object, name: str, viewport: dict[str, int]
) -> None:
    bad = axe_violations(browser, site.urls[name], viewport)
    assert bad == [], f"{name} at {viewport['width']} px:\n{_axe_report(bad)}"


def test_axe_does_catch_a_serious_problem(site: Site, browser: object) -> None:
    """The check above is live: pale grey text added to a report is reported as serious."""
    pale = (
        "() => { const p = document.createElement('p'); p.textContent = 'Barely visible';"
        " p.style.color = '#cccccc'; document.querySelector('main').append(p); }"
    )
    bad = axe_violations(browser, site.urls[REPORTS[0]], DESKTOP, before=pale)
    assert [v["id"] for v in bad] == ["color-contrast"], _axe_report(bad)


@pytest.mark.parametrize("name", PAGES)
def test_page_works_without_javascript(site: Site, browser: object, name: str) -> None:
    seen = visit(browser, site.urls[name], DESKTOP, java_script_enabled=False)
    if name == "internal-list":
        assert "All accounts, by rung" in seen.text
    elif name == "internal":
        assert "Riverbend State University" in seen.text  # the first card: no named result
        assert "Needs a person" in seen.text
        assert "Rollups" in seen.text
        every = visit(
            browser, site.base + "internal/accounts-1.html", DESKTOP, java_script_enabled=False
        )
        for account in ("Northwind Logistics", "Riverbend State University"):
            assert account in every.text
    else:
        assert site.names[name] in seen.text
        assert site.goals[name] and all(goal in seen.text for goal in site.goals[name])
        assert "Version " in seen.text
        assert "Download PDF" in seen.text


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=["1280", "390"])
def test_the_index_over_time_is_accessible_and_fits_a_phone(
    history_index: str, browser: object, viewport: dict[str, int]
) -> None:
    """The since section, the month chart and its table, cohorts and renewals: no axe-core
    violation of any impact, nothing scrolling sideways."""
    seen = visit(browser, history_index, viewport)
    assert seen.console_errors == [] and seen.page_errors == []
    assert seen.scroll_width <= viewport["width"]
    bad = axe_violations(browser, history_index, viewport, impacts=ANY)
    assert bad == [], f"index with history at {viewport['width']} px:\n{_axe_report(bad)}"
