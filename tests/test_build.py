"""`outcomesite build` end to end: the output layout, the customer report, refusals, atomic swaps,
the `--out` guard, published images and themes.

Every site is a real folder under tmp_path, built through `build_site` or the CLI; pages are read
with the stdlib HTML parser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote
from urllib.robotparser import RobotFileParser

import jinja2
import pytest
from markupsafe import escape

import outcomesite
from outcomesite import load_site
from outcomesite.build import BuildOptions, BuildRefused, build_site
from outcomesite.i18n import translator
from outcomesite.links import link_id
from outcomesite.pdf.jobs import PdfError
from outcomesite.render.theme import Theme, ThemeError
from tests.conftest import AS_OF, ROOT, VALID, copy_sample, make_site, run_cli
from tests.html_tree import Node, parse

SECRET = "test-secret-0123456789abcdef0123456789abcdef"
ENV = {"OUTCOMESITE_SECRET": SECRET}
FAST = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF)
WITH_PDF = BuildOptions(pdf=True, jobs=1, environ=ENV, as_of=AS_OF)
DEFAULT_ASSETS = Path(outcomesite.__file__).parent / "themes" / "default" / "assets"

NO_OWNER = VALID.replace("    owner: Dana Reyes\n", "")
OWNER_ERROR = (
    "content/accounts/acme.md:7: error: result `onboarding-time`: `owner` is missing: "
    "add a line `owner: ...` with the internal owner of this result (a person's name)"
)
# Measured 175 days before AS_OF, in a relationship that started before that.
STALE = VALID.replace("measured_on: 2026-11-01", "measured_on: 2026-06-01").replace(
    "start_date: 2026-09-01", "start_date: 2026-05-01"
)
REFUSED_ERRORS = "not building: the content has errors; fix them and build again"
REFUSED_STRICT = "not building: the content has warnings (--strict); fix them and build again"

# The sample site's rungs on AS_OF, worked out by hand from the account files.
SAMPLE_RUNGS = {
    "harborview-clinics": 4,
    "northwind-logistics": 4,
    "quillfield-property": 4,
    "alpenrad-fertigung": 3,
    "kestrel-valley-water": 3,
    "ledgerline-payments": 3,
    "brightcart-home-goods": 2,
    "meridian-hr-cloud": 1,
    "tessellate-analytics": 1,
    "riverbend-university": 0,
}
LABELS = ["Activity", "Adoption", "Outcome", "Measurable Result"]
SAMPLE_SLUGS = sorted(p.stem for p in (ROOT / "content" / "accounts").glob("*.md"))


URL_ATTRS = ("href", "src", "action", "formaction", "poster", "data", "srcset", "xlink:href")


def urls(doc: Node) -> list[str]:
    return [n.attrs[a] or "" for n in doc.iter() for a in URL_ATTRS if a in n.attrs]


# --- helpers ------------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` with a hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        )
        for p in sorted(folder.rglob("*"))
    }


def leftovers(parent: Path) -> list[str]:
    """Staging or swapped-out folders a build leaves next to its output. A replaced build is
    deleted in the background: give that a few seconds before calling it a leftover."""
    deadline = time.monotonic() + 10
    while True:
        found = sorted(p.name for p in parent.iterdir() if re.match(r"\.build\.(tmp|old)-", p.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def link(slug: str, version: int = 1) -> str:
    return link_id(SECRET.encode(), slug, version)


def day(value: dt.date, locale: str = "en_US") -> str:
    """The medium date as the sample's reports print it: Nov 10, 2026; 10.11.2026 in German."""
    if locale == "de_DE":
        return f"{value:%d.%m.%Y}"
    assert locale == "en_US", locale
    return f"{value:%b} {value.day}, {value.year}"


@dataclass(frozen=True)
class SampleBuild:
    root: Path
    build: Path
    site: outcomesite.Site

    def folder(self, slug: str) -> Path:
        account = next(a for a in self.site.accounts if a.slug == slug)
        return self.build / "public" / "r" / link(slug, account.data.link_version)

    def report(self, slug: str) -> Node:
        return parse(self.folder(slug) / "index.html")

    def raw(self, slug: str) -> str:
        return html.unescape((self.folder(slug) / "index.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleBuild:
    """The repository's sample site, plus files in an account folder the narrative does not use."""
    root = copy_sample(tmp_path_factory.mktemp("sample"))
    extra = root / "content" / "accounts" / "northwind-logistics"
    (extra / "notes.txt").write_text("internal draft, do not publish\n", encoding="utf-8")
    (extra / "unused.png").write_bytes(b"\x89PNG\r\n\x1a\nunused")
    (extra / "drafts").mkdir()
    (extra / "drafts" / "old-chart.png").write_bytes(b"\x89PNG\r\n\x1a\nold")
    build_site(root, FAST)
    return SampleBuild(root, root / "build", load_site(root, AS_OF))


# --- output layout ------------------------------------------------------------------------------


def test_output_layout_with_pdfs(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": VALID.replace("Acme Corp", "Globex")})
    report = build_site(tmp_path, WITH_PDF)
    out = tmp_path / "build"
    assert report.out == out
    assert report.pdfs == 2

    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {"public", "internal"}
    public, internal = out / "public", out / "internal"
    for name in ("index.html", "robots.txt", "assets/report.css", "assets/print.css"):
        assert (public / name).is_file(), name
    for name in ("index.html", "index.json", "index.csv"):
        assert (internal / name).is_file(), name
    assert {p.name for p in (public / "r").iterdir() if p.is_dir()} == {
        link("acme"),
        link("globex"),
    }
    for slug in ("acme", "globex"):
        folder = public / "r" / link(slug)
        assert {p.name for p in folder.iterdir()} == {"index.html", f"{slug}.pdf"}
        assert (folder / f"{slug}.pdf").read_bytes().startswith(b"%PDF-")
    assert leftovers(tmp_path) == []


def test_robots_txt_disallows_everything(sample: SampleBuild) -> None:
    robots = RobotFileParser()
    robots.parse((sample.build / "public" / "robots.txt").read_text(encoding="utf-8").splitlines())
    for agent in ("*", "Googlebot", "GPTBot"):
        for path in ("/", "/index.html", f"/r/{link('harborview-clinics')}/"):
            assert not robots.can_fetch(agent, path), (agent, path)


def test_public_index_lists_nothing(sample: SampleBuild) -> None:
    path = sample.build / "public" / "index.html"
    doc = parse(path)
    raw = html.unescape(path.read_text(encoding="utf-8"))
    assert [u for u in urls(doc) if re.search(r"(^|/)r/", u)] == []
    for account in sample.site.accounts:
        assert account.data.account not in raw
        assert account.slug not in raw
        assert link(account.slug, account.data.link_version) not in raw


def test_assets_load_nothing_from_the_network(sample: SampleBuild) -> None:
    sheets = list((sample.build / "public" / "assets").rglob("*.css"))
    assert sheets
    for sheet in sheets:
        css = sheet.read_text(encoding="utf-8")
        assert not re.search(r"(?i)url\(\s*['\"]?\s*(https?:)?//", css), sheet.name
        assert not re.search(r"(?i)@import\s+(url\()?\s*['\"]?\s*(https?:)?//", css), sheet.name


# --- the customer report ------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SAMPLE_SLUGS)
def test_every_sample_report(sample: SampleBuild, slug: str) -> None:
    account = next(a for a in sample.site.accounts if a.slug == slug)
    data = account.data
    doc = sample.report(slug)
    raw = sample.raw(slug)
    text = doc.text
    rung = SAMPLE_RUNGS[slug]
    # Each report in its account's language (Alpenrad's is German): the same checks, in its words.
    locale = data.locale or "en_US"
    _ = translator(locale).gettext

    def opening(message: str) -> str:
        """A sentence's words before its first value: "Rose from", "Gestiegen von"."""
        return translator(locale).catalog.gettext(message).split("%(")[0].strip()

    # Who, when, which version.
    assert data.account in next(iter(doc.iter("h1"))).text
    assert _("Data as of %(date)s", date=day(dt.date(2026, 11, 23), locale)) in text
    assert _("Version %(number)s", number=1) in text
    assert "commit" not in text.lower()  # the commit stays internal

    # The ladder: four rungs in order, exactly one marked current, and it is the right one.
    labels = [_(label) for label in LABELS]
    ladder = next(ol for ol in doc.iter("ol") if labels[-1] in ol.text)
    steps = ladder.find_all("li")
    assert len(steps) == 4
    assert [label in step.text for step, label in zip(steps, labels, strict=True)] == [True] * 4
    current = [n for n in doc.iter() if "aria-current" in n.attrs]
    if rung == 0:
        assert current == []
        assert _("No named result") + "." in text
    else:
        assert [n.attrs["aria-current"] for n in current] == ["step"]
        assert current[0] is steps[rung - 1]
        summary = _("Rung %(number)s: %(label)s.", number=rung, label=labels[rung - 1])
        assert summary in text
        why = text.split(summary, 1)[1].split(".", 1)[0].strip()
        assert len(why) > 20, "a sentence saying why the account is on this rung"
    if rung == 4:
        assert _("Top rung reached.") in text
        assert _("To reach the next rung:") not in text
    else:
        assert re.search(re.escape(_("To reach the next rung:")) + r" \w+", text)

    # One article per result, with its goal, metric, movement, validation and owner.
    articles = list(doc.iter("article"))
    assert len(articles) == len(data.results)
    for article, result in zip(articles, data.results, strict=True):
        body = article.text
        assert result.goal in body
        assert result.metric in body
        assert result.owner in body
        if result.current is None:
            assert opening("Not measured yet: baseline %(baseline)s, target %(target)s") in body
        elif result.current > result.baseline:
            assert opening("Rose from %(baseline)s to %(current)s; target %(target)s") in body
        elif result.current < result.baseline:
            assert opening("Fell from %(baseline)s to %(current)s; target %(target)s") in body
        else:
            assert opening("Unchanged at %(current)s; target %(target)s") in body
        validator = result.validator
        if validator is None:
            assert "validator" not in body.lower()  # an empty field is not shown
        else:
            who = validator.name + (f", {validator.role}" if validator.role else "")
            if validator.confirmed_on:
                on = day(validator.confirmed_on, locale)
                assert _("Confirmed by %(who)s, on %(date)s", who=who, date=on) in body
            else:
                assert _("Awaiting confirmation from %(who)s", who=who) in body

    # The PDF is one click away, next to the page.
    assert [a for a in doc.find_all("a") if a.attrs.get("href") == f"{slug}.pdf"]

    # Privacy and safety headers.
    csp = doc.find_all("meta", **{"http-equiv": "Content-Security-Policy"})
    assert len(csp) == 1
    assert "default-src 'none'" in (csp[0].attrs["content"] or "")
    assert "unsafe" not in (csp[0].attrs["content"] or "")
    robots = doc.find_all("meta", name="robots")
    assert len(robots) == 1 and (robots[0].attrs["content"] or "").startswith("noindex")
    assert [m.attrs["content"] for m in doc.find_all("meta", name="referrer")] == ["no-referrer"]
    assert list(doc.iter("script")) == []
    assert "<script" not in raw.lower()

    # No third-party resource: every absolute URL is one the narrative itself wrote.
    for url in urls(doc):
        if re.match(r"(?i)\s*(https?:)?//", url):
            assert url in account.body, url

    # Nothing about any other account, nothing internal.
    for other in sample.site.accounts:
        if other.slug != slug:
            assert other.data.account not in raw
            assert other.slug not in raw
            assert link(other.slug, other.data.link_version) not in raw
    notes = data.internal_notes or ""
    if notes:
        assert notes not in raw
        for fragment in re.split(r"[.;]\s+", notes):
            if len(fragment) >= 20:
                assert fragment not in raw, fragment
    for word in ("90-day", "failing", "result check", "needs attention", "not_due"):
        assert word not in raw.lower(), word


def test_northwind_report_in_detail(sample: SampleBuild) -> None:
    doc = sample.report("northwind-logistics")
    text = doc.text
    assert (
        "Rung 4: Measurable Result. At least one of your results moved in the right direction, "
        "is tied to the product, and your team confirmed it." in text
    )
    onboarding, errors = list(doc.iter("article"))
    assert "Fell from 60 days to 38 days; target 40 days" in onboarding.text
    assert "Confirmed by Priya Shah, VP Operations, on Nov 10, 2026" in onboarding.text
    assert "Dana Reyes" in onboarding.text
    assert "Fell from 14 to 9 errors; target 6" in errors.text
    # Gareth confirmed the September value (11); the November one (9) awaits his confirmation.
    assert (
        "Confirmed by Gareth Kimble, Director of Warehouse Training, on Sep 15, 2026: 11 errors"
        in errors.text
    )
    assert (
        "Not confirmed yetThe latest value, 9 errors (Nov 2, 2026), awaits confirmation by your "
        "team." in errors.text
    )
    assert "Owner at Brightpath SoftwareTomás Herrera" in errors.text
    # The narrative's own headings, table and image are there, and the customer's logo.
    assert "What's working" in text
    assert [img.attrs["src"] for img in doc.iter("img")] == [
        "../../assets/logo.svg",
        "logo.svg",
        "chart.png",
    ]
    assert "Renewal 2027-03-31" not in text
    assert "6% discount" not in text


def test_rung_zero_report_is_honest(sample: SampleBuild) -> None:
    doc = sample.report("riverbend-university")
    text = doc.text
    assert "No named result. We have not named a result with you yet." in text
    assert (
        "To reach the next rung: Name a first result together: a goal you would call valuable, "
        "how we measure it, where it starts and where it should get to." in text
    )
    assert (
        "No result named yet: naming the first one together is the next step"
        in next(n for n in doc.iter() if n.attrs.get("id") == "highlights").text
    )
    assert list(doc.iter("article")) == []
    assert "Registrar's office is live" in text


def test_moving_away_from_the_target_is_reported(sample: SampleBuild) -> None:
    doc = sample.report("meridian-hr-cloud")
    tickets, response, self_service = list(doc.iter("article"))
    assert "Rose from 340 to 355 tickets/week; target 250" in tickets.text
    assert "Moved away from the target" in tickets.text
    assert "Not measured yet: baseline 95 minutes, target 45 minutes" in response.text
    assert response.text.count("easure") == 1  # said once, not in three places
    assert "Current" not in response.text  # an empty field is not shown
    assert "Fell from 38% to 37%; target 60%" in self_service.text
    assert "Moved away from the target" in self_service.text


# --- refusing to build --------------------------------------------------------------------------


def test_errors_refuse_the_build_and_keep_the_previous_one(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    build_site(tmp_path, FAST)
    before = snapshot(tmp_path / "build")

    make_site(tmp_path, {"acme": NO_OWNER})
    with pytest.raises(BuildRefused) as refused:
        build_site(tmp_path, FAST)
    assert str(refused.value) == REFUSED_ERRORS
    assert refused.value.exit_code == 1
    assert [d.format_text() for d in refused.value.site.diagnostics] == [OWNER_ERROR]
    assert snapshot(tmp_path / "build") == before
    assert leftovers(tmp_path) == []


def test_errors_refuse_the_build_on_the_command_line(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    build_site(tmp_path, FAST)
    before = snapshot(tmp_path / "build")

    make_site(tmp_path, {"acme": NO_OWNER})
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", "2026-11-23", env=ENV)
    assert result.exit_code == 1
    assert result.stdout == OWNER_ERROR + "\n"
    assert result.stderr == f"Error: {REFUSED_ERRORS}\n"
    assert snapshot(tmp_path / "build") == before
    assert leftovers(tmp_path) == []


def test_a_first_build_with_errors_writes_nothing(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": NO_OWNER})
    before = snapshot(tmp_path)
    with pytest.raises(BuildRefused, match=re.escape(REFUSED_ERRORS)):
        build_site(tmp_path, FAST)
    assert snapshot(tmp_path) == before


def test_warnings_refuse_only_a_strict_build(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": STALE})
    warnings = [d.format_text() for d in load_site(tmp_path, AS_OF).diagnostics]
    assert len(warnings) == 1 and ": warning: " in warnings[0]
    report = build_site(tmp_path, FAST)
    assert [w.format_text() for w in report.warnings] == warnings
    before = snapshot(tmp_path / "build")

    with pytest.raises(BuildRefused) as refused:
        build_site(tmp_path, BuildOptions(pdf=False, strict=True, environ=ENV, as_of=AS_OF))
    assert str(refused.value) == REFUSED_STRICT
    assert snapshot(tmp_path / "build") == before

    result = run_cli(tmp_path, "build", "--no-pdf", "--strict", "--as-of", "2026-11-23", env=ENV)
    assert result.exit_code == 1
    assert result.stdout == warnings[0] + "\n"
    assert result.stderr == f"Error: {REFUSED_STRICT}\n"
    assert snapshot(tmp_path / "build") == before
    assert leftovers(tmp_path) == []


# --- atomic swap --------------------------------------------------------------------------------


def test_a_removed_account_disappears_on_rebuild(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": VALID.replace("Acme Corp", "Globex")})
    build_site(tmp_path, FAST)
    r = tmp_path / "build" / "public" / "r"
    assert {p.name for p in r.iterdir() if p.is_dir()} == {link("acme"), link("globex")}

    (tmp_path / "content" / "accounts" / "globex.md").unlink()
    build_site(tmp_path, FAST)
    assert {p.name for p in r.iterdir() if p.is_dir()} == {link("acme")}
    index = json.loads((tmp_path / "build" / "internal" / "index.json").read_text("utf-8"))
    assert [a["slug"] for a in index["accounts"]] == ["acme"]
    for page in (tmp_path / "build" / "internal").glob("*.html"):
        assert "Globex" not in page.read_text("utf-8"), page.name
    assert leftovers(tmp_path) == []


def test_a_pdf_failure_keeps_the_previous_build(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    build_site(tmp_path, FAST)
    before = snapshot(tmp_path / "build")

    with pytest.raises(PdfError) as failed:
        build_site(tmp_path, BuildOptions(pdf=True, pdf_timeout=0.001, environ=ENV, as_of=AS_OF))
    assert str(failed.value) == (
        "acme: the PDF took longer than 0.001 s to render and was stopped; "
        "shorten the narrative or its tables"
    )
    assert snapshot(tmp_path / "build") == before
    assert leftovers(tmp_path) == []


# --- --out safety -------------------------------------------------------------------------------


def test_out_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"acme": VALID})
    other = tmp_path / "docs"
    other.mkdir()
    (other / "thesis.txt").write_text("years of work\n", encoding="utf-8")
    before = snapshot(tmp_path)

    result = run_cli(
        site, "build", "--no-pdf", "--out", str(other), "--as-of", "2026-11-23", env=ENV
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {other} exists and was not made by outcomesite build: it was left untouched; "
        "choose another --out or remove it\n"
    )
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where", ["site", "parent"])
def test_out_refuses_the_site_itself(tmp_path: Path, where: str) -> None:
    site = make_site(tmp_path / "site", {"acme": VALID})
    out = site if where == "site" else tmp_path
    before = snapshot(tmp_path)

    result = run_cli(site, "build", "--no-pdf", "--out", str(out), "--as-of", "2026-11-23", env=ENV)
    assert result.exit_code == 2
    assert (
        result.stderr == f"Error: --out {out} would replace the site itself: choose a new folder\n"
    )
    assert snapshot(tmp_path) == before


def test_out_rebuilds_its_own_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"acme": VALID})
    out = tmp_path / "published"
    for _ in range(2):
        result = run_cli(
            site, "build", "--no-pdf", "--out", str(out), "--as-of", "2026-11-23", env=ENV
        )
        assert result.exit_code == 0, result.stderr
    assert (out / "public" / "r" / link("acme") / "index.html").is_file()
    assert not (site / "build").exists()
    assert leftovers(tmp_path) == []


# --- images -------------------------------------------------------------------------------------


def test_narrative_images_and_nothing_else_are_published(sample: SampleBuild) -> None:
    folder = sample.folder("northwind-logistics")
    assert {p.name for p in folder.iterdir()} == {"index.html", "chart.png", "logo.svg"}
    source = sample.root / "content" / "accounts" / "northwind-logistics" / "chart.png"
    assert (folder / "chart.png").read_bytes() == source.read_bytes()

    published = [p.relative_to(sample.build).as_posix() for p in sample.build.rglob("*")]
    for name in ("notes.txt", "unused.png", "old-chart.png", "drafts"):
        assert [p for p in published if p.endswith(name)] == []
    assert [p for p in published if p.endswith(".md")] == []
    for slug in SAMPLE_SLUGS:
        if slug != "northwind-logistics":
            assert [p.name for p in sample.folder(slug).iterdir()] == ["index.html"]


@pytest.mark.parametrize("name", ["Q3 chart.png", "Übersicht.png"])
def test_image_names_that_need_url_encoding(tmp_path: Path, name: str) -> None:
    """A file name with a space or an umlaut passes `check`, so `build` must publish it."""
    make_site(tmp_path, {"acme": VALID + f"\n![Scrap cost by month](<{name}>)\n"})
    (tmp_path / "content" / "accounts" / "acme").mkdir()
    (tmp_path / "content" / "accounts" / "acme" / name).write_bytes(b"\x89PNG\r\n\x1a\nchart")
    assert load_site(tmp_path, AS_OF).diagnostics == ()

    build_site(tmp_path, FAST)
    folder = tmp_path / "build" / "public" / "r" / link("acme")
    [src] = [img.attrs["src"] or "" for img in parse(folder / "index.html").iter("img")]
    assert (folder / unquote(src)).read_bytes() == b"\x89PNG\r\n\x1a\nchart"


# --- themes and templates -----------------------------------------------------------------------

BRAND_REPORT = """\
{% extends "default/report.html" %}
{% block body_class %}report brand-report{% endblock %}
{% block meta %}{{ super() }}<meta name="brand" content="Brand theme for {{ account_name }}">
{% endblock %}
"""
BRAND_CSS = "/* brand */\nbody { color: #123456; }\n"


def brand_site(root: Path, template: str = BRAND_REPORT) -> Path:
    make_site(root, {"acme": VALID}, "theme: brand\n")
    (root / "themes" / "brand" / "templates").mkdir(parents=True)
    (root / "themes" / "brand" / "assets").mkdir(parents=True)
    (root / "themes" / "brand" / "templates" / "report.html").write_text(template, "utf-8")
    (root / "themes" / "brand" / "assets" / "report.css").write_text(BRAND_CSS, "utf-8")
    return root


def test_theme_overrides_and_falls_back(tmp_path: Path) -> None:
    brand_site(tmp_path)
    build_site(tmp_path, FAST)
    public = tmp_path / "build" / "public"

    doc = parse(public / "r" / link("acme") / "index.html")
    [body] = list(doc.iter("body"))
    assert body.attrs["class"] == "report brand-report"
    assert [m.attrs["content"] for m in doc.find_all("meta", name="brand")] == [
        "Brand theme for Acme Corp"
    ]
    assert "Fell from 60 days to 44 days; target 40 days" in doc.text  # the default's body

    assert (public / "assets" / "report.css").read_text("utf-8") == BRAND_CSS
    for name in ("print.css", "index.css"):
        assert (public / "assets" / name).read_bytes() == (DEFAULT_ASSETS / name).read_bytes()
    internal = parse(tmp_path / "build" / "internal" / "accounts-1.html")
    assert "Acme Corp" in internal.text


def test_theme_overriding_one_stylesheet_still_renders_pdfs(tmp_path: Path) -> None:
    """The brand theme replaces report.css only: the PDF must fall back to the default print.css."""
    brand_site(tmp_path)
    report = build_site(tmp_path, WITH_PDF)
    assert report.pdfs == 1
    pdf = tmp_path / "build" / "public" / "r" / link("acme") / "acme.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_undefined_template_variable_fails_loudly(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    build_site(tmp_path, FAST)
    before = snapshot(tmp_path / "build")

    brand_site(
        tmp_path,
        '{% extends "default/report.html" %}\n'
        '{% block meta %}<meta name="x" content="{{ no_such_variable }}">{% endblock %}\n',
    )
    with pytest.raises(ThemeError) as failed:
        build_site(tmp_path, FAST)
    assert (
        str(failed.value) == "theme `brand`, template report.html: 'no_such_variable' is undefined"
    )
    assert failed.value.exit_code == 1
    assert snapshot(tmp_path / "build") == before
    assert leftovers(tmp_path) == []


def test_account_text_is_escaped(tmp_path: Path) -> None:
    text = VALID.replace("account: Acme Corp", 'account: "<b>Acme</b>"') + (
        "\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> and <i>raw</i>\n"
    )
    make_site(tmp_path, {"acme": text})
    build_site(tmp_path, FAST)

    page = tmp_path / "build" / "public" / "r" / link("acme") / "index.html"
    source = page.read_text(encoding="utf-8")
    doc = parse(page)
    assert "&lt;b&gt;Acme&lt;/b&gt;" in source
    assert "<b>Acme</b>" not in source
    assert "<b>" not in source
    assert list(doc.iter("b")) == []
    assert list(doc.iter("script")) == []
    assert list(doc.iter("i")) == []
    assert [img.attrs for img in doc.iter("img")] == []
    assert "<b>Acme</b>" in next(iter(doc.iter("h1"))).text
    assert "<script>alert(1)</script>" in doc.text

    internal = (tmp_path / "build" / "internal" / "accounts-1.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Acme&lt;/b&gt;" in internal
    assert "<b>" not in internal


# --- the command line ---------------------------------------------------------------------------


def test_cli_build_prints_a_one_line_summary(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    site = load_site(root, AS_OF)
    warnings = [d.format_text() for d in site.diagnostics if d.severity == "warning"]
    count = len(SAMPLE_SLUGS)

    result = run_cli(root, "build", "--no-pdf", "--as-of", "2026-11-23", env=ENV)
    assert result.exit_code == 0
    assert result.stdout == ""
    note, kinds, summary = result.stderr.splitlines()
    assert (
        note == "note: not a Git repository: every account is version 1 and has no version history"
    )
    # The sample's warnings are deliberate (README): one line says what they are ...
    assert kinds == (
        "19 warnings: 6 results without a validator, 5 accounts failing the result check, "
        "3 results moving away from their target, 2 overdue results, 1 account with no named "
        "result, 1 stale measurement, 1 validator below the segment's level "
        "(`outcomesite check` or `build --verbose` lists each, with its file and line)"
    )
    assert len(warnings) == 19
    assert re.fullmatch(
        rf"built {count} account\(s\): {count} report\(s\), 0 PDF\(s\) \(0 rendered, 0 reused\), "
        rf"{len(warnings)} "
        rf"warning\(s\) in \d+\.\d s -> {re.escape(str(root / 'build'))}",
        summary,
    ), summary
    assert len(list((root / "build" / "public" / "r").glob("*/"))) == count
    # ... and --verbose lists each, with its file and line.
    verbose = run_cli(root, "build", "--no-pdf", "--verbose", "--as-of", "2026-11-23", env=ENV)
    lines = verbose.stderr.splitlines()
    assert [line for line in lines if ": warning: " in line] == warnings


def test_the_links_folder_has_an_empty_index(tmp_path: Path) -> None:
    """Hosts that list folders (nginx autoindex) must never list the share links at r/."""
    make_site(tmp_path, {"acme": VALID})
    build_site(tmp_path, FAST)
    assert (tmp_path / "build/public/r/index.html").read_text(encoding="utf-8") == ""


def test_a_theme_can_add_a_stylesheet_for_html_and_pdf(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, config="theme: brand\n")
    assets = tmp_path / "themes/brand/assets"
    assets.mkdir(parents=True)
    (assets / "theme.css").write_text("h1 { letter-spacing: .02em; }\n", encoding="utf-8")
    build_site(tmp_path, replace(FAST, pdf=True, jobs=1))
    report = (tmp_path / "build/public/r" / link("acme") / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../../assets/theme.css">' in report
    assert (tmp_path / "build/public/assets/theme.css").is_file()
    assert (
        (tmp_path / "build/public/r" / link("acme") / "acme.pdf").read_bytes().startswith(b"%PDF")
    )


def test_templates_read_dict_keys_before_dict_methods(tmp_path: Path) -> None:
    """Views are plain dicts: `x.items` in a template is the key `items` when there is one."""
    theme = Theme(tmp_path, "default")
    template = theme.env.from_string("{{ d.items }} {{ d.account }} {{ e.get('k') }}")
    assert template.render(d={"items": "3 items", "account": "Acme"}, e={"k": "v"}) == (
        "3 items Acme v"
    )


class _Keyed(dict[str, str]):
    """A dict that is not a plain dict: Jinja's own order (the attribute, then the key)."""

    account = "attribute"


@dataclass
class _Plain:
    account: object = "from an attribute"


READS: list[tuple[str, object]] = [
    ("dict with the key", {"account": "Acme"}),
    ("dict key named like a method", {"account": "Acme", "items": "3 items"}),
    ("dict subclass: attribute first", _Keyed(account="key")),
    ("object attribute", _Plain()),
    ("nested dicts", {"account": {"account": "inner"}}),
    ("dict in an object", _Plain(account={"account": "deep"})),
    ("object in a dict", {"account": _Plain()}),
]


@pytest.mark.parametrize("value", [v for _, v in READS], ids=[case for case, _ in READS])
def test_compiled_attribute_reads_are_the_environments(tmp_path: Path, value: object) -> None:
    """The theme's code generator reads a plain dict's key in the compiled template itself
    (render/theme.py); whatever the value, one level down or two, the page says what the
    environment's getattr says."""
    env = Theme(tmp_path, "default").env
    code = env.compile("{{ d.account.account }}", raw=True)
    assert "_held[" in code and "environment.getattr(" in code
    for source, path in (
        ("{{ d.account }}", ["account"]),
        ("{{ d.items }}", ["items"]),
        ("{{ d.account.account }}", ["account", "account"]),
    ):
        expected: object = value
        for key in path:
            expected = env.getattr(expected, key)
        if isinstance(expected, jinja2.Undefined):
            with pytest.raises(jinja2.UndefinedError):
                env.from_string(source).render(d=value)
        else:
            assert env.from_string(source).render(d=value) == str(escape(expected))


def test_a_missing_key_is_undefined_as_before(tmp_path: Path) -> None:
    """A key a plain dict lacks is an error of the theme (StrictUndefined), named as Jinja names it."""
    env = Theme(tmp_path, "default").env
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'missing'"):
        env.from_string("{{ d.missing }}").render(d={"account": "Acme"})


def test_the_build_takes_its_account_files_from_the_scan_as_a_listing_finds_them(
    tmp_path: Path,
) -> None:
    """A full build lists the accounts its scan stamped instead of listing the folder again:
    the same files, in the same order, whatever else the folder holds."""
    from outcomesite.build.stamps import Scanner
    from outcomesite.load.site import account_files

    make_site(tmp_path, {"zeta": VALID, "a-b": VALID, "a": VALID, ".hidden": VALID})
    accounts = tmp_path / "content" / "accounts"
    (accounts / ".md").write_text(VALID, "utf-8")  # a hidden file, not an account
    (accounts / "notes.txt").write_text("not an account", "utf-8")
    (accounts / "folder.md").mkdir()  # a folder, whatever its name
    (accounts / "zeta").mkdir()
    (accounts / "zeta" / "logo.svg").write_text("<svg/>", "utf-8")
    (accounts / "linked.md").symlink_to(accounts / "a.md")  # refused by name, but listed
    (accounts / "dangling.md").symlink_to(accounts / "nowhere.md")
    listed = account_files(tmp_path)
    assert [p.name for p in listed] == [
        ".hidden.md", "a-b.md", "a.md", "dangling.md", "linked.md", "zeta.md"
    ]  # fmt: skip
    assert account_files(tmp_path, Scanner(tmp_path).accounts().keys()) == listed


def test_one_accounts_stamp_is_what_the_scan_of_the_whole_folder_gives_it(tmp_path: Path) -> None:
    """A cold build's workers stamp their own accounts (Scanner.account) instead of the parent
    scanning them all first: the same digest and the same stamps, whatever an account's file
    and folder are."""
    from outcomesite.build.stamps import Scanner
    from outcomesite.load.site import account_files

    slugs = ["plain", "imaged", "nested", "linked-folder", "file-folder"]
    make_site(tmp_path, {slug: VALID for slug in slugs})
    accounts = tmp_path / "content" / "accounts"
    (accounts / "imaged").mkdir()
    (accounts / "imaged" / "logo.svg").write_text("<svg/>", "utf-8")
    (accounts / "nested" / "charts").mkdir(parents=True)
    (accounts / "nested" / "charts" / "before.png").write_bytes(b"\x89PNG")
    (accounts / "linked-folder").symlink_to(accounts / "imaged")
    (accounts / "file-folder").write_text("a file where a folder goes", "utf-8")
    (accounts / "linked.md").symlink_to(accounts / "plain.md")
    (accounts / "dangling.md").symlink_to(accounts / "nowhere.md")
    (accounts / "orphan").mkdir()  # a folder without its account file: no account
    whole = Scanner(tmp_path)
    digests = whole.accounts()
    one_by_one: dict[str, str] = {}
    stamps = {}
    for path in account_files(tmp_path):
        scanner = Scanner(tmp_path, started_ns=whole.started_ns)
        one_by_one[path.stem] = scanner.account(path.stem)
        stamps.update(scanner.stamps)
    assert one_by_one == digests
    assert stamps == whole.stamps
    # The same file with a folder (or a folder's link) is another digest each time.
    with_folders = {digests[slug] for slug in ["plain", "imaged", "nested", "linked-folder"]}
    assert len(with_folders) == 4
