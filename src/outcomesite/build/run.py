"""A build that renders: each account through a worker (build/worker.py), then the PDFs the cache
lacked, the internal index and the record, all into a staging folder that is then put in place.

Imported by decide.py only when something has to be rendered: everything heavy starts here.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import msgspec

from outcomesite.build import commit
from outcomesite.build.decide import BuildOptions, BuildRefused, BuildReport
from outcomesite.build.details import Details, StoredRow, copying
from outcomesite.build.plan import AccountPages, git_notices
from outcomesite.build.shard import Shard
from outcomesite.build.spool import Spool
from outcomesite.build.stamps import Scanner, scan_inputs, watched_inputs
from outcomesite.build.state import AccountRecord, BuildParams, BuildState, Summary
from outcomesite.build.worker import MissingPdf, PdfPlan, Work, build_accounts, current_of
from outcomesite.build.write import (
    InternalWritten,
    PdfSettings,
    render_missing,
    write_internal,
    write_site_files,
)
from outcomesite.errors import Diagnostic, has_errors
from outcomesite.history.versions import Repository, read_repository
from outcomesite.layout import (
    ACCOUNTS,
    ACCOUNTS_DIR,
    BOOKKEEPING,
    BUILD_MARKER,
    CACHE_DIR,
    DETAILS_FILE,
    INTERNAL,
    PUBLIC,
    running_in_ci,
)
from outcomesite.links import Secret
from outcomesite.load.config import load_config
from outcomesite.load.site import Site, account_files, load_site
from outcomesite.pdf.cache import PdfCache
from outcomesite.portfolio.history import Current, IndexHistory, portfolio_history, start_of
from outcomesite.portfolio.past import PastAccount
from outcomesite.render.theme import Theme


@dataclass
class Written:
    """What the workers made of the account files."""

    site: Site  # the config, and every file's diagnostics (it holds no accounts)
    spool: Spool  # the valid accounts' records and every account file's stamps
    kept: list[AccountPages]  # their pages, when the build keeps them (BuildOptions.keep_pages)
    pdfs: int  # PDFs of those pages (in a shard: of the whole site)
    pdfs_rendered: int  # of those, rendered now rather than taken from the cache
    shard_pdfs: int = 0  # a shard: the PDFs of its accounts
    cache_warnings: list[str] = field(default_factory=list)  # a cache that could not be written
    # The committed versions the workers placed on the ladder, by (slug, blob): the portfolio's
    # history does not read them again (AccountBuilt.committed).
    placed: dict[tuple[str, str], PastAccount] = field(default_factory=dict)
    current: list[Current] = field(default_factory=list)  # the valid accounts', for the history


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
    # slug -> digest of its inputs, as scanned before loading; None: not scanned, as in a cold
    # build, whose workers stamp their accounts (Work.stamp_from)
    digests: dict[str, str] | None
    environ: dict[str, str]

    def full(self) -> BuildReport:
        site, theme, repo = self._begin()
        notices = self._notices(site, repo)
        staging = commit.staging_folder(self.out)
        try:
            (staging / BUILD_MARKER).write_text("made by outcomesite build\n", encoding="utf-8")
            write_site_files(staging / PUBLIC, site, theme, self.options.preview)
            details = Details.create(staging / DETAILS_FILE)
            written = self._accounts(staging, site, theme, repo, None, set(), details)
            internal = self._write_index(staging, written, theme, repo, details, None)
            records, stamps = written.spool.read()
            self.scanner.stamps.update(stamps)
            state = self._state(written.site, theme, records, notices, internal.pages, details)
            state.write(staging)
            commit.swap_in(staging, self.out)
            theme.keep_compiled()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self._report(state, written, None)

    def only(self, previous: BuildState, changed: set[str]) -> BuildReport:
        """Rebuild the changed accounts in a staging folder, then move in their link folders,
        the index and the record; the other accounts' files stay where they are, and so do
        their rows of the details."""
        assert self.digests is not None  # a rebuild compares them with the last build's
        files = [
            self.root / ACCOUNTS_DIR / f"{slug}.md"
            for slug in sorted(changed & self.digests.keys())
        ]
        staging = commit.staging_folder(self.out)
        try:
            last = self.out / DETAILS_FILE
            with copying(last, staging / DETAILS_FILE) as copied:
                site, theme, repo = self._begin([f"{ACCOUNTS}/{file.name}" for file in files])
                notices = self._notices(site, repo)
                details = Details.copy(
                    last, staging / DETAILS_FILE, previous.build_id, len(previous.accounts), copied
                )
            others = previous.accounts.keys() - changed
            keep_pdfs = details.pdf_keys(others) if self.options.pdf else set()
            written = self._accounts(staging, site, theme, repo, files, keep_pdfs, details)
            built, stamps = written.spool.read()  # a few accounts'
            self.scanner.stamps.update(stamps)
            site = written.site
            # In a preview, an account whose file has errors keeps its last good pages for now.
            broken = {Path(d.path).stem for d in site.diagnostics if d.severity == "error"}
            changed = changed - (broken & previous.accounts.keys())
            details.remove(changed - built.keys())
            kept = {s: r for s, r in previous.accounts.items() if s not in changed}
            records = {**kept, **built}
            internal = self._write_index(staging, written, theme, repo, details, previous.pages)
            state = self._state(site, theme, records, notices, internal.pages, details)
            state.write(staging)
            folders = {
                record.folder
                for slug in changed
                for record in (previous.accounts.get(slug), built.get(slug))
                if record is not None and record.folder
            }
            # internal/: what was written, and the list pages that no longer exist.
            gone = sorted(previous.pages.keys() - internal.pages.keys())
            pages = [f"{INTERNAL}/{name}" for name in [*internal.written, *gone]]
            paths = [*sorted(folders), *pages, *BOOKKEEPING]
            commit.commit(staging, self.out, commit.plan_moves(staging, self.out, paths))
            theme.keep_compiled()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        commit.discard(staging)  # now holds the replaced files
        return self._report(state, written, sorted(changed))

    def shard(self, shard: Shard, cache: PdfCache) -> Written:
        """Render shard `shard`'s PDFs into `cache` (build/shard.py); nothing else is written."""
        site, theme, repo = self._begin()
        written = self._accounts(self.out, site, theme, repo, None, set(), None, shard, cache)
        written.spool.close()  # a shard writes no state
        return written

    def _begin(self, only: list[str] | None = None) -> tuple[Site, Theme, Repository]:
        """The site's config (its accounts are loaded by the workers) and theme, and Git's
        history (the versions of the account files `only`, when given). A config with errors
        stops here, with every file's problems."""
        cache = self.options.cache or self.root / CACHE_DIR
        kept = cache if self.options.use_cache else None
        config, diagnostics = load_config(self.root)
        if has_errors(diagnostics):
            site = load_site(
                self.root, self.as_of, self.options.jobs, None, read_repository(self.root, kept)
            )
            raise BuildRefused(site, self.options.strict)
        repo = read_repository(self.root, kept, only=only)
        if self.options.preview:
            # The preview builds every valid account and lists the others' errors; its links
            # stay in the preview even when the site publishes them at a base_url.
            config = msgspec.structs.replace(config, base_url=None)
        site = Site(self.root, config, self.as_of, (), tuple(diagnostics))
        return site, Theme(self.root, config.theme, kept), repo

    def _accounts(
        self,
        staging: Path,
        site: Site,
        theme: Theme,
        repo: Repository,
        files: list[Path] | None,
        keep_pdfs: set[str],
        details: Details | None,
        shard: Shard | None = None,
        cache: PdfCache | None = None,
    ) -> Written:
        """Every account file (or `files`) through the workers, each account's row put in the
        `details` as it arrives (the parent keeps its record, not its texts), then the PDFs the
        cache lacked. Content with errors (or warnings with --strict) stops the build here,
        outside a preview."""
        options = self.options
        if cache is None and options.use_cache and options.pdf:
            cache = PdfCache(options.cache or self.root / CACHE_DIR)
        with commit.scratch_folder(self.out) as scratch:
            plan = PdfPlan(cache, scratch, options.pdf_timeout, shard)
            work = Work(
                files=self._files() if files is None else files,
                site=site,
                theme=theme,
                repo=repo,
                secret=self.secret.value,
                public=staging / PUBLIC,
                pdfs=plan if options.pdf else None,
                preview=options.preview,
                keep_pages=options.keep_pages,
                stamp_from=self.scanner.started_ns if self.digests is None else None,
            )
            theme.compile_all(site.config.locale)
            problems: list[Diagnostic] = []
            missing: list[MissingPdf] = []
            spool = Spool(scratch)
            kept: list[AccountPages] = []
            used: set[str] = set(keep_pdfs)
            placed: dict[tuple[str, str], PastAccount] = {}
            current: list[Current] = []
            total = mine = 0
            for item in build_accounts(work, options.jobs):
                if item.row is None or options.keep_pages or options.strict:
                    # A valid account's warnings are in its row of the details (what the
                    # command line prints them from); its file's errors, and whatever
                    # --strict refuses on, stay here to be reported.
                    problems += item.diagnostics
                missing += item.missing
                total += item.pdfs
                mine += item.pdfs if shard and shard.has(item.slug) else 0
                if item.pages is not None:
                    kept.append(item.pages)
                if item.committed is not None:
                    placed[item.slug, item.committed[0]] = PastAccount.of(item.committed[1])
                record = None
                if item.record is not None and item.row is not None:
                    used.update(item.row.keys())
                    if item.current is not None:
                        current.append(item.current)
                    record = self._kept(item.record, item.row, item.digest, details)
                spool.add(item.slug, record, item.stamps)
            site = replace(site, diagnostics=tuple(sorted([*site.diagnostics, *problems])))
            if not options.preview and site.failed(options.strict):
                raise BuildRefused(site, options.strict)
            settings = PdfSettings(options.jobs, options.pdf_timeout, cache, options.progress)
            render_missing(site, missing, settings, total)
        repo.drop_versions()
        if cache is not None and shard is None:
            cache.used |= used
            cache.prune()
        return Written(
            site,
            spool,
            kept=kept,
            pdfs=total,
            pdfs_rendered=len(missing),
            shard_pdfs=mine,
            cache_warnings=cache.warnings if cache is not None else [],
            placed=placed,
            current=current,
        )

    def _files(self) -> list[Path]:
        """Every account file, as the scan that stamped them found them (a shard scans
        nothing: it lists the folder)."""
        return account_files(self.root, self.digests.keys() if self.digests else None)

    def _kept(
        self, record: AccountRecord, row: StoredRow, digest: str | None, details: Details | None
    ) -> AccountRecord:
        """A record fresh from its worker, its row put in the details: what the parent keeps,
        with the digest of the account's inputs as its worker stamped them (`digest`, a cold
        build), else as the parent scanned them."""
        if details is not None:  # a shard keeps no details
            details.put_stored(row)
        record.digest = digest if digest is not None else (self.digests or {}).get(row.slug, "")
        return record

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

    def _write_index(
        self,
        staging: Path,
        written: Written,
        theme: Theme,
        repo: Repository,
        details: Details,
        previous: dict[str, str] | None,
    ) -> InternalWritten:
        """The internal index, from every account's head: read from the details once every row
        is in (not kept as each account arrived, so a large site's heads lie together in memory
        instead of among the texts that came and went with them). A full build works out the
        portfolio's history first, from what its workers sent (`Written.current`), and reads
        the heads after it: at 100,000 accounts, the two together were the build's peak."""
        site = written.site
        if previous is None:
            history = self._history(site, repo, written.current, written.placed)
            heads = list(details.heads().values())
        else:
            heads = list(details.heads().values())
            history = self._history(site, repo, map(current_of, heads), written.placed)
        # Placed now: the index is written without them (8.2 MB at 10,000 accounts).
        written.placed, written.current = {}, []
        internal = staging / INTERNAL
        preview = self.options.preview
        last = None if previous is None else self.out / INTERNAL  # a rebuild patches its exports
        return write_internal(
            internal,
            site,
            theme,
            heads,
            details,
            previous,
            preview,
            history,
            last,
            self.options.jobs,
        )

    def _history(
        self,
        site: Site,
        repo: Repository,
        accounts: Iterable[Current],
        placed: dict[tuple[str, str], PastAccount],
    ) -> IndexHistory | None:
        """The portfolio over time, from Git's history (None outside Git or in a shallow clone,
        whose history is incomplete: git_notices says so)."""
        if not repo.whole:
            return None
        since = self.options.since or start_of(site.config.since, self.as_of)
        cache = (self.options.cache or self.root / CACHE_DIR) if self.options.use_cache else None
        return portfolio_history(
            repo,
            site.config,
            accounts,
            min(since, self.as_of),
            self.as_of,
            self.options.jobs,
            cache,
            placed,
            release=True,
        )

    def _state(
        self,
        site: Site,
        theme: Theme,
        records: dict[str, AccountRecord],
        notices: list[str],
        pages: dict[str, str],
        details: Details,
    ) -> BuildState:
        """The build's record; its details are finished (closed) and paired with it."""
        watched = watched_inputs(self.root, theme.folders, site.config.logo)
        account_paths = {f"{ACCOUNTS}/{slug}.md" for slug in records}
        state = BuildState(
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
            build_id=os.urandom(8).hex(),
        )
        counts = Counter(warning.code for warning in state.warnings)
        counts.update(details.warning_counts())
        state.summary = Summary(warnings=dict(counts), notices=[*notices, *details.notices()])
        details.finish(state.build_id)
        return state

    def _report(
        self, state: BuildState, written: Written, changed: list[str] | None
    ) -> BuildReport:
        site, kept = written.site, written.kept
        return BuildReport(
            self.out,
            state,
            site=site,
            pages=[item.latest for item in kept if item.published],
            versions=[page for item in kept if item.published for page in item.permanent],
            changed=changed,
            pdfs_rendered=written.pdfs_rendered,
            secret_notice=self.secret.notice,
            cache_warnings=written.cache_warnings,
            errors=[d for d in site.diagnostics if d.severity == "error"],
        )
