"""The plain-body fast path (render/markdown.py): bodies with no link, image, HTML or table syntax
are rendered by markdown-it-pyrs, and must come out byte for byte as markdown-it-py renders them;
every other body keeps the token-level policy (test_content_safety.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomesite.load.narrative import is_plain, parse
from outcomesite.render.markdown import (
    _OTHER_SPACE,
    _other_space,
    render,
    render_plain,
    render_text,
    renders_alike,
)

PLAIN = [
    "# T\n\nSome *em* and **strong** and ~~gone~~ text.\n",
    "Title\n=====\n\nSub\n---\n\n* a\n* b\n  * c\n\n1. one\n2. two\n",
    "```python\nx = 1 & 2 > 3 \"q\" 'a'\n```\n\n    indented\n",
    "a  \nb\\\nc\n\n***\n\n&amp; &copy; &#35; &nbsp; AT&T \"quotes\" 'single'\n",
    '`code & "x"` and \\_ escaped _under_ __dbl__\n',
    "Ünïcödé — “smart” 50 % ≥ 3\n\n###### six\n\n####### seven\n",
    "1) paren\n2) list\n\n3. start at three\n4. four\n",
    "tab\tbetween\n\n* loose\n\n* list\n",
    "",
    "\n\n",
    "text with trailing spaces   \n",
    "a > b and c -> d\n",
    "~~~\nfence ~~~\n~~~\n",
    "## What's working\n\nOnboarding is faster: 60 days -> 38 (javascript: is just text here).\n",
    "http://example.com is not a link without linkify\n",
]

NOT_PLAIN = [
    "[a link](https://example.com)",
    "![an image](chart.png)",
    "<https://example.com>",
    "<script>alert(1)</script>",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[ref]: https://example.com\n",
]


@pytest.mark.parametrize("body", PLAIN)
def test_a_plain_body_renders_as_the_token_path_does(body: str) -> None:
    assert is_plain(body) and renders_alike(body)
    assert render_plain(body) == render(parse(body))


# Plain bodies where markdown-it-pyrs 0.4 and markdown-it-py disagree (found by fuzzing): these
# are rendered by markdown-it-py. Should a new markdown-it-pyrs agree, the check still holds.
DIFFERENT = [
    ">\n",  # an empty blockquote
    ">)\n4.\n",  # a list item that ends a blockquote's lazy line
    "* \t>\n",
    "_a *b_ c* d_e*\n",  # emphasis that mixes * and _
    "~~~x\nunclosed fence",  # no newline at the end
    "\u00a0\n",  # a no-break space, trimmed by one parser only
    "R\u00e9sultat\u202f: 12\u00a0%\n",
    "line\r\n",  # ASCII whitespace besides space, tab and newline
    "a\x0cb\n",
    "a\x1fb\n",
]


@pytest.mark.parametrize("body", DIFFERENT)
def test_where_the_parsers_differ_the_token_path_renders(body: str) -> None:
    assert is_plain(body) and not renders_alike(body)
    assert render_text(body) == render(parse(body))


@pytest.mark.parametrize("body", NOT_PLAIN)
def test_links_images_html_and_tables_take_the_token_path(body: str) -> None:
    assert not is_plain(body)
    assert render_text(body) == render(parse(body))


@pytest.mark.parametrize("ascii_body", [True, False])
def test_other_whitespace_is_found_as_the_expression_finds_it(ascii_body: bool) -> None:
    """The substring fast path for ASCII bodies finds exactly what `_OTHER_SPACE` does, for
    every character up to U+3000 (the last whitespace)."""
    for code in range(0x3001):
        body = f"a{chr(code)}b {'' if ascii_body else 'é'}\n"
        if ascii_body and not body.isascii():
            continue
        assert _other_space(body) == (_OTHER_SPACE.search(body) is not None), hex(code)


def test_headings_move_down_a_level_on_both_paths() -> None:
    assert render_plain("# One\n\n###### Six\n") == "<h2>One</h2>\n<h6>Six</h6>\n"


# Markdown's punctuation without [, < and |, Unicode spaces and letters: what a narrative may hold.
_PLAIN_TEXT = st.text(
    alphabet=st.sampled_from(list("ab c\n\t#*_~`>-+=.!\\&;:'\"()0123456789é—\u00a0\u2003")),
    max_size=200,
)


@settings(max_examples=2000, deadline=None)
@given(_PLAIN_TEXT)
def test_any_body_renders_the_same_on_both_paths(body: str) -> None:
    """Whichever path render_text takes, the HTML is markdown-it-py's."""
    assert render_text(body) == render(parse(body))
