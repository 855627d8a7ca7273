"""A build that renders: load, plan, write into a staging folder, record, put in place.

Imported by decide.py only when something has to be rendered: everything heavy starts here.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from outcomesite.build import commit
from outcomesite.build.decide import BuildOptions, BuildRefused, BuildReport
from outcomesite.build.plan import AccountPages, git_notices, narrative_of, plan_site
from outcomesite.build.shard import Shard
from outcomesite.build.stamps import Scanner, scan_inputs, watched_inputs
from outcomesite.build.state import AccountRecord, BuildParams, BuildState
from outcomesite.build.write import (
    InternalWritten,
    PdfSettings,
    PdfsWritten,
    fill_pdf_cache,
    write_internal,
    write_pdfs,
    write_reports,
    write_site_files,
)
from outcomesite.errors import Diagnostic
from outcomesite.history.versions import Repository, read_repository
from outcomesite.layout import (
    ACCOUNTS,
    ACCOUNTS_DIR,
    BOOKKEEPING,
    BUILD_MARKER,
    CACHE_DIR,
    INTERNAL,
    PUBLIC,
    running_in_ci,
)
from outcomesite.links import Secret
from outcomesite.load.site import Site, read_site
from outcomesite.pdf.cache import PdfCache
from outcomesite.portfolio.history import Current, PortfolioHistory, portfolio_history, start_of
from outcomesite.render.index import IndexPieces
from outcomesite.render.page import AccountPage
from outcomesite.render.theme import Theme


@dataclass
class Run:
    """One build that renders: all accounts (full), or the changed ones (only)."""

    root: Path
    out: Path
    options: BuildOptions
    as_of: dt.date
    secret: Secret
    params: BuildParams
    scanner: Scanner
    digests: dict[str, str]  # slug -> digest of its inputs, as scanned before loading
    environ: dict[str, str]

    def full(self) -> BuildReport:
        site, theme, repo, planned = self._load(None)
        notices = self._notices(site, repo)
        staging = commit.staging_folder(self.out)
        try:
            (staging / BUILD_MARKER).write_text("made by outcomesite build\n", encoding="utf-8")
            write_site_files(staging / PUBLIC, site, theme, self.options.preview)
            records, pdfs = self._write(staging, site, theme, planned, set())
            internal = self._write_index(staging, site, theme, repo, records, None)
            state = self._state(site, theme, records, notices, internal.pages)
            state.write(staging)
            commit.swap_in(staging, self.out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self._report(state, site, planned, None, pdfs)

    def only(self, previous: BuildState, changed: set[str]) -> BuildReport:
        """Rebuild the changed accounts in a staging folder, then move in their link folders,
        the index and the record; the other accounts' files stay where they are."""
        files = [
            self.root / ACCOUNTS_DIR / f"{slug}.md"
            for slug in sorted(changed & self.digests.keys())
        ]
        site, theme, repo, planned = self._load(files)
        notices = self._notices(site, repo)
        # In a preview, an account whose file has errors keeps its last good pages for now.
        broken = {Path(d.path).stem for d in site.diagnostics if d.severity == "error"}
        changed = changed - (broken & previous.accounts.keys())
        kept = {slug: r for slug, r in previous.accounts.items() if slug not in changed}
        keep_pdfs = {key for record in kept.values() for key in record.pdf_keys}
        staging = commit.staging_folder(self.out)
        try:
            written, pdfs = self._write(staging, site, theme, planned, keep_pdfs)
            records = {**kept, **written}
            internal = self._write_index(staging, site, theme, repo, records, previous.pages)
            state = self._state(site, theme, records, notices, internal.pages)
            state.write(staging)
            folders = {
                record.folder
                for slug in changed
                for record in (previous.accounts.get(slug), written.get(slug))
                if record is not None and record.folder
            }
            # internal/: what was written, and the list pages that no longer exist.
            gone = sorted(previous.pages.keys() - internal.pages.keys())
            pages = [f"{INTERNAL}/{name}" for name in [*internal.written, *gone]]
            paths = [*sorted(folders), *pages, *BOOKKEEPING]
            commit.commit(staging, self.out, commit.plan_moves(staging, self.out, paths))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        commit.discard(staging)  # now holds the replaced files
        return self._report(state, site, planned, sorted(changed), pdfs)

    def shard(self, shard: Shard, cache: PdfCache) -> tuple[int, int, int]:
        """Render shard `shard`'s PDFs into `cache` (build/shard.py); nothing else is written.
        (its PDFs, rendered now, the site's PDFs)"""
        site, theme, _, planned = self._load(None)
        pages = [page for item in planned for page in item.pages]
        mine = [page for page in pages if shard.has(page.account.slug)]
        options = self.options
        settings = PdfSettings(options.jobs, options.pdf_timeout, cache, options.progress)
        rendered = fill_pdf_cache(site, theme, mine, settings)
        return len(mine), rendered, len(pages)

    def _load(self, files: list[Path] | None) -> tuple[Site, Theme, Repository, list[AccountPages]]:
        cache = self.options.cache or self.root / CACHE_DIR
        repo = read_repository(self.root, cache if self.options.use_cache else None)
        site, narratives = read_site(
            self.root, self.as_of, self.options.jobs, files, repo, narrative_of
        )
        if self.options.preview and not site.config_failed:
            # The preview builds every valid account and lists the others' errors; its links
            # stay in the preview even when the site publishes them at a base_url.
            site = replace(site, config=site.config.model_copy(update={"base_url": None}))
        elif site.failed(self.options.strict):
            raise BuildRefused(site, self.options.strict)
        theme = Theme(self.root, site.config.theme)
        return site, theme, repo, plan_site(site, narratives, self.secret.value, repo)

    def _notices(self, site: Site, repo: Repository) -> list[str]:
        options = self.options
        in_ci = running_in_ci(self.environ)
        notices = git_notices(repo, options.strict, in_ci, options.allow_shallow)
        if in_ci and not site.config.base_url:
            notices.append(
                "`base_url` is not set in outcomesite.yaml, so the internal index links to reports "
                "by relative paths (../public/r/...), which open only next to public/; set "
                "`base_url` to the address public/ is published at to make them open the live "
                "reports"
            )
        return notices

    def _write(
        self,
        staging: Path,
        site: Site,
        theme: Theme,
        planned: list[AccountPages],
        keep_pdfs: set[str],
    ) -> tuple[dict[str, AccountRecord], PdfsWritten]:
        """The planned accounts' pages and PDFs; a record per account."""
        options = self.options
        public = staging / PUBLIC
        pieces = write_reports(public, site, theme, planned, options.jobs, options.preview)
        pages = [page for item in planned for page in item.pages]
        pdfs = PdfsWritten([""] * len(pages))
        if options.pdf:
            cache = None
            if options.use_cache:
                cache = PdfCache(options.cache or site.root / CACHE_DIR)
            settings = PdfSettings(options.jobs, options.pdf_timeout, cache, options.progress)
            pdfs = write_pdfs(public, site, theme, pages, settings, keep_pdfs)
        warnings: dict[str, list[Diagnostic]] = {}
        for diagnostic in site.diagnostics:
            warnings.setdefault(diagnostic.path, []).append(diagnostic)
        records: dict[str, AccountRecord] = {}
        start = 0
        for item, account_pieces in zip(planned, pieces, strict=True):
            end = start + len(item.pages)
            record = _record(item, account_pieces, options.pdf, pdfs.keys[start:end])
            record.warnings = warnings.get(item.account.path, [])
            record.digest = self.digests.get(item.account.slug, "")
            records[item.account.slug] = record
            start = end
        return records, pdfs

    def _write_index(
        self,
        staging: Path,
        site: Site,
        theme: Theme,
        repo: Repository,
        records: dict[str, AccountRecord],
        previous: dict[str, str] | None,
    ) -> InternalWritten:
        pieces = [record.pieces for record in records.values() if record.pieces is not None]
        history = self._history(site, repo, pieces)
        return write_internal(
            staging / INTERNAL, site, theme, pieces, previous, self.options.preview, history
        )

    def _history(
        self, site: Site, repo: Repository, pieces: list[IndexPieces]
    ) -> PortfolioHistory | None:
        """The portfolio over time, from Git's history (None outside Git or in a shallow clone,
        whose history is incomplete: git_notices says so)."""
        if not repo.in_git or repo.shallow:
            return None
        since = self.options.since or start_of(site.config.since, self.as_of)
        accounts = [
            Current(
                p["slug"],
                dt.date.fromisoformat(p["start_date"]),
                p["segment"],
                tuple((dt.date.fromisoformat(r["date"]), r["outcome"]) for r in p["renewals"]),
            )
            for p in pieces
        ]
        cache = (self.options.cache or self.root / CACHE_DIR) if self.options.use_cache else None
        return portfolio_history(
            repo,
            site.config,
            accounts,
            min(since, self.as_of),
            self.as_of,
            self.options.jobs,
            cache,
        )

    def _state(
        self,
        site: Site,
        theme: Theme,
        records: dict[str, AccountRecord],
        notices: list[str],
        pages: dict[str, str],
    ) -> BuildState:
        watched = watched_inputs(self.root, theme.folders, site.config.logo)
        account_paths = {f"{ACCOUNTS}/{slug}.md" for slug in records}
        return BuildState(
            params=self.params,
            inputs=scan_inputs(self.scanner, watched),
            watched=watched,
            accounts=dict(sorted(records.items())),
            stamps=self.scanner.stamps,
            warnings=[
                d
                for d in site.diagnostics
                if d.severity == "warning" and d.path not in account_paths
            ],
            notices=notices,
            pages=pages,
        )

    def _report(
        self,
        state: BuildState,
        site: Site,
        planned: list[AccountPages],
        changed: list[str] | None,
        pdfs: PdfsWritten,
    ) -> BuildReport:
        rendered = sum(len(item.pages) for item in planned) if self.options.pdf else 0
        errors = [d for d in site.diagnostics if d.severity == "error"]
        return BuildReport(
            self.out,
            state,
            site=site,
            pages=[item.latest for item in planned if item.published],
            versions=[page for item in planned if item.published for page in item.permanent],
            changed=changed,
            pdfs_rendered=rendered - pdfs.reused,
            secret_notice=self.secret.notice,
            cache_warnings=pdfs.warnings,
            errors=errors,
        )


def _record(
    item: AccountPages, pieces: IndexPieces, pdf: bool, pdf_keys: list[str]
) -> AccountRecord:
    outputs: list[str] = []
    for page in item.pages:
        folder = f"{PUBLIC}/{page.folder}/"
        outputs.append(folder + "index.html")
        outputs.extend(folder + image for image in page.account.images)
        if pdf:
            outputs.append(folder + page.pdf_name)
    return AccountRecord(
        digest="",
        outputs=outputs,
        pieces=pieces,
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
        f"rung {int(page.account.assessment.rung)}"
    )
