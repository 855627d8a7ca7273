"""The internal index as a management tool (issue 15): the order of who needs attention, renewal
dates and ARR in the rollups, and exports people can analyse."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, cast

import pytest

from outcomesite.build import BuildOptions, build_site
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import ATTENTION_REASONS
from outcomesite.render.exports import INDEX_COLUMNS, RESULT_COLUMNS
from outcomesite.render.index import CARD_REASONS, IndexEntry, IndexHead, attention_lines
from outcomesite.render.internal import attention_order, risk_by_quarter
from tests.conftest import AS_OF, VALID, edited, make_site
from tests.html_tree import parse

ENV = {"OUTCOMESITE_SECRET": "portfolio-secret-0123456789abcdef0123456789"}


def piece(
    slug: str,
    reason: str | None,
    renewal: str | None = None,
    name: str | None = None,
    **fields: object,
) -> IndexHead:
    """The fields the order looks at; the rest is filler."""
    values: dict[str, object] = {
        "slug": slug,
        "account": name or slug.title(),
        "rung": 1,
        "segment": "smb",
        "csm": "Dana Reyes",
        "result_check": "not_due",
        "needs_attention": reason is not None,
        "severity": ATTENTION_REASONS.index(reason) if reason else None,
        "renewal_date": renewal,
        "arr": None,
        "status": "active",
        "start_date": "2026-01-05",
        "renewals": [],
        "digest": slug,
    }
    return IndexHead(**{**values, **fields})  # type: ignore[arg-type]


ORDER_CASES = [
    # (description, pieces, expected slugs in order)
    (
        "every reason, most severe first",
        [
            piece("f", "unconfirmed"),
            piece("e", "stale"),
            piece("d", "overdue"),
            piece("c", "result-check"),
            piece("b", "moving-away"),
            piece("a", "no-result"),
            piece("z", None),
        ],
        ["a", "b", "c", "d", "e", "f"],
    ),
    (
        "a tie is broken by the nearest renewal, then the name",
        [
            piece("later", "moving-away", "2027-06-30"),
            piece("sooner", "moving-away", "2027-01-31"),
            piece("none", "moving-away", None),
            piece("b-same", "moving-away", "2027-01-31", name="Beta"),
            piece("a-same", "moving-away", "2027-01-31", name="alpha"),
        ],
        ["a-same", "b-same", "sooner", "later", "none"],
    ),
    (
        "severity wins over the renewal date",
        [piece("stale-soon", "stale", "2026-12-01"), piece("check-late", "result-check", "2028-01-01")],
        ["check-late", "stale-soon"],
    ),
    ("nobody needs attention", [piece("x", None), piece("y", None)], []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "pieces", "expected"), ORDER_CASES, ids=[c[0] for c in ORDER_CASES]
)
def test_attention_order(case: str, pieces: list[IndexHead], expected: list[str]) -> None:
    assert [p.slug for p in attention_order(pieces)] == expected


def test_the_reasons_and_which_make_a_card() -> None:
    assert ATTENTION_REASONS == (
        "no-result", "moving-away", "result-check", "overdue", "stale", "unconfirmed",
    )  # fmt: skip
    # The first four need a person; a stale measurement or a confirmation to collect is routine.
    assert ATTENTION_REASONS[:4] == CARD_REASONS


RISK_CASES = [
    ("by quarter, soonest first; no date last", [
        ("2027-02-01", 1000, "failing"), ("2026-12-31", 500, "failing"), ("2027-03-31", 250, "failing"),
        (None, 100, "failing"), ("2027-01-15", 9999, "passed"),
    ], [("2026 Q4", 1, "$500"), ("2027 Q1", 2, "$1,250"), ("No renewal date", 1, "$100")]),
    ("an account without arr still counts", [("2027-05-05", None, "failing")], [("2027 Q2", 1, None)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "accounts", "expected"), RISK_CASES, ids=[c[0] for c in RISK_CASES]
)
def test_arr_at_risk_by_renewal_quarter(
    case: str,
    accounts: list[tuple[str | None, float | None, str]],
    expected: list[tuple[str, int, str | None]],
) -> None:
    pieces = [
        piece(f"a{n}", None, renewal, arr=arr, result_check=check)
        for n, (renewal, arr, check) in enumerate(accounts)
    ]
    rows = risk_by_quarter(pieces, SiteConfig())
    assert [(r["quarter"], r["accounts"], r["arr"]) for r in rows] == expected


# --- a built portfolio ---------------------------------------------------------------------


def account(name: str, csm: str, renewal: str, arr: int, *edits: tuple[str, str]) -> str:
    return edited(
        name,
        [
            ("account: Acme Corp", f"account: {name}"),
            ("csm: Dana Reyes", f"csm: {csm}"),
            (
                "start_date: 2026-09-01",
                f"start_date: 2026-09-01\nrenewal_date: {renewal}\narr: {arr}",
            ),
            *edits,
        ],
    )


FAILING = ("start_date: 2026-09-01", "start_date: 2026-01-05")  # rung 4 stays: passes anyway
UNATTRIBUTED = ("    attribution: Guided onboarding replaced the paper checklist.\n", "")
AWAY = ("current: 44", "current: 65")

PORTFOLIO = {
    "top": account("Top Co", "Dana Reyes", "2027-03-31", 120000),
    "risky": account("Risky Inc", "Dana Reyes", "2027-01-31", 80000, FAILING, UNATTRIBUTED),
    "away": account("Away Ltd", "Sam Lee", "2027-05-15", 30000, FAILING, AWAY),
    "soon": account("Soon GmbH", "Sam Lee", "2026-12-15", 45000, FAILING, AWAY),
}


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("portfolio"), PORTFOLIO, "currency: EUR\n")
    build_site(root, BuildOptions(pdf=False, environ=ENV, as_of=AS_OF))
    return root / "build" / "internal"


def test_renewal_breaks_the_tie_in_index_json(portfolio: Path) -> None:
    index = json.loads((portfolio / "index.json").read_text("utf-8"))
    # Both moving away: the sooner renewal first; then the failing check.
    assert index["attention"] == ["soon", "away", "risky"]
    accounts = {a["slug"]: a for a in index["accounts"]}
    assert accounts["soon"]["attention"][0] == {
        "reason": "moving-away",
        "result": "onboarding-time",
    }
    assert (accounts["top"]["renewal_date"], accounts["top"]["arr"]) == ("2027-03-31", 120000)


def test_arr_rollups(portfolio: Path) -> None:
    doc = parse(portfolio / "index.html")
    text = " ".join(doc.text.split())
    assert "ARR at risk€155,000 of €275,000: failing the 90-day check" in text  # (dt, dd)
    per_rung = {
        tr.find_all("th")[0].text: [td.text for td in tr.iter("td")]
        for table in doc.iter("table")
        if "per rung" in table.text
        for tr in table.iter("tr")
        if list(tr.iter("td"))
    }
    assert per_rung["4 · Measurable Result"] == ["1", "€120,000"]
    assert per_rung["3 · Outcome"] == ["1", "€80,000"]
    assert per_rung["1 · Activity"] == ["2", "€75,000"]
    quarters = [
        " ".join(cell.text for cell in tr.children if not isinstance(cell, str))
        for table in doc.iter("table")
        if "by renewal quarter" in table.text
        for tr in table.iter("tr")
        if list(tr.iter("td"))
    ]
    assert quarters == ["2026 Q4 1 €45,000", "2027 Q1 1 €80,000", "2027 Q2 1 €30,000"]
    # A card says when the account renews and what it is worth.
    assert "Sam Lee · smb · renews Dec 15, 2026 · €45,000" not in text  # (VALID is enterprise)
    assert "Sam Lee · enterprise · renews Dec 15, 2026 · €45,000" in text


def read_csv(path: Path) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 with its byte-order mark
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_exports(portfolio: Path) -> None:
    rows = read_csv(portfolio / "index.csv")
    assert list(rows[0]) == INDEX_COLUMNS
    by_slug = {r["slug"]: r for r in rows}
    assert (by_slug["top"]["renewal_date"], by_slug["top"]["arr"]) == ("2027-03-31", "120000.0")
    assert by_slug["soon"]["attention"].startswith(
        "Moving away from the target: Cut onboarding time"
    )
    results = read_csv(portfolio / "results.csv")
    assert list(results[0]) == RESULT_COLUMNS
    [soon] = [r for r in results if r["slug"] == "soon"]
    assert {k: soon[k] for k in ("goal", "metric", "unit", "baseline", "current", "target")} == {
        "goal": "Cut onboarding time",
        "metric": "Days to onboard",
        "unit": "days",
        "baseline": "60.0",
        "current": "65.0",
        "target": "40.0",
    }
    assert (soon["measured_on"], soon["target_met"], soon["confirmed"], soon["owner"]) == (
        "2026-11-01", "no", "yes", "Dana Reyes",
    )  # fmt: skip


def test_a_name_with_an_umlaut_survives_excel(tmp_path: Path) -> None:
    make_site(tmp_path, {"m": edited("umlaut", [("Acme Corp", "Müller Maschinenbau")])})
    build_site(tmp_path, BuildOptions(pdf=False, environ=ENV, as_of=AS_OF))
    [row] = read_csv(tmp_path / "build" / "internal" / "index.csv")
    assert row["account"] == "Müller Maschinenbau"


def test_results_csv_neutralises_formulas(tmp_path: Path) -> None:
    text = edited("formula", [("goal: Cut onboarding time", "goal: '=HYPERLINK(\"http://x\")'")])
    make_site(tmp_path, {"acme": text})
    build_site(tmp_path, BuildOptions(pdf=False, environ=ENV, as_of=AS_OF))
    [row] = read_csv(tmp_path / "build" / "internal" / "results.csv")
    assert row["goal"] == '\'=HYPERLINK("http://x")'


def test_the_sample_has_renewals_and_arr() -> None:
    sample = Path(__file__).parent.parent / "content" / "accounts"
    texts = [p.read_text("utf-8") for p in sample.glob("*.md")]
    assert all("renewal_date:" in t and "\narr:" in t for t in texts)
    assert VALID  # (the fixtures above build on it)


def test_attention_lines_group_per_reason_and_name_goals() -> None:
    """One line per reason, most severe first, goals joined without their own sentence periods;
    a result whose earlier value was confirmed says the latest one is new."""
    entry = cast(
        IndexEntry,
        {
            "results": [
                {"id": "a", "goal": "Cut onboarding time.", "validated": False},
                {"id": "b", "goal": "Fewer rookie errors", "validated": True},
            ],
            "attention": [
                {"reason": "moving-away", "result": "a"},
                {"reason": "unconfirmed", "result": "a"},
                {"reason": "unconfirmed", "result": "b"},
            ],
        },
    )
    assert attention_lines(entry) == [
        "Moving away from the target: Cut onboarding time",
        "Not confirmed by the customer: Cut onboarding time",
        "New measurement not yet confirmed: Fewer rookie errors",
    ]
