"""PDFs: real WeasyPrint renders of real sites, read back with pypdf and drawn by a second engine.

Also the locked-down fetcher: the renderer may read the theme's assets and the account's own folder,
nothing else (no other file, no network, no attachments), and a render has a size cap and a time limit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from PIL import Image
from pypdf import PdfReader

from outcomesite import load_site
from outcomesite.build import BuildOptions, BuildReport, build_site
from outcomesite.files import PublishedFile as PdfFile
from outcomesite.i18n import translator
from outcomesite.layout import MAX_HTML_BYTES, account_file_parts
from outcomesite.layout import MAX_IMAGE_BYTES as MAX_ASSET_BYTES
from outcomesite.pdf.fetcher import SafeFetcher
from outcomesite.pdf.jobs import LOCAL_ORIGIN, PdfError, PdfJob, RenderTimeout
from outcomesite.pdf.pool import PdfPool
from outcomesite.pdf.renderer import render_pdf
from outcomesite.render.theme import DEFAULT_THEME
from tests.conftest import AS_OF, ROOT, VALID, copy_sample, make_site, run_cli

ENV = {"OUTCOMESITE_SECRET": "s-0123456789abcdef0123456789abcdef"}
THEME_ASSETS = DEFAULT_THEME / "assets"
CHART = ROOT / "content" / "accounts" / "northwind-logistics" / "chart.png"
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def _size_of_png(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


CHART_SIZE = _size_of_png(CHART)


# --------------------------------------------------------------------------------------------
# helpers


def build(root: Path, out: Path | None = None, jobs: int = 1, **options: object) -> BuildReport:
    settings: dict[str, object] = {"pdf": True, "environ": ENV, "as_of": AS_OF, "jobs": jobs}
    settings.update(options)
    return build_site(root, BuildOptions(out=out, **settings))  # type: ignore[arg-type]


def pdf_paths(report: BuildReport) -> dict[str, Path]:
    """Each account's latest PDF, by slug."""
    return {
        page.account.slug: report.out / "public" / page.folder / page.pdf_name
        for page in report.pages
    }


def pdf_bytes(out: Path) -> dict[str, bytes]:
    """Every PDF of a build, by its path relative to the output folder."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted((out / "public").rglob("*.pdf"))
    }


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def flat(text: str) -> str:
    """Text with every run of whitespace as one space: lines wrap differently on paper."""
    return " ".join(text.split())


def split_results(
    texts: list[str], results: list[tuple[str, str]], locale: str = "en_US"
) -> list[str]:
    """Goals of the results whose "Owner" line is not on the page their goal starts on.

    `results` are (goal, owner) pairs in report order; the owner must follow the goal on the
    same page, before the next result's goal. The report's words are in `locale`.
    """
    _ = translator(locale).gettext
    label = _("Owner at %(vendor)s", vendor="\0").split()[0]  # "Owner", "Verantwortlich"
    pages = [flat(text) for text in texts]
    # Page 1's highlight cards name goals too: the results in detail come after their heading.
    heading = _("Results in detail")
    details = next((n for n, page in enumerate(pages) if heading in page), 0)
    split = []
    for index, (goal, owner) in enumerate(results):
        found = [
            (n, page.find(goal)) for n, page in enumerate(pages) if goal in page and n >= details
        ]
        assert found, f"goal {goal!r} is not in the PDF"
        number, start = found[0]
        page = pages[number]
        end = len(page)
        if index + 1 < len(results):
            following = page.find(results[index + 1][0], start + len(goal))
            end = following if following != -1 else end
        # "Owner at Brightpath Software Dana Reyes", "Owner on our side Dana Reyes"
        owned = rf"{re.escape(label)}\b.{{0,60}}?{re.escape(owner)}"
        if not re.search(owned, page[start:end], re.IGNORECASE):
            split.append(goal)
    return split


def embedded_files(reader: PdfReader) -> list[str]:
    """Every way a file can ride along in a PDF: the EmbeddedFiles name tree, /AF, annotations."""
    found: list[str] = []
    catalog: Any = reader.trailer["/Root"]
    names = catalog.get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/Names /EmbeddedFiles")
    if "/AF" in catalog:
        found.append("/AF")
    found.extend(f"attachment {name}" for name in reader.attachments)
    for number, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/FileAttachment" or "/FS" in annot:
                found.append(f"page {number}: file attachment annotation")
        if "/AF" in page:
            found.append(f"page {number}: /AF")
    return found


def image_sizes(reader: PdfReader) -> list[tuple[int, int]]:
    return [image.image.size for page in reader.pages for image in page.images if image.image]


def size_of(reader: PdfReader) -> set[tuple[float, float]]:
    return {(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages}


def assert_paper(reader: PdfReader, paper: tuple[float, float]) -> None:
    for width, height in size_of(reader):
        assert abs(width - paper[0]) <= 1 and abs(height - paper[1]) <= 1, (width, height)


def result_yaml(number: int, owner: str) -> str:
    return f"""\
  - id: result-{number}
    goal: Goal number {number} for the test
    metric: Hours saved per week in team {number}
    unit: hours
    baseline: {10 + number}
    target: {40 + number}
    current: {30 + number}
    measured_on: 2026-11-01
    owner: {owner}
    attribution: >-
      The guided workflow replaced the spreadsheet in team {number}, and the weekly reports that
      used to take a full afternoon now take twenty minutes; the team lead confirmed the numbers
      against the time sheets of the last three months and the figures from the payroll system.
    validator:
      name: Validator {number}
      role: Head of Team {number}
      confirmed_on: 2026-11-10
    history:
      - {{date: 2026-06-01, value: {15 + number}}}
      - {{date: 2026-09-01, value: {25 + number}}}
"""


MANY_OWNERS = [f"Owner Person {chr(ord('A') + n)}" for n in range(7)]
MANY_RESULTS = (
    """\
---
account: Many Results Inc
segment: enterprise
csm: Dana Reyes
start_date: 2026-09-01
results:
"""
    + "".join(result_yaml(n + 1, owner) for n, owner in enumerate(MANY_OWNERS))
    + """\
---
## What's working

Seven teams report their numbers every month.
"""
)
MANY_PAIRS = [(f"Goal number {n + 1} for the test", owner) for n, owner in enumerate(MANY_OWNERS)]


# --------------------------------------------------------------------------------------------
# a real account from the sample site


@pytest.fixture(scope="module")
def northwind(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PdfReader, list[str]]:
    root = tmp_path_factory.mktemp("northwind")
    accounts = root / "content" / "accounts"
    accounts.mkdir(parents=True)
    source = ROOT / "content" / "accounts"
    shutil.copyfile(source / "northwind-logistics.md", accounts / "northwind-logistics.md")
    shutil.copytree(source / "northwind-logistics", accounts / "northwind-logistics")
    report = build(root)
    path = pdf_paths(report)["northwind-logistics"]
    reader = PdfReader(path)
    return path, reader, page_texts(reader)


def test_report_pdf_says_what_the_report_says(northwind: tuple[Path, PdfReader, list]) -> None:
    _, _, texts = northwind
    first, everything = flat(texts[0]), flat(" ".join(texts))
    assert "Northwind Logistics" in first
    assert "Version 1" in first
    assert "Cut new-hire onboarding time by a third" in everything
    assert "Fell from 60 days to 38 days" in everything
    assert "Confirmed by Priya Shah" in everything
    # Internal fields never reach the customer's PDF.
    assert "procurement" not in everything
    assert "Renewal 2027-03-31" not in everything


def test_every_page_is_numbered_and_has_the_running_header(
    northwind: tuple[Path, PdfReader, list],
) -> None:
    _, _, texts = northwind
    count = len(texts)
    assert count >= 2, "the sample report should run over more than one page"
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {count}" in text, f"page {number}: {text!r}"
    for number, text in enumerate(texts[1:], 2):
        # The body of the report never names the account again: only the running header does.
        assert "Northwind Logistics" in flat(text), f"page {number}: {text!r}"


def test_metadata_without_vendor_names_the_account(
    northwind: tuple[Path, PdfReader, list],
) -> None:
    _, reader, _ = northwind
    meta = reader.metadata
    assert meta is not None
    assert meta.title is not None and "Northwind Logistics" in meta.title
    assert meta.author == "Northwind Logistics"


def test_default_paper_is_a4(northwind: tuple[Path, PdfReader, list]) -> None:
    _, reader, _ = northwind
    assert_paper(reader, A4)


def test_pdf_embeds_no_files(northwind: tuple[Path, PdfReader, list]) -> None:
    _, reader, _ = northwind
    assert embedded_files(reader) == []


def test_pdf_shows_the_narrative_image(northwind: tuple[Path, PdfReader, list]) -> None:
    _, reader, _ = northwind
    assert CHART_SIZE in image_sizes(reader)


def test_a_second_engine_draws_every_page(
    northwind: tuple[Path, PdfReader, list], tmp_path: Path
) -> None:
    path, reader, _ = northwind
    done = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(reader.pages)
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 2_000, png.name


def test_vendor_is_the_author_and_letter_paper_is_letter(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, "vendor: Contoso Success\npaper: Letter\n")
    reader = PdfReader(pdf_paths(build(tmp_path))["acme"])
    assert reader.metadata is not None
    assert reader.metadata.author == "Contoso Success"
    assert reader.metadata.title is not None and "Acme Corp" in reader.metadata.title
    assert_paper(reader, LETTER)
    assert "Contoso Success" in flat(" ".join(page_texts(reader)))


# --------------------------------------------------------------------------------------------
# results are never split across pages


def test_no_result_is_split_across_pages(tmp_path: Path) -> None:
    make_site(tmp_path, {"many": MANY_RESULTS})
    reader = PdfReader(pdf_paths(build(tmp_path))["many"])
    texts = page_texts(reader)
    assert len(texts) >= 3, "seven results should need several pages"
    assert split_results(texts, MANY_PAIRS) == []


def test_the_split_check_catches_a_split_result() -> None:
    """The detector above does flag a result whose owner line fell onto the next page."""
    spacer = '<div style="height: 250mm"></div>'
    html = "".join(
        f"<article><h3>{goal}</h3>{spacer}<dl><dt>Owner</dt><dd>{owner}</dd></dl></article>"
        for goal, owner in MANY_PAIRS[:2]
    )
    reader = PdfReader(io.BytesIO(render_pdf(_job(html))))
    assert split_results(page_texts(reader), MANY_PAIRS[:2]) == [goal for goal, _ in MANY_PAIRS[:2]]
    together = "".join(
        f"<article><h3>{goal}</h3><dl><dt>Owner</dt><dd>{owner}</dd></dl></article>"
        for goal, owner in MANY_PAIRS[:2]
    )
    reader = PdfReader(io.BytesIO(render_pdf(_job(together))))
    assert split_results(page_texts(reader), MANY_PAIRS[:2]) == []


# --------------------------------------------------------------------------------------------
# reproducible and parallel builds


def test_same_source_date_epoch_gives_identical_pdfs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    epoch = int(dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC).timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    site = make_site(
        tmp_path / "site", {"acme": VALID, "globex": VALID.replace("Acme Corp", "Globex")}
    )
    environ = {**ENV, "SOURCE_DATE_EPOCH": str(epoch)}
    first = build(site, tmp_path / "one", as_of=None, environ=environ)
    second = build(site, tmp_path / "two", as_of=None, environ=environ)
    assert first.site is not None and first.site.as_of == dt.date(2026, 11, 23)
    one, two = pdf_bytes(tmp_path / "one"), pdf_bytes(tmp_path / "two")
    assert len(one) == 2
    assert one.keys() == two.keys()
    for name in one:
        assert one[name] == two[name], f"{name} differs between two builds"
    reader = PdfReader(io.BytesIO(next(iter(one.values()))))
    assert reader.metadata is not None
    assert str(reader.metadata.get("/CreationDate", "")).startswith("D:20261123")
    assert second.pdfs == 2


def test_parallel_workers_give_the_same_bytes_for_the_whole_sample(tmp_path: Path) -> None:
    site = tmp_path / "site"
    copy_sample(site)
    serial = build(site, tmp_path / "serial", jobs=1)
    result = run_cli(
        site,
        "build",
        "--out",
        str(tmp_path / "parallel"),
        "--jobs",
        "2",
        "--as-of",
        AS_OF.isoformat(),
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    one, two = pdf_bytes(tmp_path / "serial"), pdf_bytes(tmp_path / "parallel")
    assert len(one) == len(serial.pages) >= 8
    assert one.keys() == two.keys()
    for name in one:
        assert one[name][:5] == b"%PDF-"
        assert one[name] == two[name], f"{name} differs between --jobs 1 and --jobs 2"

    # Every sample PDF is tagged for screen readers (PDF/UA-1, the default pdf_variant), in its
    # report's language: Alpenrad's is German (`locale: de_DE`), the others the site's.
    for name, data in one.items():
        lang = "de-DE" if name.endswith("alpenrad-fertigung.pdf") else "en-US"
        assert_tagged(PdfReader(io.BytesIO(data)), name, lang)

    # Every result of every sample account stays on one page.
    sample = load_site(site, AS_OF)
    paths = pdf_paths(serial)
    for account in sample.accounts:
        pairs = [(flat(r.goal), flat(r.owner)) for r in account.data.results]
        if pairs:
            texts = page_texts(PdfReader(paths[account.slug]))
            locale = account.data.locale or "en_US"
            assert split_results(texts, pairs, locale) == [], account.slug


def xmp(reader: PdfReader) -> str:
    root: Any = reader.trailer["/Root"]
    return str(root["/Metadata"].get_object().get_data().decode("utf-8"))


def assert_tagged(reader: PdfReader, name: str, lang: str = "en-US") -> None:
    """PDF/UA-1's structure: marked content, a structure tree, the document's language, its
    title shown in the window, bookmarks, and the PDF/UA identification in the XMP metadata."""
    root: Any = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]), name
    assert "/StructTreeRoot" in root, name
    assert root["/Lang"] == lang, name
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]), name
    assert "/Outlines" in root, name  # bookmarks for the sections
    assert reader.metadata is not None and reader.metadata.title, name
    assert 'pdfuaid:part="1"' in xmp(reader), name
    # Every drawing (charts, progress bars) has alternative text; only the vendor's logo, which
    # sits beside the vendor's name (alt=""), has none.
    figures = list(_figures(root["/StructTreeRoot"]))
    assert figures, name
    assert sum("/Alt" not in figure for figure in figures) <= 1, (name, figures)


def _figures(node: Any) -> Any:
    node = node.get_object()
    if not isinstance(node, dict):
        return
    if node.get("/S") == "/Figure":
        yield node
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
        yield from _figures(kid)


@pytest.mark.parametrize(
    ("variant", "tagged", "marker"),
    [
        ("pdf/a-3a", True, 'pdfaid:conformance="A"'),
        ("pdf/a-3b", False, 'pdfaid:conformance="B"'),
    ],
)
def test_pdf_a_for_archives(tmp_path: Path, variant: str, tagged: bool, marker: str) -> None:
    """`pdf_variant: pdf/a-3a` (archival and tagged) or `pdf/a-3b` (archival) in outcomesite.yaml:
    an output intent and the PDF/A identification; only the `a` level keeps the structure."""
    make_site(tmp_path, {"acme": VALID}, f"pdf_variant: {variant}\n")
    reader = PdfReader(pdf_paths(build(tmp_path))["acme"])
    root: Any = reader.trailer["/Root"]
    assert "/OutputIntents" in root
    metadata = xmp(reader)
    assert 'pdfaid:part="3"' in metadata and marker in metadata, metadata
    assert ("/StructTreeRoot" in root) is tagged


def test_an_unknown_pdf_variant_is_a_check_error(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, "pdf_variant: pdf/x-4\n")
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1
    assert (
        "outcomesite.yaml:1: error: `pdf_variant` must be one of pdf/ua-1, pdf/a-3a, pdf/a-3b "
        "(found `pdf/x-4`)"
    ) in result.output


# --------------------------------------------------------------------------------------------
# narrative images by their file name


def test_an_image_with_a_space_in_its_name_is_published_and_drawn(tmp_path: Path) -> None:
    """`![x](<my chart.png>)` passes check (the file exists), so build must publish it too.

    markdown-it percent-encodes the destination to `my%20chart.png`; the file on disk is
    `my chart.png`.
    """
    make_site(tmp_path, {"acme": VALID + "\n![Onboarding days by month](<my chart.png>)\n"})
    (tmp_path / "content" / "accounts" / "acme").mkdir()
    shutil.copyfile(CHART, tmp_path / "content" / "accounts" / "acme" / "my chart.png")
    assert load_site(tmp_path, AS_OF).ok
    report = build(tmp_path)
    published = report.out / "public" / report.pages[0].folder / "my chart.png"
    assert published.read_bytes() == CHART.read_bytes()
    reader = PdfReader(pdf_paths(report)["acme"])
    assert CHART_SIZE in image_sizes(reader)


# --------------------------------------------------------------------------------------------
# limits: size and time


def _theme_files() -> tuple[PdfFile, ...]:
    return tuple(
        PdfFile(f"assets/{path.name}", str(THEME_ASSETS), (path.name,))
        for path in sorted(THEME_ASSETS.iterdir())
    )


def _job(
    html: str,
    key: str = "acme",
    timeout: float = 60.0,
    folder: Path | None = None,
    names: tuple[str, ...] = (),
) -> PdfJob:
    """A job rendered at file:///report/, given the theme and `names` from `folder`."""
    images = tuple(
        PdfFile(f"report/{name}", str(folder), tuple(name.split("/")))
        for name in names
        if folder is not None
    )
    return PdfJob(key, html, LOCAL_ORIGIN, "report", _theme_files() + images, timeout)


def _big_narrative(paragraphs: int = 400) -> str:
    words = " ".join(f"word{n}" for n in range(80))
    body = "".join(f"<p>Paragraph {n}: {words}</p>\n" for n in range(paragraphs))
    return f"<!DOCTYPE html><html><body><main>{body}</main></body></html>"


def test_a_slow_render_is_stopped_with_a_clear_message() -> None:
    with PdfPool(1) as pool, pytest.raises(RenderTimeout) as caught:
        pool.render_one(_job(_big_narrative(), key="big-account", timeout=0.001))
    assert str(caught.value) == (
        "big-account: the PDF took longer than 0.001 s to render and was stopped; "
        "shorten the narrative or its tables"
    )
    assert isinstance(caught.value, PdfError)


def test_the_time_limit_holds_in_any_thread() -> None:
    """The preview renders PDFs in HTTP handler threads: the limit must hold there too (a signal
    based alarm cannot: signals reach the main thread only)."""
    outcome: dict[str, object] = {}

    def render() -> None:
        started = time.monotonic()
        try:
            with PdfPool(1) as pool:
                pool.render_one(_job(_big_narrative(800), key="threaded", timeout=0.05))
        except PdfError as exc:
            outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(timeout=60)
    assert isinstance(outcome.get("error"), RenderTimeout), outcome
    # Starting a worker takes about a second; the 800 paragraphs alone take much longer.
    unlimited = time.monotonic()
    with PdfPool(1) as pool:
        pool.render_one(_job(_big_narrative(800), key="threaded"))
    assert float(outcome["seconds"]) < time.monotonic() - unlimited  # type: ignore[arg-type]


def test_a_normal_render_in_the_pool() -> None:
    with PdfPool(2) as pool:
        pdfs = list(pool.render([_job("<p>Short report</p>"), _job("<p>Another</p>")]))
    assert [pdf[:5] for pdf in pdfs] == [b"%PDF-", b"%PDF-"]


def test_the_time_limit_holds_while_an_image_is_decoded(tmp_path: Path) -> None:
    """An account's own (large, slow) SVG must not be a way around the time limit: WeasyPrint
    decodes images inside `try: ... except Exception`, which swallowed the old in-process alarm;
    the pool stops the whole worker instead."""
    folder = tmp_path / "acme"
    folder.mkdir()
    shapes = "".join(
        f'<g id="g{n}"><rect x="{n % 100}" y="1" width="1" height="1"/></g>' for n in range(110_000)
    )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs>{shapes}</defs></svg>'
    (folder / "big.svg").write_text(svg, encoding="utf-8")
    assert (folder / "big.svg").stat().st_size < MAX_ASSET_BYTES
    html = '<p>Chart below</p><img src="big.svg" alt="chart" style="width: 20mm">'
    with PdfPool(1) as pool, pytest.raises(RenderTimeout) as caught:
        pool.render_one(_job(html, key="acme", timeout=0.2, folder=folder, names=("big.svg",)))
    assert str(caught.value) == (
        "acme: the PDF took longer than 0.2 s to render and was stopped; "
        "shorten the narrative or its tables"
    )


def test_a_render_over_the_memory_limit_fails_its_account_only() -> None:
    """A 5,000-column table once took 3.3 GB in one worker; under a limit it fails cleanly, and
    the same pool size renders a normal report afterwards."""
    cells = "".join(f"<td>{n}</td>" for n in range(5000))
    table = "<table>" + f"<tr>{cells}</tr>" * 8 + "</table>"
    with PdfPool(1, memory_mb=300) as pool, pytest.raises(PdfError) as caught:
        pool.render_one(_job(table, key="wide-table", timeout=120))
    message = str(caught.value)
    assert message.startswith("wide-table: ")
    assert "300 MB a PDF worker may use (`pdf_memory_mb` in outcomesite.yaml)" in message
    with PdfPool(1, memory_mb=300) as pool:
        assert pool.render_one(_job("<p>Short report</p>"))[:5] == b"%PDF-"


def test_html_over_the_size_cap_is_refused_before_rendering() -> None:
    html = "<p>" + "x" * MAX_HTML_BYTES + "</p>"
    with pytest.raises(PdfError) as caught:
        render_pdf(_job(html, key="huge-account"))
    assert str(caught.value) == "huge-account: the report is larger than 5 MB"


def test_the_size_cap_counts_utf8_bytes_not_characters() -> None:
    html = "é" * (MAX_HTML_BYTES // 2 + 1)  # fewer characters than the cap, more bytes
    assert len(html) < MAX_HTML_BYTES < len(html.encode("utf-8"))
    with pytest.raises(PdfError) as caught:
        render_pdf(_job(html, key="accents"))
    assert str(caught.value) == "accents: the report is larger than 5 MB"


# --------------------------------------------------------------------------------------------
# the fetcher


@dataclasses.dataclass
class Layout:
    site: Path
    account: Path  # content/accounts/acme
    sibling: Path  # content/accounts/other-account
    prefix_twin: Path  # content/accounts/acme-evil: shares a name prefix with acme
    png: Path
    huge: Path

    # The files a job for acme is given: its image, plus names that are links on disk (a job is
    # made from what check accepted, but the fetcher must hold even if a link slipped in).
    NAMES = ("chart.png", "huge.png", "leak.png", "passwd.png", "escape/x.png", "secret.txt")

    def files(self) -> tuple[PdfFile, ...]:
        return _theme_files() + tuple(
            PdfFile(f"report/{name}", str(self.site), account_file_parts("acme", name))
            for name in self.NAMES
        )

    def fetcher(self) -> SafeFetcher:
        return SafeFetcher(LOCAL_ORIGIN, self.files())


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    site = tmp_path / "site"
    accounts = site / "content" / "accounts"
    account, sibling, twin = accounts / "acme", accounts / "other-account", accounts / "acme-evil"
    for folder in (account, sibling, twin):
        folder.mkdir(parents=True)
    shutil.copyfile(CHART, account / "chart.png")
    shutil.copyfile(CHART, sibling / "x.png")
    shutil.copyfile(CHART, twin / "x.png")
    (account / "secret.txt").write_text("internal: renewal at risk\n", encoding="utf-8")
    (account / "leak.png").symlink_to(sibling / "x.png")
    (account / "passwd.png").symlink_to("/etc/passwd")
    (account / "escape").symlink_to(sibling, target_is_directory=True)
    huge = account / "huge.png"
    with huge.open("wb") as handle:
        handle.truncate(MAX_ASSET_BYTES + 1)
    return Layout(site, account, sibling, twin, account / "chart.png", huge)


REPORT = LOCAL_ORIGIN + "report/"
NEVER_READ = "which is never read: only the theme, the logo and the account's own images are"

REFUSED_URLS = {
    "file outside": lambda lay, port: "file:///etc/passwd",
    "file via localhost": lambda lay, port: "file://localhost/etc/passwd",
    "file on another host": lambda lay, port: "file://fileserver/share/x.png",
    "the account's folder on disk": lambda lay, port: lay.png.resolve().as_uri(),
    "sibling account": lambda lay, port: urljoin(REPORT, "../content/accounts/other-account/x.png"),
    "encoded dot-dot": lambda lay, port: REPORT + "%2e%2e/assets/../../etc/passwd",
    "name-prefix twin": lambda lay, port: (lay.prefix_twin / "x.png").resolve().as_uri(),
    "missing file": lambda lay, port: REPORT + "nothing-here.png",
    "http loopback": lambda lay, port: f"http://127.0.0.1:{port}/x.png",
    "https": lambda lay, port: "https://example.com/x.png",
    "data": lambda lay, port: (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    ),
    "ftp": lambda lay, port: "ftp://ftp.example.com/pub/x.png",
}


@pytest.mark.parametrize("case", REFUSED_URLS)
def test_fetcher_refuses_and_records(
    case: str, layout: Layout, http_server: tuple[int, list[str]]
) -> None:
    port, hits = http_server
    url = REFUSED_URLS[case](layout, port)
    fetcher = layout.fetcher()
    with pytest.raises(PermissionError) as caught:
        fetcher.fetch(url)
    assert str(caught.value) == f"the PDF refers to {url}, {NEVER_READ}"
    assert fetcher.refused == [str(caught.value)]
    assert hits == []


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("leak.png", "is a link (symlink), not a file: commit the file itself, not a link"),
        ("passwd.png", "is a link (symlink), not a file: commit the file itself, not a link"),
        ("x.png", "is a link (symlink), not a file: commit the file itself, not a link"),
    ],
    ids=["symlinked file", "symlink to /etc/passwd", "through a symlinked folder"],
)
def test_fetcher_refuses_links_even_among_the_reports_files(
    name: str, why: str, layout: Layout
) -> None:
    fetcher = layout.fetcher()
    url = REPORT + ("escape/x.png" if name == "x.png" else name)
    with pytest.raises(PermissionError) as caught:
        fetcher.fetch(url)
    assert str(caught.value) == f"the PDF refers to {name}, which {why}"


def test_fetcher_refuses_an_asset_over_the_size_cap(layout: Layout) -> None:
    fetcher = layout.fetcher()
    with pytest.raises(PermissionError) as caught:
        fetcher.fetch(REPORT + "huge.png")
    assert str(caught.value) == "the image huge.png is 10.0 MB, over the 10 MB limit"
    assert fetcher.refused == [str(caught.value)]


def test_fetcher_serves_an_asset_exactly_at_the_size_cap(layout: Layout) -> None:
    with layout.huge.open("r+b") as handle:
        handle.truncate(MAX_ASSET_BYTES)
    fetcher = layout.fetcher()
    response = fetcher.fetch(REPORT + "huge.png")
    assert len(response.read()) == MAX_ASSET_BYTES
    assert fetcher.refused == []


def test_fetcher_serves_the_accounts_image_and_the_theme(layout: Layout) -> None:
    fetcher = layout.fetcher()
    image = fetcher.fetch(REPORT + "chart.png")
    assert image.read() == CHART.read_bytes()
    assert image.content_type == "image/png"
    css = fetcher.fetch(LOCAL_ORIGIN + "assets/report.css")
    assert css.read() == (THEME_ASSETS / "report.css").read_bytes()
    assert css.content_type == "text/css"
    assert fetcher.refused == []


def _rendered(html: str, layout: Layout) -> bytes:
    return render_pdf(PdfJob("acme", html, LOCAL_ORIGIN, "report", layout.files()))


HOSTILE_HTML = {
    "img file": ('<img src="file:///etc/passwd">', lambda lay, port: "file:///etc/passwd"),
    "stylesheet http": (
        '<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
        lambda lay, port: f"http://127.0.0.1:{port}/x.css",
    ),
    "img sibling": (
        '<img src="../content/accounts/other-account/x.png">',
        lambda lay, port: LOCAL_ORIGIN + "content/accounts/other-account/x.png",
    ),
    "css import": (
        '<style>@import url("http://127.0.0.1:{port}/import.css");</style>',
        lambda lay, port: f"http://127.0.0.1:{port}/import.css",
    ),
    "css background": (
        '<p style="background: url(http://127.0.0.1:{port}/bg.png)">x</p>',
        lambda lay, port: f"http://127.0.0.1:{port}/bg.png",
    ),
    "font face": (
        '<style>@font-face { font-family: X; src: url("http://127.0.0.1:{port}/f.woff"); }'
        " p { font-family: X }</style><p>x</p>",
        lambda lay, port: f"http://127.0.0.1:{port}/f.woff",
    ),
}

ATTACHMENT_REFUSAL = (
    "acme: the PDF asks to embed {url} as an attachment; attachments are never embedded"
)
HOSTILE_ATTACHMENTS = {
    "attachment outside": (
        '<p><a rel="attachment" href="file:///etc/passwd">passwd</a></p>',
        "file:///etc/passwd",
    ),
    "link attachment http": (
        '<link rel="attachment" href="http://127.0.0.1:{port}/secret.txt">',
        "http://127.0.0.1:{port}/secret.txt",
    ),
}


@pytest.mark.parametrize("case", HOSTILE_ATTACHMENTS)
def test_attachments_fail_naming_the_url_and_send_no_request(
    case: str, layout: Layout, http_server: tuple[int, list[str]]
) -> None:
    port, hits = http_server
    template, url = (part.replace("{port}", str(port)) for part in HOSTILE_ATTACHMENTS[case])
    with pytest.raises(PdfError) as caught:
        _rendered(template, layout)
    assert str(caught.value) == ATTACHMENT_REFUSAL.format(url=url)
    assert hits == []


@pytest.mark.parametrize("case", HOSTILE_HTML)
def test_render_fails_naming_the_refused_url_and_sends_no_request(
    case: str, layout: Layout, http_server: tuple[int, list[str]]
) -> None:
    port, hits = http_server
    template, expected_url = HOSTILE_HTML[case]
    html = template.replace("{port}", str(port))
    with pytest.raises(PdfError) as caught:
        _rendered(html, layout)
    url = expected_url(layout, port)
    assert str(caught.value) == f"acme: the PDF refers to {url}, {NEVER_READ}"
    assert hits == []


def test_the_request_counter_does_count(http_server: tuple[int, list[str]]) -> None:
    """The server above really answers: a zero count means the renderer sent nothing."""
    port, hits = http_server
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/probe", timeout=5) as response:
        assert response.status == 200
    assert hits == ["/probe"]


@pytest.mark.parametrize(
    "html",
    [
        '<p><a rel="attachment" href="secret.txt">notes</a></p>',
        '<link rel="attachment" href="secret.txt"><p>notes</p>',
    ],
    ids=["a rel=attachment", "link rel=attachment"],
)
def test_an_attachment_is_never_embedded(html: str, layout: Layout) -> None:
    """Even a file inside the account's folder must not ride along inside the PDF.

    `write_pdf(attachments=[])` only drops the caller's attachments: WeasyPrint still embeds
    `<link rel=attachment>` (catalog /EmbeddedFiles) and `<a rel=attachment>` (file annotations).
    Refusing with a PdfError that names the file is fine too.
    """
    url = REPORT + "secret.txt"
    try:
        pdf = _rendered(html, layout)
    except PdfError as exc:
        assert str(exc).startswith("acme: ")
        assert url in str(exc)
        return
    reader = PdfReader(io.BytesIO(pdf))
    assert embedded_files(reader) == []
    assert b"renewal at risk" not in pdf
