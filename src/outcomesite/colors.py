"""Colours as `outcomesite.yaml` writes them, and whether text in them can be read.

A brand colour colours text on the report's white page (headings, links, the masthead), so it
must be readable by everyone: WCAG 2 asks for a contrast of at least 4.5:1 for normal text (level
AA). The formulas are WCAG's own (relative luminance of sRGB, then (L1 + 0.05) / (L2 + 0.05)), kept
here as pure functions so the render stage can use them too. Standard library only.
"""

from __future__ import annotations

import math
import re

MIN_TEXT_CONTRAST = 4.5  # WCAG 2 AA, normal text
WHITE = "#ffffff"

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_hex(text: str) -> str | None:
    """`#RRGGBB` or the CSS shorthand `#RGB`, in any case, as lower-case `#rrggbb`; None when
    `text` is not written that way (a colour name, `rgb(...)`, a missing `#`)."""
    text = text.strip()
    if not _HEX.match(text):
        return None
    digits = text[1:].lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return "#" + digits


def relative_luminance(color: str) -> float:
    """WCAG 2's relative luminance of a `#rrggbb` colour: 0 for black, 1 for white."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: str, second: str = WHITE) -> float:
    """WCAG 2's contrast ratio of two `#rrggbb` colours, from 1 (the same) to 21 (black on
    white); the order does not matter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ratio_text(ratio: float) -> str:
    """A ratio as a person reads it, `2.4:1`, rounded down: a colour just below the limit never
    shows as `4.5:1` in the message that refuses it."""
    shown = math.floor(ratio * 10) / 10
    return f"{shown:g}:1"
