"""`outcomesite serve`: a preview server that knows nothing about the site but how to rebuild it.

File events only mark the site dirty; a loop waits for the saves to settle (an editor writing a temp
file and renaming it is one burst), rebuilds HTML, and tells open pages to reload over server-sent
events. Bad input never stops the server: the errors (file, line, message) are shown in every page and
in the terminal until the file is fixed. PDFs are rendered on demand, when a PDF link is opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from outcomesite.build import BuildOptions, BuildRefused, BuildReport, build_site
from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.pdf import DEFAULT_TIMEOUT, PdfError
from outcomesite.pdf_pool import PdfPool
from outcomesite.render import pdf_job
from outcomesite.theme import Theme

if TYPE_CHECKING:
    from outcomesite.loader import Site
    from outcomesite.views import AccountPage

PREVIEW_DIR = Path(".outcomesite") / "preview"
SETTLE_SECONDS = 0.3
_IGNORED_PARTS = {".git", ".outcomesite", "build", "__pycache__", ".venv", "node_modules"}

RELOAD_JS = """\
(function () {
  var served = document.currentScript.getAttribute("data-generation");
  var source = new EventSource("/__outcomesite/events");
  source.onmessage = function (event) {
    if (event.data !== served) { location.reload(); }
  };
})();
"""

PREVIEW_CSS = """\
.outcomesite-errors { background: #fff4f2; color: #5c1a0d; border-bottom: 3px solid #a3321c;
  padding: 1rem 1.25rem; font: 15px/1.5 system-ui, sans-serif; }
.outcomesite-errors h2 { margin: 0 0 .5rem; font-size: 1.1rem; border: 0; }
.outcomesite-errors li { font-family: ui-monospace, monospace; font-size: 13px; }
"""

# The preview may run one same-origin script and open one same-origin event stream.
_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')


@dataclass
class PreviewState:
    """The last build's outcome; `generation` changes whenever what a page shows may change."""

    generation: int = 0
    report: BuildReport | None = None
    problems: list[str] = field(default_factory=list)
    pdfs: dict[str, bytes] = field(default_factory=dict)
    # Every report's PDF address -> what renders it; rebuilds only replace the accounts they touched.
    pages: dict[str, tuple[Site, AccountPage]] = field(default_factory=dict)


def _pdf_pages(
    old: dict[str, tuple[Site, AccountPage]], report: BuildReport
) -> dict[str, tuple[Site, AccountPage]]:
    if report.site is None:
        return old  # nothing changed
    fresh = {
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
        self.changed = threading.Condition()
        self.dirty = threading.Event()
        self.last_event = 0.0
        self.stopping = threading.Event()
        self.theme: Theme | None = None
        # One worker renders the PDFs opened in the preview, under the same limits as a build.
        self.pdf_pool: PdfPool | None = None
        self.pdf_lock = threading.Lock()

    # --- building -----------------------------------------------------------------------------

    def rebuild(self) -> None:
        started = time.perf_counter()
        problems: list[str] = []
        report = None
        try:
            # The first build of a session is full, so that every PDF can be rendered on demand;
            # later ones rebuild only the accounts that changed.
            options = BuildOptions(
                out=self.out,
                pdf=False,
                as_of=self.as_of,
                environ=self.environ,
                use_cache=self.state.report is not None,
            )
            report = build_site(self.root, options)
        except BuildRefused as refused:
            problems = [d.format_text() for d in refused.site.diagnostics if d.severity == "error"]
        except OutcomesiteError as exc:
            problems = [str(exc)]
        except Exception as exc:  # the preview must outlive any input: show it, keep serving
            problems = [f"the preview could not be rebuilt: {type(exc).__name__}: {exc}"]
        with self.changed:
            self.state = PreviewState(
                generation=self.state.generation + 1,
                report=report or self.state.report,  # keep showing the last good pages
                problems=problems,
                pages=_pdf_pages(self.state.pages, report) if report else self.state.pages,
            )
            self.changed.notify_all()
        if problems:
            self.log("\n".join(problems))
            self.log(f"preview: {len(problems)} problem(s); the pages show them until fixed")
        else:
            assert report is not None
            if report.site is not None:
                self.theme = Theme(self.root, report.site.config.theme)
            self.log(
                f"preview: rebuilt {len(report.pages)} account(s) in "
                f"{time.perf_counter() - started:.2f} s"
            )

    def mark_dirty(self) -> None:
        self.last_event = time.monotonic()
        self.dirty.set()

    def rebuild_loop(self) -> None:
        """Wait for a burst of saves to settle, then rebuild once."""
        while not self.stopping.is_set():
            if not self.dirty.wait(timeout=0.2):
                continue
            while time.monotonic() - self.last_event < SETTLE_SECONDS:
                time.sleep(0.05)
            self.dirty.clear()
            if not self.stopping.is_set():
                self.rebuild()

    # --- serving ------------------------------------------------------------------------------

    def pdf(self, url_path: str) -> bytes | None:
        """Render the PDF behind a preview link on demand, once per build generation."""
        state = self.state
        if state.report is None or self.theme is None:
            return None
        cached = state.pdfs.get(url_path)
        if cached is not None:
            return cached
        if url_path not in state.pages:
            return None
        site, page = state.pages[url_path]
        job = pdf_job(site, self.theme, page, DEFAULT_TIMEOUT)
        with self.pdf_lock:
            if self.pdf_pool is None:
                self.pdf_pool = PdfPool(1, site.config.pdf_memory_mb)
            data = self.pdf_pool.render_one(job)
        state.pdfs[url_path] = data
        return data

    def decorate(self, page: str) -> str:
        """Add the reload script, the preview stylesheet and any errors to a built page."""
        state = self.state
        page = _CSP.sub(
            lambda m: (
                m.group(1) + m.group(2) + "; script-src 'self'; connect-src 'self'" + m.group(3)
            ),
            page,
            count=1,
        )
        head = '<link rel="stylesheet" href="/__outcomesite/preview.css">'
        script = (
            f'<script src="/__outcomesite/reload.js" data-generation="{state.generation}"></script>'
        )
        page = page.replace("</head>", head + "</head>", 1)
        page = re.sub(
            r"(<body[^>]*>)", lambda m: m.group(1) + _error_banner(state.problems), page, count=1
        )
        return page.replace("</body>", script + "</body>", 1)

    def error_page(self) -> str:
        """Shown until a first build succeeds: the problems, or that it is still building."""
        message = (
            "Fix the problems above; this page reloads by itself."
            if self.state.problems
            else "Building..."
        )
        return self.decorate(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'self'\"><title>outcomesite preview</title></head><body><main>"
            f"<h1>outcomesite preview</h1><p>{message}</p></main></body></html>"
        )

    def events(self, write: Callable[[bytes], None]) -> None:
        """Stream the build generation to one page until it goes away or the server stops."""
        seen = -1
        while not self.stopping.is_set():
            with self.changed:
                if self.state.generation == seen:
                    self.changed.wait(timeout=10)
                generation = self.state.generation
            message = f"data: {generation}\n\n" if generation != seen else ": keep-alive\n\n"
            write(message.encode())
            seen = generation


def _error_banner(problems: list[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
    return (
        '<aside class="outcomesite-errors" role="alert"><h2>outcomesite check found problems</h2>'
        f"<ul>{items}</ul><p>The preview shows the last good build until they are fixed.</p></aside>"
    )


def make_handler(preview: Preview) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(preview.out), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the terminal shows builds and errors, not every request

        def send_body(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if not self.trusted_host():
                return self.send_body(
                    b"outcomesite preview: open it at http://127.0.0.1 or http://localhost\n",
                    "text/plain; charset=utf-8",
                    HTTPStatus.MISDIRECTED_REQUEST,
                )
            path = self.path.split("?", 1)[0]
            if path == "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", "/internal/")
                self.end_headers()
                return
            if path == "/__outcomesite/reload.js":
                return self.send_body(RELOAD_JS.encode(), "text/javascript; charset=utf-8")
            if path == "/__outcomesite/preview.css":
                return self.send_body(PREVIEW_CSS.encode(), "text/css; charset=utf-8")
            if path == "/__outcomesite/events":
                return self.stream_events()
            if path.endswith(".pdf"):
                return self.send_pdf(path)
            if preview.state.report is None:
                return self.send_body(preview.error_page().encode(), "text/html; charset=utf-8")
            local = Path(self.translate_path(path))
            if local.is_dir():
                local = local / "index.html"
            if local.suffix == ".html" and local.is_file():
                page = preview.decorate(local.read_text(encoding="utf-8"))
                return self.send_body(page.encode(), "text/html; charset=utf-8")
            return super().do_GET()

        def do_HEAD(self) -> None:
            if not self.trusted_host():
                self.send_response(HTTPStatus.MISDIRECTED_REQUEST)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_HEAD()

        def trusted_host(self) -> bool:
            """Only requests addressed to this preview: a web page elsewhere can point a name of
            its own at 127.0.0.1 (DNS rebinding) and read every internal page otherwise."""
            port = self.server.server_address[1]
            host = (self.headers.get("Host") or "").strip().lower()
            return host in {f"127.0.0.1:{port}", f"localhost:{port}"}

        def send_pdf(self, path: str) -> None:
            try:
                data = preview.pdf(path)
            except PdfError as exc:
                return self.send_body(str(exc).encode(), "text/plain; charset=utf-8", 500)
            except Exception as exc:  # never a traceback, whatever the page holds
                message = f"the PDF could not be rendered: {type(exc).__name__}: {exc}"
                return self.send_body(message.encode(), "text/plain; charset=utf-8", 500)
            if data is None:
                return self.send_error(HTTPStatus.NOT_FOUND)
            return self.send_body(data, "application/pdf")

        def stream_events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()

            def write(chunk: bytes) -> None:
                self.wfile.write(chunk)
                self.wfile.flush()

            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                preview.events(write)  # ends when the page goes away

    return Handler


class _Watcher(FileSystemEventHandler):
    """Marks the preview dirty for changes to content, themes and the config, nothing else."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "") or ""):
            path = Path(os.fsdecode(raw))
            if not raw or _IGNORED_PARTS & set(path.parts):
                continue
            try:
                relative = path.relative_to(self.preview.root.resolve())
            except ValueError:
                relative = path
            top = relative.parts[0] if relative.parts else ""
            if top in ("content", "themes") or relative.name == "outcomesite.yaml":
                self.preview.mark_dirty()
                return


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A page that goes away mid-answer is normal; anything else is one line, not a trace."""
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError)):
            print(f"preview: a request failed: {type(error).__name__}: {error}", file=sys.stderr)


def serve(
    root: Path,
    port: int = 8000,
    as_of: dt.date | None = None,
    log: Callable[[str], None] = print,
    ready: Callable[[ThreadingHTTPServer], None] | None = None,
) -> None:
    """Build, serve on 127.0.0.1 and rebuild on every save until interrupted (Ctrl-C)."""
    preview = Preview(root, as_of=as_of, log=log)
    preview.out.parent.mkdir(parents=True, exist_ok=True)
    ignore = preview.out.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    try:
        server = _Server(("127.0.0.1", port), make_handler(preview))
    except OSError as exc:
        raise OutcomesiteError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror}): choose another --port", EXIT_USAGE
        ) from None
    server.daemon_threads = True
    preview.rebuild()
    observer = Observer()
    watcher = _Watcher(preview)
    # The inputs only: never the preview's own output, which each build swaps in and out.
    observer.schedule(watcher, str(root.resolve()), recursive=False)
    for folder in ("content", "themes"):
        if (root / folder).is_dir():
            observer.schedule(watcher, str((root / folder).resolve()), recursive=True)
    observer.start()
    builder = threading.Thread(target=preview.rebuild_loop, name="outcomesite-rebuild", daemon=True)
    builder.start()
    log(f"preview: http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    if ready:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log("preview: stopped")
    finally:
        preview.stopping.set()
        with preview.changed:
            preview.changed.notify_all()
        observer.stop()
        observer.join(timeout=5)
        server.server_close()
        if preview.pdf_pool is not None:
            preview.pdf_pool.close(stop=True)
