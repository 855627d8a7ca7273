"""One pass over each account file, in a build worker: validate it, plan its pages, render and
write them (and the PDFs the cache already holds), and make its piece of the internal index.

Only what the parent needs travels back: the account's record (the files it wrote), its row of
the details (index pieces, warnings), the PDFs still to render, whose jobs wait in a spool
folder on disk, and in a cold build the stamps of its files (the parent scanned none of them).
A loaded account never leaves its worker, so the parent's memory does not grow with the site's
accounts, and the parent does no per-account work of its own (no folders made, no planning).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from outcomesite.build.details import AccountRow, StoredRow, stored_row
from outcomesite.build.plan import AccountPages, narrative_of, old_versions, plan_account
from outcomesite.build.shard import Shard
from outcomesite.build.stamps import Scanner, Stamp
from outcomesite.build.state import AccountRecord
from outcomesite.errors import EXIT_USAGE, Diagnostic, OutcomesiteError
from outcomesite.files import UnsafeFile, read_inside
from outcomesite.history.records import Version
from outcomesite.history.versions import Repository
from outcomesite.layout import ACCOUNTS, MAX_IMAGE_BYTES, PUBLIC, account_file_parts
from outcomesite.load.account import Loaded, validate_file, validate_files
from outcomesite.load.site import Site, recorded_by_file
from outcomesite.pdf.cache import PdfCache
from outcomesite.portfolio.history import Current
from outcomesite.portfolio.past import PastAccount, by_itself
from outcomesite.render import pages as render
from outcomesite.render.index import IndexHead
from outcomesite.render.page import AccountPage
from outcomesite.render.theme import Theme
from outcomesite.workers import by_size, each_chunk

# Accounts a worker takes at a time: their old versions are read from Git in one go, and the
# results of a chunk wait in the worker until it is done, so a chunk is what bounds its memory.
CHUNK = 200


@dataclass(frozen=True)
class PdfPlan:
    """How the workers handle PDFs: copy what the cache has, spool the jobs of the others."""

    cache: PdfCache | None  # None: every PDF is rendered (--no-cache)
    spool: Path  # a folder of pickled jobs for the PDF pool, removed after the build
    timeout: float  # seconds per PDF
    shard: Shard | None = None  # only this shard's PDFs, into the cache, and no HTML


@dataclass(frozen=True)
class MissingPdf:
    """A PDF the cache lacks: its job waits in the spool until the PDF pool renders it."""

    job: Path
    key: str  # in the cache ("" without one)
    target: Path | None  # where it is published (None: a shard, which fills the cache only)


@dataclass
class AccountBuilt:
    """What a worker sends back about one account file."""

    path: str  # content/accounts/<slug>.md
    diagnostics: list[Diagnostic]
    record: AccountRecord | None = None  # None: the file has errors, nothing was written
    row: StoredRow | None = None  # its row of the details, with the record
    missing: list[MissingPdf] = field(default_factory=list)
    pdfs: int = 0  # its pages with a PDF (a shard: of the whole site, for the count)
    pages: AccountPages | None = None  # only when the build keeps its pages (BuildOptions)
    digest: str | None = None  # of its inputs, when the worker stamped them (Work.stamp_from)
    stamps: dict[str, Stamp] = field(default_factory=dict)  # those inputs' stamps
    # The file is its last commit's version: that version's blob and place on the ladder, for
    # the portfolio's history (portfolio/read.py), which then need not read and validate it again.
    committed: tuple[str, PastAccount] | None = None
    # What the portfolio's history takes of its head: a full build works the history out before
    # it reads every head back from the details, so the two are not held at once.
    current: Current | None = None

    @property
    def slug(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")


@dataclass(frozen=True)
class Work:
    """What every worker shares (forked, never pickled)."""

    files: list[Path]
    site: Site  # the config and date; its `accounts` stays empty
    theme: Theme
    repo: Repository
    secret: bytes
    public: Path  # the staging folder's public/
    pdfs: PdfPlan | None  # None: --no-pdf
    preview: bool
    keep_pages: bool
    # A cold build's scan, started in the parent at this time.time_ns(), is finished by the
    # workers: each stamps its own accounts' files before it reads them. None: the parent
    # scanned them all before deciding what to build.
    stamp_from: int | None = None


def build_accounts(work: Work, jobs: int | None) -> Iterator[AccountBuilt]:
    """Every file of `work`, in parallel; the results in the order of the files, as they come."""
    for chunk in each_chunk(_build_chunk, work, len(work.files), jobs, most=CHUNK):
        yield from chunk


def _build_chunk(work: Work, start: int, end: int) -> list[AccountBuilt]:
    """The chunk's accounts, a group of them at a time (`by_size`): a few large files must not
    wait between steps together."""
    files = work.files[start:end]
    contents = work.repo.read_versions(
        v for path in files for v in old_versions(work.repo.history(f"{ACCOUNTS}/{path.name}"))
    )
    return [built for group in by_size(files) for built in _build_steps(work, group, contents)]


def _build_steps(
    work: Work, files: list[Path], contents: dict[Version, bytes]
) -> list[AccountBuilt]:
    """The accounts one step at a time: every file validated, then every account planned,
    every report rendered, every page written, every index piece made. Going through one
    account's steps before the next made each step run a fifth to a third slower (measured in
    one process, alternated: 0.61-0.78 of the time, writes included): the steps use different
    code and data (YAML, the models, Jinja, Babel, the file system), and each evicted the others'
    from the processor's caches."""
    rels = [f"{ACCOUNTS}/{path.name}" for path in files]  # as validate_file names them
    site = work.site
    # Stamped before they are read: a file saved while it is built differs next time.
    stamped = [_stamped(site.root, path.stem, work.stamp_from) for path in files]
    loaded = validate_files(files, site.root, site.config, site.as_of, work.repo.retired)
    loaded = [_with_history(work, *each) for each in zip(files, rels, loaded, strict=True)]
    built = [
        AccountBuilt(rel, one.diagnostics, digest=digest, stamps=stamps)
        for rel, one, (digest, stamps) in zip(rels, loaded, stamped, strict=True)
    ]
    valid = [
        (made, one) for made, one in zip(built, loaded, strict=True) if one.account is not None
    ]
    items = [
        plan_account(site, account, narrative_of(one), work.secret, work.repo, contents)
        for _, one in valid
        if (account := one.account) is not None  # all of them: said for the type checker
    ]
    shard = work.pdfs.shard if work.pdfs else None
    rows: list[AccountRow | None] = [None] * len(items)  # a shard writes no pages and no rows
    if shard is None:
        pages = [page for item in items for page in item.pages]
        html = iter(render.reports_html(site, work.theme, pages, preview=work.preview))
        for (made, _), item in zip(valid, items, strict=True):
            made.record = _write_pages(work, item, [next(html) for _ in item.pages])
        pieces = render.index_pieces(site, work.theme, [item.latest for item in items])
        rows = [
            AccountRow(
                pieces=piece,
                warnings=one.diagnostics,
                notices=item.skipped,
                listing=[listing_line(page) for page in item.pages],
            )
            for (_, one), item, piece in zip(valid, items, pieces, strict=True)
        ]
        for (made, one), piece in zip(valid, pieces, strict=True):
            made.committed = _committed(work, made.path, one)
            made.current = current_of(piece.head)
    for (made, _), item, row in zip(valid, items, rows, strict=True):
        if work.pdfs is not None:
            made.pdfs = len(item.pages)
            if shard is None or shard.has(made.slug):
                made.missing = _pdfs(work, work.pdfs, item, row)
        made.row = None if row is None else stored_row(made.slug, row)
        made.pages = item if work.keep_pages else None
    return built


def _stamped(root: Path, slug: str, started_ns: int | None) -> tuple[str | None, dict[str, Stamp]]:
    """The account's digest and its files' stamps, as the parent's scan would have made them
    (nothing when it made them)."""
    if started_ns is None:
        return None, {}
    scanner = Scanner(root, started_ns=started_ns)
    return scanner.account(slug), scanner.stamps


def _committed(work: Work, rel: str, loaded: Loaded) -> tuple[str, PastAccount] | None:
    """The file's blob and its place as the portfolio's history places an old version (by
    itself, with no date limit), when the file is its last commit's version and needs no
    earlier version's measurements to be placed; else None, and the history reads it.

    Exact: the history checks an old version as today's file is checked, less the date limit
    ("not in the future") and the reused-slug check, so a file that passes here passes there,
    converted to the same data."""
    repo, account = work.repo, loaded.account
    if account is None or not repo.whole:  # as Run._history: no history, nothing to place
        return None
    history = repo.history(rel)
    if history.draft or not history.versions or not (blob := history.versions[-1].blob):
        return None
    past, _ = by_itself(account.data, work.site.config)
    return None if past is None else (blob, past)


def current_of(head: IndexHead) -> Current:
    renewals = ((renewal["date"], renewal["outcome"]) for renewal in head.renewals)
    return Current.of(head.slug, head.start_date, head.segment, renewals)


def _with_history(work: Work, path: Path, rel: str, loaded: Loaded) -> Loaded:
    """A confirmation may cover a value only earlier commits hold: the file validated again
    with them (in Git; rare)."""
    site, repo = work.site, work.repo
    if not (loaded.needs_history and repo.in_git):
        return loaded
    recorded = recorded_by_file(repo, [rel]).get(rel, {})
    return validate_file(path, site.root, site.config, site.as_of, repo.retired.get(rel), recorded)


def _write_pages(work: Work, item: AccountPages, html: list[str]) -> AccountRecord:
    """The account's pages and images; its record (the parent gives it its inputs' digest)."""
    outputs: list[str] = []
    for page, text in zip(item.pages, html, strict=True):
        _write_report(os.path.join(work.public, page.folder), text)
        outputs.append(f"{PUBLIC}/{page.folder}/index.html")
        for image in page.account.images:
            target = work.public / page.folder / image
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_read_image(work.site, page.account.slug, image))
            outputs.append(f"{PUBLIC}/{page.folder}/{image}")
        if work.pdfs is not None:
            outputs.append(f"{PUBLIC}/{page.folder}/{page.pdf_name}")
    return AccountRecord(
        digest="",
        outputs=outputs,
        reports=len(item.pages),
        pdfs=len(item.pages) if work.pdfs is not None else 0,
    )


def _write_report(folder: str, html: str) -> None:
    """`folder`/index.html, made with os rather than pathlib: joining and parsing ten thousand
    reports' paths was about a percent of a cold build. One mkdir for the usual case (a new
    folder in r/, which exists); a rebuild may find the folder there already."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "index.html"), "wb") as file:
        file.write(html.encode("utf-8"))


def _pdfs(
    work: Work, plan: PdfPlan, item: AccountPages, row: AccountRow | None
) -> list[MissingPdf]:
    """Copy the PDFs the cache has; spool the jobs of the others. The row lists every key."""
    missing: list[MissingPdf] = []
    cache = plan.cache
    for number, page in enumerate(item.pages):
        job = render.pdf_job(work.site, work.theme, page, plan.timeout)
        key = cache.key(job) if cache else ""
        target = None if row is None else work.public / page.folder / page.pdf_name
        if row is not None and key:
            row.pdf_keys.append(key)
        if cache is not None and target is None and cache.has(key):
            continue  # a shard: this one is in the cache already
        data = cache.get(key) if cache is not None and target is not None else None
        if data is not None and target is not None:
            target.write_bytes(data)
            continue
        spooled = plan.spool / f"{page.account.slug}-{number}.pickle"
        spooled.write_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        missing.append(MissingPdf(spooled, key, target))
    return missing


def _read_image(site: Site, slug: str, image: str) -> bytes:
    """An image `check` accepted, read again the same safe way (no link followed)."""
    try:
        return read_inside(site.root, account_file_parts(slug, image), MAX_IMAGE_BYTES)
    except UnsafeFile:
        raise OutcomesiteError(
            f"{ACCOUNTS}/{slug}/{image} changed while the site was being built: build again",
            EXIT_USAGE,
        ) from None


def listing_line(page: AccountPage) -> str:
    """What `build --verbose` says about one report."""
    draft = " (draft)" if page.draft else ""
    return (
        f"{page.folder}/  {page.account.slug} v{page.version}{draft}, "
        f"rung {int(page.account.assessment.rung)}"
    )
