"""A static-file server for 127.0.0.1 whose pages reload themselves when told to.

It knows nothing of outcomesite's sites: it serves a folder, passes every HTML page through a
`decorate` hook before sending it, lets a `special` hook answer some paths itself, and tells open
pages to reload when `changed()` is called (a generation number over server-sent events, and a
small same-origin script that reloads when it changes). It answers only requests addressed to
127.0.0.1:PORT or localhost:PORT: a page elsewhere could otherwise point a name of its own at
127.0.0.1 (DNS rebinding) and read everything the folder holds.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

from outcomesite.errors import EXIT_USAGE, OutcomesiteError

RELOAD_PATH = "/__outcomesite/reload.js"
EVENTS_PATH = "/__outcomesite/events"

RELOAD_JS = """\
(function () {
  var served = document.currentScript.getAttribute("data-generation");
  var source = new EventSource("/__outcomesite/events");
  source.onmessage = function (event) {
    if (event.data !== served) { location.reload(); }
  };
})();
"""


class Response(NamedTuple):
    status: int
    content_type: str
    body: bytes


class LiveReload:
    """The generation of what is served, and the pages waiting to hear that it changed."""

    def __init__(self) -> None:
        self.generation = 0
        self._changed = threading.Condition()
        self.stopping = threading.Event()

    def changed(self) -> None:
        with self._changed:
            self.generation += 1
            self._changed.notify_all()

    def stop(self) -> None:
        self.stopping.set()
        with self._changed:
            self._changed.notify_all()

    def script(self) -> str:
        """The tag that makes a page reload once the generation moves past the one it shows."""
        return f'<script src="{RELOAD_PATH}" data-generation="{self.generation}"></script>'

    def stream(self, write: Callable[[bytes], None]) -> None:
        """Send the generation to one page until it goes away or the server stops."""
        seen = -1
        while not self.stopping.is_set():
            with self._changed:
                if self.generation == seen:
                    self._changed.wait(timeout=10)
                generation = self.generation
            write(f"data: {generation}\n\n".encode() if generation != seen else b": alive\n\n")
            seen = generation


class LiveReloadServer:
    """Serves `folder` on 127.0.0.1:`port`; `/` goes to `home`."""

    def __init__(
        self,
        folder: Path,
        port: int,
        *,
        home: str,
        decorate: Callable[[str], str],
        special: Callable[[str], Response | None],
        log: Callable[[str], None],
    ) -> None:
        self.folder = folder
        self.home = home
        self.decorate = decorate
        self.special = special
        self.log = log
        self.reload = LiveReload()
        try:
            self.http = _Server(("127.0.0.1", port), _handler(self))
        except OSError as exc:
            raise OutcomesiteError(
                f"cannot listen on 127.0.0.1:{port} ({exc.strerror}): choose another --port",
                EXIT_USAGE,
            ) from None
        self.http.daemon_threads = True
        self.http.log = log

    @property
    def port(self) -> int:
        return int(self.http.server_address[1])

    def serve_forever(self) -> None:
        self.http.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        self.reload.stop()
        self.http.server_close()

    def page(self, html: str) -> str:
        """A served page: decorated, and made to reload itself."""
        html = self.decorate(html)
        end = html.rfind("</body>")
        if end < 0:
            return html + self.reload.script()
        return html[:end] + self.reload.script() + html[end:]


class _Server(ThreadingHTTPServer):
    log: Callable[[str], None] = print

    def handle_error(self, request: object, client_address: object) -> None:
        """A page that goes away mid-answer is normal; anything else is one line, not a trace."""
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError)):
            self.log(f"preview: a request failed: {type(error).__name__}: {error}")


def _handler(server: LiveReloadServer) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(server.folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the terminal shows builds and errors, not every request

        def trusted_host(self) -> bool:
            host = (self.headers.get("Host") or "").strip().lower()
            return host in {f"127.0.0.1:{server.port}", f"localhost:{server.port}"}

        def send_body(self, response: Response, head_only: bool = False) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            if not head_only:
                self.wfile.write(response.body)

        def do_HEAD(self) -> None:
            if not self.trusted_host():
                return self.send_body(_MISDIRECTED, head_only=True)
            super().do_HEAD()

        def do_GET(self) -> None:
            if not self.trusted_host():
                return self.send_body(_MISDIRECTED)
            path = self.path.split("?", 1)[0]
            if path == "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", server.home)
                self.end_headers()
                return None
            if path == RELOAD_PATH:
                return self.send_body(
                    Response(200, "text/javascript; charset=utf-8", RELOAD_JS.encode())
                )
            if path == EVENTS_PATH:
                return self.stream_events()
            if (answer := server.special(path)) is not None:
                if answer.content_type.startswith("text/html"):
                    answer = answer._replace(body=server.page(answer.body.decode()).encode())
                return self.send_body(answer)
            local = Path(self.translate_path(path))
            if local.is_dir():
                local = local / "index.html"
            if local.suffix == ".html" and local.is_file():
                html = server.page(local.read_text(encoding="utf-8"))
                return self.send_body(Response(200, "text/html; charset=utf-8", html.encode()))
            return super().do_GET()

        def stream_events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()

            def write(chunk: bytes) -> None:
                self.wfile.write(chunk)
                self.wfile.flush()

            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                server.reload.stream(write)  # ends when the page goes away

    return Handler


_MISDIRECTED = Response(
    HTTPStatus.MISDIRECTED_REQUEST,
    "text/plain; charset=utf-8",
    b"outcomesite preview: open it at http://127.0.0.1 or http://localhost\n",
)
