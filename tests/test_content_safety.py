"""Account files are data, not code: a hostile corpus through the renderer, check and a real build.

SPEC, "Content safety": raw HTML in Markdown is escaped; only http, https, mailto and relative links
survive; `check` reports `file:`, `data:` and `javascript:` links (and images that are not files in
the account's own folder) as errors; front-matter values are text, never markup.
"""

from __future__ import annotations

import dataclasses
import html as htmlmod
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup, escape
from pypdf import PdfReader

from outcomesite import load_site
from outcomesite.build import BuildOptions, BuildReport, build_site
from outcomesite.i18n import translator
from outcomesite.render.markdown import render_text as render
from outcomesite.render.page import AccountPage
from outcomesite.render.pages import report_html
from outcomesite.render.theme import Theme, escape_text
from tests.conftest import AS_OF, ROOT, VALID, make_site, run_cli

ENV = {"OUTCOMESITE_SECRET": "s-0123456789abcdef0123456789abcdef"}
CHART = ROOT / "content" / "accounts" / "northwind-logistics" / "chart.png"
# VALID is 25 lines; the corpus goes after a blank line, so its first line is line 27.
CORPUS_LINE = len(VALID.splitlines()) + 2

LINK = "link `{url}` uses the `{scheme}:` scheme, which is not allowed: use an http, https or mailto link, or remove it"
REMOTE_IMAGE = (
    "image `{url}` is not a file in content/accounts/{slug}/ (remote images are never fetched): "
    "put the image in content/accounts/{slug}/ and write `![description]({name})`"
)


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    markdown: str
    error: str | None = None  # the `check` message (with {slug}); None: escaped, not an error
    shown: str | None = None  # text the reader must see; default: the Markdown itself when escaped

    @property
    def slug(self) -> str:
        return f"case-{self.id}"

    def message(self) -> str:
        assert self.error is not None
        return self.error.replace("{slug}", self.slug)

    def visible_text(self) -> str | None:
        if self.shown is not None:
            return self.shown
        return self.markdown if self.error is None else None


def link_error(url: str, scheme: str) -> str:
    return LINK.format(url=url, scheme=scheme)


def image_error(url: str, name: str) -> str:
    return REMOTE_IMAGE.replace("{url}", url).replace("{name}", name)


CORPUS = [
    # Raw HTML: escaped and shown as text; not an error.
    Case("script", "<script>alert(1)</script>"),
    Case("img-onerror", "<img src=x onerror=alert(1)>"),
    Case("iframe", '<iframe src="https://evil.example/"></iframe>'),
    Case("svg-onload", '<svg onload=alert(1)><circle r="5"/></svg>'),
    Case("a-javascript", '<a href="javascript:alert(1)">click</a>'),
    Case("comment", "<!-- <script>alert(1)</script> -->"),
    Case("style", "<style>body { display: none }</style>"),
    Case("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
    Case("form", '<form action="https://evil.example/"><input name="password"></form>'),
    Case("base", '<base href="https://evil.example/">'),
    Case(
        "object-embed",
        '<object data="file:///etc/passwd"></object><embed src="file:///etc/passwd">',
    ),
    Case("html-block", '<div onclick="alert(1)">\n<script>alert(1)</script>\n</div>'),
    Case("code-span", "`<script>alert(1)</script>`", shown="<script>alert(1)</script>"),
    Case("newline-in-scheme", "[x](<java\nscript:alert(1)>)"),
    Case("alt-breakout", '![x" onerror="alert(1)](chart.png)', shown=""),
    Case("title-breakout", "[x](https://example.com 'a\" onmouseover=\"alert(1)')", shown="x"),
    Case(
        "table",
        "| a | b |\n|--:|:-:|\n| <script>alert(1)</script> | <b onclick=alert(1)>x</b> |",
        shown="<script>alert(1)</script> <b onclick=alert(1)>x</b>",
    ),
    # Dangerous links: reported by check, neutralised by the renderer.
    Case("javascript", "[x](javascript:alert(1))", link_error("javascript:alert(1)", "javascript")),
    Case("mixed-case", "[x](JaVaScRiPt:alert(1))", link_error("JaVaScRiPt:alert(1)", "javascript")),
    Case(
        "tab-entity",
        "[x](java&#x09;script:alert(1))",
        link_error("java%09script:alert(1)", "javascript"),
    ),
    Case(
        "tab-literal",
        "[x](<java\tscript:alert(1)>)",
        link_error("java%09script:alert(1)", "javascript"),
    ),
    Case(
        "tab-percent",
        "[x](java%09script:alert(1))",
        link_error("java%09script:alert(1)", "javascript"),
    ),
    Case(
        "entity-letter",
        "[x](&#x6A;avascript:alert(1))",
        link_error("javascript:alert(1)", "javascript"),
    ),
    Case(
        "entity-colon",
        "[x](javascript&colon;alert(1))",
        link_error("javascript:alert(1)", "javascript"),
    ),
    Case(
        "javascript-comment",
        "[x](javascript://%0aalert(1))",
        link_error("javascript://%0aalert(1)", "javascript"),
    ),
    Case(
        "data",
        "[x](data:text/html,<script>alert(1)</script>)",
        link_error("data:text/html,%3Cscript%3Ealert(1)%3C/script%3E", "data"),
    ),
    Case(
        "data-base64",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        link_error("data:text/html;base64,PHNjcmlwdD4=", "data"),
    ),
    Case("vbscript", "[x](vbscript:msgbox(1))", link_error("vbscript:msgbox(1)", "vbscript")),
    Case("file", "[x](file:///etc/passwd)", link_error("file:///etc/passwd", "file")),
    Case(
        "reference",
        "[x][1]\n\n[1]: javascript:alert(1)",
        link_error("javascript:alert(1)", "javascript"),
    ),
    Case("autolink", "<javascript:alert(1)>", link_error("javascript:alert(1)", "javascript")),
    Case(
        "image-javascript",
        "![x](javascript:alert(1))",
        image_error("javascript:alert(1)", "image.png"),
    ),
    Case("image-file", "![x](file:///etc/passwd)", image_error("file:///etc/passwd", "image.png")),
    Case(
        "image-network-path",
        "![x](//evil.example/x.png)",
        image_error("//evil.example/x.png", "x.png"),
    ),
]
ESCAPED = [c for c in CORPUS if c.error is None]
DANGEROUS = [c for c in CORPUS if c.error is not None]


def account_text(case: Case) -> str:
    return f"{VALID}\n{case.markdown}\n"


# --------------------------------------------------------------------------------------------
# what counts as safe HTML


@dataclasses.dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    in_head: bool
    in_narrative: bool
    in_svg: bool = False  # inside the theme's inline <svg> (a <title> there is the SVG's name)


class Collector(HTMLParser):
    """Start tags with their attributes (values unescaped by the parser) and visible text.

    `narrative` is the inside of the report's `<div class="prose">`, or the whole input when the
    input is the renderer's output.
    """

    def __init__(self, whole_is_narrative: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.text: list[str] = []
        self.narrative_text: list[str] = []
        self.in_head = False
        self.svg_depth = 0
        self.narrative_depth = 0 if not whole_is_narrative else 1
        self.whole = whole_is_narrative

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closes: bool) -> None:
        in_narrative = self.narrative_depth > 0
        self.elements.append(Element(tag, attrs, self.in_head, in_narrative, self.svg_depth > 0))
        if tag == "head":
            self.in_head = True
        if tag == "svg" and not closes:
            self.svg_depth += 1
        if tag == "div" and not closes:
            classes = (dict(attrs).get("class") or "").split()
            if self.narrative_depth:
                self.narrative_depth += 1
            elif "prose" in classes:
                self.narrative_depth = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closes=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closes=True)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1
        if tag == "div" and self.narrative_depth and not (self.whole and self.narrative_depth == 1):
            self.narrative_depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.narrative_depth:
            self.narrative_text.append(data)


def parse(markup: str, whole_is_narrative: bool = False) -> Collector:
    collector = Collector(whole_is_narrative)
    collector.feed(markup)
    collector.close()
    return collector


NARRATIVE_TAGS = {
    "p", "h3", "h4", "h5", "h6", "a", "img", "em", "strong", "code", "pre", "ul", "ol", "li",
    "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "s", "del",
}  # fmt: skip
NEVER_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base",
    "style", "noscript", "template", "input", "button", "textarea",
}  # fmt: skip
HEAD_ONLY_TAGS = {"meta", "link", "title"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "cite"}
SAFE_SCHEMES = {None, "http", "https", "mailto"}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def scheme_of(url: str) -> str | None:
    """The scheme a browser would act on: entities decoded, whitespace/controls dropped."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", htmlmod.unescape(url))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def problems_in(collector: Collector) -> list[str]:
    problems = []
    for el in collector.elements:
        where = f"<{el.tag}>"
        if el.tag in NEVER_TAGS:
            problems.append(f"{where} tag")
        svg_name = el.tag == "title" and el.in_svg and not el.in_narrative  # a drawing's alt text
        if el.tag in HEAD_ONLY_TAGS and not el.in_head and not svg_name:
            problems.append(f"{where} outside <head>")
        if el.in_narrative and el.tag not in NARRATIVE_TAGS:
            problems.append(f"{where} in the narrative")
        for name, value in el.attrs:
            if re.fullmatch(r"on\w+", name):
                problems.append(f"{where} event handler {name}={value!r}")
            if name == "style" and el.in_narrative and el.tag not in ("th", "td"):
                problems.append(f"{where} style attribute in the narrative")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = scheme_of(value)
                if scheme not in SAFE_SCHEMES:
                    problems.append(f"{where} {name}={value!r} uses {scheme}:")
                resource = name != "href" or el.tag == "link"
                if resource and value.strip()[:2] in ("//", "\\\\", "/\\", "\\/"):
                    problems.append(f"{where} {name}={value!r} loads from another host")
                if resource and scheme is not None:
                    problems.append(f"{where} {name}={value!r} is not a relative resource")
    return problems


def shows(collector: Collector, text: str, narrative: bool = True) -> bool:
    seen = collector.narrative_text if narrative else collector.text
    return " ".join(text.split()) in " ".join("".join(seen).split())


def test_the_checker_flags_what_it_must() -> None:
    """The safety checker itself: each kind of problem is caught (so a pass means something)."""
    sample = (
        "<html><head><meta charset=utf-8></head><body>"
        '<div class="prose"><p>ok <a href="https://example.com">fine</a> <img src="chart.png"></p>'
        "<script>alert(1)</script>"
        '<a href=" JaVa&#x09;script:alert(1)">x</a>'
        '<a href="data:text/html,x">x</a>'
        '<img src="x" onerror="alert(1)">'
        '<img src="//evil.example/x.png">'
        '<img src="https://evil.example/x.png">'
        '<meta http-equiv="refresh" content="0">'
        "<svg></svg>"
        "</div></body></html>"
    )
    assert problems_in(parse(sample)) == [
        "<script> tag",
        "<script> in the narrative",
        "<a> href=' JaVa\\tscript:alert(1)' uses javascript:",
        "<a> href='data:text/html,x' uses data:",
        "<img> event handler onerror='alert(1)'",
        "<img> src='//evil.example/x.png' loads from another host",
        "<img> src='https://evil.example/x.png' is not a relative resource",
        "<meta> outside <head>",
        "<meta> in the narrative",
        "<svg> in the narrative",
    ]
    assert scheme_of("&#x6A;ava\nscript&colon;alert(1)") == "javascript"
    assert scheme_of("guide.html#a:b") is None


# --------------------------------------------------------------------------------------------
# the renderer


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_renderer_output_is_safe(case: Case) -> None:
    output = render(case.markdown)
    collector = parse(output, whole_is_narrative=True)
    assert problems_in(collector) == []
    if (text := case.visible_text()) is not None:
        assert shows(collector, text), output


@pytest.mark.parametrize("case", DANGEROUS, ids=lambda c: c.id)
def test_renderer_neutralises_the_dangerous_url(case: Case) -> None:
    output = render(case.markdown)
    urls = [
        value
        for el in parse(output, whole_is_narrative=True).elements
        for name, value in el.attrs
        if name in ("href", "src")
    ]
    assert urls, output
    assert all(url in ("#", "") for url in urls), output


def test_safe_links_survive_as_written() -> None:
    output = render(
        "[site](https://example.com/a?b=1&c=2) [mail](mailto:dana@example.com) "
        "[plain](http://example.com) [doc](guide.html#setup)"
    )
    hrefs = [dict(el.attrs)["href"] for el in parse(output, True).elements if el.tag == "a"]
    assert hrefs == [
        "https://example.com/a?b=1&c=2",
        "mailto:dana@example.com",
        "http://example.com",
        "guide.html#setup",
    ]


# --------------------------------------------------------------------------------------------
# check


def test_check_reports_every_dangerous_link_and_image(tmp_path: Path) -> None:
    make_site(tmp_path, {case.slug: account_text(case) for case in DANGEROUS})
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    for case in DANGEROUS:
        mine = [line for line in lines if line.startswith(f"content/accounts/{case.slug}.md:")]
        assert mine == [f"content/accounts/{case.slug}.md:{CORPUS_LINE}: error: {case.message()}"]
    assert (
        result.stderr
        == f"{len(DANGEROUS)} error(s), 0 warning(s) in {len(DANGEROUS)} account file(s)\n"
    )


def test_check_messages_for_javascript_and_data_links(tmp_path: Path) -> None:
    body = (
        VALID
        + "\nSee [the demo](javascript:alert(1)).\n\nOr [this](data:text/html;base64,PHNjcmlwdD4=).\n"
    )
    make_site(tmp_path, {"acme": body})
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1
    assert result.stdout == (
        "content/accounts/acme.md:27: error: link `javascript:alert(1)` uses the `javascript:` "
        "scheme, which is not allowed: use an http, https or mailto link, or remove it\n"
        "content/accounts/acme.md:29: error: link `data:text/html;base64,PHNjcmlwdD4=` uses the "
        "`data:` scheme, which is not allowed: use an http, https or mailto link, or remove it\n"
    )


def test_raw_html_is_escaped_not_an_error(tmp_path: Path) -> None:
    make_site(tmp_path, {case.slug: account_text(case) for case in ESCAPED})
    for case in ESCAPED:
        if "chart.png" in case.markdown:
            (tmp_path / "content" / "accounts" / case.slug).mkdir()
            shutil.copyfile(CHART, tmp_path / "content" / "accounts" / case.slug / "chart.png")
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


# --------------------------------------------------------------------------------------------
# the published report


@pytest.fixture(scope="module")
def escaped_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One real build (no PDFs) with one account per escaped case: slug -> report HTML."""
    root = make_site(tmp_path_factory.mktemp("escaped"), {c.slug: account_text(c) for c in ESCAPED})
    for case in ESCAPED:
        if "chart.png" in case.markdown:
            (root / "content" / "accounts" / case.slug).mkdir()
            shutil.copyfile(CHART, root / "content" / "accounts" / case.slug / "chart.png")
    report = build_site(root, BuildOptions(pdf=False, environ=ENV, as_of=AS_OF, jobs=1))
    return {
        page.account.slug: (report.out / "public" / page.folder / "index.html").read_text("utf-8")
        for page in report.pages
    }


@pytest.mark.parametrize("case", ESCAPED, ids=lambda c: c.id)
def test_built_report_escapes_raw_html(case: Case, escaped_build: dict[str, str]) -> None:
    collector = parse(escaped_build[case.slug])
    assert problems_in(collector) == []
    assert any(el.in_narrative for el in collector.elements), "the narrative is in the report"
    if text := case.visible_text():
        assert shows(collector, text)


@pytest.fixture(scope="module")
def template_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("template"), {"acme": VALID})


@pytest.mark.parametrize("case", DANGEROUS, ids=lambda c: c.id)
def test_report_template_neutralises_what_check_refuses(case: Case, template_site: Path) -> None:
    """Defence in depth: were a dangerous narrative published, the report still carries no
    dangerous URL (check refuses these files, so build renders them here through its own
    report function)."""
    site = load_site(template_site, AS_OF)
    page = AccountPage(site.accounts[0], "link", render(case.markdown + "\n"))
    theme = Theme(template_site, "default")
    markup = report_html(site, theme, page, pdf=False)
    collector = parse(markup)
    assert problems_in(collector) == []
    assert any(el.in_narrative for el in collector.elements), "the narrative is in the report"


HOSTILE_FRONT_MATTER = """\
---
account: <img src=x onerror=alert(1)>
segment: enterprise
csm: <b onmouseover=alert(1)>Dana</b>
start_date: 2026-09-01
internal_notes: <script>alert("internal")</script>
results:
  - id: onboarding-time
    goal: <script>x</script>
    metric: <iframe src=https://evil.example/></iframe>
    unit: <i>days</i>
    direction: decrease
    baseline: 60
    target: 40
    current: 44
    measured_on: 2026-11-01
    owner: <svg onload=alert(1)>
    attribution: <a href="javascript:alert(1)">because</a>
    validator:
      name: <style>*{display:none}</style>
      role: <base href="https://evil.example/">
      confirmed_on: 2026-11-10
---
## What's working

Onboarding is faster.
"""


@pytest.fixture(scope="module")
def hostile_front_matter(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    root = make_site(tmp_path_factory.mktemp("front"), {"acme": HOSTILE_FRONT_MATTER})
    return build_site(root, BuildOptions(pdf=True, environ=ENV, as_of=AS_OF, jobs=1))


def test_front_matter_values_are_text_in_the_report(hostile_front_matter: BuildReport) -> None:
    report = hostile_front_matter
    page = report.pages[0]
    markup = (report.out / "public" / page.folder / "index.html").read_text("utf-8")
    collector = parse(markup)
    assert problems_in(collector) == []
    for value in (
        "<img src=x onerror=alert(1)>",
        "<script>x</script>",
        "<iframe src=https://evil.example/></iframe>",
        "<svg onload=alert(1)>",
        '<a href="javascript:alert(1)">because</a>',
        "<style>*{display:none}</style>",
        '<base href="https://evil.example/">',
    ):
        assert shows(collector, value, narrative=False), value
    assert "<script>x</script>" not in markup
    assert "<img src=x onerror" not in markup
    # Internal fields never reach the customer.
    assert 'alert("internal")' not in "".join(collector.text)
    assert "Dana" not in "".join(collector.text)


def test_front_matter_values_are_text_in_the_internal_index(
    hostile_front_matter: BuildReport,
) -> None:
    markup = "".join(
        page.read_text("utf-8") for page in (hostile_front_matter.out / "internal").glob("*.html")
    )
    collector = parse(markup)
    assert problems_in(collector) == []
    for value in (
        "<img src=x onerror=alert(1)>",
        "<b onmouseover=alert(1)>Dana</b>",
        '<script>alert("internal")</script>',
    ):
        assert shows(collector, value, narrative=False), value


def test_front_matter_values_are_text_in_the_pdf(hostile_front_matter: BuildReport) -> None:
    page = hostile_front_matter.pages[0]
    reader = PdfReader(hostile_front_matter.out / "public" / page.folder / page.pdf_name)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "<img src=x onerror=alert(1)>" in text
    assert "<script>x</script>" in text
    assert reader.metadata is not None
    assert reader.metadata.title is not None
    assert "<img src=x onerror=alert(1)>" in reader.metadata.title


# --------------------------------------------------------------------------------------------
# a hostile narrative through a real PDF build: shown as text, nothing fetched


def test_hostile_narrative_pdf_fetches_nothing(
    tmp_path: Path, http_server: tuple[int, list[str]]
) -> None:
    port, hits = http_server
    base = f"http://127.0.0.1:{port}"
    narrative = "\n\n".join(
        [
            f'<img src="{base}/img.png">',
            f'<link rel="stylesheet" href="{base}/style.css">',
            f'<iframe src="{base}/frame"></iframe>',
            f"<style>@import url({base}/import.css);</style>",
            '<img src="file:///etc/passwd">',
            f"A plain link to [the guide]({base}/guide) and <{base}/autolink>.",
        ]
    )
    make_site(tmp_path, {"acme": VALID + "\n" + narrative + "\n"})
    report = build_site(tmp_path, BuildOptions(pdf=True, environ=ENV, as_of=AS_OF, jobs=1))
    page = report.pages[0]
    reader = PdfReader(report.out / "public" / page.folder / page.pdf_name)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert f'<img src="{base}/img.png">' in text
    assert '<img src="file:///etc/passwd">' in text
    assert hits == []


class _Html:
    """An object that says it is markup (as Markup, and Jinja's own objects, do)."""

    def __html__(self) -> str:
        return "<i>as markup</i>"

    def __str__(self) -> str:
        return "<i>as text</i>"


class _Text(str):
    pass


ESCAPED_VALUES = [
    "<script>alert('x') & \"y\"</script>",
    "",
    "plain",
    "Müller – 日本語 🙂",
    Markup("<b>trusted</b> &amp;"),
    _Text("<subclass>"),
    3,
    -2.5,
    None,
    True,
    _Html(),
]


@pytest.mark.parametrize("value", ESCAPED_VALUES, ids=repr)
def test_escape_text_is_markupsafes_escape(value: object) -> None:
    """What a page writes goes through escape_text (theme.py): the same characters as
    markupsafe.escape, only not wrapped in Markup."""
    assert escape_text(value) == str(escape(value))
    assert type(escape_text(value)) in (str, Markup)


WRITING = (
    "{{ v }}|{{ v|e }}|{{ v|safe }}|{{ [v, v]|join(',') }}|"
    "{% set block %}<{{ v }}>{% endset %}{{ block }}|"
    "{% macro m(x) %}[{{ x }}]{% endmacro %}{{ m(v) }}|{{ m(m(v)) }}|"
    "{% filter upper %}{{ v }}{% endfilter %}|"
    "{% macro wrap() %}({{ caller() }}){% endmacro %}{% call wrap() %}{{ v }}{% endcall %}|"
    "{% autoescape false %}{{ v }}{% endautoescape %}|"
    '{{ _("Source: %(source)s", source=v) }}|{{ _("%(n)d of %(m).1f", n=k, m=f) }}'
)


@pytest.mark.parametrize("value", ESCAPED_VALUES, ids=repr)
@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_a_theme_writes_values_as_jinja_does(tmp_path: Path, value: object, locale: str) -> None:
    """Our templates escape what they write without Jinja's escape() (theme.py's code
    generator), and format a message's values without Markup's helper: every way a template
    writes a value (a block, a macro, a caller, a filter block, markup, a message with values,
    one with %d) makes the page Jinja's own environment makes."""
    theme = Theme(tmp_path, "default")
    values = {"v": value, "k": 3, "f": 2.25}
    ours = theme.for_locale(locale).from_string(WRITING).render(values, locale=locale)
    jinja = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    jinja.install_gettext_translations(translator(locale).catalog, newstyle=True)  # type: ignore[attr-defined]
    assert ours == jinja.from_string(WRITING).render(values)
    assert "_escape_text(" in theme.env.compile(WRITING, raw=True)
