"""Which characters the installed fonts can draw: fontconfig's answer, read once per process.

The PDF renderer (WeasyPrint, through Pango and fontconfig) draws each character with the first
font of the page's font stack that has it, and otherwise with any installed font that has it
(fontconfig's fallback). A character that no installed font has prints as an empty box. `check`
warns about those (load/rules/glyphs.py); this module says which characters they are.

- The coverage is the union of the character sets of every font fontconfig knows, read with ONE
  `fc-list` process for the whole run (about 25 ms with parsing, for 340 fonts), kept per process
  (functools.cache; each forked worker reads it at most once, and `serve` sees a font installed
  after it started once restarted), and looked up by bisection.
- Lazily: most accounts are written in Latin letters, which every font set has. Characters of
  SHORTCUT (Latin, Greek, Cyrillic, general punctuation, the euro sign: all drawn by DejaVu Sans,
  which every workflow installs; tests/test_fonts.py holds that) are never looked up, so `fc-list`
  runs only when some text has a character outside them.
- Only what would draw a box is reported: controls, format characters (the zero-width joiner of
  emoji sequences, direction marks), separators (spaces) and the other default-ignorable code
  points (variation selectors such as U+FE0F) draw nothing, and a character whose canonical
  decomposition the fonts have is drawn from its parts.
- Without fontconfig (no `fc-list` on the PATH: `check` needs no PDF renderer, and a pull request's
  check may run without Pango) or when it lists no font, nothing is known and nothing is reported:
  `undrawable` returns no character. Standard library only.
"""

from __future__ import annotations

import bisect
import functools
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Drawn by DejaVu Sans (fonts-dejavu-core, which every workflow installs) for every assigned
# character: never looked up. Inclusive (first, last) code points.
SHORTCUT: tuple[tuple[int, int], ...] = (
    (0x0000, 0x024F),  # Basic Latin, Latin-1 Supplement, Latin Extended-A and -B
    (0x0370, 0x04FF),  # Greek and Coptic, Cyrillic
    (0x2000, 0x206F),  # General Punctuation: dashes, quotes, bullet, ellipsis, spaces
    (0x20AC, 0x20AC),  # EURO SIGN
)
_SHORTCUT_END = 0x0250  # everything below it is in SHORTCUT: the common case, one comparison

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt): drawn as nothing by a
# renderer that has no glyph for them, whatever their category (variation selectors are marks,
# the Hangul fillers letters).
DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Categories that draw no glyph: controls, format characters, spaces and line separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

FC_LIST = ("fc-list", "--format", "%{charset}\n")
_HEX_RANGE = re.compile(r"([0-9a-fA-F]{1,6})(?:-([0-9a-fA-F]{1,6}))?")


def _inside(ranges: Sequence[tuple[int, int]], code: int) -> bool:
    """Whether `code` is in one of `ranges` (sorted, disjoint, inclusive)."""
    index = bisect.bisect_right(ranges, (code, 0x10FFFF)) - 1
    return index >= 0 and ranges[index][0] <= code <= ranges[index][1]


@dataclass(frozen=True)
class Coverage:
    """Code points some font has: sorted, disjoint, inclusive (first, last) ranges, none adjacent."""

    ranges: tuple[tuple[int, int], ...]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and _inside(self.ranges, code)

    def __bool__(self) -> bool:
        return bool(self.ranges)


def merge(ranges: Iterable[tuple[int, int]]) -> Coverage:
    """Ranges in any order, overlapping or adjacent, as a Coverage."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return Coverage(tuple(merged))


def parse_charsets(text: str) -> Coverage:
    """fontconfig's character sets, `fc-list --format '%{charset}\\n'` (one font a line, each a
    list of hex code points and ranges: `20-7e a0-17f 192`), as one Coverage. A token that is not
    a hex range is skipped: the output of a newer fontconfig must not stop `check`."""
    found: list[tuple[int, int]] = []
    # Fonts of a family share most ranges: 70,000 tokens of 340 fonts are 4,000 different ones.
    for token in set(text.split()):
        if (hex_range := _HEX_RANGE.fullmatch(token)) is None:
            continue
        start = int(hex_range[1], 16)
        end = int(hex_range[2], 16) if hex_range[2] else start
        if start <= end <= 0x10FFFF:
            found.append((start, end))
    return merge(found)


@functools.cache
def installed_coverage() -> Coverage | None:
    """What the installed fonts cover, from one `fc-list`; None without fontconfig (or fonts)."""
    try:
        done = subprocess.run(
            list(FC_LIST), capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no fontconfig on this machine (or it hung): nothing to compare with
    if done.returncode != 0:
        return None
    return parse_charsets(done.stdout) or None


def invisible(char: str) -> bool:
    """A character that draws nothing, so never a box: a control, a format character (ZWJ, a
    direction mark), a space or line separator, or any other default-ignorable code point (a
    variation selector)."""
    return unicodedata.category(char) in _INVISIBLE or _inside(DEFAULT_IGNORABLE, ord(char))


def in_shortcut(char: str) -> bool:
    code = ord(char)
    return code < _SHORTCUT_END or _inside(SHORTCUT, code)


def undrawable(text: str) -> list[str]:
    """The characters of `text` no installed font can draw, each once, in order of appearance;
    none when every character is in SHORTCUT (then fontconfig is not asked) or when fontconfig
    is not there."""
    if text.isascii():
        return []
    asked = [c for c in dict.fromkeys(text) if not in_shortcut(c) and not invisible(c)]
    if not asked:
        return []
    coverage = installed_coverage()
    if coverage is None:
        return []
    return [c for c in asked if not _drawable(c, coverage)]


def _drawable(char: str, coverage: Coverage) -> bool:
    if ord(char) in coverage:
        return True
    # HarfBuzz draws a precomposed letter the font lacks from its base and marks (and composes
    # them when the font has only the whole letter): checked as the text is normalised.
    parts = unicodedata.normalize("NFD", char)
    return parts != char and all(ord(p) in coverage or invisible(p) for p in parts)


def describe(char: str) -> str:
    """`"🚀" (U+1F680 ROCKET)`: the character, its code point and its Unicode name, for a CSM who
    has to find it in the file (or, for a character with no name, what it is)."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if not name:
        category = unicodedata.category(char)
        name = {
            "Co": "a private-use character",
            "Cn": f"newer than Unicode {unicodedata.unidata_version}, perhaps a recent emoji",
        }.get(category, "a character without a name")
        return f'"{char}" ({code}, {name})'
    return f'"{char}" ({code} {name})'
