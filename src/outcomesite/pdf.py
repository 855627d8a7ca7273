"""PDF rendering with WeasyPrint, locked down: the renderer may read the theme's assets and the
account's own folder, nothing else: no other file, no network, no attachments.

Rendering runs in worker processes; each render has a time limit and each input a size cap, so one
hostile or broken account fails with a clear error instead of hanging the build.
"""

from __future__ import annotations

import io
import logging
import signal
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from outcomesite.errors import EXIT_VALIDATION, OutcomesiteError

MAX_HTML_BYTES = 5_000_000
MAX_ASSET_BYTES = 10_000_000
DEFAULT_TIMEOUT = 60.0

# WeasyPrint reports CSS it does not support as warnings; they are not the user's problem.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class PdfError(OutcomesiteError):
    """A PDF could not be rendered safely; the message says which account and why."""

    exit_code = EXIT_VALIDATION


class RenderTimeout(PdfError):
    pass


@dataclass(frozen=True)
class PdfJob:
    """Everything one render needs, picklable so it can cross into a worker process."""

    key: str  # the account slug, for messages
    html: str
    base_url: str  # file: URL of the account's folder, for its images
    allowed: tuple[Path, ...]
    timeout: float = DEFAULT_TIMEOUT


def render_pdf(job: PdfJob) -> bytes:
    """Render one PDF or raise PdfError; safe to call in a worker process."""
    if len(job.html.encode("utf-8")) > MAX_HTML_BYTES:
        raise PdfError(f"{job.key}: the report is larger than {MAX_HTML_BYTES // 1_000_000} MB")
    if attachments := _attachment_urls(job.html, job.base_url):
        raise PdfError(
            f"{job.key}: the PDF asks to embed {attachments[0]} as an attachment; "
            "attachments are never embedded"
        )
    # WeasyPrint loads Pango when imported (about a second): only builds that render PDFs pay it.
    from weasyprint import HTML

    from outcomesite.fetcher import SafeFetcher

    fetcher = SafeFetcher(job.allowed)
    with _time_limit(job.timeout, job.key):
        try:
            document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render()
            # No embedded files, whatever a template says: drop <link rel=attachment> files and
            # <a rel=attachment> annotations before writing.
            document.metadata.attachments = []
            for page in document.pages:
                page.links[:] = [link for link in page.links if link[0] != "attachment"]
            output = io.BytesIO()
            document.write_pdf(output, pdf_identifier=False)
        except RenderTimeout:
            raise
        except BaseException as exc:
            if fetcher.refused:
                break_out = ", ".join(fetcher.refused[:3])
                raise PdfError(
                    f"{job.key}: the PDF refers to files outside the theme and the account's "
                    f"folder, which are never read: {break_out}"
                ) from None
            raise PdfError(f"{job.key}: the PDF could not be rendered: {exc}") from None
    if fetcher.refused:
        raise PdfError(f"{job.key}: refused to fetch {', '.join(fetcher.refused[:3])}")
    return output.getvalue()


class _AttachmentFinder(HTMLParser):
    """Finds rel=attachment links, which WeasyPrint would embed in the PDF as files."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "attachment" in (values.get("rel") or "").lower().split():
            self.hrefs.append(values.get("href") or "")


def _attachment_urls(html: str, base_url: str) -> list[str]:
    finder = _AttachmentFinder()
    finder.feed(html)
    return [urljoin(base_url, href) for href in finder.hrefs]


class _time_limit:
    """SIGALRM-based limit, in a process's main thread (PDF workers and the CLI both are).

    WeasyPrint catches broad exceptions in places (image decoding, font clean-up), which can
    swallow the timeout. So leaving the block after the deadline raises RenderTimeout even if
    the render swallowed the signal: the account fails either way, never silently half-rendered.
    (One signal only: a repeating one can land inside interpreter hooks such as gc callbacks.)
    """

    def __init__(self, seconds: float, key: str) -> None:
        self.seconds = seconds
        self.key = key
        self.expired = False
        self.active = threading.current_thread() is threading.main_thread() and seconds > 0

    def __enter__(self) -> None:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if not self.active:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)
        if self.expired and not (exc_type and issubclass(exc_type, RenderTimeout)):
            raise self.error()

    def error(self) -> RenderTimeout:
        return RenderTimeout(
            f"{self.key}: the PDF took longer than {self.seconds:g} s to render and was stopped; "
            "shorten the narrative or its tables"
        )

    def _expired(self, signum: int, frame: object) -> None:
        self.expired = True
        raise self.error()


def __getattr__(name: str) -> Any:
    """`outcomesite.pdf.SafeFetcher` without importing WeasyPrint with this module."""
    if name == "SafeFetcher":
        from outcomesite.fetcher import SafeFetcher

        return SafeFetcher
    raise AttributeError(name)
