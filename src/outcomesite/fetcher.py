"""The PDF renderer's only way to read files: the theme's assets and the account's own folder.

Kept apart from `pdf` because importing WeasyPrint loads Pango, which `check` never needs.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

from outcomesite.pdf import MAX_ASSET_BYTES


class SafeFetcher(URLFetcher):
    """Serves `file:` URLs inside the allowed folders (symlinks resolved); refuses everything else."""

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__(fail_on_errors=True)
        self.allowed = tuple(p.resolve() for p in allowed)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self._allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise PermissionError(f"outcomesite does not let the PDF renderer fetch {url[:200]}")
        if path.stat().st_size > MAX_ASSET_BYTES:
            self.refused.append(url)
            raise PermissionError(f"{path.name} is larger than {MAX_ASSET_BYTES // 1_000_000} MB")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_file():
            return None
        for root in self.allowed:
            if path == root or path.is_relative_to(root):
                return path
        return None
