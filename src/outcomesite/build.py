"""`outcomesite build`: decide how much to rebuild, then run the stages.

Every build renders into a staging folder next to the output and puts it in place only when
everything succeeded (commit.py), so a failed or killed build leaves the previous one untouched and
removed accounts vanish. When the last build's state (state.py) shows that only some accounts
changed, only those are loaded and rendered, and the index is put together again from the stored
rows of the others; then only their folders, the index and the record are moved in. When nothing
changed, nothing is loaded at all: this module imports the heavy stages (render.py) only when there
is something to render.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from outcomesite import commit
from outcomesite.errors import EXIT_USAGE, EXIT_VALIDATION, Diagnostic, OutcomesiteError
from outcomesite.links import Secret, resolve_secret
from outcomesite.state import (
    ACCOUNTS,
    BOOKKEEPING,
    AccountRecord,
    BuildState,
    Scanner,
    build_params,
    default_as_of,
    git_head,
    outputs_present,
    scan_inputs,
    watched_inputs,
)

if TYPE_CHECKING:
    from outcomesite.history import Repository
    from outcomesite.loader import Site
    from outcomesite.render import AccountPages, Written
    from outcomesite.theme import Theme
    from outcomesite.views import AccountPage

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
    pdf_timeout: float = 60.0  # seconds per PDF
    progress: ProgressCallback | None = None
    environ: dict[str, str] | None = None  # default: os.environ
    cache: Path | None = None  # rendered PDFs and Git logs; default <root>/.outcomesite/cache
    use_cache: bool = True  # False: a full build that renders every PDF


@dataclass
class BuildReport:
    """What a build did. Counts come from the build's state; warnings, notices and the listing
    of an up-to-date site are read from its details file only when asked for."""

    out: Path
    state: BuildState = field(repr=False)
    site: Site | None = None  # what was loaded: all accounts, the changed ones, or None (no change)
    pages: list[AccountPage] = field(default_factory=list)  # latest reports rendered by this build
    versions: list[AccountPage] = field(default_factory=list)  # permanent copies rendered
    changed: list[str] | None = None  # slugs rebuilt, added or removed; None: a full build
    pdfs_rendered: int = 0
    secret_notice: str | None = None
    seconds: float = 0.0
    cache_warnings: list[str] = field(default_factory=list)  # a cache that could not be written

    @property
    def accounts(self) -> int:
        return len(self.state.accounts)

    @property
    def reports(self) -> int:
        """Report pages in the site, latest and permanent."""
        return sum(record.reports for record in self.state.accounts.values())

    @property
    def pdfs(self) -> int:
        return sum(record.pdfs for record in self.state.accounts.values())

    @property
    def pdfs_reused(self) -> int:
        """PDFs this build did not render: copied from the cache, or left in place."""
        return self.pdfs - self.pdfs_rendered

    @cached_property
    def warnings(self) -> list[Diagnostic]:
        records = self._detailed().accounts.values()
        found = [Diagnostic(**d) for d in self.state.warnings]
        found += [Diagnostic(**d) for record in records for d in record.warnings]
        return sorted(found)

    @cached_property
    def notices(self) -> list[str]:
        records = self._detailed().accounts.values()
        return [
            *self.state.notices,
            *([self.secret_notice] if self.secret_notice else []),
            *(notice for record in records for notice in record.notices),
        ]

    @cached_property
    def listing(self) -> list[str]:
        """One line per report, for --verbose."""
        return [line for record in self._detailed().accounts.values() for line in record.listing]

    def _detailed(self) -> BuildState:
        if not self.state.read_details(self.out):
            raise OutcomesiteError(
                f"the records in {self.out} are damaged: run `outcomesite build --no-cache`",
                EXIT_USAGE,
            )
        return self.state


def build_site(root: Path | str = ".", options: BuildOptions | None = None) -> BuildReport:
    """Check, then render the site; the previous output stays as it was unless this succeeds.

    A file system that refuses to be written (full, read-only) is an OutcomesiteError (exit 2)
    that names the file, never a traceback.
    """
    try:
        return _build(Path(root), options or BuildOptions())
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise OutcomesiteError(
            f"could not write the build: {exc.strerror or exc}{where}; the previous build was "
            "left as it was",
            EXIT_USAGE,
        ) from None


def _build(root: Path, options: BuildOptions) -> BuildReport:
    started = time.perf_counter()
    out = options.out if options.out is not None else root / "build"
    as_of = options.as_of or default_as_of()
    _check_output_folder(root, out)
    trusted = commit.recover(out)
    secret = resolve_secret(root, options.environ)
    environ = dict(os.environ if options.environ is None else options.environ)
    params = build_params(
        as_of=as_of.isoformat(),
        pdf=options.pdf,
        strict=options.strict,
        secret=secret.value,
        head=git_head(root),
        environ=environ,
    )
    reuse = options.use_cache and trusted and (out / BUILD_MARKER).exists()
    previous = BuildState.read(out) if reuse else None
    scanner = Scanner(root, previous.stamps if previous else None)
    digests = scanner.accounts()
    changed = _changed_accounts(previous, params, scanner, digests, out)

    if previous is not None and changed is not None and not changed:
        report = BuildReport(out, previous, changed=[], secret_notice=secret.notice)
        if scanner.stamps != previous.stamps:  # newly trusted stamps save hashing next time
            previous.stamps = scanner.stamps
            previous.write(out)
    else:
        run = _Run(root, out, options, as_of, secret, params, scanner, digests)
        if previous is None or changed is None or not previous.read_details(out):
            report = run.full()
        else:
            report = run.only(previous, changed)
    report.seconds = time.perf_counter() - started
    return report


def _changed_accounts(
    previous: BuildState | None,
    params: dict[str, object],
    scanner: Scanner,
    digests: dict[str, str],
    out: Path,
) -> set[str] | None:
    """Slugs to rebuild (added, edited or removed), or None when everything must be rebuilt."""
    if previous is None or previous.params != params:
        return None
    if scan_inputs(scanner, previous.watched) != previous.inputs:
        return None
    before = {slug: record.digest for slug, record in previous.accounts.items()}
    changed = {
        slug for slug in before.keys() | digests.keys() if before.get(slug) != digests.get(slug)
    }
    if not changed and not outputs_present(out, previous):
        return None  # someone removed built files by hand: put everything back
    return changed


@dataclass
class _Run:
    """One build that renders: all accounts into a staging folder, or the changed ones in place."""

    root: Path
    out: Path
    options: BuildOptions
    as_of: dt.date
    secret: Secret
    params: dict[str, object]
    scanner: Scanner
    digests: dict[str, str]  # slug -> digest of its inputs, as scanned before loading

    def full(self) -> BuildReport:
        from outcomesite import render

        site, theme, repo, planned = self._load(None)
        notices = render.git_notices(repo, self.options.strict)
        staging = commit.staging_folder(self.out)
        try:
            (staging / BUILD_MARKER).write_text("made by outcomesite build\n", encoding="utf-8")
            render.write_site_files(staging / "public", site, theme)
            written = render.write_accounts(staging / "public", site, theme, planned, self.options)
            render.write_internal(
                staging / "internal", site, theme, [r.row for r in written.records.values()]
            )
            state = self._state(site, theme.folders, written.records, notices)
            state.write(staging)
            commit.swap_in(staging, self.out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self._report(state, site, planned, None, written)

    def only(self, previous: BuildState, changed: set[str]) -> BuildReport:
        """Rebuild the changed accounts in a staging folder, then move in their link folders,
        the index and the record; the other accounts' files stay where they are."""
        from outcomesite import render

        files = [
            self.root / ACCOUNTS / f"{slug}.md" for slug in sorted(changed & self.digests.keys())
        ]
        site, theme, repo, planned = self._load(files)
        notices = render.git_notices(repo, self.options.strict)
        kept = {slug: r for slug, r in previous.accounts.items() if slug not in changed}
        keep_pdfs = {key for record in kept.values() for key in record.pdf_keys}
        staging = commit.staging_folder(self.out)
        try:
            written = render.write_accounts(
                staging / "public", site, theme, planned, self.options, keep_pdfs
            )
            records = {**kept, **written.records}
            render.write_internal(
                staging / "internal", site, theme, [r.row for r in records.values()]
            )
            state = self._state(site, theme.folders, records, notices)
            state.write(staging)
            folders = {
                record.folder
                for slug in changed
                for record in (previous.accounts.get(slug), written.records.get(slug))
                if record is not None and record.folder
            }
            paths = [*sorted(folders), "internal", *BOOKKEEPING]
            commit.commit(staging, self.out, commit.plan_moves(staging, self.out, paths))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        commit.discard(staging)  # now holds the replaced files
        return self._report(state, site, planned, sorted(changed), written)

    def _load(self, files: list[Path] | None) -> tuple[Site, Theme, Repository, list[AccountPages]]:
        from outcomesite import render
        from outcomesite.cache import CACHE_DIR
        from outcomesite.history import read_repository
        from outcomesite.loader import load_site
        from outcomesite.theme import Theme

        cache = self.options.cache or self.root / CACHE_DIR
        repo = read_repository(self.root, cache if self.options.use_cache else None)
        site = load_site(self.root, self.as_of, self.options.jobs, files, repo)
        if site.failed(self.options.strict):
            raise BuildRefused(site, self.options.strict)
        theme = Theme(self.root, site.config.theme)
        return site, theme, repo, render.plan_site(site, self.secret.value, repo)

    def _state(
        self,
        site: Site,
        theme_folders: list[Path],
        records: dict[str, AccountRecord],
        notices: list[str],
    ) -> BuildState:
        for slug, record in records.items():
            record.digest = self.digests.get(slug, "")
        watched = watched_inputs(self.root, theme_folders, site.config.logo)
        account_paths = {f"{ACCOUNTS.as_posix()}/{slug}.md" for slug in records}
        return BuildState(
            params=self.params,
            inputs=scan_inputs(self.scanner, watched),
            watched=watched,
            accounts=dict(sorted(records.items())),
            stamps=self.scanner.stamps,
            warnings=[
                asdict(d)
                for d in site.diagnostics
                if d.severity == "warning" and d.path not in account_paths
            ],
            notices=notices,
        )

    def _report(
        self,
        state: BuildState,
        site: Site,
        planned: list[AccountPages],
        changed: list[str] | None,
        written: Written,
    ) -> BuildReport:
        rendered = sum(len(item.pages) for item in planned) if self.options.pdf else 0
        return BuildReport(
            self.out,
            state,
            site=site,
            pages=[item.latest for item in planned],
            versions=[page for item in planned for page in item.permanent],
            changed=changed,
            pdfs_rendered=rendered - written.reused,
            secret_notice=self.secret.notice,
            cache_warnings=written.warnings,
        )


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


__all__ = ["BuildOptions", "BuildRefused", "BuildReport", "build_site"]
