"""Random and mutated front matter never produces a traceback, only diagnostics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomesite.config import SiteConfig
from outcomesite.validate import validate_text
from tests.conftest import AS_OF, VALID

CONFIG = SiteConfig()
ASSET_DIR = Path("/nonexistent/content/accounts/acme")

# Pieces a hurried editor (or an attacker) might type into YAML.
TOKENS = [
    "\n",
    "  ",
    "- ",
    ": ",
    "---",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "!!str ",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "#",
    "|",
    ">",
    "%",
    "65%",
    "1:30",
    "0123",
    "NO",
    "on",
    "~",
    "null",
    "\t",
    "2026-02-30",
    "2026-11-01",
    "1e400",
    ".nan",
    "-.inf",
    "owner",
    "results",
    "validator",
    "history",
    "id",
    "baseline",
    "target",
    "current",
    "<<: ",
    "\x00",
    "\ufeff",
    "é",
    "[x](javascript:1)",
    "![i](../x.png)",
]


def check(raw: bytes) -> None:
    account, diagnostics = validate_text(
        raw, "content/accounts/acme.md", "acme", ASSET_DIR, CONFIG, AS_OF
    )
    for d in diagnostics:
        assert d.line >= 1
        assert d.severity in ("error", "warning")
        assert d.message
    if account is None:
        assert any(d.severity == "error" for d in diagnostics)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(raw: bytes) -> None:
    check(b"---\n" + raw + b"\n---\nbody\n")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=60))
def test_random_token_soup(parts: list[str]) -> None:
    check(("---\n" + "".join(parts) + "\n---\n").encode("utf-8", "surrogatepass"))


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(VALID)),
            st.integers(min_value=0, max_value=12),
            st.sampled_from(TOKENS) | st.text(max_size=6),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_valid_account(edits: list[tuple[int, int, str]]) -> None:
    text = VALID
    for position, delete, insert in edits:
        position = min(position, len(text))
        text = text[:position] + insert + text[position + delete :]
    check(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["account", "segment", "csm", "start_date", "usage", "link_version", "results", "x"]
        ),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats()
            | st.text(max_size=10)
            | st.dates(min_value=dt.date(1, 1, 1)),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=8), inner, max_size=3)
            ),
            max_leaves=12,
        ),
    )
)
def test_structured_front_matter(data: dict[str, object]) -> None:
    import yaml

    body = yaml.safe_dump(data, allow_unicode=True)
    check(("---\n" + body + "---\n").encode("utf-8", "surrogatepass"))
