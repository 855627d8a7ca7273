"""Random and mutated front matter never produces a traceback, only diagnostics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomesite.load.account import validate_text
from outcomesite.model.config import SiteConfig
from tests.conftest import AS_OF, VALID

CONFIG = SiteConfig()
SITE_ROOT = Path("/nonexistent")

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
    loaded = validate_text(raw, "content/accounts/acme.md", "acme", SITE_ROOT, CONFIG, AS_OF)
    account, diagnostics = loaded.account, loaded.diagnostics
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


# Whatever passes check renders: numbers anywhere in the accepted range, dates back to 1900,
# histories, zero and negative values (build once crashed on -1e308..1e308 in the chart's ticks).
NUMBERS = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -0.0, 0.0, 1e-300, -1e-300, 1e15, -1e15, 0.1, 2.5]),
)
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=AS_OF)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    baseline=NUMBERS,
    target=NUMBERS,
    current=st.none() | NUMBERS,
    measured=DATES,
    history=st.lists(st.tuples(DATES, NUMBERS), max_size=4),
    unit=st.sampled_from(["", "%", "USD", "EUR", "JPY", "days", "tickets/day"]),
)
def test_whatever_passes_check_renders(
    baseline: float,
    target: float,
    current: float | None,
    measured: dt.date,
    history: list[tuple[dt.date, float]],
    unit: str,
) -> None:
    from outcomesite.build.plan import narrative_of
    from outcomesite.load.site import Site
    from outcomesite.render.page import AccountPage
    from outcomesite.render.pages import pieces_html, report_html
    from outcomesite.render.theme import Theme

    lines = [
        "---",
        "account: Fuzz",
        "segment: smb",
        "csm: Dana",
        "start_date: 1990-01-01",
        "results:",
        "  - id: r1",
        "    goal: Goal",
        "    metric: Metric",
        f"    baseline: {baseline!r}",
        f"    target: {target!r}",
        "    owner: Dana",
    ]
    if unit:
        lines.append(f'    unit: "{unit}"')
    if current is not None:
        lines += [f"    current: {current!r}", f"    measured_on: {measured.isoformat()}"]
    if history:
        lines.append("    history:")
        lines += [
            f"      - {{date: {day.isoformat()}, value: {value!r}}}" for day, value in history
        ]
    raw = ("\n".join(lines) + "\n---\nBody\n").encode()
    loaded = validate_text(raw, "content/accounts/acme.md", "acme", SITE_ROOT, CONFIG, AS_OF)
    if loaded.account is None:
        return  # target == baseline, a duplicate date: refused with a message, never a crash
    site = Site(SITE_ROOT, CONFIG, AS_OF, (loaded.account,), tuple(loaded.diagnostics))
    theme = Theme(SITE_ROOT, "default")
    page = AccountPage(loaded.account, "link", narrative_of(loaded))
    html = report_html(site, theme, page, pdf=False)
    assert "Fuzz" in html and "-0%" not in html
    pieces_html(site, theme, page)
