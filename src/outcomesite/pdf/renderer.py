"""Render one PDF with WeasyPrint, locked down: the renderer may read exactly the files its job
lists (the theme's assets, the logo, the images the narrative shows), nothing else: no other file,
no network, no attachments. Runs inside a PDF worker (pool.py), which holds the limits."""

from __future__ import annotations

import io
import logging
from html.parser import HTMLParser
from urllib.parse import urljoin

from outcomesite.layout import MAX_HTML_BYTES
from outcomesite.pdf.jobs import PdfError, PdfJob

# WeasyPrint reports CSS it does not support as warnings; they are not the user's problem.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def render_pdf(job: PdfJob) -> bytes:
    """Render one PDF or raise PdfError."""
    if len(job.html.encode("utf-8")) > MAX_HTML_BYTES:
        raise PdfError(f"{job.key}: the report is larger than {MAX_HTML_BYTES // 1_000_000} MB")
    if attachments := _attachment_urls(job.html, job.base_url):
        raise PdfError(
            f"{job.key}: the PDF asks to embed {attachments[0]} as an attachment; "
            "attachments are never embedded"
        )
    # Imported here, not above: WeasyPrint loads Pango (about a second), and the pool imports this
    # module in the build's own process only to name the function its workers run.
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError  # a BaseException: it must stop the render

    from outcomesite.pdf.fetcher import SafeFetcher

    fetcher = SafeFetcher(job.origin, job.files)
    try:
        document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render()
        # No embedded files, whatever a template says: drop <link rel=attachment> files and
        # <a rel=attachment> annotations; and no link to a file on the build machine.
        document.metadata.attachments = []
        for page in document.pages:
            page.links[:] = [link for link in page.links if _keeps(link)]
        output = io.BytesIO()
        document.write_pdf(output, pdf_identifier=False, pdf_variant=job.variant)
    except MemoryError:
        raise  # the pool knows the limit and says so
    except (Exception, FatalURLFetchingError) as exc:
        if fetcher.refused:
            raise PdfError(f"{job.key}: {fetcher.refused[0]}") from None
        raise PdfError(f"{job.key}: the PDF could not be rendered: {exc}") from None
    if fetcher.refused:
        raise PdfError(f"{job.key}: {fetcher.refused[0]}")
    return output.getvalue()


def _keeps(link: tuple[object, ...]) -> bool:
    kind, target = link[0], str(link[1])
    if kind == "attachment":
        return False
    return not (kind == "external" and target.startswith("file:"))


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
