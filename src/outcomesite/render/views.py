"""What a customer's report shows, computed from the model and the ladder, as typed plain data.

Templates only place these values; every wording and number format is decided here (or in
`formatting`), so pages, PDFs, index.json and index.csv agree with each other. The TypedDicts below
are the theme's contract: docs/theme-guide.md lists the same names (a test holds them together).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TypedDict

from markupsafe import Markup

from outcomesite.i18n import N_, Translator, parse_locale, translator
from outcomesite.model import ladder
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import ResultAssessment, Rung
from outcomesite.model.schema import NextStep
from outcomesite.render import formatting as fmt
from outcomesite.render.charts import ChartView, chart_view
from outcomesite.render.page import AccountPage, Point

CATEGORY_LABELS = {
    "revenue": N_("Revenue"),
    "cost": N_("Cost"),
    "risk": N_("Risk"),
    "efficiency": N_("Efficiency"),
    "experience": N_("Experience"),
}


class LadderStep(TypedDict):
    number: int
    label: str
    key: str
    caption: str  # what the rung means, in one line
    reached: bool
    current: bool


class ProgressBar(TypedDict):
    """Geometry in 0-100 units of the bar's width."""

    fill_x: float
    fill_width: float
    baseline_mark: float
    target_mark: float
    negative: bool


class Stamp(TypedDict):
    """The customer's confirmation, shown by a result's title: `state` is "confirmed" (they
    confirmed the latest value), "partly" (an earlier value; the latest awaits them), "pending"
    (a validator is named, nothing confirmed yet) or "" (no validator: nothing is shown)."""

    state: str
    text: str


class Highlight(TypedDict):
    """A value card at the top of the report: one result's win (or its slip) at a glance."""

    id: str
    goal: str
    metric: str
    baseline: str
    current: str
    target: str
    change: str  # "-22 days (-37%)", "€5,500 a month less (-31%)"
    good: bool  # the change goes the right way
    moving_away: bool
    target_met: bool
    estimated: bool  # the value is an estimate: the card says so
    stale_note: str | None  # "5 months ago", when the measurement is old
    stamp: Stamp


class Highlights(TypedDict):
    summary: str  # "2 of 3 targets met · 2 confirmed by your team"
    cards: list[Highlight]


class NextStepView(TypedDict):
    step: str
    owner: str  # "Dana Reyes, Acme Software" or "Gareth Kimble, your team"
    due: str | None
    overdue: bool  # the due date has passed


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
    stamp: Stamp
    attribution: str | None
    owner: str
    owner_label: str  # "Owner at Acme Software": the owner is the vendor's person
    rung: int
    rung_label: str
    status: str  # "Delivered" (a confirmed, attributed result) or "In flight"
    stale_note: str | None  # "5 months ago", when the measurement is older than the stale limit
    chart: ChartView | None
    confirmed_value: str | None  # what the customer confirmed, when it is not the latest value
    awaiting_confirmation: bool  # the latest value awaits the customer's confirmation
    source: str | None  # where the numbers come from
    estimated: bool  # the values are estimates, and say so


class VersionLink(TypedDict):
    number: int
    href: str
    date: str
    current: bool


class PageWords(TypedDict):
    """ "Page 1 of 3" in the report's language, cut around the two numbers only the PDF knows
    (print.css puts its page counters between the pieces)."""

    before: str
    between: str
    after: str


def page_words(t: Translator) -> PageWords:
    """The sentence is translated whole; the catalog test holds its numbers in this order."""
    text = t.gettext("Page %(page)s of %(pages)s", page="\0", pages="\1")
    before, _, rest = text.partition("\0")
    between, _, after = rest.partition("\1")
    return {"before": before, "between": between, "after": after}


class AccountParts(TypedDict):
    """What report.html shows of the account's file: the same on every page made from that file
    with the same measurements (`same_parts`), such as the latest page and the permanent page of
    the version it is."""

    locale: str  # the account's `locale`, else the site's: the report's words, numbers, dates
    lang: str
    title: str
    vendor: str
    account_name: str
    rung: int
    rung_label: str
    ladder: list[LadderStep]
    why: str
    next_step: str | None
    results: list[ResultView]
    highlights: Highlights
    next_steps: list[NextStepView]  # what our team does next
    customer_steps: list[NextStepView]  # what we need from the customer
    prepared: str  # "Prepared for Northwind Logistics by Acme Software"
    privacy: str  # the notice that the report is private to the customer's team
    page_words: PageWords  # the PDF's "Page 1 of 3"


class ReportView(AccountParts):
    """What report.html shows about the account (page.py adds how the page is put together)."""

    as_of: str
    as_of_iso: str
    version: int
    draft: bool
    versions: list[VersionLink]
    latest_href: str | None
    narrative: Markup
    pdf_name: str


@lru_cache(maxsize=64)
def html_lang(locale: str) -> str:
    """The BCP 47 tag of `<html lang>` (and the PDF's /Lang): `de_DE` -> "de-DE", `zh_Hant_TW`
    -> "zh-Hant-TW"; a POSIX modifier (`de_DE@euro`) is no part of a language tag."""
    parsed = parse_locale(locale)
    if parsed is None:
        return locale.replace("_", "-")
    return "-".join(part for part in (parsed.language, parsed.script, parsed.territory) if part)


# Each rung in one line, to the customer (the seeds' Customer Results Ladder).
RUNG_CAPTIONS = {
    Rung.ACTIVITY: N_("Your team uses the product"),
    Rung.ADOPTION: N_("Used again and again, across people and weeks"),
    Rung.OUTCOME: N_("A metric you care about has moved"),
    Rung.RESULT: N_("The change is confirmed by your team and tied to the product"),
}


# Where the account stands and what reaches the next rung, said to the customer's team.
RUNG_WHY = {
    Rung.NONE: N_("We have not named a result with you yet."),
    Rung.ACTIVITY: N_(
        "Your team uses the product; no result has moved from its starting point yet."
    ),
    Rung.ADOPTION: N_(
        "Your team uses the product again and again, across people and weeks; no result has "
        "moved from its starting point yet."
    ),
    Rung.OUTCOME: N_(
        "At least one of your results has moved from its starting point in the right direction."
    ),
    Rung.RESULT: N_(
        "At least one of your results moved in the right direction, is tied to the product, and "
        "your team confirmed it."
    ),
}
RUNG_NEXT = {
    Rung.NONE: N_(
        "Name a first result together: a goal you would call valuable, how we measure it, where "
        "it starts and where it should get to."
    ),
    Rung.ACTIVITY: N_("Measure a result again once it has had time to move."),
    Rung.ADOPTION: N_("Measure a result again and see it move toward its target."),
    Rung.OUTCOME: N_(
        "Confirm the change with us: we show how the product made the difference, and your team "
        "confirms the figure."
    ),
}


def ladder_steps(rung: Rung, t: Translator) -> list[LadderStep]:
    return [
        {
            "number": int(r),
            "label": t.gettext(r.label),
            "key": r.key,
            "caption": t.gettext(RUNG_CAPTIONS[r]),
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


def stamp(item: ResultAssessment, locale: str, short: bool = False) -> Stamp:
    """The customer's confirmation, in words for the stamp by the result's title (`short`: on a
    highlight card, the name only): a confirmation covers the value it was given for, not the
    ones measured after it."""
    r, t = item.result, translator(locale)
    validator = r.validator
    if validator is None:
        return {"state": "", "text": ""}
    who = validator.name if short or not validator.role else f"{validator.name}, {validator.role}"
    found = item.confirmation
    if found is None or found.value is None:
        return {
            "state": "pending",
            "text": t.gettext("Awaiting confirmation from %(who)s", who=who),
        }
    if found.latest and short:
        return {"state": "confirmed", "text": t.gettext("Confirmed by %(who)s", who=who)}
    on = fmt.day(found.on, locale)
    if found.latest:
        text = t.gettext("Confirmed by %(who)s, on %(date)s", who=who, date=on)
        return {"state": "confirmed", "text": text}
    value = fmt.quantity(found.value, r.unit, locale)
    if short:
        text = t.gettext("%(value)s confirmed by %(who)s; the latest not yet", value=value, who=who)
        return {"state": "partly", "text": text}
    text = t.gettext("Confirmed by %(who)s, on %(date)s: %(value)s", who=who, date=on, value=value)
    return {"state": "partly", "text": text}


def result_points(item: ResultAssessment, recorded: tuple[Point, ...] = ()) -> list[Point]:
    """Every known measurement: the file's history and current value, plus what commits recorded."""
    return list(ladder.measurements(item.result, recorded))


def owner_label(vendor: str, t: Translator) -> str:
    return (
        t.gettext("Owner at %(vendor)s", vendor=vendor)
        if vendor
        else t.gettext("Owner on our side")
    )


def stale_note(item: ResultAssessment, as_of: dt.date, locale: str) -> str | None:
    """A stale measurement is marked on the customer's page too, in their terms."""
    measured_on = item.result.measured_on
    if not item.stale or measured_on is None:
        return None
    return fmt.ago(as_of - measured_on, locale)


def result_view(
    item: ResultAssessment,
    locale: str,
    recorded: tuple[Point, ...],
    vendor: str = "",
    as_of: dt.date | None = None,
) -> ResultView:
    """One result as the report shows it, with its chart."""
    r, t = item.result, translator(locale)
    confirmation = stamp(item, locale)
    return {
        "chart": chart_view(
            result_points(item, recorded), r.baseline, r.target, r.unit, r.metric, locale
        ),
        "id": r.id,
        "goal": r.goal,
        "metric": r.metric,
        "category": t.gettext(CATEGORY_LABELS[r.category]) if r.category else "",
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
        "validator": confirmation["text"],
        "validated": item.validated,
        "stamp": confirmation,
        "attribution": r.attribution,
        "owner": r.owner,
        "owner_label": owner_label(vendor, t),
        "rung": int(item.rung),
        "rung_label": t.gettext(item.rung.label),
        "status": t.gettext("Delivered") if item.rung == Rung.RESULT else t.gettext("In flight"),
        "stale_note": stale_note(item, as_of, locale) if as_of else None,
        "confirmed_value": (
            fmt.quantity(item.confirmed_value, r.unit, locale)
            if item.confirmed_value is not None and not item.latest_confirmed
            else None
        ),
        "awaiting_confirmation": r.validator is not None and not item.latest_confirmed,
        "source": r.source,
        "estimated": r.evidence == "estimated",
    }


MAX_HIGHLIGHTS = 3


def highlight_order(items: tuple[ResultAssessment, ...]) -> list[ResultAssessment]:
    """The value cards: measured results, wins first (confirmed by the customer, then target met,
    then most progress); a result moving away from its target is never left out for a win."""
    measured = [item for item in items if item.result.current is not None]
    away = [item for item in measured if item.moving_away]
    wins = sorted(
        (item for item in measured if not item.moving_away),
        key=lambda item: (not item.latest_confirmed, not item.target_met, -(item.progress or 0)),
    )
    room = max(MAX_HIGHLIGHTS - len(away), 0)
    chosen = {id(item) for item in [*wins[:room], *away[:MAX_HIGHLIGHTS]]}
    return [item for item in [*wins, *away] if id(item) in chosen]


def highlights_summary(items: tuple[ResultAssessment, ...], locale: str) -> str:
    """One line: how many targets are met and how many results the customer confirmed, and how
    many moved away (never hidden)."""
    t = translator(locale)
    if not items:
        return t.gettext("No result named yet: naming the first one together is the next step")
    total = len(items)
    met = sum(item.target_met for item in items)
    confirmed = sum(item.validated for item in items)
    away = sum(item.moving_away for item in items)
    parts = [
        t.ngettext(
            "%(met)s of %(total)s target met",
            "%(met)s of %(total)s targets met",
            total,
            met=fmt.count(met, locale),
            total=fmt.count(total, locale),
        ),
        t.ngettext(
            "%(confirmed)s confirmed by your team",
            "%(confirmed)s confirmed by your team",
            confirmed,
            confirmed=fmt.count(confirmed, locale),
        ),
    ]
    if away:
        parts.append(
            t.ngettext(
                "%(away)s moving away from its target",
                "%(away)s moving away from their targets",
                away,
                away=fmt.count(away, locale),
            )
        )
    if not any(item.result.current is not None for item in items):
        parts.append(t.gettext("none measured yet"))
    return " · ".join(parts)


def highlight(item: ResultAssessment, locale: str, as_of: dt.date) -> Highlight:
    r = item.result
    assert r.current is not None  # only measured results are highlighted
    change = fmt.change(r.baseline, r.current, r.unit, item.direction, locale)
    return {
        "id": r.id,
        "goal": r.goal,
        "metric": r.metric,
        "baseline": fmt.quantity(r.baseline, r.unit, locale),
        "current": fmt.quantity(r.current, r.unit, locale),
        "target": fmt.quantity(r.target, r.unit, locale),
        "change": change.text,
        "good": bool(change.in_right_direction),
        "moving_away": item.moving_away,
        "target_met": item.target_met,
        "estimated": r.evidence == "estimated",
        "stale_note": stale_note(item, as_of, locale),
        "stamp": stamp(item, locale, short=True),
    }


def next_step_views(
    steps: tuple[NextStep, ...], side: str, vendor: str, as_of: dt.date, locale: str
) -> list[NextStepView]:
    """The steps of one side, in the file's order; people named with their organisation."""
    t = translator(locale)
    team = (vendor or t.gettext("our team")) if side == "vendor" else t.gettext("your team")
    return [
        {
            "step": s.step,
            "owner": t.gettext("%(person)s, %(team)s", person=s.owner, team=team),
            "due": fmt.day(s.due, locale) if s.due else None,
            "overdue": s.due is not None and s.due < as_of,
        }
        for s in steps
        if s.side == side
    ]


PRIVACY = N_("This report is private to your team: please do not share the link outside it.")


def account_locale(page: AccountPage, config: SiteConfig) -> str:
    """The report's locale: the account's own (a US vendor's German customer), else the site's."""
    return page.account.data.locale or config.locale


def report_view(
    page: AccountPage, config: SiteConfig, as_of: dt.date, parts: AccountParts | None = None
) -> ReportView:
    """Everything the customer report shows; nothing internal (notes, 90-day status, commits)
    is in it. One date: the day the data is as of. `parts`: the account's parts, when another
    page of the same file made them already (same_parts)."""
    parts = parts or account_parts(page, config, as_of)
    locale = parts["locale"]
    shown_as_of = page.source.date if page.permanent and page.source else as_of
    back = "../" if page.permanent else ""
    return {
        **parts,
        "as_of": fmt.day(shown_as_of, locale),
        "as_of_iso": shown_as_of.isoformat(),
        "version": page.version,
        "draft": page.draft,
        "versions": [
            {
                "number": v.number,
                "href": f"{back}v{v.number}/",
                "date": fmt.day(v.date, locale),
                "current": v.number == page.version and not page.draft,
            }
            for v in reversed(page.versions)
        ],
        "latest_href": "../" if page.permanent else None,
        "narrative": Markup(page.narrative),
        "pdf_name": page.pdf_name,
    }


def same_parts(page: AccountPage, other: AccountPage) -> bool:
    """Whether the two pages show the same account parts: made from the same file, with the
    same measurements. In Git, the latest page and its version's permanent page are (a build
    renders both for every committed account: their results' views took a tenth of its time)."""
    return page.account is other.account and page.recorded == other.recorded


def account_parts(page: AccountPage, config: SiteConfig, as_of: dt.date) -> AccountParts:
    data, assessment = page.account.data, page.account.assessment
    locale, vendor = account_locale(page, config), config.vendor
    t = translator(locale)
    results = assessment.results
    return {
        "locale": locale,
        "lang": html_lang(locale),
        "vendor": vendor,
        "account_name": data.account,
        "rung": int(assessment.rung),
        "rung_label": t.gettext(assessment.rung.label),
        "ladder": ladder_steps(assessment.rung, t),
        "why": t.gettext(RUNG_WHY[assessment.rung]),
        "next_step": t.gettext(RUNG_NEXT[assessment.rung])
        if assessment.rung in RUNG_NEXT
        else None,
        "results": [
            result_view(item, locale, page.recorded.get(item.result.id, ()), vendor, as_of)
            for item in results
        ],
        "highlights": {
            "summary": highlights_summary(results, locale),
            "cards": [highlight(item, locale, as_of) for item in highlight_order(results)],
        },
        "next_steps": next_step_views(data.next_steps, "vendor", vendor, as_of, locale),
        "customer_steps": next_step_views(data.next_steps, "customer", vendor, as_of, locale),
        "title": t.gettext("%(account)s: outcome report", account=data.account),
        "prepared": (
            t.gettext("Prepared for %(account)s by %(vendor)s", account=data.account, vendor=vendor)
            if vendor
            else t.gettext("Prepared for %(account)s", account=data.account)
        ),
        "privacy": t.gettext(PRIVACY),
        "page_words": page_words(t),
    }
