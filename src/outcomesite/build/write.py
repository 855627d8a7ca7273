"""The writer of a build's site-wide output: assets, the public placeholder pages, the PDFs the
workers could not take from the cache, and the internal index, all into the staging folder that
commit.py later puts in place. Each account's own pages are written by the worker that loaded it
(build/worker.py).

(The other writers, each of its own files: pdf/cache.py the PDF cache and history/log.py the kept
Git log, both under .outcomesite/cache/; links.py the local secret; build/state.py the build's
record; scaffold/ the files `new` and `init` create.)
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from outcomesite.build.details import Details
from outcomesite.build.exports import FILES as EXPORTS
from outcomesite.build.exports import Layout, exports_written
from outcomesite.build.worker import MissingPdf
from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.files import UnsafeFile
from outcomesite.layout import MAX_IMAGE_BYTES
from outcomesite.load.site import Site
from outcomesite.pdf.cache import PdfCache
from outcomesite.portfolio.history import IndexHistory
from outcomesite.render import exports
from outcomesite.render import pages as render
from outcomesite.render.index import IndexHead
from outcomesite.render.internal import ListPlan, Portfolio
from outcomesite.render.theme import Theme
from outcomesite.workers import cpus, run_tasks

if TYPE_CHECKING:
    from outcomesite.pdf.pool import PdfPool

# PDF jobs read from the spool at a time, per PDF worker: enough to keep every worker busy.
PDF_BATCH = 32

Progress = Callable[[int, int], None]  # (PDFs done, PDFs in all)


@dataclass(frozen=True)
class PdfSettings:
    """How a build makes its PDFs."""

    workers: int | None  # --jobs; default one per CPU
    timeout: float  # seconds per PDF
    cache: PdfCache | None  # None: render every PDF (--no-cache)
    progress: Progress | None = None


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


def _pool(site: Site, count: int, settings: PdfSettings) -> PdfPool:
    """PDF workers for `count` PDFs: no more than --jobs, no more than the work. (Imported only
    when there are PDFs to render: a one-account edit without them does not pay for pebble.)"""
    from outcomesite.pdf.pool import PdfPool

    return PdfPool(min(cpus(settings.workers), max(1, count)), site.config.pdf_memory_mb)


def render_missing(
    site: Site, missing: list[MissingPdf], settings: PdfSettings, total: int
) -> None:
    """Render the PDFs the cache lacked (their jobs spooled by the build's workers): publish
    each where it belongs (a shard publishes nothing) and keep it in the cache.

    Jobs are read from the spool a batch at a time, so a cold build's ten thousand pages of HTML
    never sit in memory together. `total` counts the PDFs the workers copied from the cache, for
    the progress line."""
    if not missing:
        return  # and pebble is never imported
    cache = settings.cache
    done = total - len(missing)
    batch = cpus(settings.workers) * PDF_BATCH
    with _pool(site, len(missing), settings) as pool:
        for start in range(0, len(missing), batch):
            waiting = missing[start : start + batch]
            jobs = [pickle.loads(pdf.job.read_bytes()) for pdf in waiting]
            for pdf, data in zip(waiting, pool.render(jobs), strict=True):
                if pdf.target is not None:
                    pdf.target.write_bytes(data)
                if cache is not None:
                    cache.put(pdf.key, data)
                done += 1
                if settings.progress:
                    settings.progress(done, total)


@dataclass
class InternalWritten:
    pages: dict[str, str]  # every list page of internal/ -> its digest
    written: list[str]  # the files of internal/ written this time


def write_internal(
    internal: Path,
    site: Site,
    theme: Theme,
    heads: list[IndexHead],
    details: Details,
    previous: dict[str, str] | None = None,
    preview: bool = False,
    history: IndexHistory | None = None,
    last: Path | None = None,
    jobs: int | None = 1,
) -> InternalWritten:
    """The internal index from every account's head (what sorts and counts it) and its texts in
    the details: the first page and the exports always (patched from the `last` build's, when
    given: build/exports.py), the list pages only where what they show moved since the
    `previous` build's digests (all of them without).

    The files are written by up to `jobs` forked workers when there is enough to write (a full
    build's hundred list pages: about 1 s in one process, every other core idle at the end of
    the build); the details are flushed for them to read."""
    internal.mkdir(parents=True, exist_ok=True)
    portfolio = Portfolio.of(heads)
    everyone = [p.slug for p in [*portfolio.ordered, *portfolio.churned]]  # churned last
    attention = [head.slug for head in portfolio.flagged]
    digests = {head.slug: head.digest for head in heads}
    pages = {plan.name: plan.digest(digests) for plan in portfolio.plans}
    changed = [
        plan
        for plan in portfolio.plans
        if previous is None or previous.get(plan.name) != pages[plan.name]
    ]

    def exports_task() -> Layout:
        # Framed here, in the worker that writes them when there are workers: index.json's head
        # holds the portfolio's history as JSON (55 MB at 100,000 accounts, in a first quarter).
        frames = [
            exports.index_json_frame(site.as_of, attention, history),
            exports.csv_frame(exports.INDEX_COLUMNS),
            exports.csv_frame(exports.RESULT_COLUMNS),
        ]
        return exports_written(internal, frames, everyone, details.here(), last)

    def first_page() -> None:
        cards = details.here().texts(portfolio.first_cards, "card")
        first = [cards[slug] for slug in portfolio.first_cards]
        html = render.internal_index_html(site, theme, portfolio, first, history, preview)
        (internal / "index.html").write_text(html, encoding="utf-8")

    def list_pages(plans: list[ListPlan]) -> Callable[[], None]:
        def task() -> None:
            for plan in plans:
                kind = "card" if plan.kind == "attention" else "html"
                shown = details.here().texts(plan.slugs, kind)
                html = render.internal_list_html(site, theme, plan, shown, preview)
                (internal / plan.name).write_text(html, encoding="utf-8")

        return task

    rows = sum(len(plan.slugs) for plan in changed) + (len(everyone) if last is None else 0)
    workers = min(cpus(jobs), rows // _ROWS_PER_WORKER) or 1
    groups = _balanced(changed, workers * 3)
    if workers > 1:
        details.flush()
    tasks = [exports_task, first_page, *(list_pages(group) for group in groups)]
    layout = run_tasks(tasks, workers)[0]
    assert layout is not None  # the exports task's
    details.keep_layout(layout)
    written = [*EXPORTS, "index.html", *(plan.name for plan in changed)]
    return InternalWritten(pages, written)


# Rows of list pages (and export lines) worth a forked worker, about a tenth of a second's work:
# the few pages an edit changes are written in-process, without starting workers.
_ROWS_PER_WORKER = 5_000


def _balanced(plans: list[ListPlan], groups: int) -> list[list[ListPlan]]:
    """The plans in order, in about `groups` runs of about as many rows each."""
    share = max(1, sum(len(plan.slugs) for plan in plans) // max(1, groups))
    found: list[list[ListPlan]] = []
    held = share
    for plan in plans:
        if held >= share:
            found.append([])
            held = 0
        found[-1].append(plan)
        held += len(plan.slugs) or 1
    return found
