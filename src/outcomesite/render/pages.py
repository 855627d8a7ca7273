"""Whole pages as HTML strings: a report (for the browser and for the PDF), an account's pieces of
the internal index, the internal index itself and the public placeholder; and the list of files
published next to them, and the job that renders a report's PDF. No file is written here."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath
from typing import TypedDict

from outcomesite.files import PublishedFile
from outcomesite.i18n import translator
from outcomesite.layout import ASSETS, INDEX_TO_PUBLIC, PDF_TIMEOUT, account_file_parts
from outcomesite.load.site import Site
from outcomesite.model.config import SiteConfig
from outcomesite.pdf.jobs import LOCAL_ORIGIN, PdfJob
from outcomesite.portfolio.history import IndexHistory
from outcomesite.render import exports
from outcomesite.render.brand import BRAND_CSS, brand_css
from outcomesite.render.index import (
    IndexEntry,
    IndexHead,
    IndexPieces,
    account_view,
    index_entry,
    severity,
)
from outcomesite.render.internal import (
    IndexView,
    ListPlan,
    ListView,
    Portfolio,
    index_view,
    list_view,
)
from outcomesite.render.page import AccountPage
from outcomesite.render.theme import Theme
from outcomesite.render.views import (
    AccountParts,
    ReportView,
    account_parts,
    html_lang,
    report_view,
    same_parts,
)

AssetHref = Callable[[str], str]  # a published asset's name -> the URL a page uses for it


class Stylesheet(TypedDict):
    href: str
    media: str  # "" (all) or "print"


class PageFrame(TypedDict):
    """What every page template gets besides its view: how the page is put together."""

    title: str
    stylesheets: list[Stylesheet]
    preview: bool  # in `outcomesite serve`: base.html adds the live-reload hooks


class ReportPage(ReportView, PageFrame):
    """Everything report.html receives."""

    pdf: bool
    logo_href: str | None
    customer_logo_href: str | None  # the customer's logo (`logo:` in the account file)


class IndexPage(IndexView, PageFrame):
    """Everything index.html receives."""


class ListPage(ListView, PageFrame):
    """Everything internal_list.html receives."""


class PublicIndexPage(PageFrame):
    """Everything public_index.html receives."""

    locale: str  # the site's
    lang: str


def stylesheets(
    href: AssetHref, paper: str, has_theme_css: bool = False, brand: bool = False
) -> list[Stylesheet]:
    sheets: list[Stylesheet] = [{"href": href("report.css"), "media": ""}]
    if brand:
        sheets.append({"href": href(BRAND_CSS), "media": ""})  # the brand colour's variables
    sheets.append({"href": href("print.css"), "media": "print"})
    if paper == "Letter":
        sheets.append({"href": href("letter.css"), "media": "print"})
    if has_theme_css:
        sheets.append({"href": href("theme.css"), "media": ""})  # a theme's additions, last
    return sheets


def logo_name(config: SiteConfig) -> str | None:
    """The logo's name in public/assets/ (`logo.svg`), whatever it is called in the site."""
    return f"logo{PurePosixPath(config.logo).suffix.lower()}" if config.logo else None


def report_html(
    site: Site, theme: Theme, page: AccountPage, *, pdf: bool, preview: bool = False
) -> str:
    """The report page, the same for the browser and (pdf=True) for the PDF: its assets are
    addressed relative to the page, as they are published."""
    return theme.render("report.html", _report_context(site, theme, page, pdf, preview))


# The blocks of the packaged report.html that show nothing but the account's parts
# (views.AccountParts), and the templates they are made of: pages that share their parts write
# them alike, so a build writes them once for both, unless a site theme replaces one of those
# templates (tests/test_versions.py reads them to hold this).
ACCOUNT_BLOCKS = ("highlights", "next_steps", "ladder", "results")
ACCOUNT_TEMPLATES = ("report.html", "_chart.html")


def reports_html(
    site: Site, theme: Theme, pages: Sequence[AccountPage], *, preview: bool = False
) -> list[str]:
    """report_html (for the browser) of many pages: every page's view first, then every
    template. A build renders a worker's chunk this way; one step at a time, each keeps its
    code in the processor's caches (build/worker.py), and the reports took 0.82 of the time.

    A page that shares its account parts with the latest page before it (report_contexts) has
    that page's account blocks written in, when the theme's report.html and chart are the
    packaged ones (a site theme's may show anything in them): in Git, the results and
    highlights of every committed account were rendered twice (800 pages of 400 accounts now
    take 0.85 of the time)."""
    contexts = report_contexts(site, theme, pages, preview)
    if not theme.packaged(*ACCOUNT_TEMPLATES):
        return [theme.render("report.html", context) for context, _ in contexts]
    shared = Counter(id(parts) for _, parts in contexts)
    found: list[str] = []
    made: tuple[AccountParts, dict[str, str]] | None = None  # parts, and their blocks written
    for context, parts in contexts:
        if shared[id(parts)] == 1:
            found.append(theme.render("report.html", context))
        elif made is not None and made[0] is parts:
            found.append(theme.render_blocks("report.html", context, ACCOUNT_BLOCKS, made[1])[0])
        else:
            html, blocks = theme.render_blocks("report.html", context, ACCOUNT_BLOCKS)
            made = parts, blocks
            found.append(html)
    return found


def report_contexts(
    site: Site, theme: Theme, pages: Sequence[AccountPage], preview: bool
) -> list[tuple[ReportPage, AccountParts]]:
    """What report.html receives for each page, and the account parts in it. An account's
    pages come latest first, then its versions (AccountPages.pages): the permanent page of the
    version the latest page is shares the latest page's account parts (views.same_parts),
    the very same object, instead of making them again."""
    contexts: list[tuple[ReportPage, AccountParts]] = []
    latest: tuple[AccountPage, AccountParts] | None = None  # the last latest page seen
    for page in pages:
        if latest is not None and same_parts(page, latest[0]):
            parts = latest[1]
        else:
            parts = account_parts(page, site.config, site.as_of)
            if not page.permanent:
                latest = page, parts
        contexts.append((_report_context(site, theme, page, False, preview, parts), parts))
    return contexts


def _report_context(
    site: Site,
    theme: Theme,
    page: AccountPage,
    pdf: bool,
    preview: bool,
    parts: AccountParts | None = None,
) -> ReportPage:
    config = site.config
    prefix = page.root_prefix + ASSETS + "/"
    logo = logo_name(config)
    return {
        **report_view(page, config, site.as_of, parts),
        "pdf": pdf,
        "preview": preview,
        "stylesheets": stylesheets(
            lambda name: prefix + name,
            page.account.data.paper or config.paper,
            theme.has_asset("theme.css"),
            config.brand_color is not None,
        ),
        "logo_href": prefix + logo if logo else None,
        "customer_logo_href": page.account.logo,
    }


def pieces_html(site: Site, theme: Theme, page: AccountPage) -> IndexPieces:
    """An account's pieces of the internal index, rendered with its report."""
    return index_pieces(site, theme, [page])[0]


def index_pieces(site: Site, theme: Theme, pages: Sequence[AccountPage]) -> list[IndexPieces]:
    """Each page's pieces of the internal index, one step for all of them at a time (as
    reports_html: 0.77 of the time): entries, views, table rows, attention cards, exports.
    In the site's locale, like every internal page (another locale is another site's config:
    a changed outcomesite.yaml rebuilds every account's pieces)."""
    config = site.config
    entries = [index_entry(page, config) for page in pages]
    contexts = [
        {"row": account_view(page, entry, config, INDEX_TO_PUBLIC), "locale": config.locale}
        for page, entry in zip(pages, entries, strict=True)
    ]
    rows = [theme.render("_index_row.html", context).strip() for context in contexts]
    cards = [
        theme.render("_attention_card.html", context).strip() if entry["attention"] else ""
        for entry, context in zip(entries, contexts, strict=True)
    ]
    return [
        _pieces(entry, row, card) for entry, row, card in zip(entries, rows, cards, strict=True)
    ]


def _pieces(entry: IndexEntry, row: str, card: str) -> IndexPieces:
    head = IndexHead(
        slug=entry["slug"],
        account=entry["account"],
        rung=entry["rung"],
        segment=entry["segment"],
        csm=entry["csm"],
        result_check=entry["result_check"],
        needs_attention=entry["needs_attention"],
        severity=severity(entry),
        renewal_date=entry["renewal_date"],
        arr=entry["arr"],
        status=entry["status"],
        start_date=entry["start_date"],
        renewals=entry["renewals"],
        digest=hashlib.sha256(f"{row}\0{card}".encode()).hexdigest(),
    )
    return IndexPieces(
        head=head,
        json=exports.json_line(entry),
        csv=exports.index_csv_line(entry),
        results_csv=exports.results_csv_lines(entry),
        html=row,
        card=card,
    )


def _internal_sheets() -> list[Stylesheet]:
    return [
        {"href": INDEX_TO_PUBLIC + "assets/report.css", "media": ""},
        {"href": INDEX_TO_PUBLIC + "assets/index.css", "media": ""},
    ]


def internal_index_html(
    site: Site,
    theme: Theme,
    portfolio: Portfolio,
    cards: Sequence[str],
    history: IndexHistory | None = None,
    preview: bool = False,
) -> str:
    """internal/index.html, the leader's first page (`cards`: those of portfolio.first_cards)."""
    config = site.config
    t = translator(config.locale)
    context: IndexPage = {
        **index_view(portfolio, config, site.as_of, cards, history),
        "title": t.gettext("%(site)s (internal)", site=config.site_name),
        "preview": preview,
        "stylesheets": _internal_sheets(),
    }
    return theme.render("index.html", context)


def internal_list_html(
    site: Site,
    theme: Theme,
    plan: ListPlan,
    shown: dict[str, str],
    preview: bool = False,
) -> str:
    """One page of one of the internal lists (all accounts, a CSM's, a segment's, attention);
    `shown`: each account's rendered table row (its card, on the attention list)."""
    view = list_view(plan, shown, site.config, site.as_of)
    title = translator(site.config.locale).gettext(
        "%(heading)s · %(site)s (internal)", heading=view["heading"], site=site.config.site_name
    )
    context: ListPage = {
        **view,
        "title": title,
        "preview": preview,
        "stylesheets": _internal_sheets(),
    }
    return theme.render("internal_list.html", context)


def public_index_html(site: Site, theme: Theme, preview: bool = False) -> str:
    """public/index.html: lists nothing, so that nobody browses from it to a report."""
    locale = site.config.locale
    context: PublicIndexPage = {
        "locale": locale,
        "lang": html_lang(locale),
        "title": site.config.vendor or translator(locale).gettext("Reports"),
        "preview": preview,
        "stylesheets": stylesheets(
            lambda name: f"{ASSETS}/{name}",
            site.config.paper,
            theme.has_asset("theme.css"),
            site.config.brand_color is not None,
        ),
    }
    return theme.render("public_index.html", context)


def site_files(site: Site, theme: Theme) -> list[PublishedFile]:
    """The theme's assets and the logo, by their address below public/."""
    files = [
        PublishedFile(f"{ASSETS}/{name}", str(base), parts)
        for name, base, parts in theme.asset_sources()
    ]
    if (logo := logo_name(site.config)) and site.config.logo:
        parts = tuple(part for part in site.config.logo.split("/") if part not in ("", "."))
        files.append(PublishedFile(f"{ASSETS}/{logo}", str(site.root), parts))
    if site.config.brand_color:
        css = brand_css(site.config.brand_color).encode("utf-8")
        files.append(PublishedFile.generated(f"{ASSETS}/{BRAND_CSS}", css))
    return files


def pdf_job(site: Site, theme: Theme, page: AccountPage, timeout: float = PDF_TIMEOUT) -> PdfJob:
    """The PDF is rendered from the same HTML as the page, at the address the page is published
    at (or, without a base_url, at a local address that does not depend on the share link, so
    that a new secret keeps the cached PDFs); its renderer may read exactly the site's assets and
    this page's images."""
    base_url = site.config.base_url
    origin = base_url.rstrip("/") + "/" if base_url else LOCAL_ORIGIN
    folder = page.folder if base_url else "report" + (f"/v{page.version}" * page.permanent)
    images = [
        PublishedFile(
            f"{folder}/{image}", str(site.root), account_file_parts(page.account.slug, image)
        )
        for image in page.account.images
    ]
    html = report_html(site, theme, page, pdf=True)
    files = (*site_files(site, theme), *images)
    return PdfJob(page.account.slug, html, origin, folder, files, timeout, site.config.pdf_variant)
