"""A PDF to render, as plain data that crosses into a worker process, and the rules for the files
its renderer may read. No WeasyPrint here: the build imports this without paying for Pango.

A report is rendered at a machine-independent address: `<origin><folder>/`, where the origin is the
site's `base_url` or `file:///`. So the PDF never contains the build machine's paths (the same site
built in two folders gives the same bytes), and relative links in the narrative point where the
report is published (links that could only point at the build machine are dropped).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from outcomesite.errors import EXIT_VALIDATION, OutcomesiteError
from outcomesite.files import REASONS, PublishedFile, UnsafeFile
from outcomesite.layout import DEFAULT_PDF_VARIANT, MAX_IMAGE_BYTES, PDF_TIMEOUT

LOCAL_ORIGIN = "file:///"  # the origin of reports when the site has no base_url


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
    origin: str  # "file:///", or the site's base_url ending in "/"
    folder: str  # the report's folder below the origin, e.g. "r/<link-id>" or "report/v2"
    files: tuple[PublishedFile, ...]  # exactly what the renderer may read, by address
    timeout: float = PDF_TIMEOUT
    variant: str = DEFAULT_PDF_VARIANT  # PDF/UA-1 (tagged) or a PDF/A variant

    @property
    def base_url(self) -> str:
        return f"{self.origin}{self.folder}/"


def fetch_file(origin: str, files: dict[str, PublishedFile], url: str) -> tuple[bytes, str]:
    """The bytes and MIME type behind `url`, if it is one of the report's files.

    Raises PermissionError with a message for people: the URL, or why the file was refused.
    """
    file = files.get(unquote(urlsplit(url[len(origin) :]).path))
    if not url.startswith(origin) or file is None:
        raise PermissionError(
            f"the PDF refers to {url[:200]}, which is never read: only the theme, the logo and the "
            "account's own images are"
        )
    try:
        data = file.read(MAX_IMAGE_BYTES)
    except UnsafeFile as unsafe:
        if unsafe.reason == "too-large":
            raise PermissionError(
                f"the image {file.parts[-1]} is {unsafe.size / 1_000_000:.1f} MB, over the "
                f"{MAX_IMAGE_BYTES // 1_000_000} MB limit"
            ) from None
        raise PermissionError(
            f"the PDF refers to {file.parts[-1]}, which {REASONS[unsafe.reason]}"
        ) from None
    return data, mimetypes.guess_type(file.url)[0] or "application/octet-stream"
