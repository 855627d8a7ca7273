"""Characters the PDF's fonts cannot draw: the installed fonts (scripts/test and the workflows
install Debian's Noto fonts), `check`'s warning about a character no installed font covers, and
real PDFs drawn with those fonts.

Nothing of the project is mocked: coverage comes from the real `fc-list`, PDFs from a real build.
Where a test needs "the old fonts", it points fontconfig at a configuration that knows only the
DejaVu fonts (FONTCONFIG_FILE), the only fonts the workflows installed before: the same test with
the system's fonts then shows the difference.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from outcomesite.load import glyphs
from outcomesite.load.glyphs import (
    SHORTCUT,
    Coverage,
    describe,
    installed_coverage,
    invisible,
    parse_charsets,
    undrawable,
)
from outcomesite.pdf.cache import fonts_fingerprint, renderer_tag
from tests.conftest import AS_OF, VALID, diagnostics_of, edited, make_site, run_cli

P = "content/accounts/acme.md"
SECRET = "s-0123456789abcdef0123456789abcdef"
PACKAGES = "fonts-dejavu-core fonts-noto-core fonts-noto-color-emoji fonts-noto-cjk"
# Beyond SHORTCUT, so fontconfig is asked: an emoji, Japanese, Korean, Arabic, Devanagari, Thai,
# Hebrew, and emoji sequences held together by invisible characters.
MANY_SCRIPTS = "Café 🚀 Ltd 株式会社"
SEQUENCES = (
    "👨\u200d👩\u200d👧 family (ZWJ), 👍🏽 (skin tone), 🇩🇪 (flag), 1\ufe0f\u20e3 (keycap), "
    "\u2764\ufe0f (emoji presentation), 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067"
    "\U000e007f (tag sequence), cafe\u0301 (combining accent)"
)


def fc_list(*args: str) -> str:
    fc = shutil.which("fc-list")
    assert fc, f"fontconfig's fc-list is missing: apt-get install fontconfig {PACKAGES}"
    return subprocess.run([fc, *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def families() -> set[str]:
    """The installed font families; the fonts the workflows name must be among them."""
    found = set(fc_list("--format", "%{family[0]}\n").splitlines())
    # A family of each package, as scripts/test looks for them.
    needed = {"DejaVu Sans", "Noto Sans Devanagari", "Noto Color Emoji", "Noto Sans CJK JP"}
    missing = needed - found
    assert not missing, f"fonts missing: {sorted(missing)}; scripts/test installs {PACKAGES}"
    return found


@pytest.fixture
def fresh_coverage() -> Iterator[None]:
    """The per-process coverage read again, before and after the test (it may change PATH or
    FONTCONFIG_FILE, which the cached coverage would not see)."""
    installed_coverage.cache_clear()
    yield
    installed_coverage.cache_clear()


@pytest.fixture
def coverage(families: set[str], fresh_coverage: None) -> Coverage:
    """What the installed fonts can draw, read now from the real `fc-list`."""
    found = installed_coverage()
    assert found is not None
    return found


def uncovered_private_use(coverage: Coverage) -> str:
    """A private-use character no installed font has: computed from the real coverage, so the
    warning tests cannot pass because some font happens to have it."""
    char = next((chr(c) for c in range(0xE000, 0xF900) if c not in coverage), None)
    assert char is not None, "every private-use character is covered by some installed font"
    return char


def dejavu_only(folder: Path) -> Path:
    """A fontconfig configuration that knows only the DejaVu fonts (the workflows' old setup),
    for FONTCONFIG_FILE."""
    dirs = {Path(f).parent for f in fc_list("--format", "%{file}\n", "DejaVu Sans").split()}
    assert dirs, "DejaVu Sans is not installed"
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<fontconfig>\n'
        + "".join(f"  <dir>{d}</dir>\n" for d in sorted(dirs))
        + f"  <cachedir>{folder / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return config


# --- reading fontconfig's character sets -------------------------------------------------------


@pytest.mark.parametrize(
    ("charsets", "ranges"),
    [
        ("", ()),
        ("20-7e a0-17f 192\n", ((0x20, 0x7E), (0xA0, 0x17F), (0x192, 0x192))),
        # several fonts (lines): overlapping and adjacent ranges become one
        ("20-7e\n41-5a 7f\n80-9f\n", ((0x20, 0x9F),)),
        # any order, duplicates
        (
            "1f680 20-30\n20-30 1f600-1f64f\n",
            ((0x20, 0x30), (0x1F600, 0x1F64F), (0x1F680, 0x1F680)),
        ),
        # the whole of Unicode, upper case
        ("0-10FFFF", ((0, 0x10FFFF),)),
        # what is not a hex range (a newer fontconfig's output, an error) is skipped
        ("20-7e zz 7e-20 110000 -5 e000-", ((0x20, 0x7E),)),
    ],
)
def test_charsets_become_sorted_disjoint_ranges(
    charsets: str, ranges: tuple[tuple[int, int], ...]
) -> None:
    assert parse_charsets(charsets).ranges == ranges


@pytest.mark.parametrize(
    ("code", "inside"),
    [(0x1F, False), (0x20, True), (0x7E, True), (0x7F, False), (0xA0, True), (0x192, True),
     (0x193, False), (0x1F680, True), (0x1F681, False), (0x10FFFF, False)],
)  # fmt: skip
def test_lookup_by_bisection(code: int, inside: bool) -> None:
    coverage = parse_charsets("20-7e a0-17f 192\n1f680\n")
    assert (code in coverage) is inside


def test_the_real_fc_list_output_is_read_whole(coverage: Coverage) -> None:
    output = fc_list("--format", "%{charset}\n")
    assert coverage == parse_charsets(output)
    starts = [first for first, _ in coverage.ranges]
    assert starts == sorted(starts)
    assert all(a[1] + 1 < b[0] for a, b in zip(coverage.ranges, coverage.ranges[1:], strict=False))
    # every range of every font is inside the union, and nothing else is
    for line in output.splitlines():
        for token in line.split():
            first, _, last = token.partition("-")
            assert int(first, 16) in coverage and int(last or first, 16) in coverage, token
    total = sum(last - first + 1 for first, last in coverage.ranges)
    assert 60_000 < total < 0x110000  # the Noto set: tens of thousands of characters, CJK included
    for char in "A€🚀株한ไनم":
        assert ord(char) in coverage, describe(char)


def test_the_shortcut_is_drawn_by_dejavu_sans(families: set[str]) -> None:
    """The characters never looked up are really there in DejaVu Sans (fonts-dejavu-core, which
    every workflow installs), regular and bold: the fast path skips nothing that could be a box."""
    for style in ("Book", "Bold"):
        charsets = fc_list("--format", "%{charset}\n", f"DejaVu Sans:style={style}")
        assert charsets.strip(), f"DejaVu Sans {style} is not installed"
        dejavu = parse_charsets(charsets.splitlines()[0])
        missing = [
            f"U+{code:04X}"
            for first, last in SHORTCUT
            for code in range(first, last + 1)
            if unicodedata.category(chr(code)) != "Cn"
            and not invisible(chr(code))
            and code not in dejavu
        ]
        assert missing == [], f"DejaVu Sans {style} lacks {missing[:10]}"


@pytest.mark.parametrize(
    ("char", "draws_nothing"),
    [
        ("\u200d", True),  # ZERO WIDTH JOINER (Cf): holds emoji sequences together
        ("\ufe0f", True),  # VARIATION SELECTOR-16 (Mn, default-ignorable)
        ("\U000e0067", True),  # TAG LATIN SMALL LETTER G (Cf): flags of England, Scotland
        ("\u00ad", True),  # SOFT HYPHEN
        ("\u200f", True),  # RIGHT-TO-LEFT MARK
        ("\u3164", True),  # HANGUL FILLER (Lo, but default-ignorable)
        ("\n", True),
        ("\u3000", True),  # IDEOGRAPHIC SPACE
        ("\u0301", False),  # COMBINING ACUTE ACCENT: a mark is drawn
        ("\u20e3", False),  # COMBINING ENCLOSING KEYCAP
        ("\U0001f3fd", False),  # EMOJI MODIFIER FITZPATRICK TYPE-4
        ("\ue000", False),  # private use
        ("A", False),
    ],
)
def test_what_draws_nothing_is_never_a_box(char: str, draws_nothing: bool) -> None:
    assert invisible(char) is draws_nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme Corp", []),
        ("Müller Maschinenbau — “Ltd” Ελλάδα Россия 5 €", []),
        (MANY_SCRIPTS + " Ελλάδα Россия مرحبا नमस्ते ไทย עברית 한국어", []),
        (SEQUENCES, []),
        ("\U0001d173", []),  # MUSICAL SYMBOL BEGIN BEAM: default-ignorable, never a box
        ("a\ue000b\ue000c", ["\ue000"]),  # each character once
    ],
)
def test_undrawable_characters(coverage: Coverage, text: str, expected: list[str]) -> None:
    private = uncovered_private_use(coverage)
    assert undrawable(text.replace("\ue000", private)) == [
        c.replace("\ue000", private) for c in expected
    ]


@pytest.mark.parametrize(
    ("char", "described"),
    [
        ("🚀", '"🚀" (U+1F680 ROCKET)'),
        ("株", '"株" (U+682A CJK UNIFIED IDEOGRAPH-682A)'),
        ("\ue000", '"\ue000" (U+E000, a private-use character)'),
        (
            "\U0010fffd",
            '"\U0010fffd" (U+10FFFD, a private-use character)',
        ),
    ],
)
def test_characters_are_named_for_the_csm(char: str, described: str) -> None:
    assert describe(char) == described


# --- `check` -------------------------------------------------------------------------------


def message(field: str, char: str) -> str:
    return (
        f"{field} has a character no installed font can draw: {describe(char)}; it prints as an "
        "empty box in the PDF: remove it, or install a font that has it where the site is built "
        "(admin guide: Fonts)"
    )


def test_check_warns_at_a_character_no_font_has(tmp_path: Path, coverage: Coverage) -> None:
    box = uncovered_private_use(coverage)
    make_site(tmp_path, {"acme": edited("", [("account: Acme Corp", f"account: Acme {box} Corp")])})

    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0
    assert result.stdout == f"{P}:2: warning: {message('`account`', box)}\n"
    assert result.stderr == "0 error(s), 1 warning(s) in 1 account file(s)\n"

    strict = run_cli(tmp_path, "check", "--strict", "--as-of", AS_OF.isoformat())
    assert strict.exit_code == 1
    assert strict.stdout == result.stdout


def test_every_customer_visible_text_is_checked_once(tmp_path: Path, coverage: Coverage) -> None:
    box = uncovered_private_use(coverage)
    other = next(chr(c) for c in range(ord(box) + 1, 0xF900) if c not in coverage)
    text = edited(
        "",
        [
            ("goal: Cut onboarding time", f"goal: Cut onboarding time {box}{box}"),
            ("unit: days", f"unit: days{box}"),
            ("name: Priya Shah", f"name: Priya Shah {box} {other}"),
            ("role: VP Operations", f"role: VP Operations {box}"),
            ("Onboarding is faster.", f"Onboarding is faster {box}.\n\nAnd cheaper {other}."),
        ],
        VALID.replace(
            "---\n## What's working",
            f"next_steps:\n  - step: Roll out {box}\n    owner: Dana Reyes\n---\n## What's working",
        ),
    )
    make_site(tmp_path, {"acme": text})
    both = (
        f"has 2 characters no installed font can draw: {describe(box)}, {describe(other)}; they "
        "print as empty boxes in the PDF: remove them, or install a font that has them where the "
        "site is built (admin guide: Fonts)"
    )
    assert diagnostics_of(tmp_path) == [
        f"{P}:8: warning: result `onboarding-time`: {message('`goal`', box)}",
        f"{P}:10: warning: result `onboarding-time`: {message('`unit`', box)}",
        f"{P}:19: warning: result `onboarding-time`, validator: `name` {both}",
        f"{P}:20: warning: result `onboarding-time`, validator: {message('`role`', box)}",
        f"{P}:23: warning: next step 1: {message('`step`', box)}",
        f"{P}:28: warning: the narrative has 2 characters no installed font can draw: "
        f"{describe(box)}, {describe(other)} on line 30; they print as empty boxes in the PDF: "
        "remove them, or install a font that has them where the site is built (admin guide: Fonts)",
    ]
    built = run_cli(
        tmp_path,
        "build",
        "--no-pdf",
        "--as-of",
        AS_OF.isoformat(),
        env={"OUTCOMESITE_SECRET": SECRET},
    )
    assert "6 texts with a character no installed font can draw" in built.stderr, built.stderr


def test_a_long_list_of_characters_is_cut_short(tmp_path: Path, coverage: Coverage) -> None:
    boxes = [chr(c) for c in range(0xE000, 0xF900) if c not in coverage][:7]
    assert len(boxes) == 7
    account = "".join(boxes)
    make_site(tmp_path, {"acme": edited("", [("account: Acme Corp", f"account: Acme {account}")])})
    named = ", ".join(describe(c) for c in boxes[:5])
    assert diagnostics_of(tmp_path) == [
        f"{P}:2: warning: `account` has 7 characters no installed font can draw: {named} and 2 "
        "more; they print as empty boxes in the PDF: remove them, or install a font that has "
        "them where the site is built (admin guide: Fonts)"
    ]


def test_emoji_cjk_and_other_scripts_give_no_warning(
    tmp_path: Path, families: set[str], fresh_coverage: None
) -> None:
    text = edited(
        "",
        [
            ("account: Acme Corp", f"account: {MANY_SCRIPTS}"),
            ("metric: Days to onboard", "metric: Days to onboard (नमस्ते, مرحبا, ไทย)"),
            ("name: Priya Shah", "name: 김지수"),
            ("role: VP Operations", "role: 運用部長"),
            ("Onboarding is faster.", f"Onboarding is faster 🎉 עברית.\n\n{SEQUENCES}"),
        ],
    )
    make_site(tmp_path, {"acme": text})
    assert [c for c in undrawable(text) if not glyphs.in_shortcut(c)] == []
    assert not all(glyphs.in_shortcut(c) for c in text)  # fontconfig was asked
    assert diagnostics_of(tmp_path) == []


def test_with_only_the_old_fonts_check_names_the_emoji_and_the_cjk(
    tmp_path: Path, families: set[str], fresh_coverage: None
) -> None:
    """What the issue saw: with DejaVu alone (the workflows' old fonts) the rocket and the
    Japanese name are boxes, and now `check` says so."""
    make_site(tmp_path, {"acme": edited("", [("account: Acme Corp", f"account: {MANY_SCRIPTS}")])})
    env = {"FONTCONFIG_FILE": str(dejavu_only(tmp_path))}
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat(), env=env)
    assert result.exit_code == 0
    assert result.stdout == (
        f"{P}:2: warning: `account` has 5 characters no installed font can draw: "
        '"🚀" (U+1F680 ROCKET), "株" (U+682A CJK UNIFIED IDEOGRAPH-682A), '
        '"式" (U+5F0F CJK UNIFIED IDEOGRAPH-5F0F), "会" (U+4F1A CJK UNIFIED IDEOGRAPH-4F1A), '
        '"社" (U+793E CJK UNIFIED IDEOGRAPH-793E); they print as empty boxes in the PDF: remove '
        "them, or install a font that has them where the site is built (admin guide: Fonts)\n"
    )


def test_fontconfig_is_asked_once_and_only_beyond_the_shortcut(
    tmp_path: Path, families: set[str], fresh_coverage: None, processes: list[list[str]]
) -> None:
    """10,000 accounts in Latin letters cost no process; the first character beyond SHORTCUT
    costs one `fc-list`, and the whole run (the process) no more."""

    def fc_lists() -> int:
        return sum(1 for args in processes if args[:1] == ["fc-list"])

    latin = edited("", [("account: Acme Corp", "account: Müller “Café” — Ελλάδα Россия €")])
    make_site(tmp_path, {"acme": latin, "globex": VALID.replace("Acme", "Globex")})
    assert diagnostics_of(tmp_path) == []
    assert fc_lists() == 0

    cjk = edited("", [("account: Acme Corp", "account: 株式会社 Initech")])
    make_site(tmp_path, {"initech": cjk, "umbrella": cjk.replace("Initech", "Umbrella")})
    assert diagnostics_of(tmp_path) == []
    assert fc_lists() == 1
    assert diagnostics_of(tmp_path) == []
    assert fc_lists() == 1


@pytest.mark.parametrize("fc_list_exits", [None, 1])
def test_without_fontconfig_the_warning_is_skipped_silently(
    tmp_path: Path, fresh_coverage: None, monkeypatch: pytest.MonkeyPatch, fc_list_exits: int | None
) -> None:
    """`check` runs where there is no Pango and no fontconfig (a pull request's check): no
    `fc-list` (or a broken one) means nothing to compare with, not a traceback."""
    tools = tmp_path / "bin"
    tools.mkdir()
    git = shutil.which("git")
    assert git
    (tools / "git").symlink_to(git)
    if fc_list_exits is not None:
        fake = tools / "fc-list"
        fake.write_text(f"#!/bin/sh\necho 'Fontconfig error' >&2\nexit {fc_list_exits}\n")
        fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    site = make_site(
        tmp_path / "site", {"acme": edited("", [("account: Acme Corp", "account: Acme \ue000 🚀")])}
    )
    result = run_cli(site, "check", "--strict", "--as-of", AS_OF.isoformat())
    assert (result.exit_code, result.stdout) == (0, "")
    assert installed_coverage() is None


# --- the PDF -------------------------------------------------------------------------------


def build_pdf(root: Path, account: str, fontconfig: Path | None = None) -> Path:
    """`outcomesite build` in a process of its own (fontconfig reads FONTCONFIG_FILE once per
    process); the account's PDF."""
    make_site(root, {"acme": edited("", [("account: Acme Corp", f"account: {account}")])})
    env = {**os.environ, "OUTCOMESITE_SECRET": SECRET}
    env.pop("CI", None)
    if fontconfig is not None:
        env["FONTCONFIG_FILE"] = str(fontconfig)
    done = subprocess.run(
        [sys.executable, "-m", "outcomesite", "--root", str(root), "build", "--as-of", AS_OF.isoformat()],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (pdf,) = (root / "build" / "public").rglob("acme.pdf")
    return pdf


def embedded_fonts(pdf: Path) -> set[str]:
    """The fonts of page 1, without their subset prefix (`ABCDEF+Noto-Sans-CJK-JP`)."""
    resources: Any = PdfReader(pdf).pages[0]["/Resources"]
    fonts = resources["/Font"]
    return {
        re.sub(r"^[A-Z]{6}\+", "", str(f.get_object()["/BaseFont"])[1:]) for f in fonts.values()
    }


def warm_pixels(pdf: Path, folder: Path) -> int:
    """Red and orange pixels of page 1 (pdftoppm, 80 dpi): the rocket's fins and flame. An empty
    box is drawn in the text's grey, and the report's own colours are blue and green."""
    done = subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf), str(folder / "page")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (png,) = folder.glob("page*.png")
    with Image.open(png) as image:
        rgb = image.convert("RGB").tobytes()
    return sum(
        1
        for r, g, b in zip(rgb[0::3], rgb[1::3], rgb[2::3], strict=True)
        if r > 170 and g < 140 and b < 110
    )


def test_the_pdf_draws_emoji_and_cjk_with_noto(tmp_path: Path, families: set[str]) -> None:
    """The rocket is drawn in colour by Noto Color Emoji, the Japanese name by Noto Sans CJK.

    The same account built with DejaVu alone (the workflows' old fonts) embeds no Noto font and
    has no more colour than the report without the emoji: the boxes the issue saw. That is how
    this test was confirmed to fail without the Noto packages."""
    name = "Café 🚀 Ltd 株式会社"
    plain = build_pdf(tmp_path / "plain", "Café Ltd")
    noto = build_pdf(tmp_path / "noto", name)
    old = build_pdf(tmp_path / "old", name, dejavu_only(tmp_path))

    fonts = embedded_fonts(noto)
    assert "Noto-Color-Emoji" in fonts, fonts
    assert any(f.startswith("Noto-Sans-CJK") for f in fonts), fonts
    assert not any(f.startswith("Noto") for f in embedded_fonts(old))

    pixels = {}
    for label, pdf in (("plain", plain), ("noto", noto), ("old", old)):
        (tmp_path / f"png-{label}").mkdir()
        pixels[label] = warm_pixels(pdf, tmp_path / f"png-{label}")
    # The rocket at 80 dpi is about 120 such pixels; a box none.
    assert pixels["noto"] >= pixels["plain"] + 40, pixels
    assert pixels["old"] <= pixels["plain"] + 5, pixels


def test_the_installed_fonts_are_part_of_a_cached_pdfs_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A font added for a script that printed as boxes renders every PDF again: the fonts are in
    the PDF cache's renderer tag (fc-list reads FONTCONFIG_FILE, in a process of its own)."""
    all_fonts = fonts_fingerprint()
    monkeypatch.setenv("FONTCONFIG_FILE", str(dejavu_only(tmp_path)))
    assert len(all_fonts) == 16 and fonts_fingerprint() not in ("", all_fonts)
    assert fonts_fingerprint() in renderer_tag() and all_fonts not in renderer_tag()
