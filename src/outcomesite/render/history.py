"""What the internal index shows of the portfolio over time: the "since" section (the same
Changes `outcomesite changes` prints), the rung mix at past month ends as a small chart with its
numbers, the 90-day cohorts and renewals by where accounts stood on day 90, worded in the site's
locale (`outcomesite changes` and index.json keep theirs in English)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypedDict, TypeVar, overload

from outcomesite.i18n import N_, Translator, translator
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import Rung
from outcomesite.portfolio.changes import AccountChange, Moved, ResultChange
from outcomesite.portfolio.history import IndexHistory
from outcomesite.portfolio.kpis import RenewalCount
from outcomesite.render import formatting as fmt
from outcomesite.render.index import percent, quarter_label

T = TypeVar("T")

CHART_WIDTH = 600  # the month chart's drawing units: twelve columns of 50
CHART_HEIGHT = 160
_COLUMN = CHART_WIDTH // 12
_BAR = 34


class Lines(Sequence[str]):
    """A group's lines, each worded when a template reads it. The index shows eight of each
    group, and a first quarter in Git lists every account and result (30,000 lines at 10,000
    accounts took 40-60 ms to word on every build, an edit's too); a theme that shows them all
    still can."""

    def __init__(self, items: Sequence[T], word: Callable[[T], str]) -> None:
        self._items: Sequence[Any] = items
        self._word: Callable[[Any], str] = word

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._word(item) for item in self._items[index]]
        return self._word(self._items[index])

    def __iter__(self) -> Iterator[str]:
        return map(self._word, self._items)


class ChangeGroup(TypedDict):
    title: str  # "Climbed"
    phrase: str  # the title inside a sentence: "No change: climbed, slipped."
    lines: Lines


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


# Each kind of change: its title, and the same inside a sentence (a language that capitalises
# its nouns keeps them).
_GROUPS = {
    "climbed": (N_("Climbed"), N_("climbed")),
    "slipped": (N_("Slipped"), N_("slipped")),
    "worsened": (
        N_("Started moving away from the target"),
        N_("started moving away from the target"),
    ),
    "confirmed": (N_("Newly confirmed by the customer"), N_("newly confirmed by the customer")),
    "named": (N_("Results newly named"), N_("results newly named")),
    "added": (N_("Accounts added"), N_("accounts added")),
    "removed": (N_("Accounts removed"), N_("accounts removed")),
}


def _group(kind: str, lines: Lines, t: Translator) -> ChangeGroup:
    title, phrase = _GROUPS[kind]
    return {"title": t.gettext(title), "phrase": t.gettext(phrase), "lines": lines}


def _moves(moves: Sequence[Moved], t: Translator) -> Lines:
    def word(move: Moved) -> str:
        return t.gettext(
            "%(account)s: %(from_rung)s → %(to_rung)s",
            account=move["account"],
            from_rung=t.gettext(Rung(move["from_rung"]).label),
            to_rung=t.gettext(Rung(move["to_rung"]).label),
        )

    return Lines(moves, word)


def _goals(changes: Sequence[ResultChange], t: Translator) -> Lines:
    def word(change: ResultChange) -> str:
        return t.gettext("%(account)s: %(goal)s", account=change["account"], goal=change["goal"])

    return Lines(changes, word)


def _accounts(changes: Sequence[AccountChange]) -> Lines:
    return Lines(changes, lambda change: change["account"])


def _rate(count: RenewalCount, locale: str) -> str:
    return percent(count["renewed"], count["total"], locale)


def history_view(history: IndexHistory, config: SiteConfig, as_of: dt.date) -> HistoryView:
    changes, locale = history.groups, config.locale
    t = translator(locale)
    groups: list[ChangeGroup] = [
        _group("climbed", _moves(changes["climbed"], t), t),
        _group("slipped", _moves(changes["slipped"], t), t),
        _group("worsened", _goals(changes["worsened"], t), t),
        _group("confirmed", _goals(changes["confirmed"], t), t),
        _group("named", _goals(changes["named"], t), t),
        _group("added", _accounts(changes["added"]), t),
        _group("removed", _accounts(changes["removed"]), t),
    ]
    tallest = max((m["accounts"] for m in history.months), default=0) or 1
    months: list[MonthColumn] = []
    for index, month in enumerate(history.months):
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
    renewals = history.renewals_by_day_90
    shown = renewals["at_result"]["total"] + renewals["below"]["total"] > 0
    return {
        "since": fmt.day(dt.date.fromisoformat(history.since), locale),
        "as_of": fmt.day(as_of, locale),
        "groups": groups,
        "moved_any": any(g["lines"] for g in groups),
        "months": months,
        "rungs": [(int(r), t.gettext(r.label)) for r in sorted(Rung, reverse=True)],
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "cohorts": [
            {
                "start_quarter": _start_quarter(c["start_quarter"], t),
                "segment": c["segment"],
                "accounts": c["accounts"],
                "at_result": c["at_result_on_day_90"],
                "share": fmt.whole_percent(round(100 * c["share"]), locale),
            }
            for c in history.cohorts
        ],
        "renewals": [
            {
                "group": t.gettext(
                    "At Measurable Result on day %(days)s", days=config.result_check_days
                ),
                **renewals["at_result"],
                "rate": _rate(renewals["at_result"], locale),
            },
            {
                "group": t.gettext("Below it on day %(days)s", days=config.result_check_days),
                **renewals["below"],
                "rate": _rate(renewals["below"], locale),
            },
        ]
        if shown
        else [],
        "check_days": config.result_check_days,
    }


def _start_quarter(quarter: str, t: Translator) -> str:
    """index.json's "2026-Q1" as the index names a quarter."""
    year, _, number = quarter.partition("-Q")
    return quarter_label(int(year), int(number), t)
