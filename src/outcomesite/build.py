"""`outcomesite build`: the one module that calls every stage, and the only one that writes a site.

The site is rendered into a fresh temporary folder next to the output and swapped in only when
everything succeeded, so a failed build leaves the previous one untouched and removed accounts vanish.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from outcomesite import ladder
from outcomesite.cache import CACHE_DIR, PdfCache
from outcomesite.errors import EXIT_USAGE, EXIT_VALIDATION, Diagnostic, OutcomesiteError
from outcomesite.history import Repository, Version, read_repository, recorded_measurements
from outcomesite.links import link_id, resolve_secret
from outcomesite.loader import ACCOUNTS_DIR, Site, load_site
from outcomesite.parallel import in_chunks
from outcomesite.pdf import DEFAULT_TIMEOUT, PdfError, PdfJob, render_pdf
from outcomesite.theme import Theme
from outcomesite.validate import Account, validate_text
from outcomesite.views import (
    AccountPage,
    Point,
    VersionInfo,
    index_context,
    index_csv,
    index_json,
    report_context,
)

BUILD_MARKER = ".outcomesite-build"
ProgressCallback = Callable[[int, int], None]


class BuildRefused(OutcomesiteError):
    """The content has errors (or warnings with --strict); nothing was written."""

    exit_code = EXIT_VALIDATION

    def __init__(self, site: Site, strict: bool) -> None:
        reason = "errors" if not site.ok else "warnings (--strict)"
        super().__init__(f"not building: the content has {reason}; fix them and build again")
        self.site = site
        self.strict = strict


@dataclass(frozen=True)
class BuildOptions:
    out: Path | None = None  # default: <root>/build
    pdf: bool = True
    strict: bool = False
    as_of: dt.date | None = None
    jobs: int | None = None  # default: the CPU count
    pdf_timeout: float = DEFAULT_TIMEOUT
    progress: ProgressCallback | None = None
    environ: dict[str, str] | None = None  # default: os.environ
    cache: Path | None = None  # PDF cache folder; default <root>/.outcomesite/cache
    use_cache: bool = True


@dataclass
class BuildReport:
    out: Path
    site: Site
    pages: list[AccountPage]  # the latest report of each account
    versions: list[AccountPage] = field(default_factory=list)  # permanent copies, r/<link>/v<N>/
    pdfs: int = 0
    pdfs_reused: int = 0  # taken from the cache instead of rendered
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.site.diagnostics if d.severity == "warning"]


def build_site(root: Path | str = ".", options: BuildOptions | None = None) -> BuildReport:
    started = time.perf_counter()
    options = options or BuildOptions()
    root = Path(root)
    out = options.out if options.out is not None else root / "build"
    site = load_site(root, options.as_of, options.jobs)
    if site.failed(options.strict):
        raise BuildRefused(site, options.strict)
    _check_output_folder(root, out)
    secret = resolve_secret(root, options.environ)
    theme = Theme(root, site.config.theme)
    repo = read_repository(root)
    report = BuildReport(out=out, site=site, pages=[])
    report.notices.extend(_git_notices(repo, options.strict))
    if secret.notice:
        report.notices.append(secret.notice)
    contents = repo.read_versions(
        v for account in site.accounts for v in repo.history(account.path).versions
    )
    for account in site.accounts:
        latest, permanent, skipped = plan_account(site, account, secret.value, repo, contents)
        report.pages.append(latest)
        report.versions.extend(permanent)
        report.notices.extend(skipped)
    pages = [*report.pages, *report.versions]

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        (staging / BUILD_MARKER).write_text("made by outcomesite build\n", encoding="utf-8")
        write_public(staging / "public", site, theme, pages, options.jobs)
        write_internal(staging / "internal", site, theme, report.pages)
        if options.pdf:
            report.pdfs, report.pdfs_reused = write_pdfs(
                staging / "public", site, theme, pages, options
            )
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


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
        for v in history.versions
        if v in contents
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
    asset_dir = site.root / ACCOUNTS_DIR / account.slug
    for version, info in zip(history.versions, infos, strict=True):
        if version.number == history.number and not history.draft:
            old_account: Account | None = account  # the last commit is today's file
        else:
            old_account, problems = validate_text(
                contents.get(version, b""), account.path, account.slug, asset_dir,
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


def _git_notices(repo: Repository, strict: bool) -> list[str]:
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


def _check_output_folder(root: Path, out: Path) -> None:
    """Never replace a folder we did not make: `--out .` must not wipe the site."""
    resolved = out.resolve()
    if resolved == root.resolve() or resolved in root.resolve().parents:
        raise OutcomesiteError(
            f"--out {out} would replace the site itself: choose a new folder", EXIT_USAGE
        )
    if out.exists() and any(out.iterdir()) and not (out / BUILD_MARKER).exists():
        raise OutcomesiteError(
            f"{out} exists and was not made by outcomesite build: it was left untouched; "
            "choose another --out or remove it",
            EXIT_USAGE,
        )


def _swap(staging: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


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


def write_public(
    public: Path, site: Site, theme: Theme, pages: list[AccountPage], jobs: int | None = None
) -> None:
    assets = public / "assets"
    for name, path in theme.assets():
        (assets / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, assets / name)
    if (logo := _logo_name(site)) and site.config.logo:
        shutil.copyfile(site.root / site.config.logo, assets / logo)
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
    # Parents first, so pages (possibly written by parallel workers) never race on a folder.
    for page in pages:
        (public / page.folder).mkdir(parents=True, exist_ok=True)
    in_chunks(_write_reports, (public, site, theme, pages), len(pages), jobs)


def _write_reports(
    state: tuple[Path, Site, Theme, list[AccountPage]], start: int, end: int
) -> None:
    public, site, theme, pages = state
    for page in pages[start:end]:
        folder = public / page.folder
        prefix = page.root_prefix + "assets/"
        html = report_html(site, theme, page, pdf=False, href=lambda name, p=prefix: p + name)
        (folder / "index.html").write_text(html, encoding="utf-8")
        source = site.root / ACCOUNTS_DIR / page.account.slug
        for image in page.account.images:
            target = folder / image
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / image, target)


def write_internal(internal: Path, site: Site, theme: Theme, pages: list[AccountPage]) -> None:
    internal.mkdir(parents=True)
    config, as_of = site.config, site.as_of
    data = index_json(pages, config, as_of)
    (internal / "index.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (internal / "index.csv").write_text(index_csv(pages, config), encoding="utf-8")
    context = index_context(pages, config, as_of, report_prefix="../public/")
    html = theme.render(
        "index.html",
        **context,
        title=f"{config.site_name} (internal)",
        stylesheets=[
            {"href": "../public/assets/report.css", "media": ""},
            {"href": "../public/assets/index.css", "media": ""},
        ],
    )
    (internal / "index.html").write_text(html, encoding="utf-8")


def pdf_job(site: Site, theme: Theme, page: AccountPage, timeout: float) -> PdfJob:
    """The PDF's HTML points straight at the theme's files and the account's own folder: the only
    places its fetcher may read."""
    account_dir = (site.root / ACCOUNTS_DIR / page.account.slug).resolve()
    allowed: tuple[Path, ...] = (*theme.asset_dirs(), account_dir)
    logo_path = (site.root / site.config.logo).resolve() if site.config.logo else None
    if logo_path is not None:
        allowed = (*allowed, logo_path)

    def href(name: str) -> str:
        if logo_path is not None and name == _logo_name(site):
            return _file_url(logo_path)
        return _file_url(theme.asset_path(name))

    html = report_html(site, theme, page, pdf=True, href=href)
    return PdfJob(page.account.slug, html, _file_url(account_dir) + "/", allowed, timeout)


def _file_url(path: Path) -> str:
    return path.resolve().as_uri()


def write_pdfs(
    public: Path, site: Site, theme: Theme, pages: list[AccountPage], options: BuildOptions
) -> tuple[int, int]:
    """Write every page's PDF, rendering only those the cache does not have; (written, reused)."""
    jobs = [pdf_job(site, theme, page, options.pdf_timeout) for page in pages]
    targets = [public / page.folder / page.pdf_name for page in pages]
    cache = None
    if options.use_cache:
        cache = PdfCache(options.cache or site.root / CACHE_DIR, site.root)
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
    rendered = _render_all([jobs[i] for i in missing], workers)
    for index, pdf in zip(missing, rendered, strict=True):
        targets[index].write_bytes(pdf)
        if cache:
            cache.put(keys[index], pdf)
        done += 1
        if options.progress:
            options.progress(done, len(jobs))
    if cache:
        cache.prune()
    return len(jobs), len(jobs) - len(missing)


def _render_all(jobs: list[PdfJob], workers: int) -> Iterator[bytes]:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield render_pdf(job)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(workers) as pool:
        try:
            yield from pool.imap(render_pdf, jobs)
        except PdfError:
            pool.terminate()
            raise


__all__ = ["BuildOptions", "BuildRefused", "BuildReport", "PdfError", "build_site"]
