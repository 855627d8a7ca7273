"""`outcomesite serve`: build the site into .outcomesite/preview/, serve it, rebuild on every save.

The pieces: watch.py notices saves to the build's inputs and waits for a burst to settle; this
module rebuilds (HTML only; PDFs when their link is opened) and keeps what the pages show; and
livereload.py serves the pages and makes open ones reload. Bad input never stops the preview: the
problems (file, line, message) are shown at the top of every page and in the terminal, over the
last good pages, until a save fixes them.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from outcomesite.build import BuildOptions, BuildRefused, BuildReport, build_site
from outcomesite.build.stamps import Watched
from outcomesite.errors import OutcomesiteError
from outcomesite.i18n import translator
from outcomesite.layout import (
    CONFIG_FILE,
    DEFAULT_LOCALE,
    PDF_TIMEOUT,
    PREVIEW_DIR,
    SETTLE_SECONDS,
    THEMES_DIR,
)
from outcomesite.pdf.jobs import PdfError
from outcomesite.pdf.pool import PdfPool
from outcomesite.render.pages import pdf_job
from outcomesite.render.theme import Theme
from outcomesite.serve.livereload import LiveReloadServer, Response
from outcomesite.serve.watch import InputWatcher, Settle

if TYPE_CHECKING:
    from outcomesite.load.site import Site
    from outcomesite.render.page import AccountPage

PREVIEW_CSS = """\
.outcomesite-errors { background: #fff4f2; color: #5c1a0d; border-bottom: 3px solid #a3321c;
  padding: 1rem 1.25rem; font: 15px/1.5 system-ui, sans-serif; }
.outcomesite-errors h2 { margin: 0 0 .5rem; font-size: 1.1rem; border: 0; }
.outcomesite-errors li { font-family: ui-monospace, monospace; font-size: 13px; }
"""
PROBLEMS_MARK = "<!-- outcomesite:problems -->"  # where base.html lets the preview list problems
# Before a first good build: the inputs a build would read, as far as they can be known.
FIRST_INPUTS: Watched = {"files": [CONFIG_FILE], "folders": [THEMES_DIR]}

PdfPages = dict[str, tuple["Site", "AccountPage"]]  # a PDF's address -> what renders it


@dataclass
class PreviewState:
    """The last build's outcome, replaced whole by each rebuild."""

    report: BuildReport | None = None  # the last good build
    problems: list[str] = field(default_factory=list)
    pages: PdfPages = field(default_factory=dict)
    pdfs: dict[str, bytes] = field(default_factory=dict)  # rendered on demand, this generation


def _pdf_pages(old: PdfPages, report: BuildReport) -> PdfPages:
    """Every report's PDF address; a rebuild of some accounts replaces only theirs."""
    if report.site is None:
        return old  # nothing changed
    fresh: PdfPages = {
        f"/public/{page.folder}/{page.pdf_name}": (report.site, page)
        for page in [*report.pages, *report.versions]
    }
    if report.changed is None:
        return fresh
    touched = set(report.changed)
    kept = {url: pair for url, pair in old.items() if pair[1].account.slug not in touched}
    return {**kept, **fresh}


class Preview:
    def __init__(
        self,
        root: Path,
        as_of: dt.date | None = None,
        log: Callable[[str], None] = print,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.out = root / PREVIEW_DIR
        self.as_of = as_of
        self.log = log
        # Preview links should match the real ones; the CI guard is for publishing, not previews.
        self.environ = (
            environ if environ is not None else {k: v for k, v in os.environ.items() if k != "CI"}
        )
        self.state = PreviewState()
        self.theme: Theme | None = None
        # One worker renders the PDFs opened in the preview, under the same limits as a build.
        self.pdf_pool: PdfPool | None = None
        self.pdf_lock = threading.Lock()

    def rebuild(self) -> Watched:
        """Build (the first time fully, then only what changed); the inputs to watch next."""
        started = time.perf_counter()
        problems: list[str] = []
        report = None
        try:
            options = BuildOptions(
                out=self.out,
                pdf=False,
                as_of=self.as_of,
                environ=self.environ,
                use_cache=self.state.report is not None,
                preview=True,
            )
            report = build_site(self.root, options)
            # Accounts with errors keep their last good pages; the others are up to date.
            problems = [d.format_text() for d in report.errors]
        except BuildRefused as refused:
            problems = [d.format_text() for d in refused.site.diagnostics if d.severity == "error"]
        except OutcomesiteError as exc:
            problems = [str(exc)]
        except Exception as exc:  # the preview must outlive any input: show it, keep serving
            problems = [f"the preview could not be rebuilt: {type(exc).__name__}: {exc}"]
        last = self.state
        self.state = PreviewState(
            report=report or last.report,  # keep showing the last good pages
            problems=problems,
            pages=_pdf_pages(last.pages, report) if report else last.pages,
        )
        if report is not None:
            if report.site is not None:
                self.theme = Theme(self.root, report.site.config.theme)
            self.log(
                f"preview: rebuilt {len(report.pages)} account(s) in "
                f"{time.perf_counter() - started:.2f} s"
            )
        if problems:
            self.log("\n".join(problems))
            self.log(f"preview: {len(problems)} problem(s); the pages show them until fixed")
        good = self.state.report
        return good.state.watched if good is not None else FIRST_INPUTS

    def pdf(self, url_path: str) -> bytes | None:
        """Render the PDF behind a preview link on demand, once per build."""
        state = self.state
        if state.report is None or self.theme is None or url_path not in state.pages:
            return None
        if (cached := state.pdfs.get(url_path)) is not None:
            return cached
        site, page = state.pages[url_path]
        job = pdf_job(site, self.theme, page, PDF_TIMEOUT)
        with self.pdf_lock:
            if self.pdf_pool is None:
                self.pdf_pool = PdfPool(1, site.config.pdf_memory_mb)
            data = self.pdf_pool.render_one(job)
        state.pdfs[url_path] = data
        return data

    def decorate(self, page: str) -> str:
        """List the current problems where base.html marks the place."""
        if PROBLEMS_MARK not in page:
            return page
        lang = _PAGE_LANG.search(page)
        locale = lang.group(1).replace("-", "_") if lang else DEFAULT_LOCALE
        return page.replace(PROBLEMS_MARK, _error_banner(self.state.problems, locale), 1)

    def special(self, path: str) -> Response | None:
        """What the preview answers itself: its stylesheet, PDFs, and pages before a first build."""
        if path == "/__outcomesite/preview.css":
            return Response(200, "text/css; charset=utf-8", PREVIEW_CSS.encode())
        if path.endswith(".pdf"):
            return self._pdf_response(path)
        if self.state.report is None:
            return Response(200, "text/html; charset=utf-8", self.waiting_page().encode())
        return None

    def _pdf_response(self, path: str) -> Response:
        try:
            data = self.pdf(path)
        except PdfError as exc:
            return Response(500, "text/plain; charset=utf-8", str(exc).encode())
        except Exception as exc:  # never a traceback, whatever the page holds
            message = f"the PDF could not be rendered: {type(exc).__name__}: {exc}"
            return Response(500, "text/plain; charset=utf-8", message.encode())
        if data is None:
            return Response(404, "text/plain; charset=utf-8", b"no such PDF in this preview\n")
        return Response(200, "application/pdf", data)

    def waiting_page(self) -> str:
        """Shown until a first build succeeds: the problems, or that it is still building."""
        message = (
            "Fix the problems above; this page reloads by itself."
            if self.state.problems
            else "Building..."
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'self'; script-src 'self'; connect-src 'self'\">"
            '<link rel="stylesheet" href="/__outcomesite/preview.css">'
            f"<title>outcomesite preview</title></head><body>{PROBLEMS_MARK}<main>"
            f"<h1>outcomesite preview</h1><p>{message}</p></main></body></html>"
        )

    def close(self) -> None:
        if self.pdf_pool is not None:
            self.pdf_pool.close(stop=True)


_PAGE_LANG = re.compile(r'<html lang="([A-Za-z0-9-]{2,20})"')


def _error_banner(problems: list[str], locale: str = DEFAULT_LOCALE) -> str:
    """The problems over the page, its words in the page's language; the problems themselves are
    `check`'s messages, in English, and marked so (screen readers switch voice)."""
    if not problems:
        return ""
    t = translator(locale)
    items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
    heading = html.escape(t.gettext("outcomesite check found problems"))
    after = html.escape(
        t.gettext(
            "A file with a problem shows its last good version until it is fixed; everything "
            "else is up to date."
        )
    )
    return (
        f'<aside class="outcomesite-errors" role="alert"><h2>{heading}</h2>'
        f'<ul lang="en">{items}</ul><p>{after}</p></aside>'
    )


def serve(
    root: Path,
    port: int = 8000,
    as_of: dt.date | None = None,
    log: Callable[[str], None] = print,
    ready: Callable[[LiveReloadServer], None] | None = None,
) -> None:
    """Build, serve on 127.0.0.1 and rebuild on every save until interrupted (Ctrl-C)."""
    preview = Preview(root, as_of=as_of, log=log)
    preview.out.parent.mkdir(parents=True, exist_ok=True)
    ignore = preview.out.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    server = LiveReloadServer(
        preview.out,
        port,
        home="/internal/",
        decorate=preview.decorate,
        special=preview.special,
        log=log,
    )
    settle = Settle(SETTLE_SECONDS)
    watcher = InputWatcher(root, settle)

    def rebuild_on_save() -> None:
        while settle.wait():
            watcher.watch(preview.rebuild())
            server.reload.changed()

    # Ctrl-C at any moment from here on (during the first build too) stops the preview the same
    # way: everything started is stopped, and the exit status is 0.
    try:
        watcher.watch(preview.rebuild())
        builder = threading.Thread(target=rebuild_on_save, name="outcomesite-rebuild", daemon=True)
        builder.start()
        log(f"preview: http://127.0.0.1:{server.port}/ (Ctrl-C to stop)")
        if ready:
            ready(server)
        server.serve_forever()
    except KeyboardInterrupt:
        log("preview: stopped")
    finally:
        settle.stop()
        watcher.stop()
        server.close()
        preview.close()
