"""View models: what each page shows, computed from the model and the ladder, as plain data.

Templates only place these values; every wording and number format is decided here (or in
`formatting`), so pages, PDFs, index.json and index.csv agree with each other.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from outcomesite import formatting as fmt
from outcomesite import ladder
from outcomesite.config import SiteConfig
from outcomesite.ladder import Assessment, ResultAssessment, Rung
from outcomesite.links import share_url
from outcomesite.validate import Account

CATEGORY_LABELS = {
    "revenue": "Revenue",
    "cost": "Cost",
    "risk": "Risk",
    "efficiency": "Efficiency",
    "experience": "Experience",
}


Point = tuple[dt.date, float]


@dataclass(frozen=True)
class VersionInfo:
    """A permanent version of an account: the N-th commit that changed its file."""

    number: int
    commit: str  # short hash
    date: dt.date


@dataclass(frozen=True)
class AccountPage:
    """One rendered report: the latest at r/<link>/, or a permanent copy at r/<link>/v<N>/."""

    account: Account
    assessment: Assessment
    link: str
    version: int
    draft: bool = False  # uncommitted changes: shown as the next version, marked draft
    source: VersionInfo | None = None  # the commit this page shows (None: draft, or no Git)
    versions: tuple[VersionInfo, ...] = ()  # every permanent version, oldest first
    recorded: Mapping[str, tuple[Point, ...]] = field(default_factory=dict)  # from old commits
    permanent: bool = False

    @property
    def folder(self) -> str:
        return f"r/{self.link}/v{self.version}" if self.permanent else f"r/{self.link}"

    @property
    def pdf_name(self) -> str:
        slug = self.account.slug
        return f"{slug}-v{self.version}.pdf" if self.permanent else f"{slug}.pdf"

    @property
    def root_prefix(self) -> str:
        """From this page's folder back to public/."""
        return "../../../" if self.permanent else "../../"


def html_lang(locale: str) -> str:
    return locale.replace("_", "-")


def ladder_steps(rung: Rung) -> list[dict[str, Any]]:
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


def progress_bar(progress: float | None) -> dict[str, float] | None:
    """Geometry (0-100 units) for a bar honest about moving away (< 0) and overshooting (> 1)."""
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
    validator = item.result.validator
    if validator is None:
        return "No customer validator named yet"
    who = validator.name + (f", {validator.role}" if validator.role else "")
    if validator.confirmed_on is None:
        return f"Awaiting confirmation from {who}"
    return f"Confirmed by {who}, on {fmt.day(validator.confirmed_on, locale)}"


def result_points(item: ResultAssessment, recorded: tuple[Point, ...] = ()) -> list[Point]:
    """Every known measurement: the file's history and current value, plus what commits recorded."""
    r = item.result
    explicit = [(h.date, h.value) for h in r.history]
    if r.current is not None and r.measured_on is not None:
        explicit.append((r.measured_on, r.current))
    return merge_points(explicit, list(recorded))


def result_view(
    item: ResultAssessment, locale: str, recorded: tuple[Point, ...] | None = None
) -> dict[str, Any]:
    """One result as the report shows it; `recorded` (None in the index) adds the chart."""
    r = item.result
    chart = None
    if recorded is not None:
        chart = chart_view(
            result_points(item, recorded), r.baseline, r.target, r.unit, r.metric, locale
        )
    return {
        "chart": chart,
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
    }


def report_context(page: AccountPage, config: SiteConfig, as_of: dt.date) -> dict[str, Any]:
    """Everything the customer report shows; nothing internal (notes, 90-day status) is in it."""
    data, assessment = page.account.data, page.assessment
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
        "narrative": Markup(page.account.narrative),
        "pdf_name": page.pdf_name,
        "title": f"{data.account}: outcome report",
    }


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _share(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    shares = []
    for name in sorted(groups, key=str.casefold):
        members = groups[name]
        top = sum(r["rung"] == Rung.RESULT for r in members)
        shares.append(
            {"name": name, "total": len(members), "top": top, "share": _pct(top, len(members))}
        )
    return shares


def sort_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SPEC order: rung, highest first, then account name, case-insensitively."""
    return sorted(rows, key=lambda r: (-r["rung"], r["account"].casefold()))


def index_entry(page: AccountPage, config: SiteConfig) -> dict[str, Any]:
    data, assessment = page.account.data, page.assessment
    report = share_url(config.base_url, page.link)
    return {
        "slug": page.account.slug,
        "account": data.account,
        "segment": data.segment,
        "csm": data.csm,
        "rung": int(assessment.rung),
        "rung_key": assessment.rung.key,
        "rung_label": assessment.rung.label,
        "version": page.version,
        "report_url": report,
        "pdf_url": report + page.pdf_name,
        "result_check": assessment.result_check,
        "needs_attention": assessment.needs_attention,
        "attention": list(assessment.attention),
        "start_date": data.start_date.isoformat(),
        "results": [
            {
                "id": item.result.id,
                "rung": int(item.rung),
                "progress": item.progress,
                "target_met": item.target_met,
                "validated": item.validated,
                "owner": item.result.owner,
                "stale": item.stale,
                "overdue": item.overdue,
            }
            for item in assessment.results
        ],
    }


def index_row(
    page: AccountPage, entry: dict[str, Any], config: SiteConfig, report_prefix: str
) -> dict[str, Any]:
    """What the index templates show about one account: its index.json entry and more."""
    href = entry["report_url"] if config.base_url else report_prefix + entry["report_url"]
    return {
        **entry,
        "report_href": href,
        "pdf_href": href + page.pdf_name,
        "internal_notes": page.account.data.internal_notes,
        "results_view": [
            {
                "metric": item.result.metric,
                "progress_text": fmt.progress_text(item.progress, item.target_met, config.locale),
            }
            for item in page.assessment.results
        ],
    }


# An account's part of the internal index is kept as finished pieces of text (its index.json line,
# its CSV line, its table row and attention card in HTML) plus the few fields that sort and count
# it. Pieces are made once, in parallel, and kept between builds: an edit re-renders one account's
# pieces and the index is put together again from the others' stored ones.
INDEX_FIELDS = ("account", "rung", "segment", "csm", "result_check", "needs_attention")


def index_pieces(entry: dict[str, Any], row_html: str, card_html: str) -> dict[str, Any]:
    return {
        **{name: entry[name] for name in INDEX_FIELDS},
        "json": json.dumps(entry, ensure_ascii=False),
        "csv": csv_line(entry),
        "html": row_html,
        "card": card_html,
    }


def index_json_text(rows: list[dict[str, Any]], as_of: dt.date) -> str:
    """index.json with one account per line: readable, and a change is a one-line diff.
    Here and below, `rows` come in index order (sort_rows)."""
    accounts = ",\n".join("    " + row["json"] for row in rows)
    accounts = f"[\n{accounts}\n  ]" if rows else "[]"
    return f'{{\n  "as_of": "{as_of.isoformat()}",\n  "accounts": {accounts}\n}}\n'


CSV_COLUMNS = [
    "slug", "account", "segment", "csm", "rung", "rung_label", "version", "result_check",
    "needs_attention", "attention", "results", "report_url", "pdf_url",
]  # fmt: skip


def csv_line(entry: dict[str, Any]) -> str:
    values = {
        **entry,
        "attention": "; ".join(entry["attention"]),
        "results": len(entry["results"]),
        "needs_attention": "yes" if entry["needs_attention"] else "no",
    }
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([_csv_safe(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def index_csv_text(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(CSV_COLUMNS)
    return out.getvalue() + "".join(row["csv"] for row in rows)


def _csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas: account files are untrusted, CS leaders open this in Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def index_context(rows: list[dict[str, Any]], config: SiteConfig, as_of: dt.date) -> dict[str, Any]:
    """The internal index: needs attention first, rollups, then every account by rung."""
    ordered = [{**row, "html": Markup(row["html"]), "card": Markup(row["card"])} for row in rows]
    checked = [r for r in rows if r["result_check"] != "not_due"]
    passed = sum(r["result_check"] == "passed" for r in checked)
    per_rung = [
        {"rung": int(r), "label": r.label, "count": sum(row["rung"] == r for row in rows)}
        for r in sorted(Rung, reverse=True)
    ]
    return {
        "lang": html_lang(config.locale),
        "site_name": config.site_name,
        "vendor": config.vendor,
        "as_of": fmt.day(as_of, config.locale),
        "total": len(rows),
        "attention_rows": [r for r in ordered if r["needs_attention"]],
        "rows": ordered,
        "per_rung": per_rung,
        "per_segment": _share(rows, "segment"),
        "per_csm": _share(rows, "csm"),
        "check_rate": _pct(passed, len(checked)),
        "check_passed": passed,
        "check_due": len(checked),
    }


CHART_WIDTH, CHART_HEIGHT = 640, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 88, 24, 16, 44


def merge_points(explicit: list[Point], recorded: list[Point]) -> list[Point]:
    """History from the file plus values earlier commits recorded; the file's entry wins a date."""
    by_date = dict(recorded)
    by_date.update(dict(explicit))
    return sorted(by_date.items())


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
) -> dict[str, Any] | None:
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

    dots = [
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
        "x_ticks": [
            {"x": x(points[0][0]), "label": fmt.day(points[0][0], locale), "anchor": "start"},
            *(
                [{"x": x(points[-1][0]), "label": fmt.day(points[-1][0], locale), "anchor": "end"}]
                if len(points) > 1
                else []
            ),
        ],
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
