"""Turn a loaded site into files: plan each account's pages, render HTML and PDFs, write them.

This is the heavy half of `build` (Jinja, Markdown, WeasyPrint); `build.py` imports it only when
something has to be rendered, so an up-to-date site is checked without loading any of it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from outcomesite import ladder
from outcomesite.build import BuildOptions
from outcomesite.cache import CACHE_DIR, PdfCache
from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.files import UnsafeFile, read_inside
from outcomesite.history import FileHistory, Repository, Version, recorded_measurements
from outcomesite.images import MAX_IMAGE_BYTES
from outcomesite.layout import account_file_parts
from outcomesite.links import link_id
from outcomesite.loader import Site
from outcomesite.parallel import in_chunks
from outcomesite.pdf import LOCAL_ORIGIN, PdfFile, PdfJob
from outcomesite.pdf_pool import PdfPool
from outcomesite.state import AccountRecord
from outcomesite.theme import Theme
from outcomesite.validate import Account, validate_text
from outcomesite.views import (
    AccountPage,
    Point,
    VersionInfo,
    index_context,
    index_csv_text,
    index_entry,
    index_json_text,
    index_pieces,
    index_row,
    report_context,
    sort_rows,
)


@dataclass
class AccountPages:
    """Everything one account publishes: its latest report and a permanent copy per version."""

    account: Account
    latest: AccountPage
    permanent: list[AccountPage]
    skipped: list[str]  # notices about versions left out

    @property
    def pages(self) -> list[AccountPage]:
        return [self.latest, *self.permanent]


def plan_site(site: Site, secret: bytes, repo: Repository) -> list[AccountPages]:
    """Every account's pages; old versions' files are read from Git in one go."""
    contents = repo.read_versions(
        v for account in site.accounts for v in _old_versions(repo.history(account.path))
    )
    planned = []
    for account in site.accounts:
        latest, permanent, skipped = plan_account(site, account, secret, repo, contents)
        planned.append(AccountPages(account, latest, permanent, skipped))
    return planned


def _old_versions(history: FileHistory) -> tuple[Version, ...]:
    """Versions whose file differs from today's: the last commit's file is today's unless a draft."""
    return history.versions if history.draft else history.versions[:-1]


@dataclass
class Written:
    """What writing the accounts did: a record per account, PDFs reused, cache problems."""

    records: dict[str, AccountRecord]
    reused: int = 0
    warnings: list[str] = field(default_factory=list)


def write_accounts(
    public: Path,
    site: Site,
    theme: Theme,
    planned: list[AccountPages],
    options: BuildOptions,
    keep_pdfs: set[str] | None = None,
) -> Written:
    """Write the planned accounts' reports and PDFs."""
    pages = [page for item in planned for page in item.pages]
    # Parents first, so pages (possibly written by parallel workers) never race on a folder.
    for page in pages:
        (public / page.folder).mkdir(parents=True, exist_ok=True)
    chunks = in_chunks(_write_reports, (public, site, theme, planned), len(planned), options.jobs)
    pieces = [piece for chunk in chunks for piece in chunk]
    keys, reused, cache_warnings = [""] * len(pages), 0, []
    if options.pdf:
        keys, reused, cache_warnings = write_pdfs(public, site, theme, pages, options, keep_pdfs)
    warnings: dict[str, list[dict[str, Any]]] = {}
    for diagnostic in site.diagnostics:
        warnings.setdefault(diagnostic.path, []).append(asdict(diagnostic))
    records: dict[str, AccountRecord] = {}
    start = 0
    for item, row in zip(planned, pieces, strict=True):
        end = start + len(item.pages)
        record = account_record(item, row, options.pdf, keys[start:end])
        record.warnings = warnings.get(item.account.path, [])
        records[item.account.slug] = record
        start = end
    return Written(records, reused, cache_warnings)


def _write_reports(
    state: tuple[Path, Site, Theme, list[AccountPages]], start: int, end: int
) -> list[dict[str, Any]]:
    """Write these accounts' report pages and images; their pieces of the internal index."""
    public, site, theme, planned = state
    pieces = []
    for item in planned[start:end]:
        for page in item.pages:
            folder = public / page.folder
            prefix = page.root_prefix + "assets/"
            html = report_html(site, theme, page, pdf=False, href=lambda name, p=prefix: p + name)
            (folder / "index.html").write_text(html, encoding="utf-8")
            for image in page.account.images:
                target = folder / image
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(_read_image(site, page.account.slug, image))
        pieces.append(index_pieces_of(site, theme, item.latest))
    return pieces


def _read_image(site: Site, slug: str, image: str) -> bytes:
    """An image `check` accepted, read again the same safe way (no link followed)."""
    try:
        return read_inside(site.root, account_file_parts(slug, image), MAX_IMAGE_BYTES)
    except UnsafeFile:
        raise OutcomesiteError(
            f"content/accounts/{slug}/{image} changed while the site was being built: build again",
            EXIT_USAGE,
        ) from None


INDEX_TO_PUBLIC = "../public/"  # from internal/index.html to the reports


def index_pieces_of(site: Site, theme: Theme, page: AccountPage) -> dict[str, Any]:
    entry = index_entry(page, site.config)
    row = index_row(page, entry, site.config, INDEX_TO_PUBLIC)
    card = theme.render("_attention_card.html", row=row) if row["needs_attention"] else ""
    return index_pieces(entry, theme.render("_index_row.html", row=row).strip(), card.strip())


def account_record(
    item: AccountPages, row: dict[str, Any], pdf: bool, pdf_keys: list[str]
) -> AccountRecord:
    outputs: list[str] = []
    for page in item.pages:
        folder = f"public/{page.folder}/"
        outputs.append(folder + "index.html")
        outputs.extend(folder + image for image in page.account.images)
        if pdf:
            outputs.append(folder + page.pdf_name)
    return AccountRecord(
        digest="",
        outputs=outputs,
        row=row,
        notices=item.skipped,
        listing=[listing_line(page) for page in item.pages],
        reports=len(item.pages),
        pdfs=len(item.pages) if pdf else 0,
        pdf_keys=[key for key in pdf_keys if key],
    )


def listing_line(page: AccountPage) -> str:
    """What `build --verbose` says about one report."""
    draft = " (draft)" if page.draft else ""
    return (
        f"{page.folder}/  {page.account.slug} v{page.version}{draft}, "
        f"rung {int(page.assessment.rung)}"
    )


def plan_page(site: Site, account: Account, secret: bytes, **version: Any) -> AccountPage:
    config = site.config
    assessment = ladder.assess(
        account.data, site.as_of, config.result_check_days, config.stale_after_days
    )
    link = link_id(secret, account.slug, account.data.link_version)
    return AccountPage(
        account=account, assessment=assessment, link=link, **{"version": 1, **version}
    )


def plan_account(
    site: Site,
    account: Account,
    secret: bytes,
    repo: Repository,
    contents: dict[Version, bytes],
) -> tuple[AccountPage, list[AccountPage], list[str]]:
    """The latest page and a permanent page per committed version, under the current link.

    Each version is rendered from that commit's file with today's theme. A version that no longer
    passes today's checks is left out with a notice rather than failing the build.
    """
    history = repo.history(account.path)
    infos = tuple(VersionInfo(v.number, v.short, v.date) for v in history.versions)
    recorded: dict[int, dict[str, tuple[dt.date, float]]] = {
        v.number: recorded_measurements(contents[v].decode("utf-8", "replace"))
        for v in _old_versions(history)
        if v in contents
    }
    if history.versions and not history.draft:  # today's file is the last commit's: no re-read
        recorded[history.number] = {
            r.id: (r.measured_on, r.current)
            for r in account.data.results
            if r.current is not None and r.measured_on is not None
        }

    def points_up_to(number: int) -> dict[str, tuple[Point, ...]]:
        points: dict[str, list[Point]] = {}
        for n in sorted(k for k in recorded if k <= number):
            for rid, point in recorded[n].items():
                points.setdefault(rid, []).append(point)
        return {rid: tuple(p) for rid, p in points.items()}

    latest = plan_page(
        site,
        account,
        secret,
        version=history.number,
        draft=history.draft,
        source=None if history.draft or not infos else infos[-1],
        versions=infos,
        recorded=points_up_to(history.number),
    )
    permanent: list[AccountPage] = []
    skipped: list[str] = []
    for version, info in zip(history.versions, infos, strict=True):
        if version.number == history.number and not history.draft:
            old_account: Account | None = account  # the last commit is today's file
        else:
            old_account, problems = validate_text(
                contents.get(version, b""), account.path, account.slug, site.root,
                site.config, site.as_of,
            )  # fmt: skip
            if old_account is None:
                first = next((d.message for d in problems if d.severity == "error"), "unreadable")
                skipped.append(
                    f"{account.path}: version {version.number} ({version.short}) no longer passes "
                    f"check and was not published: {first}"
                )
                continue
        page = plan_page(
            site,
            old_account,
            secret,
            version=version.number,
            source=info,
            versions=infos,
            recorded=points_up_to(version.number),
            permanent=True,
        )
        permanent.append(replace(page, link=latest.link))
    return latest, permanent, skipped


def git_notices(repo: Repository, strict: bool) -> list[str]:
    if not repo.in_git:
        return ["not a Git repository: every account is version 1 and has no version history"]
    if repo.shallow:
        message = (
            "this is a shallow Git clone, so version numbers and measurement history are "
            "incomplete; fetch the full history: GitHub Actions `actions/checkout` with "
            "`fetch-depth: 0`, GitLab CI `GIT_DEPTH: 0`, or `git fetch --unshallow`"
        )
        if strict:
            raise OutcomesiteError(message, EXIT_USAGE)
        return [message]
    return []


AssetHref = Callable[[str], str]


def _stylesheets(href: AssetHref, paper: str, has_theme_css: bool = False) -> list[dict[str, str]]:
    sheets = [
        {"href": href("report.css"), "media": ""},
        {"href": href("print.css"), "media": "print"},
    ]
    if paper == "Letter":
        sheets.append({"href": href("letter.css"), "media": "print"})
    if has_theme_css:
        sheets.append({"href": href("theme.css"), "media": ""})  # a theme's additions, last
    return sheets


def _logo_name(site: Site) -> str | None:
    logo = site.config.logo
    return f"logo{Path(logo).suffix.lower()}" if logo else None


def report_html(site: Site, theme: Theme, page: AccountPage, *, pdf: bool, href: AssetHref) -> str:
    """The report page; `href` maps a published asset name to the URL this output uses."""
    context = report_context(page, site.config, site.as_of)
    logo = _logo_name(site)
    return theme.render(
        "report.html",
        **context,
        pdf=pdf,
        stylesheets=_stylesheets(href, site.config.paper, theme.has_asset("theme.css")),
        logo_href=href(logo) if logo else None,
    )


def write_site_files(public: Path, site: Site, theme: Theme) -> None:
    """What public/ holds besides the reports: assets, robots.txt and two empty-ish pages."""
    for file in site_files(site, theme):
        target = public / file.url
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_bytes(file.read())
        except UnsafeFile as unsafe:
            raise OutcomesiteError(
                f"{'/'.join(file.parts)} cannot be published: it {unsafe.reason}", EXIT_USAGE
            ) from None
    (public / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    # An empty page at r/ so that hosts which list folders never list the share links.
    (public / "r").mkdir(parents=True, exist_ok=True)
    (public / "r" / "index.html").write_text("", encoding="utf-8")
    (public / "index.html").write_text(
        theme.render(
            "public_index.html",
            lang=site.config.locale.replace("_", "-"),
            title=site.config.vendor or "Reports",
            stylesheets=_stylesheets(
                lambda name: "assets/" + name, site.config.paper, theme.has_asset("theme.css")
            ),
        ),
        encoding="utf-8",
    )


def write_internal(internal: Path, site: Site, theme: Theme, rows: list[dict[str, Any]]) -> None:
    """index.json, index.csv and index.html, put together from every account's index pieces."""
    internal.mkdir(parents=True, exist_ok=True)
    config, as_of = site.config, site.as_of
    rows = sort_rows(rows)
    (internal / "index.json").write_text(index_json_text(rows, as_of), encoding="utf-8")
    (internal / "index.csv").write_text(index_csv_text(rows), encoding="utf-8")
    html = theme.render(
        "index.html",
        **index_context(rows, config, as_of),
        title=f"{config.site_name} (internal)",
        stylesheets=[
            {"href": INDEX_TO_PUBLIC + "assets/report.css", "media": ""},
            {"href": INDEX_TO_PUBLIC + "assets/index.css", "media": ""},
        ],
    )
    (internal / "index.html").write_text(html, encoding="utf-8")


def site_files(site: Site, theme: Theme) -> list[PdfFile]:
    """The theme's assets and the logo, by their address below public/."""
    files = [
        PdfFile(f"assets/{name}", str(base), parts) for name, base, parts in theme.asset_sources()
    ]
    if (logo := _logo_name(site)) and site.config.logo:
        files.append(PdfFile(f"assets/{logo}", str(site.root), tuple(site.config.logo.split("/"))))
    return files


def pdf_job(site: Site, theme: Theme, page: AccountPage, timeout: float) -> PdfJob:
    """The PDF is rendered from the same HTML as the page, at the address the page is published
    at (or, without a base_url, at a local address that does not depend on the share link, so
    that a new secret keeps the cached PDFs); its renderer may read exactly the site's assets and
    this page's images."""
    base_url = site.config.base_url
    origin = base_url.rstrip("/") + "/" if base_url else LOCAL_ORIGIN
    folder = page.folder if base_url else "report" + (f"/v{page.version}" * page.permanent)
    images = [
        PdfFile(
            f"{folder}/{image}",
            str(site.root),
            account_file_parts(page.account.slug, image),
        )
        for image in page.account.images
    ]
    prefix = page.root_prefix + "assets/"
    html = report_html(site, theme, page, pdf=True, href=lambda name: prefix + name)
    files = (*site_files(site, theme), *images)
    return PdfJob(page.account.slug, html, origin, folder, files, timeout)


def write_pdfs(
    public: Path,
    site: Site,
    theme: Theme,
    pages: list[AccountPage],
    options: BuildOptions,
    keep: set[str] | None = None,
) -> tuple[list[str], int, list[str]]:
    """Write every page's PDF, rendering only those the cache lacks; (cache keys, reused,
    warnings about the cache).

    The cache forgets what neither this build nor `keep` (PDFs of accounts left alone) used.
    """
    jobs = [pdf_job(site, theme, page, options.pdf_timeout) for page in pages]
    targets = [public / page.folder / page.pdf_name for page in pages]
    cache = None
    if options.use_cache:
        cache = PdfCache(options.cache or site.root / CACHE_DIR)
    keys = [cache.key(job) if cache else "" for job in jobs]
    missing: list[int] = []
    for index, key in enumerate(keys):
        data = cache.get(key) if cache else None
        if data is None:
            missing.append(index)
        else:
            targets[index].write_bytes(data)
    done = len(jobs) - len(missing)
    workers = max(1, min(options.jobs or os.cpu_count() or 1, len(missing)))
    with PdfPool(workers, site.config.pdf_memory_mb) as pool:
        rendered = pool.render([jobs[i] for i in missing])
        for index, pdf in zip(missing, rendered, strict=True):
            targets[index].write_bytes(pdf)
            if cache:
                cache.put(keys[index], pdf)
            done += 1
            if options.progress:
                options.progress(done, len(jobs))
    if cache:
        cache.used |= keep or set()
        cache.prune()
    return keys, len(jobs) - len(missing), cache.warnings if cache else []
