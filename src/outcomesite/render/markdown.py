"""The narrative's tokens (parsed and checked by load/narrative.py) as safe HTML.

Headings move one level down (the report's own sections are h2), links that are not http, https,
mailto or relative are neutralised, every link gets `rel="noopener noreferrer"`, and images keep
only a relative source. The policy already refused all of these in `check`; rendering never trusts
that it ran.

A plain body (no link, image, HTML or table syntax: load/narrative.py's `is_plain`, most of them)
has nothing for that policy to change, and validation did not parse it. markdown-it-pyrs, the Rust
port of the same parser, renders such a body many times faster, byte for byte as markdown-it-py
does, except in corners found by fuzzing it against markdown-it-py (tests/test_markdown_plain.py):
blockquotes, emphasis that mixes `*` and `_`, whitespace other than spaces and tabs (a French
narrative's no-break spaces), and a last line without its newline. Those bodies
are parsed and rendered by markdown-it-py, like the others.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import markdown_it_pyrs

from outcomesite.load.narrative import (
    is_local_file,
    is_plain,
    is_safe_link,
    markdown,
    parse,
    walk,
)

if TYPE_CHECKING:
    from markdown_it.token import Token


def _plain_parser() -> markdown_it_pyrs.MarkdownIt:
    """CommonMark with strikethrough and no raw HTML, like load/narrative.py's. (No tables: a
    plain body has no `|`, without which markdown-it-py never makes one; the Rust port would.)"""
    md = markdown_it_pyrs.MarkdownIt("zero")
    md.enable_many(
        [
            *("blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph"),
            *("reference", "autolink", "backticks", "emphasis", "entity", "escape", "image"),
            *("link", "newline", "strikethrough"),
        ]
    )
    return md


PLAIN = _plain_parser()
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
# Whitespace besides the space, tab and newline (a no-break space, \r): the parsers trim it apart.
_OTHER_SPACE = re.compile(r"[^\S \t\n]")
_OTHER_ASCII_SPACE = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
# A line that opens a blockquote, after any list markers.
_BLOCKQUOTE = re.compile(r"(?m)^[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*>")


def _other_space(body: str) -> bool:
    """Whether `_OTHER_SPACE` is in the body. An ASCII body (most) can only hold the ASCII ones,
    which substring searches find many times faster than the expression's scan."""
    if body.isascii():
        return any(space in body for space in _OTHER_ASCII_SPACE)
    return _OTHER_SPACE.search(body) is not None


def renders_alike(body: str) -> bool:
    """Both parsers give this body the same HTML: a plain body outside the corners where the
    Rust port was found to differ."""
    return (
        is_plain(body)
        and (body == "" or body.endswith("\n"))
        and not ("*" in body and "_" in body)
        and not _other_space(body)
        and (">" not in body or _BLOCKQUOTE.search(body) is None)
    )


def render(tokens: list[Token]) -> str:
    """HTML for parsed tokens. The tokens are changed on the way: do not read them afterwards."""
    for token in walk(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        if token.type == "link_open" and not is_safe_link(str(token.attrGet("href") or "")):
            token.attrSet("href", "#")
        if token.type == "link_open":
            token.attrSet("rel", "noopener noreferrer")
        if token.type == "image" and not is_local_file(str(token.attrGet("src") or "")):
            token.attrSet("src", "")
    parser = markdown()
    return str(parser.renderer.render(tokens, parser.options, {}))


def render_plain(body: str) -> str:
    """HTML for a body `renders_alike` accepted: only the headings move down a level. (A body
    with a `<` never comes here, so every `<hN>` in the HTML is a heading the parser wrote.)"""
    html = PLAIN.render(body)
    return _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}>", html)


def render_text(body: str) -> str:
    """HTML for a Markdown body, parsed here (for callers that did not validate it first)."""
    return render_plain(body) if renders_alike(body) else render(parse(body))
