"""What the internal index shows of the portfolio over time: the "since" section (the same
Changes `outcomesite changes` prints), the rung mix at past month ends as a small chart with its
numbers, the 90-day cohorts and renewals by where accounts stood on day 90."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import Rung
from outcomesite.portfolio.changes import climbed, slipped
from outcomesite.portfolio.history import PortfolioHistory
from outcomesite.portfolio.kpis import RenewalCount
from outcomesite.render import formatting as fmt

CHART_WIDTH = 600  # the month chart's drawing units: twelve columns of 50
CHART_HEIGHT = 160
_COLUMN = CHART_WIDTH // 12
_BAR = 34


class ChangeGroup(TypedDict):
    title: str
    lines: list[str]


class MonthPart(TypedDict):
    rung: int
    count: int
    y: float
    height: float


class MonthColumn(TypedDict):
    month: str  # YYYY-MM
    label: str  # "Nov 2026"
    short: str  # "Nov"
    accounts: int
    x: float
    parts: list[MonthPart]  # highest rung at the top
    by_rung: list[int]  # for the data table, index = rung number


class CohortRow(TypedDict):
    start_quarter: str
    segment: str
    accounts: int
    at_result: int
    share: str


class RenewalRow(TypedDict):
    group: str
    renewed: int
    total: int
    rate: str


class HistoryView(TypedDict):
    since: str  # formatted
    as_of: str
    groups: list[ChangeGroup]  # every kind of change, the empty ones too
    moved_any: bool
    months: list[MonthColumn]
    rungs: list[tuple[int, str]]  # rung number and label, highest first
    chart_width: int
    chart_height: int
    cohorts: list[CohortRow]
    renewals: list[RenewalRow]  # empty while no renewal outcome is recorded after a day 90
    check_days: int


def _moves(moves: list[tuple[str, int, int]]) -> list[str]:
    return [f"{name}: {Rung(a).label} → {Rung(b).label}" for name, a, b in moves]


def _rate(count: RenewalCount) -> str:
    return f"{round(100 * count['renewed'] / count['total'])}%" if count["total"] else "–"


def history_view(history: PortfolioHistory, config: SiteConfig, as_of: dt.date) -> HistoryView:
    changes, locale = history["changes"], config.locale
    groups: list[ChangeGroup] = [
        {
            "title": "Climbed",
            "lines": _moves(
                [(m["account"], m["from_rung"], m["to_rung"]) for m in climbed(changes)]
            ),
        },
        {
            "title": "Slipped",
            "lines": _moves(
                [(m["account"], m["from_rung"], m["to_rung"]) for m in slipped(changes)]
            ),
        },
        {
            "title": "Started moving away from the target",
            "lines": [f"{r['account']}: {r['goal']}" for r in changes["worsened"]],
        },
        {
            "title": "Newly confirmed by the customer",
            "lines": [f"{r['account']}: {r['goal']}" for r in changes["confirmed"]],
        },
        {
            "title": "Results newly named",
            "lines": [f"{r['account']}: {r['goal']}" for r in changes["named"]],
        },
        {"title": "Accounts added", "lines": [a["account"] for a in changes["added"]]},
        {"title": "Accounts removed", "lines": [a["account"] for a in changes["removed"]]},
    ]
    tallest = max((m["accounts"] for m in history["months"]), default=0) or 1
    months: list[MonthColumn] = []
    for index, month in enumerate(history["months"]):
        end = dt.date.fromisoformat(month["end"])
        parts: list[MonthPart] = []
        y = float(CHART_HEIGHT)
        for rung in range(len(Rung)):  # lowest rung at the bottom
            count = month["by_rung"][rung]
            height = round(CHART_HEIGHT * count / tallest, 2)
            y = round(y - height, 2)
            if count:
                parts.append({"rung": rung, "count": count, "y": y, "height": height})
        months.append(
            {
                "month": month["month"],
                "label": fmt.month(end, locale),
                "short": fmt.month_short(end, locale),
                "accounts": month["accounts"],
                "x": index * _COLUMN + (_COLUMN - _BAR) / 2,
                "parts": parts,
                "by_rung": month["by_rung"],
            }
        )
    renewals = history["renewals_by_day_90"]
    shown = renewals["at_result"]["total"] + renewals["below"]["total"] > 0
    return {
        "since": fmt.day(dt.date.fromisoformat(changes["since"]), locale),
        "as_of": fmt.day(as_of, locale),
        "groups": groups,
        "moved_any": any(g["lines"] for g in groups),
        "months": months,
        "rungs": [(int(r), r.label) for r in sorted(Rung, reverse=True)],
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "cohorts": [
            {
                "start_quarter": c["start_quarter"],
                "segment": c["segment"],
                "accounts": c["accounts"],
                "at_result": c["at_result_on_day_90"],
                "share": f"{round(100 * c['share'])}%",
            }
            for c in history["cohorts"]
        ],
        "renewals": [
            {
                "group": f"At Measurable Result on day {config.result_check_days}",
                **renewals["at_result"],
                "rate": _rate(renewals["at_result"]),
            },
            {
                "group": f"Below it on day {config.result_check_days}",
                **renewals["below"],
                "rate": _rate(renewals["below"]),
            },
        ]
        if shown
        else [],
        "check_days": config.result_check_days,
    }
