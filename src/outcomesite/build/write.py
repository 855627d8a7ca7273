"""The only writer of a build's output: pages, images, assets, PDFs and the internal index, all into
the staging folder that commit.py later puts in place.

(The other writers, each of its own files: pdf/cache.py the PDF cache and history/log.py the kept
Git log, both under .outcomesite/cache/; links.py the local secret; build/state.py the build's
record; scaffold/ the files `new` and `init` create.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from outcomesite.build.plan import AccountPages
from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.files import UnsafeFile, read_inside
from outcomesite.layout import ACCOUNTS, MAX_IMAGE_BYTES, account_file_parts
from outcomesite.load.site import Site
from outcomesite.pdf.cache import PdfCache
from outcomesite.pdf.pool import PdfPool
from outcomesite.portfolio.history import PortfolioHistory
from outcomesite.render import exports
from outcomesite.render import pages as render
from outcomesite.render.index import IndexPieces
from outcomesite.render.internal import Portfolio
from outcomesite.render.page import AccountPage
from outcomesite.render.theme import Theme
from outcomesite.workers import cpus, in_chunks

Progress = Callable[[int, int], None]  # (PDFs done, PDFs in all)


@dataclass(frozen=True)
class PdfSettings:
    """How a build makes its PDFs."""

    workers: int | None  # --jobs; default one per CPU
    timeout: float  # seconds per PDF
    cache: PdfCache | None  # None: render every PDF (--no-cache)
    progress: Progress | None = None


@dataclass
class PdfsWritten:
    keys: list[str]  # each page's key in the cache ("" without a cache)
    reused: int = 0  # copied from the cache instead of rendered
    warnings: list[str] = field(default_factory=list)  # a cache that could not be written


def write_site_files(public: Path, site: Site, theme: Theme, preview: bool = False) -> None:
    """What public/ holds besides the reports: assets, robots.txt and two empty-ish pages."""
    for file in render.site_files(site, theme):
        target = public / file.url
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_bytes(file.read(MAX_IMAGE_BYTES))
        except UnsafeFile as unsafe:
            raise OutcomesiteError(
                f"{'/'.join(file.parts)} cannot be published: it {unsafe.reason}", EXIT_USAGE
            ) from None
    (public / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    # An empty page at r/ so that hosts which list folders never list the share links.
    (public / "r").mkdir(parents=True, exist_ok=True)
    (public / "r" / "index.html").write_text("", encoding="utf-8")
    (public / "index.html").write_text(
        render.public_index_html(site, theme, preview), encoding="utf-8"
    )


@dataclass(frozen=True)
class _Reports:
    """What the workers writing reports share (forked, never pickled)."""

    public: Path
    site: Site
    theme: Theme
    planned: list[AccountPages]
    preview: bool


def write_reports(
    public: Path,
    site: Site,
    theme: Theme,
    planned: list[AccountPages],
    jobs: int | None,
    preview: bool = False,
) -> list[IndexPieces]:
    """Write every planned page and its images, in parallel; each account's index pieces."""
    # Parents first, so pages written by parallel workers never race on a folder.
    for item in planned:
        for page in item.pages:
            (public / page.folder).mkdir(parents=True, exist_ok=True)
    work = _Reports(public, site, theme, planned, preview)
    chunks = in_chunks(_write_reports, work, len(planned), jobs)
    return [pieces for chunk in chunks for pieces in chunk]


def _write_reports(work: _Reports, start: int, end: int) -> list[IndexPieces]:
    found = []
    for item in work.planned[start:end]:
        for page in item.pages:
            folder = work.public / page.folder
            html = render.report_html(work.site, work.theme, page, pdf=False, preview=work.preview)
            (folder / "index.html").write_text(html, encoding="utf-8")
            for image in page.account.images:
                target = folder / image
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(_read_image(work.site, page.account.slug, image))
        found.append(render.pieces_html(work.site, work.theme, item.latest))
    return found


def _read_image(site: Site, slug: str, image: str) -> bytes:
    """An image `check` accepted, read again the same safe way (no link followed)."""
    try:
        return read_inside(site.root, account_file_parts(slug, image), MAX_IMAGE_BYTES)
    except UnsafeFile:
        raise OutcomesiteError(
            f"{ACCOUNTS}/{slug}/{image} changed while the site was being built: build again",
            EXIT_USAGE,
        ) from None


def _pool(site: Site, count: int, settings: PdfSettings) -> PdfPool:
    """PDF workers for `count` PDFs: no more than --jobs, no more than the work."""
    return PdfPool(min(cpus(settings.workers), max(1, count)), site.config.pdf_memory_mb)


def fill_pdf_cache(
    site: Site, theme: Theme, pages: list[AccountPage], settings: PdfSettings
) -> int:
    """Render into the cache (settings.cache) the PDFs of `pages` it lacks (`build --shard`),
    writing nothing else and forgetting nothing; how many were rendered."""
    cache = settings.cache
    assert cache is not None, "a shard renders into the PDF cache"
    jobs = [render.pdf_job(site, theme, page, settings.timeout) for page in pages]
    missing = [(job, key) for job in jobs if not cache.has(key := cache.key(job))]
    with _pool(site, len(missing), settings) as pool:
        rendered = pool.render([job for job, _ in missing])
        for done, ((_, key), pdf) in enumerate(zip(missing, rendered, strict=True), 1):
            cache.put(key, pdf)
            if settings.progress:
                settings.progress(done, len(missing))
    return len(missing)


def write_pdfs(
    public: Path,
    site: Site,
    theme: Theme,
    pages: list[AccountPage],
    settings: PdfSettings,
    keep: set[str] | None = None,
) -> PdfsWritten:
    """Write every page's PDF, rendering only those the cache lacks.

    The cache forgets what neither this build nor `keep` (PDFs of accounts left alone) used.
    """
    jobs = [render.pdf_job(site, theme, page, settings.timeout) for page in pages]
    targets = [public / page.folder / page.pdf_name for page in pages]
    cache = settings.cache
    keys = [cache.key(job) if cache else "" for job in jobs]
    missing: list[int] = []
    for index, key in enumerate(keys):
        data = cache.get(key) if cache else None
        if data is None:
            missing.append(index)
        else:
            targets[index].write_bytes(data)
    done = len(jobs) - len(missing)
    with _pool(site, len(missing), settings) as pool:
        rendered = pool.render([jobs[i] for i in missing])
        for index, pdf in zip(missing, rendered, strict=True):
            targets[index].write_bytes(pdf)
            if cache:
                cache.put(keys[index], pdf)
            done += 1
            if settings.progress:
                settings.progress(done, len(jobs))
    if cache:
        cache.used |= keep or set()
        cache.prune()
    return PdfsWritten(keys, len(jobs) - len(missing), cache.warnings if cache else [])


@dataclass
class InternalWritten:
    pages: dict[str, str]  # every list page of internal/ -> its digest
    written: list[str]  # the files of internal/ written this time


INTERNAL_FILES = ("index.html", "index.json", "index.csv", "results.csv")


def write_internal(
    internal: Path,
    site: Site,
    theme: Theme,
    pieces: list[IndexPieces],
    previous: dict[str, str] | None = None,
    preview: bool = False,
    history: PortfolioHistory | None = None,
) -> InternalWritten:
    """The internal index from every account's pieces: the first page and the exports always,
    the list pages only where what they show moved since the `previous` build's digests (all of
    them without)."""
    internal.mkdir(parents=True, exist_ok=True)
    portfolio = Portfolio.of(pieces)
    ordered = portfolio.ordered
    everyone = [*ordered, *portfolio.churned]  # the exports list churned accounts last
    attention = [piece["slug"] for piece in portfolio.flagged]
    files = {
        "index.json": exports.index_json_text(
            [p["json"] for p in everyone], site.as_of, attention, history
        ),
        "index.csv": exports.csv_text(exports.INDEX_COLUMNS, (p["csv"] for p in everyone)),
        "results.csv": exports.csv_text(
            exports.RESULT_COLUMNS, (p["results_csv"] for p in everyone)
        ),
        "index.html": render.internal_index_html(site, theme, portfolio, history, preview),
    }
    for name, text in files.items():
        (internal / name).write_text(text, encoding="utf-8")
    by_slug = {piece["slug"]: piece for piece in everyone}
    digests = {piece["slug"]: piece["digest"] for piece in everyone}
    pages: dict[str, str] = {}
    written = list(files)
    for plan in portfolio.plans:
        pages[plan.name] = digest = plan.digest(digests)
        if previous is not None and previous.get(plan.name) == digest:
            continue
        html = render.internal_list_html(site, theme, plan, by_slug, preview)
        (internal / plan.name).write_text(html, encoding="utf-8")
        written.append(plan.name)
    return InternalWritten(pages, written)
