"""The narrative's Markdown: the one configured parser, and the policy its links, images and size
must follow. Parsing is validation's job (the links and images are checked on the token stream);
turning tokens into HTML is the render stage's (render/markdown.py), with the same parser.

Narratives are untrusted: raw HTML is escaped (markdown-it's `html` option is off), only http, https,
mailto and relative links survive, images must be image files inside the account's own folder (so
must the customer's logo, `logo:` in the front matter: one policy for both), and tables and links
are limited to what a report can show.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from outcomesite.files import REASONS, UnsafeFile, read_inside
from outcomesite.layout import ACCOUNTS, MAX_LINKS, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS
from outcomesite.load import images

if TYPE_CHECKING:
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


@functools.cache
def markdown() -> MarkdownIt:
    """The parser, made when a body first needs it: a site whose narratives are all plain (and
    a rebuild of one plain account) never imports markdown-it-py."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    # Accept every URL while parsing so the policy below sees (and reports) dangerous ones,
    # instead of markdown-it silently turning them into plain text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@dataclass(frozen=True)
class Reference:
    """A link or image in the narrative, with the 1-based line of the file it is on."""

    kind: str  # "link" | "image"
    url: str
    line: int


def is_plain(body: str) -> bool:
    """No link, image, HTML or table can be in this body: all of them need a `[`, `<` or `|`. A
    body with none of them has nothing for the policy below to check, so validation does not
    parse it. (Three substring searches: a fraction of one regular expression's scan.)"""
    return "[" not in body and "<" not in body and "|" not in body


def parse(body: str) -> list[Token]:
    """Parse once; `references` and `render` both take the tokens (validation reads the links,
    the report shows the text, and a large site should not pay for parsing twice)."""
    return markdown().parse(body)


def references(body: str, body_line: int, tokens: list[Token] | None = None) -> Iterator[Reference]:
    source_lines = body.split("\n")
    for block in markdown().parse(body) if tokens is None else tokens:
        if block.type != "inline" or not block.children:
            continue
        start, end = block.map or (0, 1)
        for token in walk(block.children):
            if token.type == "link_open":
                url, kind = str(token.attrGet("href") or ""), "link"
            elif token.type == "image":
                url, kind = str(token.attrGet("src") or ""), "image"
            else:
                continue
            yield Reference(kind, url, body_line + _line_in(source_lines, start, end, url))


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


def walk(tokens: list[Token]) -> Iterator[Token]:
    """Every token, children after their parent."""
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def link_problem(url: str) -> str | None:
    scheme = url_scheme(url)
    if scheme is None or scheme in SAFE_LINK_SCHEMES:
        return None
    return (
        f"link `{_short(url)}` uses the `{scheme}:` scheme, which is not allowed: "
        "use an http, https or mailto link, or remove it"
    )


VERSION_FOLDER = re.compile(r"^v[0-9]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def image_target(url: str, root: Path, slug: str) -> tuple[str | None, str | None]:
    """(the path it is published at, inside the report's folder; why it is refused).

    An image must be an image file (by its content, see images.py) inside the account's own
    folder content/accounts/<slug>/, reached without any link, under the size limit, and must not
    take the place of one of the report's own files.
    """
    folder = f"{ACCOUNTS}/{slug}/"
    named = url_scheme(url) in (None, "http", "https")  # a real file name worth suggesting
    name = (PurePosixPath(urlsplit(url).path).name if named else "") or "image.png"
    return _published_image(
        url,
        unquote(urlsplit(url).path),
        root,
        slug,
        _Wording(
            subject=f"image `{_short(url)}`",
            fix=f"put the image in {folder} and write `![description]({_short(name)})`",
            example="`![description](image.png)`",
        ),
    )


def logo_target(value: str, root: Path, slug: str) -> tuple[str | None, str | None]:
    """(the published name of the customer's logo, `logo:` in the account file; why it is
    refused). The logo is published next to the report exactly like a narrative's image, so it
    meets the same policy; only the wording differs, and the value is a file name as written (no
    Markdown URL, so no %-escapes)."""
    folder = f"{ACCOUNTS}/{slug}/"
    named = url_scheme(value) in (None, "http", "https")
    name = (PurePosixPath(value).name if named else "") or "logo.png"
    return _published_image(
        value,
        value,
        root,
        slug,
        _Wording(
            subject=f"`logo` `{_short(value)}`",
            fix=f"put the logo in {folder} and write `logo: {_short(name)}`",
            example="`logo: logo.png`",
        ),
    )


@dataclass(frozen=True)
class _Wording:
    """How a refusal names the file and its fix: a narrative's image or the account's logo."""

    subject: str  # "image `chart.png`", "`logo` `logo.png`"
    fix: str  # where to put the file and how to refer to it
    example: str  # how to refer to a PNG file


def _published_image(
    url: str, path: str, root: Path, slug: str, say: _Wording
) -> tuple[str | None, str | None]:
    """The one image policy, for the narrative's images and the logo alike: `url` as written,
    `path` the file it names."""
    folder = f"{ACCOUNTS}/{slug}/"
    if url_scheme(url) is not None or url.startswith("//"):
        return None, (
            f"{say.subject} is not a file in {folder} (remote images are never fetched): {say.fix}"
        )
    if not path or path.startswith("/") or "\\" in path or _CONTROL.search(path):
        return None, f"{say.subject} is not a file in {folder}: {say.fix}"
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        return None, f"{say.subject} points outside {folder}: {say.fix}"
    kind = images.extension_kind(parts[-1])
    if kind is None:
        return None, (
            f"{say.subject} is not a {images.KINDS} file: only images are published "
            f"next to a report; export it as PNG and write {say.example}"
        )
    if len(parts) > 1 and VERSION_FOLDER.match(parts[0]):
        return None, (
            f"{say.subject} is in a folder named `{parts[0]}`, which is where version "
            f"{parts[0][1:]} of the report is published: rename that folder, e.g. `images/`"
        )
    try:
        data = read_inside(
            root,
            [*ACCOUNTS.split("/"), slug, *parts],
            images.MAX_IMAGE_BYTES,
            head=None if kind == "SVG" else images.HEAD_BYTES,
        )
    except UnsafeFile as unsafe:
        return None, f"{say.subject} {_unsafe_reason(unsafe, folder, say.fix)}"
    if problem := images.content_problem(kind, data):
        return None, (
            f"{say.subject} {problem}: only images are published next to a report; "
            "export it again as PNG"
        )
    return "/".join(parts), None


def _unsafe_reason(unsafe: UnsafeFile, folder: str, fix: str) -> str:
    if unsafe.reason == "too-large":
        return (
            f"is {_megabytes(unsafe.size)}, over the {_megabytes(images.MAX_IMAGE_BYTES)} limit "
            "for images: make it smaller, e.g. export it at a lower resolution"
        )
    if unsafe.reason == "missing":
        return f"was not found in {folder}: {fix}"
    if unsafe.reason == "link":
        return (
            f"is reached through a link (symlink) in {folder}: commit the image itself, not a "
            "link; nothing outside the account's own folder is published"
        )
    return f"{REASONS[unsafe.reason]}: put a regular image file in {folder}"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB".replace(".0 MB", " MB")


def size_problems(tokens: list[Token], body_line: int) -> list[tuple[int, str]]:
    """(line, message) for tables too wide, too many table rows, too many links: what a report
    (and its PDF) cannot show sensibly, and what a hostile file under the 1 MB cap could use to
    need gigabytes of memory to lay out."""
    problems: list[tuple[int, str]] = []
    rows = links = 0
    table_line = body_line
    for index, token in enumerate(tokens):
        line = body_line + (token.map[0] if token.map else 0)
        if token.type == "table_open":
            table_line = line
            columns = _columns(tokens, index)
            if columns > MAX_TABLE_COLUMNS:
                problems.append(
                    (
                        line,
                        f"this table has {columns} columns; a report shows at most "
                        f"{MAX_TABLE_COLUMNS} (a wider table cannot be read on a page or in the "
                        "PDF): split it into smaller tables",
                    )
                )
        elif token.type == "tr_open":
            rows += 1
            if rows == MAX_TABLE_ROWS + 1:
                problems.append(
                    (
                        table_line,
                        f"the narrative's tables have more than {MAX_TABLE_ROWS} rows in all: a "
                        "report is not a spreadsheet; keep the rows that matter",
                    )
                )
        elif token.type == "inline" and token.children:
            links += sum(t.type in ("link_open", "image") for t in walk(token.children))
    if links > MAX_LINKS:
        problems.append(
            (
                body_line,
                f"the narrative has {links} links and images, more than {MAX_LINKS}: keep the "
                "ones a reader needs",
            )
        )
    return problems


def _columns(tokens: list[Token], start: int) -> int:
    """Header cells of the table that opens at `start` (markdown tables are as wide as their
    header row)."""
    count = 0
    for token in tokens[start + 1 :]:
        if token.type == "th_open":
            count += 1
        elif token.type in ("tr_close", "table_close"):
            break
    return count


def _short(url: str) -> str:
    return url if len(url) <= 60 else url[:57] + "..."
