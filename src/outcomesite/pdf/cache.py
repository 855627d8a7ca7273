"""A content-addressed cache of rendered PDFs (inputs -> bytes) in a folder CI can keep.

A PDF's inputs are the HTML it is rendered from (which carries the account file at its version,
the config and the as-of date), the address it is rendered at, every file its renderer may read
(theme assets, the logo, the account's images), the versions of outcomesite and WeasyPrint, and
the installed fonts.
Same inputs, same key: the PDF is copied from the cache instead of rendered. Permanent versions
never change, so they stay cached. Nothing in a key depends on where the site is checked out, so a
cache restored into a checkout at another path still hits.

A cache is a convenience: one that cannot be written (read-only, full disk) costs time, never the
build; its problems are collected as warnings.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from outcomesite.files import PublishedFile, UnsafeFile, replacing
from outcomesite.layout import MAX_IMAGE_BYTES
from outcomesite.pdf.jobs import PdfJob


def renderer_tag() -> str:
    from importlib import metadata  # here: only a build that makes PDFs asks (8 ms of an edit)

    from outcomesite import __version__

    weasyprint = metadata.version("weasyprint")
    return f"outcomesite {__version__}; weasyprint {weasyprint}; fonts {fonts_fingerprint()}"


def fonts_fingerprint() -> str:
    """The installed fonts, each file and its version: a font added for a script that printed
    as boxes makes every PDF render again. One `fc-list` (about 15 ms) a build; "" without
    fontconfig (WeasyPrint then has no fonts to change either)."""
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{fontversion}\n"],
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return hashlib.sha256(b"\n".join(sorted(listed.splitlines()))).hexdigest()[:16]


class PdfCache:
    def __init__(self, folder: Path, tag: str | None = None) -> None:
        self.folder = folder / "pdf"
        self.tag = tag if tag is not None else renderer_tag()
        self.used: set[str] = set()
        self.warnings: list[str] = []
        self._file_hashes: dict[tuple[str, tuple[str, ...]], str] = {}

    def _hash_file(self, file: PublishedFile) -> str:
        if file.made is not None:
            return hashlib.sha256(file.made).hexdigest()
        where = (file.base, file.parts)
        if where not in self._file_hashes:
            try:
                digest = hashlib.sha256(file.read(MAX_IMAGE_BYTES)).hexdigest()
            except UnsafeFile as unsafe:
                digest = f"unreadable: {unsafe.reason}"  # the render will fail and say why
            self._file_hashes[where] = digest
        return self._file_hashes[where]

    def key(self, job: PdfJob) -> str:
        digest = hashlib.sha256()
        for part in (self.tag, job.html, job.base_url, job.variant):
            digest.update(part.encode("utf-8") + b"\0")
        for file in sorted(job.files, key=lambda f: f.url):
            digest.update(f"{file.url}\0{self._hash_file(file)}\0".encode())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pdf"

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self.used.add(key)
        return data

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(path, "wb") as file:  # readers never see half a PDF
                file.write(data)
        except OSError as exc:
            self._warn(exc)
            return
        self.used.add(key)

    def prune(self) -> int:
        """Forget PDFs this build did not use, so the cache stays the size of one site."""
        removed = 0
        try:
            for path in self.folder.glob("*/*.pdf"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)
                    removed += 1
        except OSError as exc:
            self._warn(exc)
        return removed

    def _warn(self, exc: OSError) -> None:
        if not self.warnings:  # one is enough: the cause is the same for every PDF
            self.warnings.append(
                f"the PDF cache in {self.folder} cannot be written ({exc.strerror or exc}): the "
                "build goes on, but its PDFs will be rendered again next time"
            )
