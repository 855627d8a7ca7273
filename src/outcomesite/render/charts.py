"""A result's measurements over time as chart geometry: plain numbers for an inline SVG, the same
in browsers and in WeasyPrint, and a table of the values, which screen readers and PDF text
extraction read."""

from __future__ import annotations

import datetime as dt
import math
from typing import TypedDict

from outcomesite.render import formatting as fmt
from outcomesite.render.page import Point


class PlotBox(TypedDict):
    left: int
    right: int
    top: int
    bottom: int


class YTick(TypedDict):
    y: float
    label: str


class XTick(TypedDict):
    x: float
    label: str
    anchor: str  # "start" | "end"


class Level(TypedDict):
    """A horizontal line: the baseline or the target."""

    y: float
    label: str


class Dot(TypedDict):
    x: float
    y: float
    label: str


class ChartRow(TypedDict):
    date: str
    value: str


class ChartView(TypedDict):
    """`r.chart` in report.html, drawn by _chart.html."""

    width: int
    height: int
    plot: PlotBox
    y_ticks: list[YTick]
    x_ticks: list[XTick]
    baseline: Level
    target: Level
    line: str  # the polyline's points
    dots: list[Dot]
    x_title: str
    y_title: str
    rows: list[ChartRow]


CHART_WIDTH, CHART_HEIGHT = 640, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 88, 24, 16, 44


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering [low, high], e.g. 0, 20, 40, 60."""
    low, high = min(low, high), max(low, high)
    span = high - low or abs(high) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    ticks = [math.floor(low / step) * step]
    while ticks[-1] < high - step * 1e-9 or len(ticks) < 2:
        ticks.append(ticks[-1] + step)
    ticks = [round(t, 10) for t in ticks]
    return ticks


def chart_view(
    points: list[Point], baseline: float, target: float, unit: str | None, metric: str, locale: str
) -> ChartView | None:
    """Inline-SVG geometry for a result's measurements over time, with baseline and target lines.

    Plain numbers only, so the same markup renders in browsers and in WeasyPrint; the table of
    values beside it is the text alternative for screen readers and PDF text extraction.
    """
    if not points:
        return None
    values = [v for _, v in points]
    ticks = _nice_ticks(min([*values, baseline, target]), max([*values, baseline, target]))
    low, high = ticks[0], ticks[-1]
    first, last = points[0][0], points[-1][0]
    if first == last:
        first, last = first - dt.timedelta(days=15), last + dt.timedelta(days=15)
    plot_w = CHART_WIDTH - _LEFT - _RIGHT
    plot_h = CHART_HEIGHT - _TOP - _BOTTOM

    def x(day: dt.date) -> float:
        return round(_LEFT + (day - first).days / (last - first).days * plot_w, 1)

    def y(value: float) -> float:
        return round(_TOP + (high - value) / ((high - low) or 1) * plot_h, 1)

    x_ticks: list[XTick] = [
        {"x": x(points[0][0]), "label": fmt.day(points[0][0], locale), "anchor": "start"}
    ]
    if len(points) > 1:
        x_ticks.append(
            {"x": x(points[-1][0]), "label": fmt.day(points[-1][0], locale), "anchor": "end"}
        )
    dots: list[Dot] = [
        {"x": x(d), "y": y(v), "label": f"{fmt.day(d, locale)}: {fmt.quantity(v, unit, locale)}"}
        for d, v in points
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "plot": {
            "left": _LEFT,
            "right": CHART_WIDTH - _RIGHT,
            "top": _TOP,
            "bottom": CHART_HEIGHT - _BOTTOM,
        },
        "y_ticks": [{"y": y(t), "label": fmt.quantity(t, unit, locale)} for t in ticks],
        "x_ticks": x_ticks,
        "baseline": {"y": y(baseline), "label": f"Baseline {fmt.quantity(baseline, unit, locale)}"},
        "target": {"y": y(target), "label": f"Target {fmt.quantity(target, unit, locale)}"},
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "x_title": "Date measured",
        "y_title": metric,
        "rows": [
            {"date": fmt.day(d, locale), "value": fmt.quantity(v, unit, locale)} for d, v in points
        ],
    }
