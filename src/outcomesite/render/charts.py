"""A result's measurements over time as chart geometry in which no label covers the data or another
label, and the table of values beside it, which screen readers and PDF text extraction read.

Each chart is drawn twice: `wide` (desktops and paper) and `narrow` (phones), each sized in SVG units
so that its text comes out legible where it is shown; report.css and print.css show one (there is no
script, and the Content-Security-Policy allows no style attribute). Everything is placed here, by
pure functions over plain numbers, so that browsers and WeasyPrint draw the same picture:

- the y-axis values sit in a gutter left of the plot, a long unit ("tickets/week") once above them;
- the dates below the plot are calendar ticks (days, weeks, months, years), the finest interval
  whose labels fit side by side;
- the baseline and target labels go just above or below their line, at the right end, the left end
  or in between: the first spot (target first) that touches no point, no segment of the line, the
  other level line or another label; when there is none, into a legend under the dates.

A label's box is estimated from its font size, the ascent and descent of the fonts and a table of
glyph advance widths: the wider of DejaVu Sans and Liberation Sans for each character, rounded up to
a twentieth of an em (the widest fonts the page's font stack falls back to; system fonts such as
Segoe UI, SF or Roboto are narrower), and a whole em for a character outside the table.
tests/test_charts.py measures the rendered SVG with the real fonts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypedDict

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal, format_scientific

from outcomesite.i18n import translator
from outcomesite.render import formatting as fmt
from outcomesite.render.page import Point


class PlotBox(TypedDict):
    left: float
    right: float
    top: float
    bottom: float


class Label(TypedDict):
    """A text: `x`, `y` (its baseline) and `anchor` are SVG's x, y and text-anchor."""

    x: float
    y: float
    anchor: str  # "start" | "middle" | "end"
    text: str


class YTick(TypedDict):
    y: float  # the grid line
    label: Label


class XTick(TypedDict):
    x: float  # the tick mark under the plot
    label: Label


class Level(TypedDict):
    """A horizontal line, the baseline or the target, and its label when it has room by the line."""

    kind: str  # "baseline" | "target"
    y: float
    label: Label | None  # None: the label is in the legend


class LegendItem(TypedDict):
    kind: str  # "baseline" | "target"
    x1: float  # a sample of the line, from x1 to x2 at the height of the text's middle
    x2: float
    y: float
    label: Label


class Dot(TypedDict):
    x: float
    y: float


class ChartLayout(TypedDict):
    """One drawing of a chart (`r.chart.wide`, `r.chart.narrow`), in SVG user units."""

    name: str  # "wide" | "narrow": the SVG's class is chart-<name>
    width: int
    height: int
    font_size: float
    dot_radius: float
    plot: PlotBox
    y_ticks: list[YTick]
    unit: Label | None  # the unit above the y-axis values, when they are bare numbers
    x_ticks: list[XTick]
    levels: list[Level]
    legend: list[LegendItem]
    line: str  # the polyline's points
    dots: list[Dot]


class ChartRow(TypedDict):
    date: str
    value: str


class ChartView(TypedDict):
    """`r.chart` in report.html, drawn by _chart.html."""

    wide: ChartLayout
    narrow: ChartLayout
    dots: list[Dot]  # the wide drawing's points: one per measurement
    y_title: str
    rows: list[ChartRow]


@dataclass(frozen=True)
class Frame:
    """The size of one drawing, in SVG units. Its text size on screen is font_size times the
    drawing's scale: the wide drawing is shown at most 32rem wide (report.css: 13.2 px at 512 px),
    and at 69% of an A4 result card on paper (print.css: above 8 pt); the narrow one fills a phone's
    card (12.5 px at 375 px, 11 px at 330 px)."""

    name: str
    width: int
    plot_height: int
    font_size: float
    dot_radius: float
    max_x_ticks: int


WIDE = Frame("wide", 580, 140, 15, 4, 7)
NARROW = Frame("narrow", 320, 150, 13, 3.5, 4)

# Drawn by _chart.html with these stroke widths; a label keeps CLEARANCE away from anything.
LINE_WIDTH, DOT_STROKE, LEVEL_WIDTH = 2.5, 1.5, 2.0
CLEARANCE = 2.0
EDGE = 3.0  # from a label to the drawing's edge: some glyphs' ink overhangs their advance (Noto Sans "J": 0.15 em)
ASCENT, DESCENT = 1.07, 0.30  # of an em, the largest of DejaVu Sans, Liberation Sans, Noto Sans
DIGIT_MIDDLE = 0.36  # a baseline this far below a line centres digits on it
SAMPLE = 18.0  # a legend's sample of a line

_ADVANCE_GROUPS = {
    0.00: "\u200e\u200f",
    0.20: "\u2009\u202f",
    0.25: "′",
    0.30: "'IijlÌÍÎÏìíîïĨĩĪīĬĭĮįİıĵĺļł",
    0.35: " ,./:;\\|\u00a0¦·ŀ‘’‚",
    0.40: "()-[]ft\u00adľţťŧſ‐‑″‹›",
    0.45: "!r¡²³¹ŕŗř",
    0.50: '"*J`¨ª°´¸ºĴ',
    0.55: "cszçćĉċčśŝşšźżž“”„",
    0.60: "?L_kvxy§¯ýÿĳķĸĹĻĽĿŁŷ–•",
    0.65: "$0123456789FTabdeghnopqu{}¢£¤¤¥«µ¶»¿ßàáâãäåèéêëðñòóôõöøùúûüþāăąďđēĕėęěĝğġģĥńņňŋōŏőŢŤŦũūŭůűų\u2007‒₡₦₫€₱₵₸₹₺₽",
    0.70: "ABEKPSVXYZÀÁÂÃÄÅÈÉÊËÝÞĀĂĄĒĔĖĘĚħĶŚŜŞŠŶŸŹŻŽ",
    0.75: "CNRUÇÑÙÚÛÜĆĈĊČĲŃŅŇŊŔŖŘŨŪŬŮŰŲ",
    0.80: "&DGHOQÐÒÓÔÕÖØĎĐĜĞĠĢĤŌŎŐ₪₴",
    0.85: "#+<=>^w~¬±×÷ŉŵ−",
    0.90: "M",
    0.95: "Ħ",
    1.00: "%Wm©®¼½¾ÆæŴ—…₩",
    1.05: "@œ",
    1.10: "Œ",
    1.35: "‰",
}
_ADVANCE = {ch: width for width, chars in _ADVANCE_GROUPS.items() for ch in chars}


@lru_cache(maxsize=8192)
def text_width(text: str, size: float) -> float:
    """A conservative advance width of `text` at `size` (see the module's docstring). Cached: the
    same ticks ("Jul", "40%") come back in chart after chart."""
    return sum(_ADVANCE.get(ch, 1.0) for ch in text) * size


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def grown(self, by: float) -> Box:
        return Box(self.left - by, self.top - by, self.right + by, self.bottom + by)

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def within(self, other: Box) -> bool:
        return (
            self.left >= other.left
            and self.right <= other.right
            and self.top >= other.top
            and self.bottom <= other.bottom
        )

    def hits_circle(self, cx: float, cy: float, r: float) -> bool:
        dx = cx - min(max(cx, self.left), self.right)
        dy = cy - min(max(cy, self.top), self.bottom)
        return dx * dx + dy * dy < r * r

    def hits_segment(self, x1: float, y1: float, x2: float, y2: float, half: float) -> bool:
        """Whether the segment, stroked `half` wide on each side, enters the box (Liang-Barsky
        clipping against the box grown by the half width)."""
        left, top, right, bottom = (
            self.left - half,
            self.top - half,
            self.right + half,
            self.bottom + half,
        )
        if (
            max(x1, x2) <= left
            or min(x1, x2) >= right
            or max(y1, y2) <= top
            or min(y1, y2) >= bottom
        ):
            return False
        dx, dy = x2 - x1, y2 - y1
        low, high = 0.0, 1.0
        for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
            if p == 0:
                if q <= 0:
                    return False
            elif p < 0:
                low = max(low, q / p)
            else:
                high = min(high, q / p)
            if low >= high:
                return False
        return True


def label_box(label: Label, size: float) -> Box:
    """The box a label's text takes: its advance width, and the font's ascent and descent."""
    width = text_width(label["text"], size)
    left = label["x"] - {"start": 0.0, "middle": width / 2, "end": width}[label["anchor"]]
    return Box(left, label["y"] - ASCENT * size, left + width, label["y"] + DESCENT * size)


def _label(x: float, y: float, anchor: str, text: str) -> Label:
    return {"x": round(x, 1), "y": round(y, 1), "anchor": anchor, "text": text}


def _fit(text: str, size: float, room: float) -> str:
    """`text`, cut short with an ellipsis if it is wider than `room` (only absurd values are)."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class Obstacles:
    """What a baseline or target label must keep clear of: the points, the line, the level lines
    and the labels already placed."""

    dots: Sequence[tuple[float, float, float]]  # cx, cy, radius with the stroke
    segments: Sequence[tuple[float, float, float, float, float]]  # x1, y1, x2, y2, half width
    boxes: Sequence[Box]

    def clear(self, box: Box) -> bool:
        grown = box.grown(CLEARANCE)
        return (
            not any(grown.hits_circle(cx, cy, r) for cx, cy, r in self.dots)
            and not any(grown.hits_segment(*segment) for segment in self.segments)
            and not any(grown.overlaps(other) for other in self.boxes)
        )


# --- The value axis ---------------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values covering [low, high] in about `count` steps of 1, 2, 2.5 or 5 times a power of
    ten, e.g. 0, 20, 40, 60. Computed from whole multiples of the step, so that float rounding at
    the edges of the accepted range (1e15, 1e-300) cannot stall it; when the step is below the
    values' precision, the ends alone."""
    low, high = min(low, high), max(low, high)
    span = high - low
    if not span > 0:
        span = abs(high) or 1.0
        low, high = low - span / 2, high + span / 2
    raw = span / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(
        (m * magnitude for m in (1, 2, 2.5, 5) if m * magnitude >= raw * (1 - 1e-9)), 10 * magnitude
    )
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    digits = max(0, 1 - math.floor(math.log10(step)))
    ticks = [round(i * step, digits) for i in range(first, max(last, first + 1) + 1)]
    if any(b <= a for a, b in itertools.pairwise(ticks)):
        return [low, high]
    return ticks


def _value_ticks(low: float, high: float, frame: Frame) -> list[float]:
    """The most ticks (up to about five steps) whose labels keep a line of space between them."""
    room = (ASCENT + DESCENT) * frame.font_size + 4
    for count in (5, 4, 3, 2, 1):
        ticks = nice_ticks(low, high, count)
        if len(ticks) <= 8 and frame.plot_height / (len(ticks) - 1) >= room:
            return ticks
    return [min(low, high), max(low, high)]


def _digits_span(text: str) -> tuple[int, int] | None:
    """Where the number is in a formatted value: from its first digit to after its last."""
    where = [i for i, ch in enumerate(text) if ch.isdigit()]
    return (where[0], where[-1] + 1) if where else None


def _split_unit(labels: list[str]) -> tuple[list[str], str | None]:
    """Bare values and the unit's words ("tickets/week", "Tage", "per month"), when every label
    ends in words after its number: the axis then shows the values and the words once above them.
    Symbols ("%", "€") stay in the labels: they are short, and their place varies by locale."""
    heads, tails = [], []
    for label in labels:
        span = _digits_span(label)
        tail = label[span[1] :].strip() if span else ""
        if len(tail) < 3 or not any(ch.isalpha() for ch in tail):
            return labels, None
        assert span is not None
        heads.append(label[: span[1]])
        tails.append(tail)
    return heads, tails[-1]  # the plural of the largest value ("1 day", "2 days")


def _shortened(value: float, label: str, locale: str, digits: int) -> str:
    """`label` with its number written compact ("$84K", "1.2M"; 0-2 decimals), or in scientific
    notation (digits 3), keeping the symbols around it."""
    span = _digits_span(label)
    if span is None:
        return label
    prefix = label[: span[0]].replace("-", "").replace("\u2212", "")
    if digits > 2:
        number = str(format_scientific(abs(value), format="0.##E0", locale=locale))
    else:
        number = str(format_compact_decimal(abs(value), locale=locale, fraction_digits=digits))
    return ("-" if value < 0 else "") + prefix + number + label[span[1] :]


def _value_labels(
    ticks: list[float], labels: list[str], locale: str, size: float, room: float
) -> list[str]:
    """The ticks' labels as written elsewhere in the report if they fit the gutter (`room` wide);
    else the first shortened form whose labels fit and still differ from each other."""
    shown = labels
    for digits in (-1, 0, 1, 2, 3):
        if digits >= 0:
            shown = [_shortened(t, s, locale, digits) for t, s in zip(ticks, labels, strict=True)]
        if len(set(shown)) == len(shown) and max(text_width(s, size) for s in shown) <= room:
            return shown
    return shown


# --- The date axis ---------------------------------------------------------------------------

Step = tuple[Literal["day", "week", "month", "year"], int]
_STEPS: tuple[Step, ...] = (
    ("day", 1),
    ("day", 2),
    ("week", 1),
    ("week", 2),
    ("month", 1),
    ("month", 2),
    ("month", 3),
    ("month", 6),
    ("year", 1),
    ("year", 2),
    ("year", 5),
    ("year", 10),
    ("year", 20),
    ("year", 25),
    ("year", 50),
    ("year", 100),
)
_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}


def _tick_dates(first: dt.date, last: dt.date, step: Step) -> Iterator[dt.date]:
    """Calendar dates in [first, last]: every n days, every n weeks' Monday, the first of every
    n-th month, the first of January of every n-th year."""
    kind, n = step
    if kind in ("day", "week"):
        day = first if kind == "day" else first + dt.timedelta(days=-first.weekday() % 7)
        while day <= last:
            yield day
            day += dt.timedelta(days=n * _DAYS[kind])
    elif kind == "month":
        index = first.year * 12 + first.month - 1 + (first.day > 1)
        index += -index % n
        while (day := dt.date(index // 12, index % 12 + 1, 1)) <= last:
            yield day
            index += n
    else:
        year = first.year + (first > dt.date(first.year, 1, 1))
        year += -year % n
        while year <= last.year:
            yield dt.date(year, 1, 1)
            year += n


@lru_cache(maxsize=8192)
def _date_text(day: dt.date, skeleton: str, locale: str) -> str:
    return str(format_skeleton(skeleton, day, locale=locale))


def _date_labels(days: list[dt.date], kind: str, locale: str) -> list[str]:
    """ "Mar 2, 2026", "Mar 4"; "Mar 2026", "May"; "2026": the year on the first tick and where it
    changes."""
    labels = []
    for i, day in enumerate(days):
        new_year = i == 0 or day.year != days[i - 1].year
        if kind == "year":
            skeleton = "y"
        elif kind == "month":
            skeleton = "yMMM" if new_year else "MMM"
        else:
            skeleton = "yMMMd" if new_year else "MMMd"
        labels.append(_date_text(day, skeleton, locale))
    return labels


def _date_ticks(
    first: dt.date,
    last: dt.date,
    x_of: Callable[[dt.date], float],
    baseline: float,
    frame: Frame,
    locale: str,
) -> list[XTick]:
    """The finest calendar step whose labels, centred on their ticks (held inside the drawing at
    its edges), keep half an em apart; at most frame.max_x_ticks of them."""
    size, span = frame.font_size, (last - first).days
    for step in _STEPS:
        if span / (step[1] * _DAYS[step[0]]) + 1 > frame.max_x_ticks + 1:
            continue
        days = list(_tick_dates(first, last, step))
        if not 2 <= len(days) <= frame.max_x_ticks:
            continue
        ticks = [
            _x_tick(x_of(d), text, baseline, frame)
            for d, text in zip(days, _date_labels(days, step[0], locale), strict=True)
        ]
        boxes = [label_box(t["label"], size) for t in ticks]
        if all(a.right + size / 2 <= b.left for a, b in itertools.pairwise(boxes)):
            return ticks
    ends = [_x_tick(x_of(first), fmt.day(first, locale), baseline, frame)]
    last_tick = _x_tick(x_of(last), fmt.day(last, locale), baseline, frame)
    if (
        label_box(ends[0]["label"], size).right + size / 2
        <= label_box(last_tick["label"], size).left
    ):
        ends.append(last_tick)
    return ends


def _x_tick(x: float, text: str, baseline: float, frame: Frame) -> XTick:
    text = _fit(text, frame.font_size, frame.width - 2 * EDGE)
    label = _label(x, baseline, "middle", text)
    box = label_box(label, frame.font_size)
    if box.left < EDGE:
        label = _label(EDGE, baseline, "start", text)
    elif box.right > frame.width - EDGE:
        label = _label(frame.width - EDGE, baseline, "end", text)
    return {"x": round(x, 1), "label": label}


# --- Baseline and target labels -------------------------------------------------------------


def _spots(y: float, text: str, plot: PlotBox, frame: Frame) -> Iterator[tuple[Label, Box]]:
    """Where a level line's label may go, best first: just above or below the line, at its right
    end, its left end, then in between from right to left; inside the plot (and the space above
    it), never below the x-axis. Each with its box."""
    size = frame.font_size
    width = text_width(text, size)
    lowest, highest = plot["left"] + CLEARANCE + 2, plot["right"] - width
    if highest < lowest:
        return
    lefts = [highest, lowest] + [highest - (highest - lowest) * i / 10 for i in range(1, 10)]
    above = y - LEVEL_WIDTH / 2 - CLEARANCE - DESCENT * size
    below = y + LEVEL_WIDTH / 2 + CLEARANCE + ASCENT * size
    for left in lefts:
        for baseline in (above, below):
            label = _label(left, baseline, "start", text)
            box = Box(
                label["x"],
                label["y"] - ASCENT * size,
                label["x"] + width,
                label["y"] + DESCENT * size,
            )
            if box.top >= EDGE and box.bottom <= plot["bottom"] - 1:
                yield label, box


def _free_spots(
    y: float, text: str, other_y: float, plot: PlotBox, frame: Frame, obstacles: Obstacles
) -> Iterator[tuple[Label, Box]]:
    """The spots of `_spots` clear of the data, the labels placed and the other level line."""
    other = (plot["left"], other_y, plot["right"], other_y, LEVEL_WIDTH / 2)
    mine = Obstacles(obstacles.dots, [*obstacles.segments, other], obstacles.boxes)
    return ((label, box) for label, box in _spots(y, text, plot, frame) if mine.clear(box))


def _place_levels(
    first: tuple[float, str],
    second: tuple[float, str],
    plot: PlotBox,
    frame: Frame,
    obstacles: Obstacles,
) -> tuple[Label | None, Label | None]:
    """A label for each level line (`y`, text), or None for the legend: the first clear spot of
    the first line (the target's) with the first clear spot of the second that does not overlap
    it; failing a pair, the first line keeps its first clear spot. Lazily: a chart usually takes
    the first spots it tries."""
    seconds: list[tuple[Label, Box]] = []
    more = _free_spots(*second, first[0], plot, frame, obstacles)

    def second_spots() -> Iterator[tuple[Label, Box]]:
        yield from seconds  # the ones found so far, then the rest, remembered
        for spot in more:
            seconds.append(spot)
            yield spot

    firsts = _free_spots(*first, second[0], plot, frame, obstacles)
    best = next(firsts, None)
    if best is None:
        return None, next(second_spots(), (None,))[0]
    for label, box in itertools.chain([best], firsts):
        grown = box.grown(CLEARANCE)
        for other, other_box in second_spots():
            if not grown.overlaps(other_box):
                return label, other
        if not seconds:
            break  # the second line has no spot at all
    return best[0], None


def _legend(
    items: list[tuple[str, str]], top: float, plot: PlotBox, frame: Frame
) -> tuple[list[LegendItem], float]:
    """The labels that found no room by their lines, each after a sample of its line, left to right
    from the plot's left edge, on as many rows as they need. Returns the items and the bottom."""
    size = frame.font_size
    row = (ASCENT + DESCENT) * size + 3
    x, bottom = plot["left"], top
    placed: list[LegendItem] = []
    baseline = top + ASCENT * size
    for kind, text in items:
        text = _fit(text, size, frame.width - 2 * EDGE - SAMPLE - 5)
        width = SAMPLE + 5 + text_width(text, size)
        if x + width > frame.width - EDGE and placed:
            x, baseline = plot["left"], baseline + row
        if x + width > frame.width - EDGE:
            x = EDGE
        placed.append(
            {
                "kind": kind,
                "x1": round(x, 1),
                "x2": round(x + SAMPLE, 1),
                "y": round(baseline - 0.3 * size, 1),
                "label": _label(x + SAMPLE + 5, baseline, "start", text),
            }
        )
        x += width + 14
        bottom = baseline + DESCENT * size
    return placed, bottom


# --- The drawing -----------------------------------------------------------------------------


def layout(
    frame: Frame, points: list[Point], baseline: float, target: float, unit: str | None, locale: str
) -> ChartLayout:
    """One drawing of the chart: see the module's docstring for where each label goes."""
    size = frame.font_size
    values = [v for _, v in points]
    ticks = _value_ticks(min([*values, baseline, target]), max([*values, baseline, target]), frame)
    low, high = ticks[0], ticks[-1]
    heads, title = _split_unit([fmt.quantity(t, unit, locale) for t in ticks])
    tick_texts = _value_labels(ticks, heads, locale, size, 0.3 * frame.width)

    reach = frame.dot_radius + DOT_STROKE / 2  # how far a point's circle reaches
    gutter = reach + CLEARANCE + 2
    widest = max(text_width(t, size) for t in tick_texts)
    left = math.ceil(EDGE + widest + gutter)
    right = frame.width - math.ceil(reach + 1)
    above_tick = (ASCENT - DIGIT_MIDDLE) * size  # how far the top value's label rises above it
    top = (ASCENT + DESCENT) * size + LEVEL_WIDTH / 2 + CLEARANCE + 1
    if title:
        top = max(top, above_tick + CLEARANCE + (ASCENT + DESCENT) * size + 1)
    top = math.ceil(max(top, above_tick + 1))
    plot: PlotBox = {"left": left, "right": right, "top": top, "bottom": top + frame.plot_height}
    first, last = points[0][0], points[-1][0]
    if first == last:
        first, last = first - dt.timedelta(days=15), last + dt.timedelta(days=15)
    span = (last - first).days

    def x_of(day: dt.date) -> float:
        return round(left + (day - first).days / span * (right - left), 1)

    def y_of(value: float) -> float:
        return round(top + (high - value) / (high - low) * frame.plot_height, 1)

    y_ticks: list[YTick] = [
        {"y": y_of(t), "label": _label(left - gutter, y_of(t) + DIGIT_MIDDLE * size, "end", text)}
        for t, text in zip(ticks, tick_texts, strict=True)
    ]
    unit_label = None
    if title:
        title_baseline = top - above_tick - CLEARANCE - DESCENT * size
        unit_label = _label(
            EDGE, title_baseline, "start", _fit(title, size, frame.width - 2 * EDGE)
        )
    below_axis = plot["bottom"] + max(6.0, (DESCENT + DIGIT_MIDDLE) * size + CLEARANCE + 1)
    date_baseline = below_axis + ASCENT * size
    x_ticks = _date_ticks(first, last, x_of, date_baseline, frame, locale)

    dots: list[Dot] = [{"x": x_of(d), "y": y_of(v)} for d, v in points]
    obstacles = Obstacles(
        [(d["x"], d["y"], reach) for d in dots],
        [(a["x"], a["y"], b["x"], b["y"], LINE_WIDTH / 2) for a, b in itertools.pairwise(dots)],
        [label_box(t["label"], size) for t in (*y_ticks, *x_ticks)]
        + ([label_box(unit_label, size)] if unit_label else []),
    )
    t = translator(locale)
    lines = [  # the target picks its spot first; the baseline is drawn first, under it
        (
            "target",
            y_of(target),
            t.gettext("Target %(value)s", value=fmt.quantity(target, unit, locale)),
        ),
        (
            "baseline",
            y_of(baseline),
            t.gettext("Baseline %(value)s", value=fmt.quantity(baseline, unit, locale)),
        ),
    ]
    spots = _place_levels(lines[0][1:], lines[1][1:], plot, frame, obstacles)
    homeless = [
        (kind, text) for (kind, _, text), spot in zip(lines, spots, strict=True) if spot is None
    ]
    levels: list[Level] = [
        {"kind": kind, "y": y, "label": spot}
        for (kind, y, _), spot in zip(lines, spots, strict=True)
    ]
    bottom = date_baseline + DESCENT * size
    legend, legend_bottom = _legend(homeless[::-1], bottom + 5, plot, frame)
    if legend:
        bottom = legend_bottom
    return {
        "name": frame.name,
        "width": frame.width,
        "height": math.ceil(bottom + 2),
        "font_size": size,
        "dot_radius": frame.dot_radius,
        "plot": plot,
        "y_ticks": y_ticks,
        "unit": unit_label,
        "x_ticks": x_ticks,
        "levels": levels[::-1],
        "legend": legend,
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
    }


def chart_view(
    points: list[Point], baseline: float, target: float, unit: str | None, metric: str, locale: str
) -> ChartView | None:
    """A result's measurements over time, drawn wide and narrow, with baseline and target lines,
    and the values as a table (the text alternative: the drawings are aria-hidden). None with
    fewer than two measurements: one value is no line, and the report's bar and facts say it."""
    if len(points) < 2:
        return None
    points = sorted(points)
    wide = layout(WIDE, points, baseline, target, unit, locale)
    return {
        "wide": wide,
        "narrow": layout(NARROW, points, baseline, target, unit, locale),
        "dots": wide["dots"],
        "y_title": metric,
        "rows": [
            {"date": fmt.day(d, locale), "value": fmt.quantity(v, unit, locale)} for d, v in points
        ],
    }
