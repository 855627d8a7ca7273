"""One account's part of the internal index, as typed plain data: its index.json entry, what its
table row and attention card show, and its finished pieces.

An account's pieces are finished text (its index.json line, CSV lines, table row and attention card
in HTML) plus the few fields that sort and count it. They are made once, with the account's report,
and kept between builds: an edit re-renders one account's pieces, and render/internal.py puts the
pages together again from the others' stored ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TypedDict

from outcomesite.i18n import N_, Translator, translator
from outcomesite.layout import DEFAULT_LOCALE
from outcomesite.links import share_url
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import ATTENTION_REASONS, ResultCheck, Rung
from outcomesite.render import formatting as fmt
from outcomesite.render.page import AccountPage


class IndexResult(TypedDict):
    id: str
    goal: str
    metric: str
    unit: str | None
    baseline: float
    current: float | None
    target: float
    measured_on: str | None  # YYYY-MM-DD
    rung: int
    progress: float | None
    target_met: bool
    validated: bool
    owner: str
    stale: bool
    overdue: bool
    moving_away: bool
    confirmed_value: float | None  # what the customer confirmed (None: nothing yet)
    latest_confirmed: bool  # that is the latest measurement
    evidence: str  # measured, estimated or customer-reported
    source: str | None


class AttentionItem(TypedDict):
    """One reason an account needs attention (ATTENTION_REASONS' key) and the result's id."""

    reason: str
    result: str | None


class RenewalItem(TypedDict):
    date: str
    outcome: str


class IndexEntry(TypedDict):
    """One account in index.json (SPEC's fields, plus `attention`, `start_date` and `overdue`)."""

    slug: str
    account: str
    segment: str
    csm: str
    rung: int
    rung_key: str
    rung_label: str
    version: int
    status: str  # active or churned (a churned account publishes nothing)
    report_url: str | None  # None: churned, no report published
    pdf_url: str | None
    result_check: ResultCheck
    needs_attention: bool
    attention: list[AttentionItem]  # most severe first
    start_date: str
    renewal_date: str | None  # internal only
    arr: float | None  # internal only, in the site's `currency`
    renewals: list[RenewalItem]  # internal only, oldest first
    results: list[IndexResult]


class ResultLine(TypedDict):
    metric: str
    progress_text: str


class AccountView(IndexEntry):
    """`row` in _index_row.html and _attention_card.html: the entry and what the index links,
    worded in the site's `locale` (`rung_label` too: index.json keeps the English one)."""

    result_check_text: str  # the 90-day check's state in words: "passed", "failing", "not due"
    report_href: str | None  # None: churned
    pdf_href: str | None
    internal_notes: str | None
    results_view: list[ResultLine]
    attention_lines: list[str]  # why it needs attention, per reason, naming the results' goals
    needs_person: bool  # a reason that puts it on a card (CARD_REASONS)
    renewal_text: str | None  # the renewal date, formatted
    arr_text: str | None  # the ARR, formatted in the site's currency


@dataclass(slots=True)
class IndexHead:
    """The fields that sort, count and group an account in the index: what a build holds in
    memory for every account (its texts stay in the details database, build/details.py). A
    slotted object, not a dict: a hundred thousand dicts of these fourteen keys took twice the
    memory. Not frozen, though nothing changes one: a frozen dataclass sets each field through
    object.__setattr__, and making every account's head took 5 µs instead of 0.7 (75 ms of each
    build and each one-account edit at 10,000 accounts)."""

    slug: str
    account: str
    rung: int
    segment: str
    csm: str
    result_check: ResultCheck
    needs_attention: bool
    severity: int | None  # its most severe reason's place in ATTENTION_REASONS
    renewal_date: str | None
    arr: float | None
    status: str
    start_date: str
    renewals: list[RenewalItem]
    digest: str  # of its rows and card: a page is rendered again only when one of these moved

    def row(self) -> list[object]:
        """Its values in field order, as the details store it (a JSON array)."""
        return [getattr(self, name) for name in HEAD_FIELDS]


HEAD_FIELDS = tuple(field.name for field in fields(IndexHead))


@dataclass(frozen=True, slots=True)
class IndexPieces:
    """An account's finished part of the index: its head and its finished texts."""

    head: IndexHead
    json: str  # its index.json line
    csv: str  # its index.csv line
    results_csv: str  # its lines of results.csv (one per result)
    html: str  # _index_row.html, rendered
    card: str  # _attention_card.html, rendered ("" when it needs no attention)


def index_entry(page: AccountPage, config: SiteConfig) -> IndexEntry:
    data, assessment = page.account.data, page.account.assessment
    active = data.status == "active"
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
        "status": data.status,
        "report_url": report if active else None,
        "pdf_url": report + page.pdf_name if active else None,
        "result_check": assessment.result_check,
        # A churned account needs nobody's attention any more: it is in the churned list.
        "needs_attention": assessment.needs_attention and active,
        "attention": [
            {"reason": a.reason, "result": a.result} for a in assessment.attention if active
        ],
        "start_date": data.start_date.isoformat(),
        "renewal_date": data.renewal_date.isoformat() if data.renewal_date else None,
        "arr": data.arr,
        "renewals": [{"date": r.date.isoformat(), "outcome": r.outcome} for r in data.renewals],
        "results": [
            {
                "id": item.result.id,
                "goal": item.result.goal,
                "metric": item.result.metric,
                "unit": item.result.unit,
                "baseline": item.result.baseline,
                "current": item.result.current,
                "target": item.result.target,
                "measured_on": (
                    item.result.measured_on.isoformat() if item.result.measured_on else None
                ),
                "rung": int(item.rung),
                "progress": item.progress,
                "target_met": item.target_met,
                "validated": item.validated,
                "owner": item.result.owner,
                "stale": item.stale,
                "overdue": item.overdue,
                "moving_away": item.moving_away,
                "confirmed_value": item.confirmed_value,
                "latest_confirmed": item.latest_confirmed,
                "evidence": item.result.evidence,
                "source": item.result.source,
            }
            for item in assessment.results
        ],
    }


_REASONS = {
    "no-result": N_("No named result"),
    "moving-away": N_("Moving away from the target"),
    "result-check": N_("Failing the 90-day result check"),
    "overdue": N_("Target overdue"),
    "stale": N_("Stale measurement"),
    "unconfirmed": N_("Not confirmed by the customer"),
    "new-unconfirmed": N_("New measurement not yet confirmed"),
}
# The same, naming the results' goals (the reasons that are about a result), as whole sentences.
_REASONS_NAMING = {
    "moving-away": N_("Moving away from the target: %(goals)s"),
    "overdue": N_("Target overdue: %(goals)s"),
    "stale": N_("Stale measurement: %(goals)s"),
    "unconfirmed": N_("Not confirmed by the customer: %(goals)s"),
    "new-unconfirmed": N_("New measurement not yet confirmed: %(goals)s"),
}
# The reasons that put an account on a card of the index's first screen: a person has to act.
# The others (an old measurement, a confirmation to collect) are marks in the tables: the CSM's
# routine, not a leader's escalation (README, "The internal index").
CARD_REASONS = ("no-result", "moving-away", "result-check", "overdue")


def attention_lines(entry: IndexEntry, locale: str = DEFAULT_LOCALE) -> list[str]:
    """Why the account needs attention, most severe first, one line per reason, naming the
    results' goals: "Moving away from the target: Cut onboarding time; Fewer rookie errors".
    In English unless `locale` says otherwise: index.csv has them in English."""
    t = translator(locale)
    goals = {r["id"]: r for r in entry["results"]}
    grouped: dict[str, list[str]] = {}
    for item in entry["attention"]:
        result = goals.get(item["result"] or "")
        reason = item["reason"]
        if reason == "unconfirmed" and result is not None and result["validated"]:
            reason = "new-unconfirmed"  # an earlier value was confirmed, the latest not yet
        grouped.setdefault(reason, [])
        if result is not None:
            # A goal written as a sentence keeps its own period out of the list's separators.
            grouped[reason].append(result["goal"].rstrip(". "))
    return [
        t.gettext(_REASONS_NAMING[reason], goals="; ".join(goals))
        if goals and reason in _REASONS_NAMING
        else t.gettext(_REASONS[reason])
        for reason, goals in grouped.items()
    ]


def severity(entry: IndexEntry) -> int | None:
    """The place of the account's most severe reason in ATTENTION_REASONS; None: no reason."""
    reasons = [item["reason"] for item in entry["attention"]]
    return min((ATTENTION_REASONS.index(r) for r in reasons), default=None)


def account_view(
    page: AccountPage, entry: IndexEntry, config: SiteConfig, report_prefix: str
) -> AccountView:
    """What the index's partials show about one account: its index.json entry and more."""
    url = entry["report_url"]
    href = url if url is None or config.base_url else report_prefix + url
    t = translator(config.locale)
    return {
        **entry,
        "rung_label": t.gettext(Rung(entry["rung"]).label),
        "result_check_text": t.gettext(RESULT_CHECK_WORDS[entry["result_check"]]),
        "report_href": href,
        "pdf_href": href + page.pdf_name if href is not None else None,
        "internal_notes": page.account.data.internal_notes,
        "results_view": [
            {
                "metric": item.result.metric,
                "progress_text": fmt.progress_text(item.progress, item.target_met, config.locale),
            }
            for item in page.account.assessment.results
        ],
        "attention_lines": attention_lines(entry, config.locale),
        "needs_person": needs_person(entry),
        "renewal_text": (
            fmt.day(dt.date.fromisoformat(entry["renewal_date"]), config.locale)
            if entry["renewal_date"]
            else None
        ),
        "arr_text": money(entry["arr"], config) if entry["arr"] is not None else None,
    }


# The 90-day check's states, as the index's tables say them.
RESULT_CHECK_WORDS: dict[ResultCheck, str] = {
    "passed": N_("passed"),
    "failing": N_("failing"),
    "not_due": N_("not due"),
}


def needs_person(entry: IndexEntry) -> bool:
    return any(item["reason"] in CARD_REASONS for item in entry["attention"])


def money(amount: float, config: SiteConfig) -> str:
    """An ARR figure in the site's currency, to the unit: "$120,000"."""
    return fmt.quantity(round(amount), config.currency, config.locale)


def percent(part: int, whole: int, locale: str) -> str:
    """`part` of `whole` as a whole percentage in the locale; "–" of nothing."""
    return fmt.whole_percent(round(100 * part / whole), locale) if whole else "–"


def quarter_label(year: int, quarter: int, t: Translator) -> str:
    """A calendar quarter, as the internal index names it: "2027 Q1"."""
    return t.gettext("%(year)s Q%(quarter)s", year=year, quarter=quarter)
