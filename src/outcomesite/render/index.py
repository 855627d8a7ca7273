"""The internal index, as typed plain data: each account's entry and pieces, and the page's view.

An account's part of the index is kept as finished pieces of text (its index.json line, its CSV
line, its table row and attention card in HTML) plus the few fields that sort and count it. Pieces
are made once, with the account's report, and kept between builds: an edit re-renders one
account's pieces and the index is put together again from the others' stored ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Literal, TypedDict

from markupsafe import Markup

from outcomesite.links import share_url
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import Assessment, ResultCheck, Rung
from outcomesite.render import formatting as fmt
from outcomesite.render.page import AccountPage
from outcomesite.render.views import html_lang


class IndexResult(TypedDict):
    id: str
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
    report_url: str
    pdf_url: str
    result_check: ResultCheck
    needs_attention: bool
    attention: list[str]
    start_date: str
    results: list[IndexResult]


class ResultLine(TypedDict):
    metric: str
    progress_text: str


class AccountView(IndexEntry):
    """`row` in _index_row.html and _attention_card.html: the entry and what the index links."""

    report_href: str
    pdf_href: str
    internal_notes: str | None
    results_view: list[ResultLine]


class IndexPieces(TypedDict):
    """An account's finished part of the index, kept between builds (JSON in the details file)."""

    account: str
    rung: int
    segment: str
    csm: str
    result_check: ResultCheck
    needs_attention: bool
    json: str  # its index.json line
    csv: str  # its index.csv line
    html: str  # _index_row.html, rendered
    card: str  # _attention_card.html, rendered ("" when it needs no attention)


class PlacedPieces(IndexPieces):
    """Pieces as index.html places them: the HTML marked safe."""

    html: Markup  # type: ignore[misc]
    card: Markup  # type: ignore[misc]


class RungCount(TypedDict):
    rung: int
    label: str
    count: int


class Share(TypedDict):
    """Accounts of one segment or CSM, and how many are at Measurable Result."""

    name: str
    total: int
    top: int
    share: str


class SegmentView(TypedDict):
    """A segment's definition of a result (outcomesite.yaml `segments`)."""

    name: str
    definition: str
    validator_level: str


class IndexView(TypedDict):
    """What index.html shows (pages.py adds `title` and `stylesheets`)."""

    lang: str
    site_name: str
    vendor: str
    as_of: str
    total: int
    attention_rows: list[PlacedPieces]
    rows: list[PlacedPieces]
    per_rung: list[RungCount]
    per_segment: list[Share]
    per_csm: list[Share]
    check_rate: str
    check_passed: int
    check_due: int
    segments: list[SegmentView]


def index_entry(page: AccountPage, config: SiteConfig) -> IndexEntry:
    data, assessment = page.account.data, page.account.assessment
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
        "attention": attention_lines(assessment),
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
    "no-result": "no named result",
    "moving-away": "moving away from its target",
    "result-check": "failing 90-day result check",
    "overdue": "target overdue",
    "stale": "stale measurement",
    "unconfirmed": "not confirmed by the customer",
}


def attention_lines(assessment: Assessment) -> list[str]:
    """Why the account needs attention, most severe first, one line per reason and result."""
    by_id = {item.result.id: item for item in assessment.results}
    lines = []
    for attention in assessment.attention:
        label = _REASONS[attention.reason]
        item = by_id.get(attention.result or "")
        if attention.reason == "unconfirmed" and item is not None and item.validated:
            label = "new measurement not yet confirmed"
        lines.append(f"{label}: {attention.result}" if attention.result else label)
    return lines


def account_view(
    page: AccountPage, entry: IndexEntry, config: SiteConfig, report_prefix: str
) -> AccountView:
    """What the index's partials show about one account: its index.json entry and more."""
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
            for item in page.account.assessment.results
        ],
    }


def index_pieces(entry: IndexEntry, row_html: str, card_html: str) -> IndexPieces:
    return {
        "account": entry["account"],
        "rung": entry["rung"],
        "segment": entry["segment"],
        "csm": entry["csm"],
        "result_check": entry["result_check"],
        "needs_attention": entry["needs_attention"],
        "json": json.dumps(entry, ensure_ascii=False),
        "csv": csv_line(entry),
        "html": row_html,
        "card": card_html,
    }


def sort_pieces(pieces: list[IndexPieces]) -> list[IndexPieces]:
    """SPEC order: rung, highest first, then account name, case-insensitively."""
    return sorted(pieces, key=lambda p: (-p["rung"], p["account"].casefold()))


def index_json_text(pieces: list[IndexPieces], as_of: dt.date) -> str:
    """index.json with one account per line: readable, and a change is a one-line diff.
    Here and below, `pieces` come in index order (sort_pieces)."""
    accounts = ",\n".join("    " + piece["json"] for piece in pieces)
    accounts = f"[\n{accounts}\n  ]" if pieces else "[]"
    return f'{{\n  "as_of": "{as_of.isoformat()}",\n  "accounts": {accounts}\n}}\n'


CSV_COLUMNS = [
    "slug", "account", "segment", "csm", "rung", "rung_label", "version", "result_check",
    "needs_attention", "attention", "results", "report_url", "pdf_url",
]  # fmt: skip


def csv_line(entry: IndexEntry) -> str:
    values: dict[str, object] = {
        **entry,
        "attention": "; ".join(entry["attention"]),
        "results": len(entry["results"]),
        "needs_attention": "yes" if entry["needs_attention"] else "no",
    }
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([_csv_safe(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def index_csv_text(pieces: list[IndexPieces]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(CSV_COLUMNS)
    return out.getvalue() + "".join(piece["csv"] for piece in pieces)


def _csv_safe(value: object) -> object:
    """Neutralise spreadsheet formulas: account files are untrusted, CS leaders open this in Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _share(pieces: list[IndexPieces], key: Literal["segment", "csm"]) -> list[Share]:
    groups: dict[str, list[IndexPieces]] = {}
    for piece in pieces:
        groups.setdefault(piece[key], []).append(piece)
    shares: list[Share] = []
    for name in sorted(groups, key=str.casefold):
        members = groups[name]
        top = sum(p["rung"] == Rung.RESULT for p in members)
        shares.append(
            {"name": name, "total": len(members), "top": top, "share": _pct(top, len(members))}
        )
    return shares


def index_view(pieces: list[IndexPieces], config: SiteConfig, as_of: dt.date) -> IndexView:
    """The internal index: needs attention first, rollups, then every account by rung."""
    placed: list[PlacedPieces] = [
        {**piece, "html": Markup(piece["html"]), "card": Markup(piece["card"])} for piece in pieces
    ]
    checked = [p for p in pieces if p["result_check"] != "not_due"]
    passed = sum(p["result_check"] == "passed" for p in checked)
    per_rung: list[RungCount] = [
        {"rung": int(r), "label": r.label, "count": sum(p["rung"] == r for p in pieces)}
        for r in sorted(Rung, reverse=True)
    ]
    return {
        "lang": html_lang(config.locale),
        "site_name": config.site_name,
        "vendor": config.vendor,
        "as_of": fmt.day(as_of, config.locale),
        "total": len(pieces),
        "attention_rows": [p for p in placed if p["needs_attention"]],
        "rows": placed,
        "per_rung": per_rung,
        "per_segment": _share(pieces, "segment"),
        "per_csm": _share(pieces, "csm"),
        "check_rate": _pct(passed, len(checked)),
        "check_passed": passed,
        "check_due": len(checked),
        "segments": [
            {
                "name": segment,
                "definition": config.segments.definition(segment),
                "validator_level": config.segments.validator_level(segment),
            }
            for segment in ("smb", "mid-market", "enterprise")
        ],
    }
