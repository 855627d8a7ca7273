"""The one configured Markdown renderer, and the link and image policy for account narratives.

Narratives are untrusted: raw HTML is escaped (markdown-it's `html` option is off), only http, https,
mailto and relative links survive, and images must be files inside the account's own folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see, lower-cased; None for a relative URL."""
    match = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", unquote(url)))
    return match.group(1).lower() if match else None


def is_safe_link(url: str) -> bool:
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_LINK_SCHEMES


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    # Accept every URL while parsing so the policy below sees (and reports) dangerous ones,
    # instead of markdown-it silently turning them into plain text.
    md.validateLink = lambda url: True
    return md


_MD = _parser()


@dataclass(frozen=True)
class Reference:
    """A link or image in the narrative, with the 1-based line of the file it is on."""

    kind: str  # "link" | "image"
    url: str
    line: int


def parse(body: str) -> list[Token]:
    """Parse once; `references` and `render` both take the tokens (validation reads the links,
    the report shows the text, and a large site should not pay for parsing twice)."""
    return _MD.parse(body)


def references(body: str, body_line: int, tokens: list[Token] | None = None) -> Iterator[Reference]:
    source_lines = body.split("\n")
    for block in _MD.parse(body) if tokens is None else tokens:
        if block.type != "inline" or not block.children:
            continue
        start, end = block.map or (0, 1)
        for token in _walk(block.children):
            if token.type == "link_open":
                url, kind = str(token.attrGet("href") or ""), "link"
            elif token.type == "image":
                url, kind = str(token.attrGet("src") or ""), "image"
            else:
                continue
            yield Reference(kind, url, body_line + _line_in(source_lines, start, end, url))


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _line_in(lines: list[str], start: int, end: int, url: str) -> int:
    """0-based line within the block that mentions `url` (markdown-it maps blocks, not inlines)."""
    needle = url[:40]
    for index in range(start, min(end, len(lines))):
        if needle and needle in lines[index]:
            return index
    return start


def is_local_file(url: str) -> bool:
    """A relative path with no scheme, host or backslash: the only image source we publish."""
    return url_scheme(url) is None and not url.startswith("//") and "\\" not in url


def link_problem(url: str) -> str | None:
    scheme = url_scheme(url)
    if scheme is None or scheme in SAFE_LINK_SCHEMES:
        return None
    return (
        f"link `{_short(url)}` uses the `{scheme}:` scheme, which is not allowed: "
        "use an http, https or mailto link, or remove it"
    )


def image_problem(url: str, slug: str, account_dir: Path) -> str | None:
    """Why an image reference is refused, or None when it is a file in the account's folder."""
    folder = f"content/accounts/{slug}/"
    named = url_scheme(url) in (None, "http", "https")  # a real file name worth suggesting
    name = (Path(urlsplit(url).path).name if named else "") or "image.png"
    fix = f"put the image in {folder} and write `![description]({name})`"
    if url_scheme(url) is not None or url.startswith("//"):
        return f"image `{_short(url)}` is not a file in {folder} (remote images are never fetched): {fix}"
    path = unquote(urlsplit(url).path)
    if not path or path.startswith("/") or "\\" in path:
        return f"image `{_short(url)}` is not a file in {folder}: {fix}"
    folder_path = account_dir.resolve()
    target = (account_dir / path).resolve()
    if not target.is_relative_to(folder_path):
        return f"image `{_short(url)}` points outside {folder}: {fix}"
    if not target.is_file():
        return f"image `{_short(url)}` was not found in {folder}: {fix}"
    return None


def _short(url: str) -> str:
    return url if len(url) <= 60 else url[:57] + "..."


def render(body: str, tokens: list[Token] | None = None) -> str:
    """Narrative HTML with unsafe links neutralised; images keep their relative source.
    The tokens are changed on the way: do not read them afterwards."""
    tokens = _MD.parse(body) if tokens is None else tokens
    for token in _walk(tokens):
        if token.type in ("heading_open", "heading_close"):
            # The report's own sections are h2: narrative headings nest below them.
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        if token.type == "link_open" and not is_safe_link(str(token.attrGet("href") or "")):
            token.attrSet("href", "#")
        if token.type == "link_open":
            token.attrSet("rel", "noopener noreferrer")
        if token.type == "image" and not is_local_file(str(token.attrGet("src") or "")):
            token.attrSet("src", "")
    return _MD.renderer.render(tokens, _MD.options, {})
