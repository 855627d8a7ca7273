"""The internal index: its pages, index.json, index.csv and results.csv, built from real sites.

The "attention" site below has one account per needs-attention reason SPEC names, plus one clean
rung-4 account, so every flag, rollup and link can be checked against numbers worked out by hand.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomesite.build import BuildOptions, build_site
from outcomesite.files import compact_json as _json
from outcomesite.files import compact_json_bytes, json_parts, packed_json
from outcomesite.links import link_id
from outcomesite.render.exports import _row, _safe
from tests.conftest import AS_OF, VALID, copy_sample, make_site
from tests.html_tree import Node, parse

SECRET = "test-secret-0123456789abcdef0123456789abcdef"
ENV = {"OUTCOMESITE_SECRET": SECRET}
FAST = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF)


def link(slug: str, version: int = 1) -> str:
    return link_id(SECRET.encode(), slug, version)


def account(
    text: str = VALID,
    *,
    name: str,
    segment: str = "enterprise",
    csm: str = "Dana Reyes",
    notes: str | None = None,
    edits: tuple[tuple[str, str], ...] = (),
) -> str:
    text = (
        text.replace("account: Acme Corp", f"account: {name}")
        .replace("segment: enterprise", f"segment: {segment}")
        .replace("csm: Dana Reyes", f"csm: {csm}")
    )
    if notes:
        text = text.replace("start_date:", f"internal_notes: {notes}\nstart_date:", 1)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


NO_RESULTS = """\
---
account: Acme Corp
segment: enterprise
csm: Dana Reyes
start_date: 2026-09-01
results: []
---
Kickoff is done; we will name a goal in December.
"""

NOTES = "Renewal risk, sponsor leaves in January; push for exec call"

ATTENTION_SITE = {
    # rung 4, passed, validated, fresh, on time: the one account that needs nothing.
    "clean": account(name="Acme Corp", notes=NOTES),
    # rung 0, not yet due.
    "nobody": account(NO_RESULTS, name="Nobody Yet", segment="smb", csm="Sam Lee"),
    # rung 3 (not attributed) 322 days after the start: failing the 90-day check.
    "failing": account(
        name="Failing Co",
        segment="mid-market",
        csm="Sam Lee",
        edits=(
            ("    attribution: Guided onboarding replaced the paper checklist.\n", ""),
            ("start_date: 2026-09-01", "start_date: 2026-01-05"),
        ),
    ),
    # rung 4, but measured 175 days ago.
    "stale": account(
        name="Stale Inc",
        edits=(
            ("measured_on: 2026-11-01", "measured_on: 2026-06-01"),
            ("start_date: 2026-09-01", "start_date: 2026-05-01"),
        ),
    ),
    # rung 4, but the target was due on Oct 1 and is not met.
    "overdue": account(
        name="Overdue Ltd",
        segment="smb",
        csm="Sam Lee",
        edits=(("    owner: Dana Reyes\n", "    due: 2026-10-01\n    owner: Dana Reyes\n"),),
    ),
    # the validator is named but has not confirmed: rung 3, not yet due.
    "unconfirmed": account(
        name="Unconfirmed GmbH",
        segment="mid-market",
        csm="Sam Lee",
        edits=(("      confirmed_on: 2026-11-10\n", ""),),
    ),
}
# index.json order: rung 4, 3, then 0; by name within a rung.
ATTENTION_ORDER = [
    "Acme Corp", "Overdue Ltd", "Stale Inc", "Failing Co", "Unconfirmed GmbH", "Nobody Yet",
]  # fmt: skip
SLUG_OF = {
    "Acme Corp": "clean",
    "Nobody Yet": "nobody",
    "Failing Co": "failing",
    "Stale Inc": "stale",
    "Overdue Ltd": "overdue",
    "Unconfirmed GmbH": "unconfirmed",
}
# Needs-attention order: the most severe reason first (no result, failing check, overdue, stale,
# awaiting confirmation); the first three need a person (cards), the last two a routine update.
FLAGGED = ["Nobody Yet", "Failing Co", "Overdue Ltd", "Stale Inc", "Unconfirmed GmbH"]
CARDS = FLAGGED[:3]

SPEC_ACCOUNT_KEYS = {
    "slug", "account", "segment", "csm", "rung", "rung_key", "rung_label", "version",
    "report_url", "pdf_url", "result_check", "needs_attention", "results",
}  # fmt: skip
SPEC_RESULT_KEYS = {
    "id", "rung", "progress", "target_met", "validated", "owner", "stale", "baseline", "current",
    "target", "confirmed_value", "latest_confirmed",
}  # fmt: skip
RUNGS = {
    0: ("none", "No named result"),
    1: ("activity", "Activity"),
    2: ("adoption", "Adoption"),
    3: ("outcome", "Outcome"),
    4: ("result", "Measurable Result"),
}


def rollup(doc: Node, caption: str) -> dict[str, list[str]]:
    """A rollup table as {row header: [cell texts]}, found by its caption."""
    [table] = [
        t for t in doc.iter("table") if caption in " ".join(c.text for c in t.iter("caption"))
    ]
    rows = {}
    for tr in table.iter("tr"):
        heads = list(tr.iter("th"))
        cells = [td.text for td in tr.iter("td")]
        if heads and cells:
            rows[heads[0].text] = cells
    return rows


# --- fixtures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    root: Path

    @property
    def internal(self) -> Path:
        return self.root / "build" / "internal"

    @property
    def public(self) -> Path:
        return self.root / "build" / "public"

    def json(self) -> dict[str, Any]:
        return json.loads((self.internal / "index.json").read_text(encoding="utf-8"))

    def csv(self, name: str = "index.csv") -> list[dict[str, str]]:
        raw = (self.internal / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "a CSV starts with a UTF-8 byte-order mark"
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))

    def page(self, name: str = "index.html") -> Node:
        return parse(self.internal / name)


@pytest.fixture(scope="module")
def attention(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = make_site(tmp_path_factory.mktemp("attention"), ATTENTION_SITE)
    build_site(root, BuildOptions(pdf=True, environ=ENV, as_of=AS_OF))
    return Built(root)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("sample")
    copy_sample(root)
    build_site(root, FAST)
    return Built(root)


def by_slug(index: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["slug"]: a for a in index["accounts"]}


# --- index.json ---------------------------------------------------------------------------------


def test_index_json_has_every_spec_key(sample: Built) -> None:
    index = sample.json()
    assert set(index) == {"as_of", "attention", "accounts"}
    assert index["as_of"] == "2026-11-23"
    slugs = sorted(p.stem for p in (sample.root / "content" / "accounts").glob("*.md"))
    assert sorted(a["slug"] for a in index["accounts"]) == slugs
    for entry in index["accounts"]:
        assert set(entry) >= SPEC_ACCOUNT_KEYS, SPEC_ACCOUNT_KEYS - set(entry)
        assert (entry["rung_key"], entry["rung_label"]) == RUNGS[entry["rung"]]
        assert entry["result_check"] in {"passed", "failing", "not_due"}
        assert isinstance(entry["needs_attention"], bool)
        assert isinstance(entry["version"], int) and entry["version"] >= 1
        assert all(set(item) == {"reason", "result"} for item in entry["attention"])
        assert entry["needs_attention"] == bool(entry["attention"])
        for result in entry["results"]:
            assert set(result) >= SPEC_RESULT_KEYS, SPEC_RESULT_KEYS - set(result)
            assert result["rung"] in RUNGS
            assert isinstance(result["target_met"], bool)
            assert isinstance(result["validated"], bool)
            assert isinstance(result["stale"], bool)
    accounts = by_slug(index)
    assert accounts["northwind-logistics"]["account"] == "Northwind Logistics"
    assert accounts["northwind-logistics"]["segment"] == "enterprise"
    assert accounts["northwind-logistics"]["csm"] == "Dana Reyes"
    assert [r["id"] for r in accounts["northwind-logistics"]["results"]] == [
        "onboarding-time",
        "first-week-errors",
    ]
    assert accounts["northwind-logistics"]["results"][1]["owner"] == "Tomás Herrera"
    assert accounts["riverbend-university"]["results"] == []
    assert accounts["riverbend-university"]["rung"] == 0


def test_progress_is_a_ratio(sample: Built) -> None:
    accounts = by_slug(sample.json())

    def progress(slug: str, result_id: str) -> float | None:
        [result] = [r for r in accounts[slug]["results"] if r["id"] == result_id]
        return result["progress"]

    # 60 -> 38 days against a target of 40: past the target.
    assert progress("northwind-logistics", "onboarding-time") == pytest.approx(1.1)
    # 18% -> 11.5% against 10%.
    assert progress("harborview-clinics", "no-show-rate") == pytest.approx(0.8125)
    # 340 -> 355 tickets against 250: moved away.
    assert progress("meridian-hr-cloud", "support-tickets") == pytest.approx(-15 / 90)
    # 12 -> 12 hours: no movement at all.
    assert progress("tessellate-analytics", "weekly-reporting-hours") == 0
    # never measured.
    assert progress("meridian-hr-cloud", "first-response-time") is None
    assert progress("kestrel-valley-water", "billing-run-time") is None


ORDER_SITE = {
    # slugs sort differently from names, so the order can only come from rung + name.
    "c-alpha": account(name="alpha"),
    "a-beta": account(name="Beta"),
    "b-gamma": account(name="gamma"),
    "d-aardvark": account(name="aardvark", edits=(("      confirmed_on: 2026-11-10\n", ""),)),
    "e-zed": account(NO_RESULTS, name="Zed"),
    "f-able": account(NO_RESULTS, name="Able"),
}


def test_accounts_sorted_by_rung_then_name_case_insensitively(tmp_path: Path) -> None:
    site = Built(make_site(tmp_path, ORDER_SITE))
    build_site(site.root, FAST)
    index = site.json()
    assert [(a["rung"], a["account"]) for a in index["accounts"]] == [
        (4, "alpha"),
        (4, "Beta"),
        (4, "gamma"),
        (3, "aardvark"),
        (0, "Able"),
        (0, "Zed"),
    ]
    assert [row["slug"] for row in site.csv()] == [a["slug"] for a in index["accounts"]]


def test_report_urls_are_relative_to_public(attention: Built) -> None:
    for entry in attention.json()["accounts"]:
        slug = entry["slug"]
        assert entry["report_url"] == f"r/{link(slug)}/"
        assert entry["pdf_url"] == f"r/{link(slug)}/{slug}.pdf"
        assert (attention.public / entry["report_url"] / "index.html").is_file()
        assert (attention.public / entry["pdf_url"]).read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    "base_url, prefix",
    [
        ("https://reports.example.com/", "https://reports.example.com/"),
        ("https://example.com/outcomes", "https://example.com/outcomes/"),
    ],
)
def test_report_urls_are_absolute_with_base_url(tmp_path: Path, base_url: str, prefix: str) -> None:
    site = Built(make_site(tmp_path, {"acme": VALID}, f"base_url: {base_url}\n"))
    build_site(site.root, FAST)
    [entry] = site.json()["accounts"]
    assert entry["report_url"] == f"{prefix}r/{link('acme')}/"
    assert entry["pdf_url"] == f"{prefix}r/{link('acme')}/acme.pdf"
    [row] = site.csv()
    assert (row["report_url"], row["pdf_url"]) == (entry["report_url"], entry["pdf_url"])
    hrefs = {a.attrs.get("href") for a in site.page("accounts-1.html").iter("a")}
    assert {entry["report_url"], entry["pdf_url"]} <= hrefs


# --- needs attention ----------------------------------------------------------------------------


def test_needs_attention_exactly_for_the_spec_reasons(attention: Built) -> None:
    index = attention.json()
    accounts = by_slug(index)
    assert {slug: a["needs_attention"] for slug, a in accounts.items()} == {
        "clean": False,
        "nobody": True,
        "failing": True,
        "stale": True,
        "overdue": True,
        "unconfirmed": True,
    }
    # Each flagged account has exactly the one reason it was built with.
    assert accounts["clean"]["rung"] == 4 and accounts["clean"]["result_check"] == "passed"
    assert accounts["nobody"]["results"] == [] and accounts["nobody"]["rung"] == 0
    assert accounts["failing"]["result_check"] == "failing"
    assert accounts["failing"]["results"][0]["validated"] is True
    assert accounts["stale"]["results"][0]["stale"] is True
    assert accounts["stale"]["result_check"] == "passed"
    overdue = accounts["overdue"]
    assert (overdue["rung"], overdue["result_check"]) == (4, "passed")
    assert overdue["results"][0]["stale"] is False
    assert overdue["results"][0]["validated"] is True
    assert overdue["results"][0]["target_met"] is False
    assert accounts["unconfirmed"]["results"][0]["validated"] is False
    assert accounts["unconfirmed"]["result_check"] == "not_due"
    for slug in ("clean", "failing", "overdue", "unconfirmed"):
        assert accounts[slug]["results"][0]["stale"] is False, slug
    assert [a["account"] for a in index["accounts"]] == ATTENTION_ORDER
    # Why, in machine terms: each reason's key and the result it is about.
    assert {slug: a["attention"] for slug, a in accounts.items()} == {
        "clean": [],
        "nobody": [{"reason": "no-result", "result": None}],
        "failing": [{"reason": "result-check", "result": None}],
        "stale": [{"reason": "stale", "result": "onboarding-time"}],
        "overdue": [{"reason": "overdue", "result": "onboarding-time"}],
        "unconfirmed": [{"reason": "unconfirmed", "result": "onboarding-time"}],
    }
    # The top-level list: the slugs that need attention, most severe first.
    assert index["attention"] == [SLUG_OF[name] for name in FLAGGED]


def test_valid_fixture_needs_no_attention(tmp_path: Path) -> None:
    site = Built(make_site(tmp_path, {"acme": VALID}))
    build_site(site.root, FAST)
    index = site.json()
    [entry] = index["accounts"]
    assert (entry["rung"], entry["result_check"], entry["needs_attention"]) == (4, "passed", False)
    assert index["attention"] == []
    [section] = [s for s in site.page().iter("section") if s.text.startswith("Needs a person")]
    assert list(section.iter("li")) == []
    assert not (site.internal / "attention-1.html").exists()


# --- the pages ----------------------------------------------------------------------------------


def test_the_first_page_shows_who_needs_a_person_first(attention: Built) -> None:
    doc = attention.page()
    [section] = [s for s in doc.iter("section") if s.text.startswith("Needs a person")]
    assert section.text.startswith(f"Needs a person ({len(CARDS)})")
    cards = [li for li in section.iter("li") if "attention-card" in (li.attrs.get("class") or "")]
    assert [next(card.iter("a")).text for card in cards] == CARDS
    # Reasons name the results' goals, grouped per reason.
    failing = " ".join(cards[1].text.split())
    assert "Failing the 90-day result check" in failing
    overdue = " ".join(cards[2].text.split())
    assert "Target overdue: Cut onboarding time" in overdue
    assert "2 more only need a routine update" in section.text
    # ... and the whole list, with the routine ones after, is one click away.
    more = [a for a in section.iter("a") if a.attrs.get("href") == "attention-1.html"]
    assert [" ".join(a.text.split()) for a in more] == ["Everything that needs attention (5)"]
    listed = attention.page("attention-1.html")
    names = [
        next(card.iter("a")).text
        for card in listed.iter("li")
        if "attention-card" in (card.attrs.get("class") or "")
    ]
    assert names == FLAGGED


def test_every_account_is_listed_by_rung_with_its_flags(attention: Built) -> None:
    doc = attention.page("accounts-1.html")
    [table] = [t for t in doc.iter("table") if "Internal notes" in t.text]
    rows = [tr for tr in table.iter("tr") if list(tr.iter("td"))]
    assert len(rows) == len(ATTENTION_ORDER)
    for row, name in zip(rows, ATTENTION_ORDER, strict=True):
        assert next(row.iter("th")).text.startswith(name), (row.text, name)
    flags = {
        next(row.iter("th")).text.split("v1")[0]: " ".join(row.text.split())
        for row in rows
        if "flagged" in (row.attrs.get("class") or "")
    }
    assert sorted(flags) == sorted(FLAGGED)
    assert "Stale measurement: Cut onboarding time" in flags["Stale Inc"]


def test_index_html_rollups(attention: Built) -> None:
    doc = attention.page()
    per_rung = rollup(doc, "per rung")
    assert {head: cells[-1] for head, cells in per_rung.items()} == {
        "4 · Measurable Result": "3",
        "3 · Outcome": "2",
        "2 · Adoption": "0",
        "1 · Activity": "0",
        "0 · No named result": "1",
    }

    # accounts, at Measurable Result, need a person, failing the 90-day check
    def numbers(caption: str) -> dict[str, list[str]]:
        return {
            name: [c for c in cells if c.strip().isdigit()]  # (not the rung mix)
            for name, cells in rollup(doc, caption).items()
        }

    assert numbers("Per segment") == {
        "enterprise": ["2", "2", "0", "0"],
        "mid-market": ["2", "0", "1", "1"],
        "smb": ["2", "1", "2", "0"],
    }
    assert numbers("Per CSM") == {
        "Dana Reyes": ["2", "2", "0", "0"],
        "Sam Lee": ["4", "1", "3", "1"],
    }
    # passed: Acme, Stale, Overdue (rung 4); failing: Failing Co; not due: Nobody, Unconfirmed.
    assert re.search(r"90-day result check\W+75% passed \(3 of 4\b", doc.text), doc.text


def internal_links(built: Built) -> dict[str, set[str]]:
    """Every relative link of every internal page, by page."""
    links: dict[str, set[str]] = {}
    for page in sorted(built.internal.glob("*.html")):
        hrefs = {a.attrs.get("href") or "" for a in parse(page).iter("a")}
        links[page.name] = {h for h in hrefs if h and not h.startswith("#") and ":" not in h}
    return links


def test_every_link_of_every_internal_page_resolves(attention: Built) -> None:
    for page, hrefs in internal_links(attention).items():
        for href in hrefs:
            target = (attention.internal / href).resolve()
            assert (target / "index.html" if href.endswith("/") else target).is_file(), (page, href)


def test_every_report_is_reachable_from_the_first_page(sample: Built) -> None:
    """Follow links from internal/index.html through the internal pages: every report and PDF
    is reached."""
    links = internal_links(sample)
    seen, todo = {"index.html"}, ["index.html"]
    reached: set[str] = set()
    while todo:
        for href in links[todo.pop()]:
            if href.startswith("../public/"):
                reached.add(href)
            elif href.endswith(".html") and href not in seen:
                seen.add(href)
                todo.append(href)
    for entry in sample.json()["accounts"]:
        assert "../public/" + entry["report_url"] in reached, entry["slug"]
        assert "../public/" + entry["pdf_url"] in reached, entry["slug"]


def test_the_links_of_a_row_go_to_its_report_and_pdf(attention: Built) -> None:
    doc = attention.page("accounts-1.html")
    [table] = [t for t in doc.iter("table") if "Internal notes" in t.text]
    rows = [tr for tr in table.iter("tr") if list(tr.iter("td"))]
    for row in rows:
        head = next(row.iter("th")).text
        [name] = [n for n in SLUG_OF if head.startswith(n)]
        slug = SLUG_OF[name]
        hrefs = [a.attrs.get("href") or "" for a in row.iter("a")]
        report = f"../public/r/{link(slug)}/"
        pdf = f"{report}{slug}.pdf"
        assert hrefs == [report, pdf], (name, hrefs)
        assert (attention.internal / report / "index.html").resolve().is_file()
        assert (attention.internal / pdf).resolve().read_bytes().startswith(b"%PDF-")


def test_index_html_shows_internal_notes(attention: Built) -> None:
    assert NOTES in attention.page("accounts-1.html").text
    report = attention.public / "r" / link("clean") / "index.html"
    assert "sponsor leaves in January" not in report.read_text(encoding="utf-8")


def test_csm_and_segment_pages(attention: Built) -> None:
    csm = attention.page("csm-sam-lee-1.html")
    assert "Sam Lee's accounts" in csm.text
    names = [
        next(tr.iter("th")).text.split("v1")[0] for tr in csm.iter("tr") if list(tr.iter("td"))
    ]
    assert names == ["Overdue Ltd", "Failing Co", "Unconfirmed GmbH", "Nobody Yet"]
    smb = attention.page("segment-smb-1.html")
    names = [
        next(tr.iter("th")).text.split("v1")[0] for tr in smb.iter("tr") if list(tr.iter("td"))
    ]
    assert names == ["Overdue Ltd", "Nobody Yet"]
    first = attention.page()
    hrefs = {a.attrs.get("href") for a in first.iter("a")}
    assert {"csm-dana-reyes-1.html", "csm-sam-lee-1.html", "segment-smb-1.html"} <= hrefs


# --- index.csv ----------------------------------------------------------------------------------


def test_index_csv_matches_index_json(attention: Built) -> None:
    rows = attention.csv()
    accounts = attention.json()["accounts"]
    assert [r["slug"] for r in rows] == [a["slug"] for a in accounts]
    for row, entry in zip(rows, accounts, strict=True):
        for key in ("slug", "account", "segment", "csm", "rung", "report_url", "pdf_url"):
            assert row[key] == str(entry[key]), key


CELLS = st.one_of(
    st.text(st.sampled_from(list("ab ,\"\n\r\t=+-@'ü;")), max_size=8),
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(CELLS, min_size=2, max_size=6))
def test_a_csv_line_is_what_the_csv_module_reads_back(values: list[object]) -> None:
    """exports._row writes a line by hand: a CSV reader reads back each cell as written (a
    formula neutralised, None empty), and the line is the csv module's own, except that a
    carriage return inside a cell is quoted too (Python 3.11's writer leaves it bare, and a
    reader then splits the line there)."""
    line = _row(values)
    cells = [_safe(value) for value in values]
    assert next(csv.reader(io.StringIO(line, newline=""))) == cells
    if not any("\r" in cell for cell in cells):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(cells)
        assert line == out.getvalue()


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**64 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES)
def test_an_index_json_line_holds_the_values_on_one_line(value: object) -> None:
    """The standard library reads back what files.compact_json (orjson) wrote, on one line."""
    line = _json(value)
    assert "\n" not in line
    assert json.loads(line) == value


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.integers(min_value=1, max_value=3))
def test_json_in_parts_is_the_same_json(value: object, items: int) -> None:
    """index.json's history and the caches are written in parts (a dict key by key or a few
    entries at a time, a long list a few items at a time), byte for byte what encoding them
    whole gives, with either encoder."""
    assert b"".join(json_parts(value, items)) == compact_json_bytes(value)
    assert b"".join(json_parts(value, items, packed_json)) == packed_json(value)


@pytest.mark.parametrize(
    "value",
    [{"arr": 10**30}, {"goal": "half a pair \ud800"}, {"ids": {1: "an integer key"}}],
    ids=["integer-beyond-64-bits", "lone-surrogate", "integer-key"],
)
def test_what_orjson_refuses_the_standard_library_writes(value: dict[object, object]) -> None:
    assert _json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_index_json_is_one_compact_line_per_account(attention: Built) -> None:
    text = (attention.internal / "index.json").read_text("utf-8")
    lines = text.split("\n")
    accounts = attention.json()["accounts"]
    assert lines[-3:] == ["  ]", "}", ""]
    rows = lines[-3 - len(accounts) : -3]
    assert [json.loads(row.strip().rstrip(",")) for row in rows] == accounts
    assert all(row.startswith('    {"slug":"') for row in rows)


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example/","Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"],
)
def test_index_csv_neutralises_formulas(tmp_path: Path, value: str) -> None:
    quoted = "'" + value.replace("'", "''") + "'"
    site = Built(make_site(tmp_path, {"acme": account(name=quoted, csm=quoted)}))
    build_site(site.root, FAST)
    [entry] = site.json()["accounts"]
    assert entry["account"] == value
    [row] = site.csv()
    assert row["account"] == "'" + value
    assert row["csm"] == "'" + value
