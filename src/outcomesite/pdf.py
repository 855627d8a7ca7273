"""PDF rendering with WeasyPrint, locked down: the renderer may read exactly the files a report was
given (the theme's assets, the logo, the images its narrative shows), nothing else: no other file,
no network, no attachments.

A report is rendered at a machine-independent address: `<origin>r/<link-id>/`, where the origin is
the site's `base_url` or `file:///`. So the PDF never contains the build machine's paths (the same
site built in two folders gives the same bytes), and relative links in the narrative point where
the report is published (links that could only point at the build machine are dropped).

Rendering runs in worker processes (pdf_pool.py) that hold the time and memory limits; this module
is what runs inside them, and imports WeasyPrint only when it renders.
"""

from __future__ import annotations

import io
import logging
import mimetypes
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from outcomesite.errors import EXIT_VALIDATION, OutcomesiteError
from outcomesite.files import REASONS, UnsafeFile, read_inside
from outcomesite.images import MAX_IMAGE_BYTES

MAX_HTML_BYTES = 5_000_000
MAX_ASSET_BYTES = MAX_IMAGE_BYTES
DEFAULT_TIMEOUT = 60.0
LOCAL_ORIGIN = "file:///"  # the origin of reports when the site has no base_url

# WeasyPrint reports CSS it does not support as warnings; they are not the user's problem.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class PdfError(OutcomesiteError):
    """A PDF could not be rendered safely; the message says which account and why."""

    exit_code = EXIT_VALIDATION


class RenderTimeout(PdfError):
    pass


@dataclass(frozen=True)
class PdfFile:
    """One file the renderer may read: its address below the origin, and where it lives.

    `base` is a folder we trust (the site's root, or the packaged theme's assets); `parts` lead
    from it to the file, and are opened without following any link.
    """

    url: str  # e.g. "assets/report.css" or "r/<link-id>/chart.png", not percent-encoded
    base: str
    parts: tuple[str, ...]

    def read(self) -> bytes:
        return read_inside(Path(self.base), self.parts, MAX_ASSET_BYTES)


@dataclass(frozen=True)
class PdfJob:
    """Everything one render needs, picklable so it can cross into a worker process."""

    key: str  # the account slug, for messages
    html: str
    origin: str  # "file:///", or the site's base_url ending in "/"
    folder: str  # the report's folder below the origin, e.g. "r/<link-id>" or "r/<link-id>/v2"
    files: tuple[PdfFile, ...]
    timeout: float = DEFAULT_TIMEOUT

    @property
    def base_url(self) -> str:
        return f"{self.origin}{self.folder}/"


def render_pdf(job: PdfJob) -> bytes:
    """Render one PDF or raise PdfError. Runs in a PDF worker (pdf_pool.py holds its limits)."""
    if len(job.html.encode("utf-8")) > MAX_HTML_BYTES:
        raise PdfError(f"{job.key}: the report is larger than {MAX_HTML_BYTES // 1_000_000} MB")
    if attachments := _attachment_urls(job.html, job.base_url):
        raise PdfError(
            f"{job.key}: the PDF asks to embed {attachments[0]} as an attachment; "
            "attachments are never embedded"
        )
    # WeasyPrint loads Pango when imported (about a second): only builds that render PDFs pay it.
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError  # a BaseException: it must stop the render

    from outcomesite.fetcher import SafeFetcher

    fetcher = SafeFetcher(job.origin, job.files)
    try:
        document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render()
        # No embedded files, whatever a template says: drop <link rel=attachment> files and
        # <a rel=attachment> annotations; and no link to a file on the build machine.
        document.metadata.attachments = []
        for page in document.pages:
            page.links[:] = [link for link in page.links if _keeps(link, job.origin)]
        output = io.BytesIO()
        document.write_pdf(output, pdf_identifier=False)
    except MemoryError:
        raise  # the pool knows the limit and says so
    except (Exception, FatalURLFetchingError) as exc:
        if fetcher.refused:
            raise PdfError(f"{job.key}: {fetcher.refused[0]}") from None
        raise PdfError(f"{job.key}: the PDF could not be rendered: {exc}") from None
    if fetcher.refused:
        raise PdfError(f"{job.key}: {fetcher.refused[0]}")
    return output.getvalue()


def _keeps(link: tuple[object, ...], origin: str) -> bool:
    kind, target = link[0], str(link[1])
    if kind == "attachment":
        return False
    return not (kind == "external" and target.startswith("file:"))


def fetch_file(job_origin: str, files: dict[str, PdfFile], url: str) -> tuple[bytes, str]:
    """The bytes and MIME type behind `url`, if it is one of the report's files.

    Raises PermissionError with a message for people: the URL, or why the file was refused.
    """
    file = files.get(unquote(urlsplit(url[len(job_origin) :]).path))
    if not url.startswith(job_origin) or file is None:
        raise PermissionError(
            f"the PDF refers to {url[:200]}, which is never read: only the theme, the logo and the "
            "account's own images are"
        )
    try:
        data = file.read()
    except UnsafeFile as unsafe:
        if unsafe.reason == "too-large":
            raise PermissionError(
                f"the image {file.parts[-1]} is {unsafe.size / 1_000_000:.1f} MB, over the "
                f"{MAX_ASSET_BYTES // 1_000_000} MB limit"
            ) from None
        raise PermissionError(
            f"the PDF refers to {file.parts[-1]}, which {REASONS[unsafe.reason]}"
        ) from None
    return data, mimetypes.guess_type(file.parts[-1])[0] or "application/octet-stream"


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
