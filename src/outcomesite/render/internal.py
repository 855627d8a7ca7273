"""The internal index as pages that scale, put together from every account's stored pieces.

`internal/index.html` is the leader's first page: headline numbers, rollups, the first screenful of
accounts that need a person, and links to every other page. The lists are pages of at most
PAGE_ROWS rows (or CARDS_PER_PAGE cards), so no page grows with the portfolio: every account, one
list in index order; each CSM's and each segment's accounts; and every account that needs attention,
most severe first. Every page has a digest of what it shows, so a rebuild renders and writes only
the pages whose rows changed (the build keeps the digests in its record).

Index order (SPEC): rung, highest first, then account name, case-insensitively. Attention order:
the most severe reason (ATTENTION_REASONS), then the nearest renewal date, then the name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from markupsafe import Markup

from outcomesite.i18n import N_, Translator, translator
from outcomesite.layout import DEFAULT_LOCALE
from outcomesite.model.config import DEFAULT_SEGMENTS, SiteConfig
from outcomesite.model.ladder import Rung
from outcomesite.model.schema import Level, Segment, slugify
from outcomesite.portfolio.history import IndexHistory
from outcomesite.render import formatting as fmt
from outcomesite.render.history import HistoryView, history_view
from outcomesite.render.index import (
    CARD_REASONS,
    IndexHead,
    money,
    percent,
    quarter_label,
)
from outcomesite.render.views import html_lang

PAGE_ROWS = 500  # table rows per list page: about 0.6 MB of HTML at most
CARDS_PER_PAGE = 250
FIRST_SCREEN_CARDS = 12  # the accounts that need a person, on the first page
_CARD_SEVERITY = len(CARD_REASONS)  # a severity below this puts an account on a card
RUNGS = sorted(Rung, reverse=True)


def index_order(pieces: Iterable[IndexHead]) -> list[IndexHead]:
    return sorted(pieces, key=lambda p: (-p.rung, p.account.casefold(), p.slug))


def attention_order(pieces: Iterable[IndexHead]) -> list[IndexHead]:
    """The accounts that need attention: most severe reason, then the nearest renewal (none
    last), then the name."""
    flagged = [p for p in pieces if p.severity is not None]
    return sorted(
        flagged,
        key=lambda p: (
            p.severity,
            p.renewal_date or "9999-12-31",
            p.account.casefold(),
            p.slug,
        ),
    )


def on_card(piece: IndexHead) -> bool:
    """A reason that needs a person (CARD_REASONS): the account gets a card."""
    return piece.severity is not None and piece.severity < _CARD_SEVERITY


# --- the plan of the pages ------------------------------------------------------------------


@dataclass(frozen=True)
class ListPlan:
    """One page of a list: which accounts it shows, in order, and where it sits in its list."""

    name: str  # its file name in internal/
    kind: str  # "accounts", "attention", "csm" or "segment"
    group: str  # the CSM or segment (empty for the other lists)
    number: int  # page `number` of `count`
    count: int
    stem: str  # the list's file names: f"{stem}-{n}.html"
    slugs: tuple[str, ...]

    def digest(self, digests: dict[str, str]) -> str:
        """What the page shows: its place, its list's length and each row's digest."""
        parts = [self.name, self.kind, self.group, str(self.number), str(self.count)]
        parts += [digests[slug] for slug in self.slugs]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _paged(kind: str, group: str, stem: str, pieces: list[IndexHead], size: int) -> list[ListPlan]:
    slugs = [p.slug for p in pieces]
    chunks = [tuple(slugs[i : i + size]) for i in range(0, len(slugs), size)] or [()]
    return [
        ListPlan(f"{stem}-{n}.html", kind, group, n, len(chunks), stem, chunk)
        for n, chunk in enumerate(chunks, 1)
    ]


def group_stems(names: Iterable[str], prefix: str) -> dict[str, str]:
    """File-name stems for CSMs or segments: `csm-dana-reyes`; two names with one slug get -2."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names), key=lambda n: (n.casefold(), n)):
        base = f"{prefix}-{slugify(name) or 'unnamed'}"
        stem, n = base, 1
        while stem in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem)
        stems[name] = stem
    return stems


# The two ways the index groups accounts: a page per CSM, a page per segment.
GROUPINGS: dict[str, Callable[[IndexHead], str]] = {
    "csm": lambda piece: piece.csm,
    "segment": lambda piece: piece.segment,
}


@dataclass(frozen=True)
class Portfolio:
    """Every account's pieces, sorted and grouped once for all the pages of one build."""

    ordered: list[IndexHead]  # the active accounts, index order
    flagged: list[IndexHead]  # attention order
    churned: list[IndexHead]  # `status: churned`, index order: no longer in the rollups
    groups: dict[str, dict[str, list[IndexHead]]]  # kind -> name -> members, in index order
    stems: dict[str, dict[str, str]]  # kind -> name -> file-name stem
    plans: list[ListPlan]

    @property
    def first_cards(self) -> list[str]:
        """The accounts whose cards the first page shows."""
        return [p.slug for p in self.flagged if on_card(p)][:FIRST_SCREEN_CARDS]

    @classmethod
    def of(cls, pieces: Iterable[IndexHead]) -> Portfolio:
        everyone = index_order(pieces)
        ordered = [p for p in everyone if p.status != "churned"]
        churned = [p for p in everyone if p.status == "churned"]
        flagged = attention_order(ordered)
        groups: dict[str, dict[str, list[IndexHead]]] = {}
        for kind, group_of in GROUPINGS.items():
            by_name: dict[str, list[IndexHead]] = {}
            for piece in ordered:
                by_name.setdefault(group_of(piece), []).append(piece)
            groups[kind] = by_name
        stems = {kind: group_stems(members, kind) for kind, members in groups.items()}
        plans = _paged("accounts", "", "accounts", ordered, PAGE_ROWS)
        if flagged:
            plans += _paged("attention", "", "attention", flagged, CARDS_PER_PAGE)
        if churned:
            plans += _paged("churned", "", "churned", churned, PAGE_ROWS)
        for kind, by_name in groups.items():
            for name in sorted(by_name, key=lambda n: (n.casefold(), n)):
                plans += _paged(kind, name, stems[kind][name], by_name[name], PAGE_ROWS)
        return cls(ordered, flagged, churned, groups, stems, plans)


# --- what the pages show --------------------------------------------------------------------


class MixPart(TypedDict):
    """One rung's share of a rung-mix bar, in 0-100 units of its width."""

    rung: int
    label: str
    count: int
    x: float
    width: float


class GroupRollup(TypedDict):
    """One CSM or segment in the rollups."""

    name: str
    href: str
    total: int
    mix: list[MixPart]
    top: int  # at Measurable Result
    needs_person: int
    failing: int  # failing the 90-day check
    arr_at_risk: str | None


class RungRollup(TypedDict):
    rung: int
    label: str
    count: int
    arr: str | None


class QuarterRisk(TypedDict):
    """ARR of the accounts failing the 90-day check that renew in one quarter."""

    quarter: str
    accounts: int
    arr: str | None


class PageLink(TypedDict):
    number: int
    href: str
    current: bool


class ListLink(TypedDict):
    """A list of accounts on the first page: its name, size and pages."""

    name: str
    count: int
    pages: list[PageLink]


class SegmentView(TypedDict):
    """A segment's definition of a result (outcomesite.yaml `segments`)."""

    name: str
    definition: str
    validator_level: str


class IndexView(TypedDict):
    """What index.html shows (pages.py adds `title` and `stylesheets`), in the site's locale."""

    locale: str  # the site's: the internal pages' words, numbers and dates
    lang: str
    site_name: str
    vendor: str
    as_of: str
    currency: str
    total: int
    needs_person: int  # accounts on a card: a person has to act
    needs_attention: int  # any reason, the routine ones too
    at_top: int  # at Measurable Result
    check_rate: str
    check_passed: int
    check_due: int
    arr_total: str | None  # None: no account has `arr`
    arr_at_risk: str | None
    mix: list[MixPart]
    per_rung: list[RungRollup]
    per_csm: list[GroupRollup]
    per_segment: list[GroupRollup]
    risk_by_quarter: list[QuarterRisk]
    first_cards: list[Markup]
    attention: ListLink | None
    accounts: ListLink
    churned: ListLink | None
    history: HistoryView | None  # None: not built from a Git repository
    segments: list[SegmentView]


class ListView(TypedDict):
    """What internal_list.html shows: one page of one list, in the site's locale."""

    locale: str  # the site's
    lang: str
    site_name: str
    vendor: str
    as_of: str
    kind: str
    heading: str
    summary: str
    rows: list[Markup]  # table rows (accounts, csm, segment lists)
    cards: list[Markup]  # attention cards (the attention list)
    pages: list[PageLink]
    previous_href: str | None
    next_href: str | None


def rung_mix(pieces: Sequence[IndexHead], locale: str = DEFAULT_LOCALE) -> list[MixPart]:
    """The accounts per rung as parts of a bar, highest rung first; rungs with none are left out
    of the bar but keep their count."""
    t = translator(locale)
    total = len(pieces)
    counts = Counter(p.rung for p in pieces)
    parts: list[MixPart] = []
    x = 0.0
    for rung in RUNGS:
        count = counts[rung]
        width = round(100 * count / total, 2) if total else 0.0
        parts.append(
            {
                "rung": int(rung),
                "label": t.gettext(rung.label),
                "count": count,
                "x": x,
                "width": width,
            }
        )
        x = round(x + width, 2)
    return parts


def _arr(pieces: Iterable[IndexHead], config: SiteConfig) -> str | None:
    amounts = [p.arr for p in pieces if p.arr is not None]
    return money(sum(amounts), config) if amounts else None


def _quarter(day: str | None) -> tuple[int, int] | None:
    if not day:
        return None
    date = dt.date.fromisoformat(day)
    return date.year, (date.month - 1) // 3 + 1


def risk_by_quarter(pieces: Sequence[IndexHead], config: SiteConfig) -> list[QuarterRisk]:
    """ARR at risk (accounts failing the 90-day check) by renewal quarter, soonest first, the
    accounts without a renewal date last."""
    t = translator(config.locale)
    failing = [p for p in pieces if p.result_check == "failing"]
    quarters: dict[tuple[int, int] | None, list[IndexHead]] = {}
    for piece in failing:
        quarters.setdefault(_quarter(piece.renewal_date), []).append(piece)
    return [
        {
            "quarter": quarter_label(*quarter, t) if quarter else t.gettext("No renewal date"),
            "accounts": len(members),
            "arr": _arr(members, config),
        }
        for quarter, members in sorted(quarters.items(), key=lambda q: (q[0] is None, q[0] or ()))
    ]


def _group_rollups(portfolio: Portfolio, kind: str, config: SiteConfig) -> list[GroupRollup]:
    stems = portfolio.stems[kind]
    return [
        {
            "name": name,
            "href": f"{stems[name]}-1.html",
            "total": len(members),
            "mix": rung_mix(members, config.locale),
            "top": sum(p.rung == Rung.RESULT for p in members),
            "needs_person": sum(on_card(p) for p in members),
            "failing": sum(p.result_check == "failing" for p in members),
            "arr_at_risk": _arr((p for p in members if p.result_check == "failing"), config),
        }
        for name, members in sorted(portfolio.groups[kind].items(), key=lambda g: g[0].casefold())
    ]


def _list_link(name: str, plans: list[ListPlan], count: int) -> ListLink:
    return {
        "name": name,
        "count": count,
        "pages": [{"number": p.number, "href": p.name, "current": False} for p in plans],
    }


def index_view(
    portfolio: Portfolio,
    config: SiteConfig,
    as_of: dt.date,
    cards: Sequence[str],
    history: IndexHistory | None = None,
) -> IndexView:
    """The first page; `cards`: the cards of `portfolio.first_cards`, rendered."""
    locale, t = config.locale, translator(config.locale)
    pieces, flagged, plans = portfolio.ordered, portfolio.flagged, portfolio.plans
    checked = [p for p in pieces if p.result_check != "not_due"]
    passed = sum(p.result_check == "passed" for p in checked)
    people = [p for p in flagged if on_card(p)]
    mix = rung_mix(pieces, locale)
    return {
        "locale": locale,
        "lang": html_lang(locale),
        "site_name": config.site_name,
        "vendor": config.vendor,
        "as_of": fmt.day(as_of, locale),
        "currency": config.currency,
        "total": len(pieces),
        "needs_person": len(people),
        "needs_attention": len(flagged),
        "at_top": sum(p.rung == Rung.RESULT for p in pieces),
        "check_rate": percent(passed, len(checked), locale),
        "check_passed": passed,
        "check_due": len(checked),
        "arr_total": _arr(pieces, config),
        "arr_at_risk": _arr((p for p in pieces if p.result_check == "failing"), config),
        "mix": mix,
        "per_rung": [
            {
                "rung": part["rung"],
                "label": part["label"],
                "count": part["count"],
                "arr": _arr((p for p in pieces if p.rung == part["rung"]), config),
            }
            for part in mix
        ],
        "per_csm": _group_rollups(portfolio, "csm", config),
        "per_segment": _group_rollups(portfolio, "segment", config),
        "risk_by_quarter": risk_by_quarter(pieces, config),
        "first_cards": [Markup(card) for card in cards],
        "attention": (
            _list_link(
                t.gettext("Everything that needs attention"),
                [p for p in plans if p.kind == "attention"],
                len(flagged),
            )
            if flagged
            else None
        ),
        "accounts": _list_link(
            t.gettext("All accounts"), [p for p in plans if p.kind == "accounts"], len(pieces)
        ),
        "churned": (
            _list_link(
                t.gettext("Churned accounts"),
                [p for p in plans if p.kind == "churned"],
                len(portfolio.churned),
            )
            if portfolio.churned
            else None
        ),
        "history": history_view(history, config, as_of) if history is not None else None,
        "segments": [_segment_view(segment, config, t) for segment in SEGMENTS],
    }


SEGMENTS: tuple[Segment, ...] = ("smb", "mid-market", "enterprise")

# The validator levels, as outcomesite.yaml spells them, in the site's language.
_LEVELS: dict[Level, str] = {
    "user": N_("user"),
    "team-lead": N_("team-lead"),
    "manager": N_("manager"),
    "executive": N_("executive"),
}


def _segment_view(segment: Segment, config: SiteConfig, t: Translator) -> SegmentView:
    definition = config.segments.definition(segment)
    if definition == DEFAULT_SEGMENTS[segment][0]:  # ours (a site's own stays as written)
        definition = t.gettext(definition)
    level = config.segments.validator_level(segment)
    return {"name": segment, "definition": definition, "validator_level": t.gettext(_LEVELS[level])}


# Each list's heading; a CSM's and a segment's name their group.
_HEADINGS = {
    "accounts": N_("All accounts, by rung"),
    "attention": N_("Everything that needs attention, most severe first"),
    "churned": N_("Churned accounts (no longer published)"),
    "csm": N_("%(name)s's accounts"),
    "segment": N_("%(name)s accounts"),
}


def _summary(plan: ListPlan, shown: int, t: Translator) -> str:
    """ "Page 2 of 5: accounts 501-1000" ("cards" on the attention list)."""
    if not shown:
        return t.gettext("No accounts.")
    cards = plan.kind == "attention"
    first = (plan.number - 1) * (CARDS_PER_PAGE if cards else PAGE_ROWS) + 1
    values = {"page": plan.number, "pages": plan.count, "first": first, "last": first + shown - 1}
    if cards:
        return t.gettext("Page %(page)s of %(pages)s: cards %(first)s-%(last)s", **values)
    return t.gettext("Page %(page)s of %(pages)s: accounts %(first)s-%(last)s", **values)


def list_view(
    plan: ListPlan, texts: dict[str, str], config: SiteConfig, as_of: dt.date
) -> ListView:
    """`texts`: each account's rendered table row (its card, on the attention list)."""
    shown = [Markup(texts[slug]) for slug in plan.slugs]
    cards = plan.kind == "attention"
    t = translator(config.locale)
    return {
        "locale": config.locale,
        "lang": html_lang(config.locale),
        "site_name": config.site_name,
        "vendor": config.vendor,
        "as_of": fmt.day(as_of, config.locale),
        "kind": plan.kind,
        "heading": t.gettext(_HEADINGS[plan.kind], name=plan.group),
        "summary": _summary(plan, len(shown), t),
        "rows": [] if cards else shown,
        "cards": shown if cards else [],
        "pages": [
            {"number": n, "href": f"{plan.stem}-{n}.html", "current": n == plan.number}
            for n in range(1, plan.count + 1)
        ],
        "previous_href": f"{plan.stem}-{plan.number - 1}.html" if plan.number > 1 else None,
        "next_href": f"{plan.stem}-{plan.number + 1}.html" if plan.number < plan.count else None,
    }
