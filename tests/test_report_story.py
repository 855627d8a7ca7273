"""The customer's report tells its story in ten seconds, on screen and on paper (issue 14).

Built from the repository's own example site and from small sites made here, with real
WeasyPrint PDFs: their text read with pypdf, their pages rendered to PNG with pdftoppm.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from PIL import Image
from pypdf import PdfReader

from outcomesite.build import BuildOptions, BuildReport, build_site
from outcomesite.i18n import translator
from outcomesite.model.ladder import assess
from outcomesite.model.schema import AccountData
from outcomesite.render.brand import brand_css
from outcomesite.render.views import highlight_order, highlights_summary
from tests.conftest import AS_OF, VALID, copy_sample, make_site
from tests.html_tree import parse

ENV = {"OUTCOMESITE_SECRET": "story-secret-0123456789abcdef0123456789abcdef"}
VENDOR = "Brightpath Software"


def build(root: Path, pdf: bool = True) -> BuildReport:
    return build_site(root, BuildOptions(pdf=pdf, environ=ENV, as_of=AS_OF))


@dataclass(frozen=True)
class Report:
    slug: str
    account: str
    html: str
    pdf: Path
    locale: str  # the account's, else the sample site's (en_US)

    @property
    def pages(self) -> list[str]:
        return [" ".join((p.extract_text() or "").split()) for p in PdfReader(self.pdf).pages]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    root = copy_sample(tmp_path_factory.mktemp("story"))
    report = build(root)
    reports = {}
    for page in report.pages:
        folder = report.out / "public" / page.folder
        reports[page.account.slug] = Report(
            page.account.slug,
            page.account.data.account,
            (folder / "index.html").read_text("utf-8"),
            folder / page.pdf_name,
            page.account.data.locale or "en_US",
        )
    return reports


SLUGS = sorted(p.stem for p in (Path(__file__).parent.parent / "content" / "accounts").glob("*.md"))


# --- the story's order --------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_highlights_and_next_steps_come_before_the_results(
    sample: dict[str, Report], slug: str
) -> None:
    html = sample[slug].html
    highlights = html.index('id="highlights"')
    assert highlights < html.index('id="ladder-heading"')
    if 'class="results"' in html:
        assert highlights < html.index('class="results"')
    if 'id="next-steps"' in html:
        assert highlights < html.index('id="next-steps"') < html.index('id="ladder-heading"')
    # Directly under the masthead: nothing but the highlights between them.
    between = html[html.index("</header>") : highlights]
    assert re.sub(r"<main[^>]*>|<section[^>]*|\s", "", between) == "</header>"


def test_the_sample_shows_next_steps_with_owners_dates_and_sides(sample: dict[str, Report]) -> None:
    doc = parse(sample["northwind-logistics"].html)
    steps = next(n for n in doc.iter() if n.attrs.get("id") == "next-steps")
    text = " ".join(steps.text.split())
    assert text.startswith("Next steps Add a mezzanine picking module")
    assert f"Tomás Herrera, {VENDOR} · by Jan 15, 2027" in text
    assert "What we need from you Confirm the November first-week error figure" in text
    assert "Gareth Kimble, your team · by Dec 11, 2026" in text


def test_highlight_cards_in_the_sample(sample: dict[str, Report]) -> None:
    doc = parse(sample["northwind-logistics"].html)
    band = next(n for n in doc.iter() if n.attrs.get("id") == "highlights")
    text = " ".join(band.text.split())
    assert "1 of 2 targets met · 2 confirmed by your team" in text
    cards = [" ".join(li.text.split()) for li in band.find_all("li")]
    assert len(cards) == 2
    # The confirmed win first, its change as an amount and a percentage, the path, the stamp.
    assert cards[0].startswith("Cut new-hire onboarding time by a third 38 days -22 days (-37%)")
    assert "Before60 days Now38 days Target40 days met" in cards[0]  # (dt and dd, joined)
    assert cards[0].endswith("✓ Confirmed by Priya Shah")
    assert cards[1].endswith("✓ 11 errors confirmed by Gareth Kimble; the latest not yet")
    estimate = " ".join(parse(sample["harborview-clinics"].html).text.split())
    assert "21 hours estimate -25 hours (-54%)" in estimate  # an estimate says so on its card

    money = " ".join(parse(sample["ledgerline-payments"].html).text.split())
    assert re.search(r"\$[\d,]+ (less|more) \([-+]\d+%\)", money), money
    # Alpenrad's report is in German (`locale: de_DE`): the saving in its words and formats.
    german = " ".join(parse(sample["alpenrad-fertigung"].html).text.split())
    assert "36.500 € pro Monat 5.500 € weniger pro Monat (-13 %)" in german, german


def test_a_result_moving_away_is_never_left_out_of_the_highlights(
    sample: dict[str, Report],
) -> None:
    band = parse(sample["meridian-hr-cloud"].html)
    highlights = next(n for n in band.iter() if n.attrs.get("id") == "highlights")
    text = " ".join(highlights.text.split())
    assert "2 moving away from their targets" in text
    away = [li for li in highlights.find_all("li") if "is-away" in (li.attrs.get("class") or "")]
    assert len(away) == 2


def assessed(*results: str) -> AccountData:
    head = VALID.split("results:\n")[0].split("---\n", 1)[1]
    text = head + ("results:\n" + "".join(results) if results else "results: []\n")
    import yaml

    return msgspec.convert(yaml.safe_load(text), AccountData, strict=False)


def result(rid: str, current: float | None, confirmed: bool = False, baseline: float = 60) -> str:
    lines = [
        f"  - id: {rid}",
        "    goal: g",
        "    metric: Days to onboard",
        f"    baseline: {baseline}",
        "    target: 40",
        "    owner: o",
        "    attribution: a",
    ]
    if current is not None:
        lines += [f"    current: {current}", "    measured_on: 2026-11-01"]
    if confirmed:
        lines += ["    validator: {name: V, confirmed_on: 2026-11-10}"]
    return "\n".join(lines) + "\n"


ORDER_CASES = [
    # (description, results, expected ids of the cards, in order)
    ("wins: confirmed, then met, then progress", [
        result("small", 58), result("met", 40), result("confirmed", 55, confirmed=True),
        result("big", 45),
    ], ["confirmed", "met", "big"]),
    ("unmeasured results are not cards", [result("later", None), result("moved", 50)], ["moved"]),
    ("moving away is kept when wins fill the cards", [
        result("a", 41), result("b", 42), result("c", 43), result("away", 70),
    ], ["a", "b", "away"]),
    ("several moving away push wins out", [
        result("win", 41), result("away1", 70), result("away2", 65), result("away3", 61),
    ], ["away1", "away2", "away3"]),
    ("no results at all", [], []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "results", "expected"), ORDER_CASES, ids=[c[0] for c in ORDER_CASES]
)
def test_highlight_order(case: str, results: list[str], expected: list[str]) -> None:
    data = assessed(*results)
    assessment = assess(data, AS_OF, 90, 120)
    assert [item.result.id for item in highlight_order(assessment.results)] == expected


SUMMARY_CASES = [
    ("none named", [], "No result named yet: naming the first one together is the next step"),
    ("one", [result("a", 40, confirmed=True)], "1 of 1 target met · 1 confirmed by your team"),
    (
        "moving away is said",
        [result("a", 50), result("b", 70)],
        "0 of 2 targets met · 0 confirmed by your team · 1 moving away from its target",
    ),
    (
        "nothing measured",
        [result("a", None)],
        "0 of 1 target met · 0 confirmed by your team · none measured yet",
    ),
]


@pytest.mark.parametrize(
    ("case", "results", "expected"), SUMMARY_CASES, ids=[c[0] for c in SUMMARY_CASES]
)
def test_highlights_summary(case: str, results: list[str], expected: str) -> None:
    assessment = assess(assessed(*results), AS_OF, 90, 120)
    assert highlights_summary(assessment.results, "en_US") == expected


# --- what reaches the customer ------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_no_internal_wording_or_empty_fields(sample: dict[str, Report], slug: str) -> None:
    html = sample[slug].html
    narrative = html.find('<section class="narrative"')  # the CSM's own words are theirs
    text = " ".join(parse(html[:narrative] if narrative > 0 else html).text.split())
    for internal in (
        "Not yet attributed",
        "No customer validator",
        "commit",
        "by the customer",  # the report speaks to the customer: "your team"
        "have the customer",
        "As of",  # one date story: "Data as of"
    ):
        assert internal not in text, internal
    _ = translator(sample[slug].locale).gettext
    as_of = _("Data as of %(date)s", date="\0").split("\0")[0]
    assert text.count(as_of) == 1  # once above the narrative (the footer says it again)
    # each rung captioned in one line
    assert f"{_('Activity')} {_('Your team uses the product')}" in text
    if _("Owner at %(vendor)s", vendor="\0").split("\0")[0] in text:
        assert _("Owner at %(vendor)s", vendor=VENDOR) in text


def test_the_confirmation_is_a_stamp_by_the_title(sample: dict[str, Report]) -> None:
    html = sample["northwind-logistics"].html
    article = html[html.index('aria-labelledby="result-onboarding-time"') :]
    head = article[: article.index("</header>")]
    assert '<p class="stamp stamp-confirmed">' in head
    assert "Confirmed by Priya Shah, VP Operations, on Nov 10, 2026" in head
    pending = sample["tessellate-analytics"].html
    assert '<p class="stamp stamp-pending">Awaiting confirmation from Ben Achebe' in pending


def test_a_stale_measurement_is_marked_for_the_customer_too(sample: dict[str, Report]) -> None:
    doc = parse(sample["tessellate-analytics"].html)
    band = next(n for n in doc.iter() if n.attrs.get("id") == "highlights")
    assert "Measured 5 months ago" in band.text
    text = " ".join(doc.text.split())
    assert "measured Jun 15, 2026 5 months ago: an old figure" in text


SIGNED_ZERO = re.compile(r"(?<![\w\-])[-−]0(?:[.,]0+)?(?![\d.,]*\d)")
ONE_PLURAL = re.compile(r"(?<![\d.,])1 (days|hours|weeks|months|errors|tickets)\b")


def all_output(out: Path) -> str:
    texts = [p.read_text("utf-8") for p in out.rglob("*") if p.suffix in (".html", ".json", ".csv")]
    for pdf in out.rglob("*.pdf"):
        texts += [page.extract_text() or "" for page in PdfReader(pdf).pages]
    return "\n".join(texts)


def test_no_minus_zero_and_no_one_days_anywhere(tmp_path: Path) -> None:
    """In the sample, and in a site made to provoke them: a value of 1 day, a move that rounds
    to zero, a result moving away by a sliver."""
    copy_sample(tmp_path / "sample")
    one = (
        VALID.replace("baseline: 60", "baseline: 3")
        .replace("target: 40", "target: 1")
        .replace("current: 44", "current: 1")
    )
    sliver = VALID.replace("current: 44", "current: 60.001").replace("60\n", "60\n", 1)
    make_site(tmp_path / "made", {"one-day": one, "sliver": sliver})
    for root in (tmp_path / "sample", tmp_path / "made"):
        out = build(root).out
        text = all_output(out)
        assert not SIGNED_ZERO.findall(text), SIGNED_ZERO.findall(text)[:5]
        assert not ONE_PLURAL.findall(text), ONE_PLURAL.findall(text)[:5]
    made = all_output(tmp_path / "made" / "build")
    assert "target 1 day" in made and "1 day" in made
    assert "Moved away from the target by less than 1% of the way" in made


def test_the_provocations_are_caught_by_the_patterns() -> None:
    assert SIGNED_ZERO.findall("progress -0% of the way, 2026-05-01, -0.5, -10")
    assert SIGNED_ZERO.findall("-0 days") and not SIGNED_ZERO.findall("-0.5 days, -05")
    assert ONE_PLURAL.findall("target 1 days") and not ONE_PLURAL.findall("21 days, 1.5 days")


# --- the PDF --------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_page_one_is_the_summary(sample: dict[str, Report], slug: str) -> None:
    report = sample[slug]
    first = report.pages[0]
    assert report.account in first
    doc = parse(report.html)
    band = next(n for n in doc.iter() if n.attrs.get("id") == "highlights")
    values = [n.text for n in band.iter() if "card-value" in (n.attrs.get("class") or "")]
    if values:
        assert values[0] in first, values[0]
    steps = [n.text for n in doc.iter() if n.attrs.get("class") == "step-text"]
    if steps:
        assert " ".join(steps[0].split()) in first
    _ = translator(report.locale).gettext
    assert _("Where you are on the Customer Results Ladder") in first
    assert _("Results in detail") not in first  # details start on page 2


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_has_the_footer(sample: dict[str, Report], slug: str) -> None:
    report = sample[slug]
    pages = report.pages
    _ = translator(report.locale).gettext
    prepared = _("Prepared for %(account)s by %(vendor)s", account=report.account, vendor=VENDOR)
    privacy = _("This report is private to your team: please do not share the link outside it.")
    for number, text in enumerate(pages, 1):
        page = _("Page %(page)s of %(pages)s", page=number, pages=len(pages))
        assert f"{prepared} · {page}" in text, number
        assert privacy.split(":")[0] in text, number


def text_sizes(pdf: Path) -> list[tuple[float, str]]:
    """Every piece of text on every page, with its size in points as printed."""
    found: list[tuple[float, str]] = []
    for page in PdfReader(pdf).pages:

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if not text.strip():
                return
            # The height of the text: the text matrix's vertical vector, through the CTM.
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            found.append((size * (c * c + d * d) ** 0.5, text.strip()))

        page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("slug", SLUGS)
def test_no_printed_text_under_8_points(sample: dict[str, Report], slug: str) -> None:
    sizes = text_sizes(sample[slug].pdf)
    assert sizes
    small = [(round(size, 2), text) for size, text in sizes if size < 7.95]
    assert small == []


def page_fill(png: Path, top_mm: float = 18, bottom_mm: float = 20) -> float:
    """How far down the page's body (between the page margins) its content reaches, 0 to 1."""
    with Image.open(png) as image:
        gray = image.convert("L")
        width, height = gray.size
        per_mm = height / 297 if height > width * 1.35 else height / 279.4
        top, bottom = int(top_mm * per_mm), height - int(bottom_mm * per_mm)
        last = top
        pixels = gray.load()
        assert pixels is not None
        for y in range(top, bottom):
            if any(int(pixels[x, y]) < 200 for x in range(0, width, 2)):  # type: ignore[arg-type]
                last = y
        return (last - top) / (bottom - top)


@pytest.mark.parametrize("slug", SLUGS)
def test_no_page_but_the_last_is_more_than_half_empty(
    sample: dict[str, Report], slug: str, tmp_path: Path
) -> None:
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(sample[slug].pdf), str(tmp_path / "p")], check=True
    )
    pngs = sorted(tmp_path.glob("p-*.png"))
    fills = [round(page_fill(png), 2) for png in pngs]
    assert all(fill >= 0.5 for fill in fills[:-1]), fills


def test_the_half_empty_check_sees_an_empty_page(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    Image.new("L", (180, 255), 255).save(empty)
    assert page_fill(empty) == 0
    full = tmp_path / "full.png"
    Image.new("L", (180, 255), 0).save(full)
    assert page_fill(full) > 0.95


TWO_RESULTS = VALID.replace(
    "      confirmed_on: 2026-11-10\n",
    "      confirmed_on: 2026-11-10\n"
    "    history:\n      - {date: 2026-09-15, value: 55}\n      - {date: 2026-10-15, value: 49}\n"
    "  - id: first-week-errors\n    goal: Fewer mistakes in a new picker's first week\n"
    "    metric: Pick errors per new hire in the first 5 shifts\n    unit: errors\n"
    "    baseline: 14\n    target: 6\n    current: 9\n    measured_on: 2026-11-02\n"
    "    owner: Tomás Herrera\n"
    "    history:\n      - {date: 2026-09-07, value: 11}\n"
    "next_steps:\n  - step: Measure again in January\n    owner: Dana Reyes\n"
    "    due: 2027-01-15\n  - step: Confirm the error figure\n    owner: Priya Shah\n"
    "    side: customer\n",
)


def test_a_two_result_account_fits_on_two_pages(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": TWO_RESULTS}, f"vendor: {VENDOR}\n")
    report = build(tmp_path)
    (page,) = report.pages
    reader = PdfReader(report.out / "public" / page.folder / page.pdf_name)
    assert len(reader.pages) == 2
    second = " ".join((reader.pages[1].extract_text() or "").split())
    assert "Fewer mistakes in a new picker's first week" in second
    assert "Onboarding is faster." in second


def test_paper_per_account(tmp_path: Path) -> None:
    us = VALID.replace("start_date: 2026-09-01", "start_date: 2026-09-01\npaper: Letter")
    make_site(tmp_path, {"acme": VALID, "us-customer": us}, "paper: A4\n")
    report = build(tmp_path)
    sizes = {}
    for page in report.pages:
        reader = PdfReader(report.out / "public" / page.folder / page.pdf_name)
        box = reader.pages[0].mediabox
        sizes[page.account.slug] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"acme": (595, 842), "us-customer": (612, 792)}


# --- the brand ------------------------------------------------------------------------------


def test_brand_colour_logo_and_customer_logo(sample: dict[str, Report], tmp_path: Path) -> None:
    html = sample["northwind-logistics"].html
    assert '<link rel="stylesheet" href="../../assets/brand.css">' in html
    assert html.index("assets/report.css") < html.index("assets/brand.css")
    assert '<img class="logo" src="../../assets/logo.svg" alt="">' in html  # the name follows
    assert '<img class="customer-logo" src="logo.svg" alt="Northwind Logistics">' in html
    assert "style=" not in html  # the Content-Security-Policy allows no inline style
    assert "Brightpath Software" in sample["northwind-logistics"].pages[0]


BRAND_CASES = [
    ("#0f5e73", "--brand: #0f5e73;"),
    ("#1d4e89", "--brand: #1d4e89;"),
]


@pytest.mark.parametrize(("color", "line"), BRAND_CASES)
def test_brand_css(color: str, line: str) -> None:
    from outcomesite.colors import contrast_ratio

    css = brand_css(color)
    assert line in css
    soft = re.search(r"--brand-soft: (#[0-9a-f]{6});", css)
    assert soft is not None
    assert contrast_ratio(color, soft.group(1)) >= 4.5  # brand text on its tint stays legible


def test_a_brand_colour_at_the_limit_keeps_its_tint_legible() -> None:
    from outcomesite.colors import contrast_ratio

    for color in ("#767676", "#0b6e6e", "#8a4b00"):
        soft = re.search(r"--brand-soft: (#[0-9a-f]{6});", brand_css(color))
        assert soft is not None
        assert contrast_ratio(color, soft.group(1)) >= 4.5, color


def test_the_brand_stylesheet_reaches_the_pdf_and_the_page(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, 'brand_color: "#8a4b00"\nvendor: Acme Vendor\n')
    report = build(tmp_path)
    css = (report.out / "public" / "assets" / "brand.css").read_text("utf-8")
    assert "--brand: #8a4b00;" in css
    (page,) = report.pages
    assert (report.out / "public" / page.folder / page.pdf_name).stat().st_size > 5_000


# --- weight ---------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_page_weight_and_no_script(sample: dict[str, Report], slug: str) -> None:
    html = sample[slug].html
    assert len(html.encode("utf-8")) < 60_000
    assert "<script" not in html
    assert not re.search(r"""(?:src|href)="(?:https?:)?//""", html)  # nothing from another host
