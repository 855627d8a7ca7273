"""`outcomesite build`: decide how much to rebuild, then hand the work to run.py.

Every build renders into a staging folder next to the output and puts it in place only when
everything succeeded (commit.py), so a failed or killed build leaves the previous one untouched.
When the last build's record (state.py) shows that only some accounts changed, only those are
rendered. When nothing changed, nothing is loaded at all: this module, and everything it imports,
is standard library only; the heavy stages (YAML, the models, Jinja, Markdown, WeasyPrint) are
imported by run.py, and only when there is something to render.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from outcomesite.build import commit
from outcomesite.build.stamps import Scanner, scan_inputs
from outcomesite.build.state import BuildParams, BuildState, build_params, outputs_present
from outcomesite.errors import EXIT_USAGE, EXIT_VALIDATION, Diagnostic, OutcomesiteError
from outcomesite.history import git
from outcomesite.layout import ACCOUNTS, BUILD_MARKER, DEFAULT_OUT, PDF_TIMEOUT, default_as_of
from outcomesite.links import Secret, resolve_secret

if TYPE_CHECKING:
    from outcomesite.build.details import Details
    from outcomesite.load.site import Site
    from outcomesite.render.page import AccountPage

ProgressCallback = Callable[[int, int], None]


class BuildRefused(OutcomesiteError):
    """The content has errors (or warnings with --strict); nothing was written."""

    exit_code = EXIT_VALIDATION

    def __init__(self, site: Site, strict: bool) -> None:
        reason = "errors" if not site.ok else "warnings (--strict)"
        super().__init__(f"not building: the content has {reason}; fix them and build again")
        self.site = site
        self.notices: list[str] = []  # said even though the build did not happen


@dataclass(frozen=True)
class BuildOptions:
    out: Path | None = None  # default: <root>/build
    pdf: bool = True
    strict: bool = False
    as_of: dt.date | None = None
    jobs: int | None = None  # default: the CPU count
    pdf_timeout: float = PDF_TIMEOUT  # seconds per PDF
    progress: ProgressCallback | None = None  # called (done, total) as PDFs are written
    environ: dict[str, str] | None = None  # default: os.environ
    cache: Path | None = None  # rendered PDFs and Git logs; default <root>/.outcomesite/cache
    use_cache: bool = True  # False: a full build that renders every PDF
    allow_shallow: bool = False  # in CI, build from a shallow clone anyway
    since: dt.date | None = None  # the index's "since" section (default: outcomesite.yaml `since`)
    # `outcomesite serve`: pages carry the live-reload hooks, links stay in the preview, and an
    # account with errors is reported (BuildReport.errors) while the others are built.
    preview: bool = False
    # Keep every rendered page (with its loaded account) in BuildReport.pages and .versions, and
    # every valid account's warnings in BuildReport.site, for callers that look at them, like
    # the preview. The command line does not: a large site's accounts then never leave the
    # workers that loaded them, their warnings stay in the details (BuildReport.warnings), and
    # memory stays flat.
    keep_pages: bool = True


@dataclass
class BuildReport:
    """What a build did. Counts come from the build's record; warnings, notices and the listing
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
    errors: list[Diagnostic] = field(default_factory=list)  # a preview's accounts left as they were

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
        """Each warning, with its file and line: the site's (state file) and the accounts'
        (details)."""
        with self._details() as details:
            return sorted([*self.state.warnings, *details.warnings()])

    @property
    def warning_counts(self) -> dict[str, int]:
        """Warnings by kind, from the state file (summed when the build wrote it): what the
        default output prints."""
        return self.state.summary["warnings"]

    @property
    def notices(self) -> list[str]:
        """The site's and the accounts' notices (an up-to-date site: its last build's), from the
        state file, and the secret's."""
        secret = [self.secret_notice] if self.secret_notice else []
        return [*self.state.summary["notices"], *secret]

    @cached_property
    def listing(self) -> list[str]:
        """One line per report, for --verbose."""
        with self._details() as details:
            return details.listing()

    @contextlib.contextmanager
    def _details(self) -> Iterator[Details]:
        import sqlite3

        from outcomesite.build.details import DetailsError

        damaged = OutcomesiteError(
            f"the records in {self.out} are damaged: run `outcomesite build --no-cache`",
            EXIT_USAGE,
        )
        try:
            details = self.state.details(self.out)
        except DetailsError:
            raise damaged from None
        try:
            yield details
        except (sqlite3.Error, ValueError):
            raise damaged from None
        finally:
            details.close()


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


@dataclass(frozen=True)
class Setting:
    """What a build (or a shard of its PDFs) runs with: its environment, report date, secret and
    parameters, worked out one way for both."""

    environ: dict[str, str]
    as_of: dt.date
    secret: Secret
    params: BuildParams


def setting(root: Path, options: BuildOptions) -> Setting:
    environ = dict(os.environ if options.environ is None else options.environ)
    as_of = options.as_of or default_as_of(environ)
    secret = resolve_secret(root, options.environ)
    params = build_params(
        as_of=as_of.isoformat(),
        pdf=options.pdf,
        strict=options.strict,
        secret=secret.value,
        head=git.head(root),
        environ=environ,
        since=options.since.isoformat() if options.since else "",
    )
    return Setting(environ, as_of, secret, params)


def _build(root: Path, options: BuildOptions) -> BuildReport:
    started = time.perf_counter()
    out = options.out if options.out is not None else root / DEFAULT_OUT
    _check_output_folder(root, out)
    trusted = commit.recover(out)
    now = setting(root, options)
    environ, as_of, secret, params = now.environ, now.as_of, now.secret, now.params
    reuse = options.use_cache and trusted and (out / BUILD_MARKER).exists()
    previous = BuildState.read(out) if reuse else None
    scanner = Scanner(root, previous.stamps if previous else None)
    digests: dict[str, str] | None = None  # without a last build: its workers stamp them
    changed: set[str] | None = None  # everything is built
    if previous is not None:
        digests = scanner.accounts()
        changed = changed_accounts(previous, params, scanner, digests, out)

    if previous is not None and changed is not None and not changed:
        report = BuildReport(out, previous, changed=[], secret_notice=secret.notice)
        if scanner.stamps != previous.stamps:  # newly trusted stamps save hashing next time
            previous.stamps = scanner.stamps
            previous.write(out)
    else:
        from outcomesite.build.run import Run  # the heavy stages, only now

        run = Run(root, out, options, as_of, secret, params, scanner, digests, environ)
        try:
            if previous is None or changed is None or not previous.has_details(out):
                report = run.full()
            else:
                report = run.only(previous, changed)
        except BuildRefused as refused:
            refused.notices += [secret.notice] if secret.notice else []
            raise
    report.seconds = time.perf_counter() - started
    return report


def changed_accounts(
    previous: BuildState,
    params: BuildParams,
    scanner: Scanner,
    digests: dict[str, str],
    out: Path,
) -> set[str] | None:
    """Slugs to rebuild (added, edited or removed), or None when everything must be rebuilt.

    A new commit rebuilds the accounts whose files (or folders) it changed: the others' versions
    did not move. Anything else that differs from the last build's parameters rebuilds all."""
    committed: set[str] = set()
    if previous.params != params:
        if _without_commit(previous.params) != _without_commit(params):
            return None
        paths = git.changed_paths(scanner.root, previous.params["git"], params["git"], ACCOUNTS)
        if paths is None:
            return None
        committed = {_slug_of(path) for path in paths}
    if scan_inputs(scanner, previous.watched) != previous.inputs:
        return None
    before = {slug: record.digest for slug, record in previous.accounts.items()}
    known = before.keys() | digests.keys()
    changed = {slug for slug in known if before.get(slug) != digests.get(slug)}
    changed |= committed & known
    if not changed and not outputs_present(out, previous):
        return None  # someone removed built files by hand: put everything back
    return changed


def _without_commit(params: BuildParams) -> dict[str, object]:
    return {key: value for key, value in params.items() if key != "git"}


def _slug_of(path: str) -> str:
    """content/accounts/acme.md and content/accounts/acme/logo.png are account `acme`'s."""
    name = path[len(ACCOUNTS) + 1 :].split("/", 1)
    return name[0].removesuffix(".md") if len(name) == 1 else name[0]


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
