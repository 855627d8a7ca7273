"""The site's brand colour as a stylesheet: the colour and the tints the theme derives from it.

The pages' Content-Security-Policy allows stylesheets from the site only (no inline styles), so
the colour reaches the pages as a small generated file, assets/brand.css, loaded after report.css.
`check` already refused a colour with less than 4.5:1 contrast against white (WCAG AA), so white
text on the brand colour and brand-coloured text on white are legible; the tint behind
brand-coloured text (the "this version" tag, reached rungs) is made light enough to keep 4.5:1.
"""

from __future__ import annotations

from outcomesite.colors import MIN_TEXT_CONTRAST, contrast_ratio

BRAND_CSS = "brand.css"


def tint(color: str, white_share: float) -> str:
    """A `#rrggbb` colour mixed with white: 0 is the colour, 1 is white."""
    channels = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * white_share):02x}" for c in channels)


def soft_tint(color: str) -> str:
    """The least white tint, from 85 % up, behind which `color` text keeps 4.5:1."""
    share = 0.85
    while share < 1 and contrast_ratio(color, tint(color, share)) < MIN_TEXT_CONTRAST:
        share = min(share + 0.01, 1.0)
    return tint(color, share)


def brand_css(color: str) -> str:
    """The stylesheet for a `#rrggbb` colour (as `load_config` leaves it)."""
    return (
        "/* outcomesite: the brand colour from outcomesite.yaml (`brand_color`). */\n"
        ":root {\n"
        f"  --brand: {color};\n"
        f"  --brand-soft: {soft_tint(color)};\n"
        f"  --brand-line: {tint(color, 0.55)};\n"
        "  --brand-ink: #ffffff;\n"
        "  --brand-ink-soft: #ffffff;\n"
        "}\n"
    )
