"""Which files may be published next to a customer's report: images, recognised by their content.

A file in an account's folder is published at the customer's link, where a browser opens it as
whatever it looks like: an `.html` page or an SVG with a script would run on the reports' host. So
only PNG, JPEG, GIF and WebP files whose first bytes say so are published, and SVG files only when
nothing in them can run or load anything (no script, event handler, foreignObject, DOCTYPE,
processing instruction or reference outside the file). The same rules apply to the site's logo.
"""

from __future__ import annotations

import re
from typing import NoReturn
from xml.parsers import expat

from outcomesite.layout import MAX_IMAGE_BYTES

__all__ = ["EXTENSIONS", "HEAD_BYTES", "KINDS", "MAX_IMAGE_BYTES", "content_problem"]

HEAD_BYTES = 16  # enough to recognise every raster format below

# File extension -> the format its content must have.
EXTENSIONS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".gif": "GIF",
    ".webp": "WebP",
    ".svg": "SVG",
}
KINDS = "PNG, JPEG, GIF, WebP or SVG"

_FORBIDDEN_ELEMENTS = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "audio",
        "video",
    }
)
_ANIMATIONS = frozenset({"animate", "set", "animatemotion", "animatetransform"})
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


def extension_kind(name: str) -> str | None:
    """The format a file name promises, or None when it is not an image name we publish."""
    dot = name.rfind(".")
    return EXTENSIONS.get(name[dot:].lower()) if dot > 0 else None


def sniff(head: bytes) -> str | None:
    """The raster format these leading bytes start, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP"
    return None


def content_problem(kind: str, data: bytes) -> str | None:
    """Why `data` may not be published as a `kind` image (from its name), or None.

    For raster formats `data` may be just the first HEAD_BYTES; an SVG must be whole.
    """
    if kind != "SVG":
        found = sniff(data[:HEAD_BYTES])
        if found == kind:
            return None
        what = f"a {found} image" if found else _describe(data)
        return f"is not a {kind} image (its content is {what})"
    return svg_problem(data)


def _describe(data: bytes) -> str:
    text = data[:64].lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "HTML"
    if text.startswith((b"<?xml", b"<svg")):
        return "SVG"
    return "not an image"


class _Refused(Exception):
    pass


def svg_problem(data: bytes) -> str | None:
    """Why an SVG could run or load something when opened on its own, or None when it cannot."""
    parser = expat.ParserCreate(namespace_separator=" ")
    in_style = [False]
    seen_root = [False]

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        lowered = local.lower()
        if not seen_root[0] and lowered != "svg":
            raise _Refused(f"is not an SVG image (it starts with `<{local}>`)")
        seen_root[0] = True
        if lowered in _FORBIDDEN_ELEMENTS:
            _refuse(f"a `<{local}>` element")
        for attribute, value in attributes.items():
            key = attribute.rsplit(" ", 1)[-1].lower()
            if key.startswith("on"):
                _refuse(f"an event handler (`{key}`)")
            if key in ("href", "src") and not value.strip().startswith("#"):
                _refuse(f'a reference to another file or address (`{key}="{value[:60]}"`)')
            if lowered in _ANIMATIONS and key == "attributename" and "href" in value.lower():
                _refuse("an animation that changes a link")
            _check_css(value)
        in_style[0] = lowered == "style"

    def end(name: str) -> None:
        in_style[0] = False

    def text(data: str) -> None:
        if in_style[0]:
            _check_css(data)

    def doctype(*args: object) -> None:
        _refuse("a DOCTYPE declaration")

    def instruction(target: str, data: str) -> None:
        _refuse(f"a processing instruction (`<?{target}`)")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        return str(refused)
    except expat.ExpatError as exc:
        return f"is not a valid SVG file ({expat.ErrorString(exc.code)} on its line {exc.lineno})"
    return None if seen_root[0] else "is not a valid SVG file (it is empty)"


def _refuse(what: str) -> NoReturn:
    raise _Refused(f"contains {what}")


def _check_css(value: str) -> None:
    """Stylesheets inside an SVG may point at its own parts (`url(#gradient)`), nothing else."""
    if "@import" in value.lower():
        _refuse("a stylesheet import")
    for target in _URL.findall(value):
        if not target.startswith("#"):
            _refuse(f"a reference to another file or address (`url({target[:60]})`)")
