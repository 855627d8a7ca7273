"""A content-addressed cache of rendered PDFs (inputs -> bytes) in a folder CI can keep.

A PDF's inputs are the HTML it is rendered from (which carries the account file at its version,
the config and the as-of date), every file its renderer may read (theme assets, the account's own
folder, the logo) and the versions of outcomesite and WeasyPrint. Same inputs, same key: the PDF is
copied from the cache instead of rendered. Permanent versions never change, so they stay cached.
Paths are written relative to the site and the packaged theme, so a cache restored into a checkout at
another path still hits.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from outcomesite.files import replacing
from outcomesite.pdf import PdfJob
from outcomesite.theme import DEFAULT_THEME

CACHE_DIR = Path(".outcomesite") / "cache"


def renderer_tag() -> str:
    from outcomesite import __version__

    return f"outcomesite {__version__}; weasyprint {metadata.version('weasyprint')}"


class PdfCache:
    def __init__(self, folder: Path, site_root: Path, tag: str | None = None) -> None:
        self.folder = folder / "pdf"
        self.tag = tag if tag is not None else renderer_tag()
        self.places = [
            (site_root.resolve().as_uri(), "site:"),
            (DEFAULT_THEME.resolve().as_uri(), "theme:"),
        ]
        self.used: set[str] = set()
        self._file_hashes: dict[Path, str] = {}

    def _portable(self, text: str) -> str:
        for prefix, name in self.places:
            text = text.replace(prefix, name)
        return text

    def _hash_file(self, path: Path) -> str:
        if path not in self._file_hashes:
            self._file_hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self._file_hashes[path]

    def key(self, job: PdfJob) -> str:
        digest = hashlib.sha256()
        for part in (self.tag, self._portable(job.html), self._portable(job.base_url)):
            digest.update(part.encode("utf-8") + b"\0")
        for root in job.allowed:
            files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
            for path in files:
                if path.is_file():
                    name = self._portable(path.resolve().as_uri())
                    digest.update(f"{name}\0{self._hash_file(path.resolve())}\0".encode())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pdf"

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        if not path.is_file():
            return None
        self.used.add(key)
        return path.read_bytes()

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, "wb") as file:  # readers never see half a PDF
            file.write(data)
        self.used.add(key)

    def prune(self) -> int:
        """Forget PDFs this build did not use, so the cache stays the size of one site."""
        removed = 0
        for path in self.folder.glob("*/*.pdf"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
