"""The account's internal-only fields, `renewal_date` and `arr`, and the site's `currency`:
checked like every other field, and never published.

The message tables edit the VALID account (see conftest) and expect the complete list of
diagnostics, so a row also proves no other, spurious message appears. The last test builds a real
site with PDFs and looks for the internal values, in every spelling a renderer could give them,
in everything `public/` holds.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.dates import format_date, format_skeleton
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
)
from pypdf import PdfReader

from outcomesite import load_site
from outcomesite.build import BuildOptions, build_site
from outcomesite.errors import WARNING_KINDS, warning_summary
from outcomesite.layout import default_as_of
from outcomesite.load.rules import WARNINGS
from outcomesite.scaffold.new import account_text
from tests.conftest import AS_OF, VALID, diagnostics_of, edited, make_site, run_cli
from tests.test_report_fields import scaffold_warnings

P = "content/accounts/acme.md"
C = "outcomesite.yaml"
END = "---\n## What"  # where the front matter ends: new keys go before it, at line 22
SITE_USD = "in USD, the site's `currency`"
NEGATIVE = (
    "write the account's annual recurring revenue in USD, the site's `currency`, as a plain "
    "number such as `120000`"
)
CURRENCY = (
    "`currency` must be an ISO 4217 currency code in capital letters, such as USD, EUR or GBP"
)


def key(*lines: str) -> tuple[str, str]:
    """An edit that adds top-level lines from line 22."""
    return (END, "".join(f"{line}\n" for line in lines) + END)


# (case, outcomesite.yaml, edits applied in order to VALID, expected diagnostics)
ACCOUNT_CASES: list[tuple[str, str | None, list[tuple[str, str]], list[str]]] = [
    # --- arr -------------------------------------------------------------------------------------
    ("a whole amount", None, [key("arr: 120000")], []),
    ("an amount with cents", None, [key("arr: 987654.32")], []),
    ("no revenue yet", None, [key("arr: 0")], []),
    ("left empty: not given", None, [key("arr:")], []),
    (
        "a negative amount",
        None,
        [key("arr: -5")],
        [f"{P}:22: error: `arr` must be 0 or more (found `-5`): {NEGATIVE}"],
    ),
    (
        "a negative amount with a suffix",
        None,
        [key("arr: -5k")],
        [f"{P}:22: error: `arr` must be 0 or more (found `-5k`): {NEGATIVE}"],
    ),
    (
        "dollars with a thousands separator",
        None,
        [key("arr: $120,000")],
        [
            f"{P}:22: error: `arr` must be a plain number: write `120000`, {SITE_USD} "
            "(found `$120,000`)"
        ],
    ),
    (
        "a thousands separator alone",
        None,
        [key("arr: 120,000")],
        [
            f"{P}:22: error: `arr` must be a plain number: write `120000`, {SITE_USD} "
            "(found `120,000`)"
        ],
    ),
    (
        "thousands as k",
        None,
        [key("arr: 120k")],
        [f"{P}:22: error: `arr` must be a plain number: write `120000`, {SITE_USD} (found `120k`)"],
    ),
    (
        "millions as M, with a decimal point",
        None,
        [key("arr: 1.2M")],
        [
            f"{P}:22: error: `arr` must be a plain number: write `1200000`, {SITE_USD} "
            "(found `1.2M`)"
        ],
    ),
    (
        "cents and separators",
        None,
        [key("arr: $987,654.32")],
        [
            f"{P}:22: error: `arr` must be a plain number: write `987654.32`, {SITE_USD} "
            "(found `$987,654.32`)"
        ],
    ),
    (
        "the site's own currency code",
        None,
        [key("arr: USD 120000")],
        [
            f"{P}:22: error: `arr` must be a plain number: write `120000`, {SITE_USD} "
            "(found `USD 120000`)"
        ],
    ),
    (
        "another currency, in quotes",
        None,
        [key('arr: "120000 EUR"')],
        [
            f"{P}:22: error: `arr` must be a plain number {SITE_USD} (found `120000 EUR`): convert "
            "the amount to USD and write the number alone, without `EUR`"
        ],
    ),
    (
        "another currency's symbol",
        None,
        [key("arr: €120000")],
        [
            f"{P}:22: error: `arr` must be a plain number {SITE_USD} (found `€120000`): convert "
            "the amount to USD and write the number alone, without `€`"
        ],
    ),
    (
        "a number in quotes: the usual message",
        None,
        [key("arr: '120000'")],
        [
            f"{P}:22: error: `arr` must be a plain number, not text in quotes: write `120000` "
            "without quotes"
        ],
    ),
    (
        "words",
        None,
        [key("arr: about 100k")],
        [
            f"{P}:22: error: `arr` must be a plain number {SITE_USD}, such as `120000` "
            "(found `about 100k`)"
        ],
    ),
    (
        "separators that leave the number open",
        None,
        [key("arr: 1,2,3")],
        [
            f"{P}:22: error: `arr` must be a plain number {SITE_USD}, such as `120000` "
            "(found `1,2,3`)"
        ],
    ),
    (
        "a site in euros, its code after the amount",
        "currency: EUR\n",
        [key('arr: "120000 EUR"')],
        [
            f"{P}:22: error: `arr` must be a plain number: write `120000`, in EUR, the site's "
            "`currency` (found `120000 EUR`)"
        ],
    ),
    (
        "a site in euros, German style",
        "currency: EUR\nlocale: de_DE\n",
        [key('arr: "120.000,50 €"')],
        [
            f"{P}:22: error: `arr` must be a plain number: write `120000.5`, in EUR, the site's "
            "`currency` (found `120.000,50 €`)"
        ],
    ),
    (
        "a site in euros, an amount in dollars",
        "currency: EUR\n",
        [key("arr: 120000 USD")],
        [
            f"{P}:22: error: `arr` must be a plain number in EUR, the site's `currency` (found "
            "`120000 USD`): convert the amount to EUR and write the number alone, without `USD`"
        ],
    ),
    (
        "a currency code that starts like a suffix (BRL is not billions)",
        "currency: BRL\n",
        [key("arr: 120000 BRL")],
        [
            f"{P}:22: error: `arr` must be a plain number: write `120000`, in BRL, the site's "
            "`currency` (found `120000 BRL`)"
        ],
    ),
    # --- renewal_date ----------------------------------------------------------------------------
    ("a renewal ahead", None, [key("renewal_date: 2027-03-31")], []),
    ("a renewal on the report date has not passed", None, [key("renewal_date: 2026-11-23")], []),
    (
        "a renewal date in another format",
        None,
        [key("renewal_date: 03/31/2027")],
        [
            f"{P}:22: error: `renewal_date` must be a date written YYYY-MM-DD, e.g. 2026-11-01 "
            "(found `03/31/2027`)"
        ],
    ),
    (
        "a renewal before the start",
        None,
        [key("renewal_date: 2026-08-01")],
        [
            f"{P}:22: warning: `renewal_date` 2026-08-01 is before `start_date` 2026-09-01: a "
            "renewal comes after the relationship starts; check the date"
        ],
    ),
    (
        "a renewal that has passed",
        None,
        [key("renewal_date: 2026-10-01")],
        [
            f"{P}:22: warning: the renewal date 2026-10-01 has passed (53 days before the report "
            "date): once the customer renews, update `renewal_date` to the next renewal"
        ],
    ),
    (
        "a renewal that passed yesterday",
        None,
        [key("renewal_date: 2026-11-22")],
        [
            f"{P}:22: warning: the renewal date 2026-11-22 has passed (1 day before the report "
            "date): once the customer renews, update `renewal_date` to the next renewal"
        ],
    ),
    (
        "an error first: the renewal's warning waits until it is fixed",
        None,
        [key("renewal_date: 2026-10-01", "arr: 120k")],
        [f"{P}:23: error: `arr` must be a plain number: write `120000`, {SITE_USD} (found `120k`)"],
    ),
]


@pytest.mark.parametrize(
    ("case", "config", "edits", "expected"), ACCOUNT_CASES, ids=[c[0] for c in ACCOUNT_CASES]
)
def test_internal_field(
    tmp_path: Path, case: str, config: str | None, edits: list[tuple[str, str]], expected: list[str]
) -> None:
    make_site(tmp_path, {"acme": edited(case, edits)}, config)
    assert diagnostics_of(tmp_path) == expected


# (case, outcomesite.yaml, expected diagnostics)
CONFIG_CASES: list[tuple[str, str, list[str]]] = [
    ("euros", "currency: EUR\n", []),
    ("pounds", "currency: GBP\n", []),
    ("left empty: the default", "currency:\n", []),
    (
        "lower case",
        "currency: usd\n",
        [f"{C}:1: error: {CURRENCY} (found `usd`): did you mean `USD`?"],
    ),
    (
        "a name several currencies share",
        "currency: Dollars\n",
        [f"{C}:1: error: {CURRENCY} (found `Dollars`)"],
    ),
    (
        "the name in capitals",
        "currency: EURO\n",
        [f"{C}:1: error: {CURRENCY} (found `EURO`): did you mean `EUR`?"],
    ),
    (
        "the plural name",
        "currency: euros\n",
        [f"{C}:1: error: {CURRENCY} (found `euros`): did you mean `EUR`?"],
    ),
    (
        "the symbol",
        "currency: £\n",
        [f"{C}:1: error: {CURRENCY} (found `£`): did you mean `GBP`?"],
    ),
    (
        "the name in the site's language",
        "locale: de_CH\ncurrency: Schweizer Franken\n",
        [f"{C}:2: error: {CURRENCY} (found `Schweizer Franken`): did you mean `CHF`?"],
    ),
    (
        "three capitals that are no currency",
        "currency: ABC\n",
        [f"{C}:1: error: {CURRENCY} (found `ABC`)"],
    ),
]


@pytest.mark.parametrize(
    ("case", "config", "expected"), CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES]
)
def test_site_currency(tmp_path: Path, case: str, config: str, expected: list[str]) -> None:
    make_site(tmp_path, {"acme": VALID}, config)
    assert diagnostics_of(tmp_path) == expected


def test_the_currency_reaches_the_render_stage(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, "currency: EUR\n")
    assert load_site(tmp_path, AS_OF).config.currency == "EUR"
    make_site(tmp_path, {"acme": VALID}, "vendor: Acme\n")
    assert load_site(tmp_path, AS_OF).config.currency == "USD"


def test_the_internal_fields_reach_the_model(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": edited("", [key("renewal_date: 2027-03-31", "arr: 7654321")])})
    (account,) = load_site(tmp_path, AS_OF).accounts
    assert (account.data.renewal_date, account.data.arr) == (dt.date(2027, 3, 31), 7654321)


def test_the_renewal_warnings_have_their_own_kinds(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "acme": edited("", [key("renewal_date: 2026-10-01")]),
            "globex": edited("", [key("renewal_date: 2026-08-01")]),
        },
    )
    warnings = load_site(tmp_path, AS_OF).diagnostics
    assert [d.code for d in warnings] == ["renewal-passed", "renewal-before-start"]
    assert warning_summary(warnings) == (
        "2 warnings: 1 renewal date before the start, 1 renewal date passed"
    )


def test_every_warning_rule_has_a_kind_for_the_summary() -> None:
    assert [code for code, _ in WARNINGS if code not in WARNING_KINDS] == []


# --- the scaffold ------------------------------------------------------------------------------


def test_the_scaffold_offers_the_internal_fields_commented(tmp_path: Path) -> None:
    """`outcomesite new` shows both, says they stay internal and names the site's currency;
    with their `# ` deleted, the file has no new problem (the date is a year ahead)."""
    make_site(tmp_path, {}, "currency: EUR\n")
    assert run_cli(tmp_path, "new", "globex").exit_code == 0
    path = tmp_path / "content/accounts/globex.md"
    text = path.read_text("utf-8")
    today = default_as_of()  # the day `new` dates the file from
    renewal = (today + dt.timedelta(days=365)).isoformat()
    assert (
        f"\n# renewal_date: {renewal}     # internal only, never shown to the customer: the next "
        "renewal (YYYY-MM-DD)\n" in text
    )
    assert (
        "\n# arr: 120000                  # internal only, never shown to the customer: annual "
        "recurring revenue in EUR, a plain number\n" in text
    )
    for commented in ("# renewal_date:", "# arr:"):
        text = text.replace(f"\n{commented}", f"\n{commented[2:]}", 1)
    path.write_text(text, "utf-8")
    assert diagnostics_of(tmp_path, today) == scaffold_warnings("content/accounts/globex.md", text)
    (account,) = load_site(tmp_path, today).accounts
    assert (account.data.renewal_date, account.data.arr) == (dt.date.fromisoformat(renewal), 120000)


def test_the_scaffold_names_the_default_currency() -> None:
    assert "annual recurring revenue in USD, a plain number" in account_text("globex", AS_OF)


# --- never published -------------------------------------------------------------------------

SECRET_ENV = {"OUTCOMESITE_SECRET": "x" * 40}
NOTES = "Procurement pushes for a 30 percent discount at renewal; the CFO is unconvinced"
# (slug, account name, arr, renewal date): an amount with cents and a whole one, two dates.
INTERNAL = [
    ("acme", "Acme Corp", 987654.32, dt.date(2027, 3, 31)),
    ("globex", "Globex Industries", 7654321, dt.date(2027, 8, 14)),
]
LOCALES = ("en_US", "en_GB", "en_IN", "de_DE", "de_CH", "fr_FR")


def amount_spellings(value: float) -> set[str]:
    """An amount as any renderer could print it: raw, grouped, rounded, as money, compact."""
    whole = round(value)
    found = {repr(value), repr(float(value)), str(whole), f"{value:.2f}"}
    for locale in LOCALES:
        for number in (value, whole):
            found.add(format_decimal(number, locale=locale))
            found.add(format_currency(number, "USD", locale=locale))
        for digits in (1, 2):
            found.add(format_compact_decimal(value, locale=locale, fraction_digits=digits))
            found.add(format_compact_currency(value, "USD", locale=locale, fraction_digits=digits))
    return found


def date_spellings(day: dt.date) -> set[str]:
    """A date as any renderer could print it: ISO, numeric, with the month's name, month alone."""
    found = {day.isoformat(), day.strftime("%Y/%m/%d"), day.strftime("%m/%d/%Y")}
    found |= {day.strftime("%d/%m/%Y"), day.strftime("%d.%m.%Y")}
    for locale in LOCALES:
        for style in ("short", "medium", "long", "full"):
            found.add(format_date(day, style, locale=locale))
        for skeleton in ("yMMM", "yMMMM", "MMMd", "MMMMd"):
            found.add(format_skeleton(skeleton, day, locale=locale))
    return found


def squeeze(text: str) -> tuple[str, str]:
    """The text with every run of spaces (also no-break ones) as one space, and with none:
    a PDF's text breaks lines where the layout did."""
    words = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ").split()
    return " ".join(words), "".join(words)


def public_texts(public: Path) -> dict[str, str]:
    """Everything a visitor of `public/` can read, by path: each text file unescaped, each
    PDF's page text and metadata (its information dictionary and XMP), and the raw bytes of
    every other file."""
    texts: dict[str, str] = {}
    for path in sorted(p for p in public.rglob("*") if p.is_file()):
        name = path.relative_to(public).as_posix()
        raw = path.read_bytes()
        if path.suffix == ".pdf":
            reader = PdfReader(path)
            pages = "\n".join(page.extract_text() or "" for page in reader.pages)
            info = " | ".join(f"{k}={v}" for k, v in (reader.metadata or {}).items())
            xmp = reader.xmp_metadata
            xml = xmp.stream.get_data().decode("utf-8", "replace") if xmp is not None else ""
            texts[name] = pages
            texts[f"{name} (metadata)"] = f"{info}\n{xml}"
            texts[f"{name} (bytes)"] = raw.decode("latin-1")
        else:
            try:
                texts[name] = html.unescape(raw.decode("utf-8"))
            except UnicodeDecodeError:
                texts[name] = raw.decode("latin-1")  # an image or a font: its bytes
    return texts


def leaks(texts: dict[str, str], needles: Iterable[str]) -> list[tuple[str, str]]:
    """(file, needle) for every needle found in a text, spaced or not."""
    found = []
    for name, text in texts.items():
        spaced, solid = squeeze(text)
        for needle in sorted(set(needles)):
            needle_spaced, needle_solid = squeeze(needle)
            if needle_spaced in spaced or needle_solid in solid:
                found.append((name, needle))
    return found


def internal_values() -> set[str]:
    needles = {NOTES, *NOTES.split("; ")}
    for _, _, arr, renewal in INTERNAL:
        needles |= amount_spellings(arr) | date_spellings(renewal)
    return needles


def test_the_leak_search_finds_every_spelling() -> None:
    """The search below is only as good as its spellings: a page that shows one is caught."""
    samples = [
        "<td>$987,654</td>",
        "<td>7.654.321&nbsp;$</td>",
        "<p>ARR: 7\u202f654\u202f321 $US</p>",
        "<span>$7.65M</span>",
        "Renewal\nMarch 31,\n2027",
        "renews on 31 Mar 2027",
        "<time datetime=2027-08-14>",
        "Aug 2027",
        '{"arr": 987654.32}',
        "arr=7654321.0",
    ]
    for sample in samples:
        texts = {"page": html.unescape(sample)}
        assert leaks(texts, internal_values()), sample
    assert leaks({"page": "Acme Corp: onboarding 44 days, Nov 1, 2026"}, internal_values()) == []


def test_internal_fields_never_reach_a_public_file(tmp_path: Path) -> None:
    accounts = {
        slug: edited(
            slug,
            [
                ("account: Acme Corp", f"account: {name}"),
                key(
                    f"renewal_date: {renewal.isoformat()}",
                    f"arr: {arr}",
                    f"internal_notes: {NOTES}",
                ),
            ],
        )
        for slug, name, arr, renewal in INTERNAL
    }
    make_site(tmp_path, accounts, "vendor: Brightpath Software\n")
    report = build_site(tmp_path, BuildOptions(pdf=True, environ=SECRET_ENV, as_of=AS_OF))
    assert report.site is not None and report.site.diagnostics == ()  # no warning either

    # Not vacuous: the internal index has every value, and public/ has the reports and PDFs.
    index = json.loads((tmp_path / "build/internal/index.json").read_text("utf-8"))
    entries = {entry["slug"]: entry for entry in index["accounts"]}
    for slug, _, arr, renewal in INTERNAL:
        assert (entries[slug]["arr"], entries[slug]["renewal_date"]) == (arr, renewal.isoformat())
    texts = public_texts(tmp_path / "build/public")
    pdfs = [name for name in texts if name.endswith(".pdf")]
    assert len(pdfs) == len(INTERNAL)
    for name in pdfs:
        assert "Onboarding is faster." in squeeze(texts[name])[0]  # the text reads back
    assert any(
        name.endswith("index.html") and "Globex Industries" in t for name, t in texts.items()
    )

    assert leaks(texts, internal_values()) == []
