"""What a customer's report shows, computed from the model and the ladder, as typed plain data.

Templates only place these values; every wording and number format is decided here (or in
`formatting`), so pages, PDFs, index.json and index.csv agree with each other. The TypedDicts below
are the theme's contract: docs/theme-guide.md lists the same names (a test holds them together).
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from markupsafe import Markup

from outcomesite.model import ladder
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import ResultAssessment, Rung
from outcomesite.render import formatting as fmt
from outcomesite.render.charts import ChartView, chart_view
from outcomesite.render.page import AccountPage, Point

CATEGORY_LABELS = {
    "revenue": "Revenue",
    "cost": "Cost",
    "risk": "Risk",
    "efficiency": "Efficiency",
    "experience": "Experience",
}


class LadderStep(TypedDict):
    number: int
    label: str
    key: str
    reached: bool
    current: bool


class ProgressBar(TypedDict):
    """Geometry in 0-100 units of the bar's width."""

    fill_x: float
    fill_width: float
    baseline_mark: float
    target_mark: float
    negative: bool


class ResultView(TypedDict):
    """One result in report.html (`r` in the `result` block)."""

    id: str
    goal: str
    metric: str
    category: str
    movement: str
    baseline: str
    target: str
    current: str | None
    direction: str
    progress_text: str
    bar: ProgressBar | None
    target_met: bool
    measured_on: str | None
    due: str | None
    validator: str
    validated: bool
    attribution: str | None
    owner: str
    rung: int
    rung_label: str
    chart: ChartView | None
    confirmed_value: str | None  # what the customer confirmed, when it is not the latest value
    awaiting_confirmation: bool  # the latest value awaits the customer's confirmation
    source: str | None  # where the numbers come from
    estimated: bool  # the values are estimates, and say so


class VersionLink(TypedDict):
    number: int
    href: str
    date: str
    commit: str
    current: bool


class ReportView(TypedDict):
    """What report.html shows about the account (page.py adds how the page is put together)."""

    lang: str
    title: str
    vendor: str
    account_name: str
    as_of: str
    as_of_iso: str
    version: int
    draft: bool
    commit: str | None
    commit_date: str | None
    versions: list[VersionLink]
    latest_href: str | None
    rung: int
    rung_label: str
    ladder: list[LadderStep]
    why: str
    next_step: str | None
    results: list[ResultView]
    narrative: Markup
    pdf_name: str


def html_lang(locale: str) -> str:
    return locale.replace("_", "-")


def ladder_steps(rung: Rung) -> list[LadderStep]:
    return [
        {
            "number": int(r),
            "label": r.label,
            "key": r.key,
            "reached": rung >= r,
            "current": rung == r,
        }
        for r in Rung
        if r != Rung.NONE
    ]


def progress_bar(progress: float | None) -> ProgressBar | None:
    """Geometry for a bar honest about moving away (< 0) and overshooting (> 1)."""
    if progress is None:
        return None
    low, high = min(0.0, progress), max(1.0, progress)

    def x(value: float) -> float:
        return round((value - low) / (high - low) * 100, 2) + 0.0  # never -0.0

    def mark(value: float) -> float:
        """Left edge of a 0.8-unit marker centred on `value`, kept inside the bar."""
        return round(min(max(x(value) - 0.4, 0.0), 99.2), 2) + 0.0

    start, end = sorted((x(0.0), x(progress)))
    return {
        "fill_x": start,
        "fill_width": round(max(end - start, 0.0), 2) + 0.0,
        "baseline_mark": mark(0.0),
        "target_mark": mark(1.0),
        "negative": progress < 0,
    }


def validator_text(item: ResultAssessment, locale: str) -> str:
    """Who confirmed what: a confirmation covers the value it was given for, not the ones measured
    after it (the theme says by it that the latest value awaits confirmation)."""
    r = item.result
    validator = r.validator
    if validator is None:
        return "No customer validator named yet"
    who = validator.name + (f", {validator.role}" if validator.role else "")
    found = item.confirmation
    if found is None:
        return f"Awaiting confirmation from {who}"
    on = fmt.day(found.on, locale)
    if found.value is None:
        return f"Awaiting confirmation from {who} (their confirmation of {on} came before any measurement)"
    confirmed = f"Confirmed by {who}, on {on}"
    if found.latest:
        return confirmed
    return f"{confirmed}: {fmt.quantity(found.value, r.unit, locale)}."


def result_points(item: ResultAssessment, recorded: tuple[Point, ...] = ()) -> list[Point]:
    """Every known measurement: the file's history and current value, plus what commits recorded."""
    return list(ladder.measurements(item.result, recorded))


def result_view(item: ResultAssessment, locale: str, recorded: tuple[Point, ...]) -> ResultView:
    """One result as the report shows it, with its chart."""
    r = item.result
    return {
        "chart": chart_view(
            result_points(item, recorded), r.baseline, r.target, r.unit, r.metric, locale
        ),
        "id": r.id,
        "goal": r.goal,
        "metric": r.metric,
        "category": CATEGORY_LABELS.get(r.category or "", ""),
        "movement": fmt.movement(r.baseline, r.target, r.current, r.unit, locale),
        "baseline": fmt.quantity(r.baseline, r.unit, locale),
        "target": fmt.quantity(r.target, r.unit, locale),
        "current": fmt.quantity(r.current, r.unit, locale) if r.current is not None else None,
        "direction": item.direction,
        "progress_text": fmt.progress_text(item.progress, item.target_met, locale),
        "bar": progress_bar(item.progress),
        "target_met": item.target_met,
        "measured_on": fmt.day(r.measured_on, locale) if r.measured_on else None,
        "due": fmt.day(r.due, locale) if r.due else None,
        "validator": validator_text(item, locale),
        "validated": item.validated,
        "attribution": r.attribution,
        "owner": r.owner,
        "rung": int(item.rung),
        "rung_label": item.rung.label,
        "confirmed_value": (
            fmt.quantity(item.confirmed_value, r.unit, locale)
            if item.confirmed_value is not None and not item.latest_confirmed
            else None
        ),
        "awaiting_confirmation": r.validator is not None and not item.latest_confirmed,
        "source": r.source,
        "estimated": r.evidence == "estimated",
    }


def report_view(page: AccountPage, config: SiteConfig, as_of: dt.date) -> ReportView:
    """Everything the customer report shows; nothing internal (notes, 90-day status) is in it."""
    data, assessment = page.account.data, page.account.assessment
    locale = config.locale
    shown_as_of = page.source.date if page.permanent and page.source else as_of
    back = "../" if page.permanent else ""
    return {
        "lang": html_lang(locale),
        "vendor": config.vendor,
        "account_name": data.account,
        "as_of": fmt.day(shown_as_of, locale),
        "as_of_iso": shown_as_of.isoformat(),
        "version": page.version,
        "draft": page.draft,
        "commit": page.source.commit if page.source else None,
        "commit_date": fmt.day(page.source.date, locale) if page.source else None,
        "versions": [
            {
                "number": v.number,
                "href": f"{back}v{v.number}/",
                "date": fmt.day(v.date, locale),
                "commit": v.commit,
                "current": v.number == page.version and not page.draft,
            }
            for v in reversed(page.versions)
        ],
        "latest_href": "../" if page.permanent else None,
        "rung": int(assessment.rung),
        "rung_label": assessment.rung.label,
        "ladder": ladder_steps(assessment.rung),
        "why": ladder.why_this_rung(data, assessment.rung),
        "next_step": ladder.next_rung_step(assessment.rung),
        "results": [
            result_view(item, locale, page.recorded.get(item.result.id, ()))
            for item in assessment.results
        ],
        "narrative": Markup(page.narrative),
        "pdf_name": page.pdf_name,
        "title": f"{data.account}: outcome report",
    }
