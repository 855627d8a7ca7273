"""The PDF renderer's only way to read files: exactly the files its report was given.

Kept apart from `pdf` because it subclasses WeasyPrint's fetcher, and importing WeasyPrint loads
Pango, which `check` and an up-to-date `build` never need.
"""

from __future__ import annotations

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

from outcomesite.files import PublishedFile
from outcomesite.pdf.jobs import fetch_file


class SafeFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type information
    """Serves the report's own files by their address; refuses everything else, and remembers
    why, so that the render's error names the first refusal."""

    def __init__(self, origin: str, files: tuple[PublishedFile, ...]) -> None:
        super().__init__(fail_on_errors=True)
        self.origin = origin
        self.files = {file.url: file for file in files}
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        try:
            data, mime = fetch_file(self.origin, self.files, url)
        except PermissionError as refused:
            self.refused.append(str(refused))
            raise
        return URLFetcherResponse(url, data, {"Content-Type": mime})
