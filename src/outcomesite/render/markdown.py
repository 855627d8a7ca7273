"""The narrative's tokens (parsed and checked by load/narrative.py) as safe HTML.

Headings move one level down (the report's own sections are h2), links that are not http, https,
mailto or relative are neutralised, every link gets `rel="noopener noreferrer"`, and images keep
only a relative source. The policy already refused all of these in `check`; rendering never trusts
that it ran.
"""

from __future__ import annotations

from markdown_it.token import Token

from outcomesite.load.narrative import MARKDOWN, is_local_file, is_safe_link, parse, walk


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
    return str(MARKDOWN.renderer.render(tokens, MARKDOWN.options, {}))


def render_text(body: str) -> str:
    """HTML for a Markdown body, parsed here (for callers that did not validate it first)."""
    return render(parse(body))
