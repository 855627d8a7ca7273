"""Result charts: no label ever covers the data or another label, on a desktop, on a phone and in
the PDF, and the text stays readable.

Every check reads the SVG the real template renders: the sample site's reports, and a table of
awkward series drawn by `chart_view` and the default theme's `_chart.html`. A label's box comes from
the SVG's own coordinates and font size: its width from real glyph advances, measured by Pillow on
the fonts installed under /usr/share/fonts (DejaVu Sans and Liberation Sans: the fonts Chromium and
WeasyPrint fall back to here; the wider of the two, so the check is conservative), its height from
the font's ascent and descent. A box must stay inside the viewBox and must not touch a plotted point
(circle), a segment of the line, a dashed level line or legend sample, or another label.

The same check then runs in Chromium on the boxes the browser itself measures, at 1280 and 800 px
(the wide drawing) and 390 and 360 px (the narrow one), with the text size on screen (11 px at
least); and the PDF's chart text is read back for its size in points (8 at least).
`test_the_checker_finds_what_it_looks_for` shows the checker fails on drawings that are wrong.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomesite.build import BuildOptions, build_site
from outcomesite.render.charts import chart_view, nice_ticks
from outcomesite.render.page import Point
from outcomesite.render.theme import Theme
from tests.conftest import AS_OF, ROOT, VALID, make_site, serving

FONT_FILES = [
    path
    for name in ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")
    for path in sorted(Path("/usr/share/fonts").rglob(name))[:1]
]
EPSILON = 1e-6  # coordinates are printed with one decimal: anything closer is touching, not overlap
CHROMIUM = Path("/usr/bin/chromium")
PHONE_PX, PDF_PT = 11.0, 8.0  # the smallest text allowed on a phone screen and on paper


# --- Geometry of a drawing ------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right - EPSILON
            and other.left < self.right - EPSILON
            and self.top < other.bottom - EPSILON
            and other.top < self.bottom - EPSILON
        )

    def contains(self, other: Box) -> bool:
        return (
            other.left >= self.left - EPSILON
            and other.right <= self.right + EPSILON
            and other.top >= self.top - EPSILON
            and other.bottom <= self.bottom + EPSILON
        )

    def touches_circle(self, cx: float, cy: float, r: float) -> bool:
        nearest_x = min(max(cx, self.left), self.right)
        nearest_y = min(max(cy, self.top), self.bottom)
        return math.hypot(cx - nearest_x, cy - nearest_y) < r - EPSILON

    def touches_segment(self, segment: Segment) -> bool:
        """Liang-Barsky clipping of the segment against the box grown by half the stroke: a
        conservative test (the grown box's corners are square, the stroke's are round)."""
        x1, y1, x2, y2, half = segment
        left, right = self.left - half + EPSILON, self.right + half - EPSILON
        top, bottom = self.top - half + EPSILON, self.bottom + half - EPSILON
        if left >= right or top >= bottom:
            return False
        dx, dy = x2 - x1, y2 - y1
        low, high = 0.0, 1.0
        for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


Segment = tuple[float, float, float, float, float]  # x1, y1, x2, y2, half the stroke width


@dataclass
class Drawing:
    """What one chart SVG draws, in its own user units."""

    name: str  # the svg's class, e.g. "chart-svg chart-wide"
    view: Box
    labels: list[tuple[str, Box]]
    sizes: list[float]  # each label's font size
    dots: list[tuple[float, float, float]]  # cx, cy, radius including the stroke
    line: list[Segment]  # the data polyline
    dashes: list[Segment]  # baseline and target lines, legend samples


def problems(d: Drawing) -> list[str]:
    """Every overlap and every label outside the viewBox, as readable sentences."""
    found: list[str] = []
    for index, (text, box) in enumerate(d.labels):
        if not d.view.contains(box):
            found.append(f"{text!r} {box} is outside the viewBox {d.view}")
        for cx, cy, r in d.dots:
            if box.touches_circle(cx, cy, r):
                found.append(f"{text!r} covers the point at ({cx}, {cy})")
        for segment in d.line:
            if box.touches_segment(segment):
                found.append(f"{text!r} covers the line {segment[:4]}")
        for segment in d.dashes:
            if box.touches_segment(segment):
                found.append(f"{text!r} crosses the dashed line {segment[:4]}")
        for other, other_box in d.labels[index + 1 :]:
            if box.overlaps(other_box):
                found.append(f"{text!r} overlaps {other!r}")
    return [f"{d.name}: {p}" for p in found]


# --- Reading the SVG the template renders ----------------------------------------------------


@functools.cache
def _fonts() -> tuple[object, ...]:
    from PIL import ImageFont

    if not FONT_FILES:
        pytest.skip("needs DejaVu Sans or Liberation Sans under /usr/share/fonts")
    return tuple(ImageFont.truetype(str(path), 1000) for path in FONT_FILES)


def text_extent(text: str, size: float) -> tuple[float, float, float]:
    """Width, ascent and descent of `text` at `size`: the widest and tallest installed font."""
    fonts = _fonts()
    width = max(font.getlength(text) for font in fonts)  # type: ignore[attr-defined]
    metrics = [font.getmetrics() for font in fonts]  # type: ignore[attr-defined]
    return (
        width / 1000 * size,
        max(a for a, _ in metrics) / 1000 * size,
        max(d for _, d in metrics) / 1000 * size,
    )


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


CHART_SVG = re.compile(r'<svg\b[^>]*\bclass="[^"]*\bchart-svg\b.*?</svg>', re.DOTALL)
INHERITED = ("font-size", "text-anchor", "stroke-width", "stroke-dasharray", "stroke")


def drawings(html: str) -> list[Drawing]:
    """Every chart SVG in a page, measured."""
    return [drawing(ET.fromstring(m.group(0))) for m in CHART_SVG.finditer(html)]


def drawing(svg: ET.Element) -> Drawing:
    x, y, w, h = _numbers(svg.attrib["viewBox"])
    found = Drawing(svg.attrib.get("class", ""), Box(x, y, x + w, y + h), [], [], [], [], [])
    seen: set[tuple[str, float, float]] = set()

    def walk(node: ET.Element, inherited: dict[str, str]) -> None:
        style = {**inherited, **{k: v for k, v in node.attrib.items() if k in INHERITED}}
        half = float(style.get("stroke-width", "1")) / 2 if style.get("stroke") != "none" else 0
        if node.tag == "text":
            text = "".join(node.itertext())
            tx, ty = float(node.attrib.get("x", 0)), float(node.attrib.get("y", 0))
            if (text, tx, ty) not in seen:  # a halo drawn under its text is the same label
                seen.add((text, tx, ty))
                size = float(style["font-size"])
                width, ascent, descent = text_extent(text, size)
                shift = {"start": 0.0, "middle": width / 2, "end": width}[
                    style.get("text-anchor", "start")
                ]
                box = Box(tx - shift, ty - ascent, tx - shift + width, ty + descent)
                found.labels.append((text, box))
                found.sizes.append(size)
        elif node.tag == "circle":
            r = float(node.attrib["r"]) + half
            found.dots.append((float(node.attrib["cx"]), float(node.attrib["cy"]), r))
        elif node.tag == "polyline":
            xy = _numbers(node.attrib["points"])
            pairs = list(zip(xy[0::2], xy[1::2], strict=True))
            found.line += [(*a, *b, half) for a, b in itertools.pairwise(pairs)]
        elif node.tag == "line" and "stroke-dasharray" in style:
            ends = [float(node.attrib[k]) for k in ("x1", "y1", "x2", "y2")]
            found.dashes.append((ends[0], ends[1], ends[2], ends[3], half))
        for child in node:
            walk(child, style)

    walk(svg, {})
    return found


# --- The charts under test --------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]
    baseline: float
    target: float
    unit: str | None = None
    days: int = 245  # from the first measurement to the last
    locale: str = "en_US"
    start: dt.date = dt.date(2026, 3, 2)

    def points(self) -> list[Point]:
        step = self.days / max(len(self.values) - 1, 1)
        return [
            (self.start + dt.timedelta(days=round(i * step)), v) for i, v in enumerate(self.values)
        ]


def _wave(n: int, low: float, high: float) -> tuple[float, ...]:
    middle, half = (low + high) / 2, (high - low) / 2
    return tuple(
        round(middle + half * math.sin(i / 2.3) * (0.4 + 0.6 * i / n), 1) for i in range(n)
    )


SERIES = [
    Series("rising", (30, 38, 45, 52, 61, 66), 30, 70, "%"),
    Series("falling", (59, 55, 49, 43, 38), 60, 40, "days"),
    Series("flat", (50, 50, 50, 50, 50, 50), 50, 70, "%"),
    Series("flat-on-target", (70, 70, 70, 70), 50, 70, "%"),
    Series("one-far-off", (12, 11, 95, 12, 10), 12, 5),
    Series("at-baseline-and-target", (340, 250, 340, 250, 300), 340, 250, "tickets/week"),
    Series("long-unit", (338, 322, 371, 355), 340, 250, "tickets/week"),
    Series("latest-on-the-baseline", (64, 70, 75, 72), 72, 90, "%"),
    Series("negative", (-20, -12, -3, 4), -20, 10),
    Series("negative-money", (-5000, -2000, 1500), -5000, 0, "USD"),
    Series("large-money", (84000, 91000, 120500), 84000, 150000, "USD"),
    Series("two-points", (72, 64), 72, 60, "%"),
    Series("thirty-points", _wave(30, 40, 80), 45, 75, "%", days=870),
    Series("thirty-daily", _wave(30, 100, 180), 120, 200, "orders/day", days=29),
    Series("ten-days", (5, 7, 6, 9), 5, 10, "days", days=10),
    Series("three-years", (100, 120, 90, 140, 160), 100, 150, "hours", days=3 * 365),
    Series("a-century", (3, 4, 9, 12), 2, 10, days=126 * 365, start=dt.date(1900, 1, 1)),
    Series("target-far-away", (10, 11, 12, 13), 10, 1000, "tickets/week"),
    Series("lines-close-together", (70, 72, 71, 74), 72, 73, "%"),
    Series("small-fractions", (0.1, 0.15, 0.12, 0.2), 0.1, 0.2, "%"),
    Series("huge", (1e15, 5e14, 2e14), 1e15, 1e14, "tickets/day"),
    Series("german", (59, 55, 49, 43, 38), 60, 40, "days", locale="de_DE"),
    Series("french-money", (1234.5, 2100, 3999.99), 1000, 5000, "EUR", locale="fr_FR"),
    Series("year-boundary", (5, 6, 7, 8), 4, 9, days=40, start=dt.date(2026, 12, 10)),
]


def _html(
    points: list[Point], baseline: float, target: float, unit: str | None, locale: str
) -> str:
    view = chart_view(points, baseline, target, unit, "Metric", locale)
    assert view is not None
    return _theme().render("_chart.html", {"r": {"chart": view}})


@functools.cache
def _theme() -> Theme:
    return Theme(ROOT, "default")


def series_html(s: Series) -> str:
    return _html(s.points(), s.baseline, s.target, s.unit, s.locale)


@pytest.mark.parametrize("series", SERIES, ids=lambda s: s.name)
def test_no_label_covers_the_data_or_another_label(series: Series) -> None:
    charts = drawings(series_html(series))
    assert charts, "the template drew no chart"
    assert [p for d in charts for p in problems(d)] == []


@pytest.mark.parametrize("series", SERIES, ids=lambda s: s.name)
def test_there_is_a_desktop_and_a_phone_drawing(series: Series) -> None:
    """Two geometries: a wide one (desktop and paper) and a narrow one (phones), picked by CSS."""
    charts = drawings(series_html(series))
    assert [d.name for d in charts] == ["chart-svg chart-wide", "chart-svg chart-narrow"]
    wide, narrow = charts
    assert narrow.view.right - narrow.view.left < wide.view.right - wide.view.left
    for d in charts:
        assert len(d.dots) == len(series.values)
        # Nothing but the data in the plot: every y-axis value is left of every point.
        y_labels = [box for text, box in d.labels if box.right < min(x for x, _, _ in d.dots)]
        assert len(y_labels) >= 2, f"{d.name}: no y-axis labels left of the plot"
        # At least two date labels below the plot, for every series that spans days.
        lowest = max(y for _, y, _ in d.dots)
        below = [text for text, box in d.labels if box.top > lowest + 4]
        assert len(below) >= 2, f"{d.name}: the x-axis has {below}"


NUMBERS = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 0.5, 40, 100]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(NUMBERS, min_size=2, max_size=30),
    baseline=NUMBERS,
    target=NUMBERS,
    days=st.integers(min_value=1, max_value=40 * 365),
    unit=st.sampled_from([None, "%", "USD", "USD/month", "days", "tickets/week"]),
    locale=st.sampled_from(["en_US", "de_DE", "fr_FR"]),
)
def test_any_series_draws_without_overlap(
    values: list[float], baseline: float, target: float, days: int, unit: str | None, locale: str
) -> None:
    if baseline == target:
        target = baseline + 1  # `check` refuses a target equal to its baseline
    start = dt.date(2020, 1, 1)
    step = max(days // (len(values) - 1), 1)
    points = [(start + dt.timedelta(days=i * step), v) for i, v in enumerate(values)]
    assert [
        p for d in drawings(_html(points, baseline, target, unit, locale)) for p in problems(d)
    ] == []


# --- The checker itself --------------------------------------------------------------------


def _svg(body: str) -> str:
    return f'<svg class="chart-svg" viewBox="0 0 200 100" font-size="12">{body}</svg>'


CLEAN = (
    '<polyline points="40,80 190,20" stroke-width="2"/><circle cx="40" cy="80" r="4"/>'
    '<circle cx="190" cy="20" r="4"/><line x1="40" x2="190" y1="50" y2="50" stroke-dasharray="4"/>'
    '<text x="2" y="95">Start</text><text x="198" y="95" text-anchor="end">End</text>'
)
BROKEN = [
    ("a label on a point", '<text x="36" y="84">Here</text>', "covers the point"),
    (
        "a label on the line",
        '<text x="100" y="52" text-anchor="middle">Mid</text>',
        "covers the line",
    ),
    ("a label on a level line", '<text x="45" y="54">Target</text>', "crosses the dashed line"),
    ("two labels on each other", '<text x="4" y="92">Start</text>', "overlaps"),
    ("a label cut off at the top", '<text x="60" y="5">Top</text>', "outside the viewBox"),
    ("a label cut off at the side", '<text x="190" y="40">Right</text>', "outside the viewBox"),
]


def test_the_checker_passes_a_clean_drawing() -> None:
    assert [p for d in drawings(_svg(CLEAN)) for p in problems(d)] == []


@pytest.mark.parametrize(("case", "extra", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_the_checker_finds_what_it_looks_for(case: str, extra: str, expected: str) -> None:
    found = [p for d in drawings(_svg(CLEAN + extra)) for p in problems(d)]
    assert any(expected in p for p in found), f"{case}: {found}"


# --- The geometry's pieces ---------------------------------------------------------------------

NICE_TICKS = [
    ((38, 60, 5), [35, 40, 45, 50, 55, 60]),
    ((38, 60, 4), [30, 40, 50, 60]),
    ((250, 371, 5), [250, 275, 300, 325, 350, 375]),
    ((-20, 10, 4), [-20, -10, 0, 10]),
    ((0.1, 0.2, 4), [0.1, 0.125, 0.15, 0.175, 0.2]),
    ((84_000, 150_000, 4), [80_000, 100_000, 120_000, 140_000, 160_000]),
    ((50, 50, 4), [20, 40, 60, 80]),  # one value: around it
    ((1e15, 1e15 + 0.125, 4), [1e15, 1e15 + 0.125]),  # a step below the precision: the ends
]


@pytest.mark.parametrize(("args", "expected"), NICE_TICKS, ids=[str(a) for a, _ in NICE_TICKS])
def test_value_ticks_are_round_numbers(
    args: tuple[float, float, int], expected: list[float]
) -> None:
    assert nice_ticks(*args) == expected


DATE_TICKS = [  # (first, last) -> the wide drawing's dates, the narrow one's
    (
        ("2026-03-02", "2026-03-12"),
        ["Mar 2, 2026", "Mar 4", "Mar 6", "Mar 8", "Mar 10", "Mar 12"],
        ["Mar 2, 2026", "Mar 9"],
    ),
    (("2026-03-02", "2026-11-02"), ["May 2026", "Jul", "Sep", "Nov"], ["Apr 2026", "Jul", "Oct"]),
    (
        ("2026-12-10", "2027-01-19"),
        ["Dec 14, 2026", "Dec 21", "Dec 28", "Jan 4, 2027", "Jan 11", "Jan 18"],
        ["Dec 14, 2026", "Dec 28", "Jan 11, 2027"],
    ),
    (
        ("2026-03-02", "2029-03-01"),
        ["Jul 2026", "Jan 2027", "Jul", "Jan 2028", "Jul", "Jan 2029"],
        ["2027", "2028", "2029"],
    ),
    (
        ("1900-01-01", "2026-01-01"),
        ["1900", "1920", "1940", "1960", "1980", "2000", "2020"],
        ["1900", "1950", "2000"],
    ),
]


@pytest.mark.parametrize(
    ("span", "wide", "narrow"), DATE_TICKS, ids=[f"{a}..{b}" for (a, b), _, _ in DATE_TICKS]
)
def test_date_ticks_are_calendar_dates_that_fit(
    span: tuple[str, str], wide: list[str], narrow: list[str]
) -> None:
    points = [(dt.date.fromisoformat(day), float(i)) for i, day in enumerate(span)]
    view = chart_view(points, 0, 1, None, "Metric", "en_US")
    assert view is not None
    assert [t["label"]["text"] for t in view["wide"]["x_ticks"]] == wide
    assert [t["label"]["text"] for t in view["narrow"]["x_ticks"]] == narrow


def test_a_long_unit_is_written_once_above_the_values() -> None:
    view = chart_view(SERIES[6].points(), 340, 250, "tickets/week", "Tickets", "en_US")
    assert view is not None
    for g in (view["wide"], view["narrow"]):
        assert [t["label"]["text"] for t in g["y_ticks"]] == [
            "250",
            "275",
            "300",
            "325",
            "350",
            "375",
        ]
        assert g["unit"] is not None and g["unit"]["text"] == "tickets/week"


def test_labels_with_no_room_by_their_line_go_to_a_legend() -> None:
    """The line zigzags across both level lines the whole way: no spot by a line is clear, so both
    labels go under the dates, each after a sample of its line."""
    zigzag = Series("zigzag", tuple(45 if i % 2 else 75 for i in range(24)), 55, 65, "%", days=690)
    view = chart_view(zigzag.points(), 55, 65, "%", "Metric", "en_US")
    assert view is not None
    for g in (view["wide"], view["narrow"]):
        assert [level["label"] for level in g["levels"]] == [None, None]
        assert [(k["kind"], k["label"]["text"]) for k in g["legend"]] == [
            ("baseline", "Baseline 55%"),
            ("target", "Target 65%"),
        ]
    (wide, narrow) = drawings(series_html(zigzag))
    for d in (wide, narrow):
        assert {"Baseline 55%", "Target 65%"} <= {text for text, _ in d.labels}
        assert len(d.dashes) == 4  # the two level lines and their two samples
        assert problems(d) == []


def test_one_measurement_makes_no_chart() -> None:
    assert chart_view([(dt.date(2026, 3, 2), 5.0)], 4, 9, None, "Metric", "en_US") is None


# --- The sample site: static check, weight, Chromium and the PDF ------------------------------


@dataclass(frozen=True)
class Built:
    root: Path
    reports: dict[str, Path]  # account slug -> its report's index.html


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The example site of this repository, built with its PDFs."""
    root = tmp_path_factory.mktemp("chart-site")
    shutil.copytree(ROOT / "content", root / "content")
    options = BuildOptions(pdf=True, environ={"OUTCOMESITE_SECRET": "s" * 40}, as_of=AS_OF)
    build_site(root, options)
    pdfs = (root / "build" / "public").rglob("*.pdf")
    return Built(root, {pdf.stem: pdf.parent / "index.html" for pdf in pdfs})


def test_the_sample_site_has_charts_without_overlap(sample: Built) -> None:
    found: list[str] = []
    charts = 0
    for slug, report in sorted(sample.reports.items()):
        html = report.read_text(encoding="utf-8")
        for d in drawings(html):
            charts += 1
            found += [f"{slug}: {p}" for p in problems(d)]
        assert len(html.encode()) < 60_000, f"{slug}: the page weighs {len(html.encode())} bytes"
    assert found == []
    assert charts >= 12, "the sample site should show several charts, each drawn twice"


def test_a_report_with_many_long_charts_stays_light(tmp_path: Path) -> None:
    """Five results of thirty measurements each: the page (without images) stays under 60 KB."""
    front, body = VALID.split("results:\n", 1)
    result, rest = body.split("---\n", 1)
    history = "    history:\n" + "".join(
        f"      - {{date: {dt.date(2024, 6, 3) + dt.timedelta(days=28 * i)}, value: {40 + i % 7}}}\n"
        for i in range(29)
    )
    results = "".join(
        result.replace("onboarding-time", f"result-{n}").replace(
            "    measured_on: 2026-11-01\n", "    measured_on: 2026-11-01\n" + history
        )
        for n in range(5)
    )
    make_site(tmp_path, {"acme": f"{front}results:\n{results}---\n{rest}"})
    build_site(
        tmp_path, BuildOptions(pdf=False, environ={"OUTCOMESITE_SECRET": "s" * 40}, as_of=AS_OF)
    )
    (page,) = (tmp_path / "build" / "public" / "r").glob("*/index.html")
    html = page.read_text(encoding="utf-8")
    assert [len(d.dots) for d in drawings(html)] == [30] * 10
    assert len(html.encode()) < 60_000


# Chromium: the boxes the browser measures with its own fonts, the text size on screen, and one
# drawing shown per chart.
MEASURE = """() => [...document.querySelectorAll('svg.chart-svg')]
  .filter(svg => getComputedStyle(svg).display !== 'none')
  .map(svg => {
    const scale = svg.getScreenCTM().a, view = svg.viewBox.baseVal;
    const num = (el, name) => parseFloat(el.getAttribute(name));
    const half = el => { const s = getComputedStyle(el); return s.stroke === 'none' ? 0 : parseFloat(s.strokeWidth) / 2; };
    return {
      name: svg.getAttribute('class'),
      view: [view.x, view.y, view.width, view.height],
      labels: [...svg.querySelectorAll('text')].map(t => {
        const b = t.getBBox();
        return [t.textContent, b.x, b.y, b.width, b.height, parseFloat(getComputedStyle(t).fontSize) * scale];
      }),
      dots: [...svg.querySelectorAll('circle')].map(c => [num(c, 'cx'), num(c, 'cy'), num(c, 'r') + half(c)]),
      line: [...svg.querySelectorAll('polyline')].map(p => [[...p.points].map(q => [q.x, q.y]), half(p)]),
      dashes: [...svg.querySelectorAll('line[stroke-dasharray]')].map(l => [num(l, 'x1'), num(l, 'y1'), num(l, 'x2'), num(l, 'y2'), half(l)]),
      figures: document.querySelectorAll('figure.chart').length,
    };
  })"""


def browser_drawing(chart: dict) -> Drawing:
    x, y, w, h = chart["view"]
    d = Drawing(chart["name"], Box(x, y, x + w, y + h), [], [], [], [], [])
    for text, bx, by, bw, bh, px in chart["labels"]:
        d.labels.append((text, Box(bx, by, bx + bw, by + bh)))
        d.sizes.append(px)
    d.dots = [(cx, cy, r) for cx, cy, r in chart["dots"]]
    for points, half in chart["line"]:
        d.line += [(*a, *b, half) for a, b in itertools.pairwise(points)]
    d.dashes = [(x1, y1, x2, y2, half) for x1, y1, x2, y2, half in chart["dashes"]]
    return d


@pytest.fixture(scope="module")
def served(sample: Built) -> Iterator[str]:
    with serving(sample.root / "build") as base:
        yield base


SCREENS = [(1280, "chart-wide"), (800, "chart-wide"), (390, "chart-narrow"), (360, "chart-narrow")]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_in_chromium_no_label_overlaps_and_text_is_legible(sample: Built, served: str) -> None:
    """At each width: the drawing meant for it is the one shown, its labels (boxes measured by the
    browser, with its fonts) clear of the data and of each other, and at least 11 px tall."""
    import playwright.sync_api as playwright_api

    found: list[str] = []
    measured = 0
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for width, shown in SCREENS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                for slug, report in sorted(sample.reports.items()):
                    page.goto(served + report.relative_to(sample.root / "build").as_posix())
                    charts = page.evaluate(MEASURE)
                    for chart in charts:
                        measured += 1
                        where = f"{slug} at {width} px"
                        assert chart["name"] == f"chart-svg {shown}", f"{where}: {chart['name']}"
                        assert chart["figures"] == len(charts), f"{where}: one drawing per chart"
                        d = browser_drawing(chart)
                        found += [f"{where}: {p}" for p in problems(d)]
                        found += [
                            f"{where}: {text!r} is {px:.1f} px"
                            for (text, _), px in zip(d.labels, d.sizes, strict=True)
                            if px < PHONE_PX
                        ]
                page.close()
        finally:
            browser.close()
    assert measured >= 4 * 6
    assert found == []


def pdf_text_sizes(pdf: Path) -> dict[str, float]:
    """Each piece of text in a PDF and the smallest size it is drawn at, in points: the font size
    times the vertical scale of the text matrix and the graphics matrix (an SVG's scaling)."""
    from pypdf import PdfReader

    sizes: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        c, d = tm[2], tm[3]
        scale = math.hypot(c * cm[0] + d * cm[2], c * cm[1] + d * cm[3])
        if text.strip():
            sizes[text.strip()] = min(sizes.get(text.strip(), math.inf), size * scale)

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_in_the_pdf_chart_text_is_at_least_8pt(sample: Built) -> None:
    """Every label of the drawings print.css shows (all but the narrow ones) is in the PDF, at
    8 pt or more."""
    checked = 0
    small: list[str] = []
    for slug, report in sorted(sample.reports.items()):
        html = report.read_text(encoding="utf-8")
        printed = [d for d in drawings(html) if "chart-narrow" not in d.name.split()]
        if not printed:
            continue
        sizes = pdf_text_sizes(report.parent / f"{slug}.pdf")
        for text in sorted({text for d in printed for text, _ in d.labels}):
            assert text in sizes, f"{slug}: {text!r} is not in the PDF"
            checked += 1
            if sizes[text] < PDF_PT - 0.05:
                small.append(f"{slug}: {text!r} is {sizes[text]:.2f} pt")
    assert checked >= 30
    assert small == []
