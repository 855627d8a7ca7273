"""The internal index in the site's `locale` (outcomesite.yaml): every word of its pages goes through
gettext, while index.json, index.csv, results.csv and `outcomesite changes` stay English.

Real sites are built once per locale: the "attention" site of test_index (one account per
needs-attention reason, with renewal dates and ARR, lists cut into pages of two) and the "book" of
test_portfolio_history (Git history: the "since" section, the month chart, cohorts, renewals and a
churned account), since a day before all of its changes and since a day before only one. The English build names the words to look for: every text of its internal pages,
the customer's words (names, goals, metrics, notes) set aside; another locale's build may show
none of them. The en_US pages themselves are held by test_index and test_portfolio_history.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from outcomesite.build import BuildOptions, build_site
from outcomesite.model.config import DEFAULT_SEGMENTS, SiteConfig
from outcomesite.render import internal
from outcomesite.render.internal import risk_by_quarter
from tests.conftest import AS_OF, git_at, make_site, run_cli
from tests.html_tree import Node, parse
from tests.test_index import ATTENTION_SITE, NOTES
from tests.test_index_portfolio import piece
from tests.test_portfolio_history import AS_OF as BOOK_AS_OF
from tests.test_portfolio_history import SINCE, account, book, write  # noqa: F401  (the fixture)

ENV = {"OUTCOMESITE_SECRET": "i18n-index-secret-0123456789abcdef0123456789"}
LOCALES = ["de_DE", "fr_FR", "es_ES"]

# Words a translation keeps as they are ("CSM" and "ARR" in every language; "Segment" in German
# and French, "Links" in German, "Adoption" in French), and those of file names and the PDF link.
KEPT = {"CSM", "ARR", "PDF", "EUR", "v", "index", "results", "csv", "json"}
KEPT_IN = {
    "de_DE": {"Segment", "Links"},
    "fr_FR": {"Segment", "Adoption", "page"},
    "es_ES": set(),
}
# A day after the book's changes and before its last commit: one account climbed since.
QUIET_SINCE = dt.date(2026, 5, 15)

# The attention site with what the internal pages show only with them: renewal dates in three
# quarters and none, ARR, and the accounts failing the 90-day check.
RENEWALS = {
    "clean": "renewal_date: 2027-03-31\narr: 120000\n",
    "failing": "renewal_date: 2026-12-15\narr: 45000\n",
    "stale": "renewal_date: 2027-05-05\narr: 80000\n",
    "overdue": "arr: 30000\n",
    "unconfirmed": "renewal_date: 2027-02-01\n",
    "nobody": "",
}
ATTENTION = {
    slug: text.replace("start_date:", RENEWALS[slug] + "start_date:", 1)
    for slug, text in ATTENTION_SITE.items()
}


@dataclass(frozen=True)
class Built:
    root: Path
    out: Path

    @property
    def internal(self) -> Path:
        return self.out / "internal"

    def pages(self) -> list[Path]:
        return sorted(self.internal.glob("*.html"))


def config_text(locale: str, site_name: str) -> str:
    return f"site_name: {site_name}\nvendor: Brightpath Software\ncurrency: EUR\nlocale: {locale}\n"


def build(
    root: Path,
    out: Path,
    *,
    as_of: dt.date = AS_OF,
    since: dt.date | None = None,
    use_cache: bool = True,
) -> Path:
    options = BuildOptions(
        out=out, pdf=False, environ=ENV, as_of=as_of, since=since, use_cache=use_cache
    )
    build_site(root, options)
    return out


@pytest.fixture(scope="module")
def small_pages() -> Iterator[None]:
    """Lists of two rows or cards a page, so that the pages have pagers and the attention list
    more than one page."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(internal, "PAGE_ROWS", 2)
        patch.setattr(internal, "CARDS_PER_PAGE", 2)
        yield


@pytest.fixture(scope="module")
def attention_sites(
    tmp_path_factory: pytest.TempPathFactory, small_pages: None
) -> dict[str, Built]:
    sites = {}
    for locale in ["en_US", *LOCALES]:
        root = tmp_path_factory.mktemp(f"attention-{locale}")
        make_site(root, ATTENTION, config_text(locale, "Portfolio"))
        sites[locale] = Built(root, build(root, root / "build"))
    return sites


@pytest.fixture(scope="module")
def book_sites(
    book: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    small_pages: None,
) -> dict[str, list[Built]]:
    """Per locale, the book since SINCE (every kind of change) and since QUIET_SINCE (one
    account climbed, the rest says "No change")."""
    sites = {}
    for locale in ["en_US", *LOCALES]:
        root = tmp_path_factory.mktemp(f"book-{locale}") / "site"
        shutil.copytree(book, root)  # with its Git history
        write(root, "newbie", account("Newbie GmbH", start="2026-04-20", current=50))
        git_at(root, "commit", "-q", "-am", "newbie moved", date="2026-05-20T12:00:00+00:00")
        (root / "outcomesite.yaml").write_text(config_text(locale, "Book"), encoding="utf-8")
        sites[locale] = [
            Built(root, build(root, root.parent / f"out-{n}", as_of=BOOK_AS_OF, since=since))
            for n, since in enumerate((SINCE, QUIET_SINCE))
        ]
    return sites


# --- the words of the pages ---------------------------------------------------------------------

_LETTERS = re.compile(r"[^\W\d_]+")


def customer_words(built: Built) -> list[str]:
    """What the account files and the site settings say, which no locale translates: longest
    first, so that a name inside another is set aside with it."""
    index = json.loads((built.internal / "index.json").read_text(encoding="utf-8"))
    words = {"Portfolio", "Book", "Brightpath Software", NOTES, *DEFAULT_SEGMENTS}
    for entry in index["accounts"]:
        words |= {entry["account"], entry["csm"], entry["segment"]}
        for result in entry["results"]:
            words |= {result["goal"], result["metric"], result["owner"]}
    for group in ("named", "confirmed", "worsened", "added", "removed"):
        words |= {item["account"] for item in index.get("changes", {}).get(group, [])}
    return sorted(words, key=len, reverse=True)


def texts(doc: Node, customer: list[str]) -> set[str]:
    """Every element's text and every aria-label, the customer's words replaced by a mark; only
    those with a word left (not the code samples: `outcomesite changes`, `renewals:`)."""
    found: set[str] = set()
    for node in doc.iter():
        if node.tag == "code":
            continue
        for text in (node.text, node.attrs.get("aria-label") or ""):
            for word in customer:
                text = text.replace(word, "\0")
            if _LETTERS.search(text):
                found.add(text)
    return found


def english_left(english: Built, other: Built, locale: str) -> dict[str, list[str]]:
    """Per page, the texts of the English build that the `locale` build shows unchanged."""
    kept = KEPT | KEPT_IN[locale]
    customer = customer_words(english)
    left: dict[str, list[str]] = {}
    for page in english.pages():
        assert (other.internal / page.name).is_file(), page.name
        words = texts(parse(page), customer)
        shown = texts(parse(other.internal / page.name), customer)
        same = [t for t in sorted(words & shown) if not set(_LETTERS.findall(t)) <= kept]
        if same:
            left[page.name] = same
    return left


def pairs(
    attention_sites: dict[str, Built], book_sites: dict[str, list[Built]], locale: str
) -> list[tuple[Built, Built]]:
    """(the English build, the `locale` build) of each site."""
    return [
        (attention_sites["en_US"], attention_sites[locale]),
        *zip(book_sites["en_US"], book_sites[locale], strict=True),
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_internal_pages_speak_the_sites_locale(
    attention_sites: dict[str, Built], book_sites: dict[str, list[Built]], locale: str
) -> None:
    """No heading, label, sentence, status word or rung of the English index is left in a
    `locale: de_DE` (fr_FR, es_ES) site's internal pages: needs the catalogs' translations."""
    for english, other in pairs(attention_sites, book_sites, locale):
        assert english_left(english, other, locale) == {}


def test_the_english_builds_show_every_part(
    attention_sites: dict[str, Built], book_sites: dict[str, list[Built]]
) -> None:
    """The words looked for cover the whole index: pagers, the routine-update note, ARR by
    quarter, the "since" section, the month chart, cohorts, renewals, churned accounts."""
    first = parse(attention_sites["en_US"].internal / "index.html").text
    for words in ("more only need a routine update", "by renewal quarter", "in 3 pages"):
        assert words in first, words
    names = {page.name for page in attention_sites["en_US"].pages()}
    assert {"index.html", "accounts-2.html", "attention-2.html", "csm-sam-lee-1.html"} <= names
    pager = parse(attention_sites["en_US"].internal / "accounts-2.html").text
    assert "Previous" in pager and "Next" in pager and "Page 2 of 3: accounts 3-4" in pager
    moved, quiet = (parse(b.internal / "index.html").text for b in book_sites["en_US"])
    for words in ("Since Apr 1, 2026", "Climbed (1)", "Accounts removed (2)", "Churned accounts"):
        assert words in moved, words
    for words in ("The numbers, month by month", "per start quarter", "Renewals by where"):
        assert words in moved, words
    assert "Since May 15, 2026" in quiet and "No change: slipped, started moving" in quiet


@pytest.mark.parametrize("locale", LOCALES)
def test_the_internal_pages_declare_the_sites_language(
    attention_sites: dict[str, Built], locale: str
) -> None:
    lang = locale.replace("_", "-")
    for page in attention_sites[locale].pages():
        assert f'<html lang="{lang}">' in page.read_text(encoding="utf-8"), page.name


# --- what stays English -------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_the_exports_stay_english(
    attention_sites: dict[str, Built], book_sites: dict[str, list[Built]], locale: str
) -> None:
    """index.json, index.csv and results.csv are for tools and spreadsheets: the same bytes
    whatever the site's locale (rung labels, attention reasons, history: in English)."""
    for english, other in pairs(attention_sites, book_sites, locale):
        for name in ("index.json", "index.csv", "results.csv"):
            wanted = (english.internal / name).read_bytes()
            assert (other.internal / name).read_bytes() == wanted, name
    rows = (attention_sites[locale].internal / "index.csv").read_text(encoding="utf-8-sig")
    assert "Target overdue: Cut onboarding time" in rows
    assert "Measurable Result" in rows


@pytest.mark.parametrize("locale", LOCALES)
def test_outcomesite_changes_stays_english(book_sites: dict[str, list[Built]], locale: str) -> None:
    """`outcomesite changes` speaks English, like `check`, in a site of any locale."""
    english_root, root = book_sites["en_US"][0].root, book_sites[locale][0].root
    args = ("changes", "--since", SINCE.isoformat(), "--as-of", BOOK_AS_OF.isoformat())
    english = run_cli(english_root, *args)
    other = run_cli(root, *args)
    assert english.exit_code == other.exit_code == 0
    assert other.output == english.output
    assert "Climbed (1)\n  - Climber Co: Activity -> Measurable Result" in other.output
    as_json = run_cli(root, *args, "--format", "json")
    assert as_json.output == run_cli(english_root, *args, "--format", "json").output


# --- a locale change rebuilds the index ---------------------------------------------------------


def test_a_new_site_locale_renders_every_row_again(tmp_path: Path) -> None:
    """Each account's row and card are kept between builds: a changed `locale` in
    outcomesite.yaml renders them again, so an incremental build writes the same internal pages
    as a build from scratch."""
    root = make_site(tmp_path / "site", ATTENTION, config_text("en_US", "Portfolio"))
    out = build(root, tmp_path / "out")
    english = {p.name: p.read_bytes() for p in sorted((out / "internal").iterdir())}
    (root / "outcomesite.yaml").write_text(config_text("de_DE", "Portfolio"), encoding="utf-8")
    build(root, out)
    fresh = build(root, tmp_path / "fresh", use_cache=False)
    again = {p.name: p.read_bytes() for p in sorted((out / "internal").iterdir())}
    assert again == {p.name: p.read_bytes() for p in sorted((fresh / "internal").iterdir())}
    # The rows moved: German dates and amounts ("15.12.2026", "45.000 €").
    assert again["accounts-1.html"] != english["accounts-1.html"]
    assert "45.000\u00a0€" in again["attention-1.html"].decode("utf-8")


# --- the Python side ----------------------------------------------------------------------------


def test_renewal_quarters_sort_by_date_in_any_locale() -> None:
    """The quarters are ordered by their dates, not by their names ("Q4 2026" after "Q1 2027"
    in German would be wrong), and the accounts without a renewal date come last."""
    pieces = [
        piece(f"a{n}", None, renewal, arr=1000.0, result_check="failing")
        for n, renewal in enumerate(["2027-02-01", None, "2026-12-31", "2027-02-15"])
    ]
    for locale in ["en_US", *LOCALES]:
        rows = risk_by_quarter(pieces, SiteConfig(locale=locale))
        assert [r["accounts"] for r in rows] == [1, 2, 1], locale
    english = risk_by_quarter(pieces, SiteConfig())
    assert [r["quarter"] for r in english] == ["2026 Q4", "2027 Q1", "No renewal date"]
