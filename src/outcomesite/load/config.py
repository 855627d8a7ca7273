"""Read `outcomesite.yaml` by its model (model/config.py), the same way as account files, and check
what a type cannot express: the locale exists, the theme folder has no links, the logo is an image,
the brand colour is a colour text can be read in."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import msgspec
import yaml

from outcomesite import colors
from outcomesite.errors import Diagnostic
from outcomesite.files import REASONS, UnsafeFile, links_under, read_inside
from outcomesite.layout import CONFIG_FILE, DEFAULT_LOCALE, THEMES_DIR
from outcomesite.load import images
from outcomesite.load.convert import convert, suggest
from outcomesite.load.frontmatter import YamlProblem, parse_yaml
from outcomesite.load.locales import catalog_problem, locale_problem
from outcomesite.load.money import currency_problem
from outcomesite.model.config import SiteConfig


def load_config(root: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    """Read and validate the config; on any error, return the defaults plus the diagnostics."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return SiteConfig(), []

    def problem(line: int, message: str) -> list[Diagnostic]:
        return [Diagnostic(CONFIG_FILE, line, "error", message)]

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return SiteConfig(), problem(1, "the file is not UTF-8 text: save it as UTF-8")
    try:
        root_node = parse_yaml(text.replace("\r\n", "\n"))
    except YamlProblem as exc:
        return SiteConfig(), problem(exc.line, exc.message)
    if root_node is None:
        return SiteConfig(), []
    if not isinstance(root_node, yaml.MappingNode):
        return SiteConfig(), problem(1, "the config must be a list of `key: value` lines")
    source = text.replace("\r\n", "\n")
    conv = convert(root_node, SiteConfig, line_offset=1, source=source)
    diagnostics = [Diagnostic(CONFIG_FILE, line, "error", msg) for line, msg in conv.problems]
    data = conv.data
    problems = _option_rules(root, data)
    if ("brand_color",) in conv.lines and "brand_color" not in data:
        line = source.split("\n")[conv.lines[("brand_color",)] - 1]
        if message := brand_color_cut_by_comment(line):
            problems.append(("brand_color", message))
    for key, message in problems:
        diagnostics.append(Diagnostic(CONFIG_FILE, conv.line_of((key,)), "error", message))
    if diagnostics or not isinstance(conv.model, SiteConfig):
        return SiteConfig(), sorted(diagnostics)
    warnings: list[Diagnostic] = []
    if message := catalog_problem(conv.model.locale):
        at = conv.line_of(("locale",))
        warnings.append(Diagnostic(CONFIG_FILE, at, "warning", message, "locale"))
    brand_color = conv.model.brand_color
    if brand_color is not None:  # the render stage gets one spelling: lower-case #rrggbb
        model = msgspec.structs.replace(conv.model, brand_color=colors.parse_hex(brand_color))
        return model, warnings
    return conv.model, warnings


def _option_rules(root: Path, data: dict[str, object]) -> list[tuple[str, str]]:
    """Checks a type cannot express: the locale exists, the theme folder and logo file exist,
    the currency is a code the index can format amounts in."""
    problems: list[tuple[str, str]] = []
    locale = data.get("locale")
    if isinstance(locale, str) and (message := locale_problem(locale)):
        problems.append(("locale", message))
    base_url = data.get("base_url")
    if isinstance(base_url, str) and not base_url.startswith(("https://", "http://")):
        problems.append(
            ("base_url", "`base_url` must be an absolute URL such as https://reports.example.com/")
        )
    theme = data.get("theme")
    if isinstance(theme, str) and theme != "default" and not (root / THEMES_DIR / theme).is_dir():
        themes = sorted(p.name for p in (root / THEMES_DIR).glob("*") if p.is_dir())
        guess = suggest(theme, [*themes, "default"])
        hint = f": did you mean `{guess}`?" if guess else ": create that folder or use `default`"
        problems.append(("theme", f"`theme` `{theme}` has no folder themes/{theme}/{hint}"))
    elif isinstance(theme, str) and (links := links_under(root / THEMES_DIR / theme)):
        where = links[0].relative_to(root).as_posix()
        problems.append(
            ("theme", f"`theme` `{theme}`: {where} is a link (symlink): commit the file itself")
        )
    logo = data.get("logo")
    if isinstance(logo, str) and (message := _logo_problem(root, logo)):
        problems.append(("logo", message))
    brand_color = data.get("brand_color")
    if isinstance(brand_color, str) and (message := brand_color_problem(brand_color)):
        problems.append(("brand_color", message))
    currency = data.get("currency")
    locale = locale if isinstance(locale, str) else DEFAULT_LOCALE
    if isinstance(currency, str) and (message := currency_problem(currency, locale)):
        problems.append(("currency", message))
    since = data.get("since")
    if isinstance(since, str) and (message := since_problem(since)):
        problems.append(("since", message))
    return problems


SINCE_PERIODS = ("quarter", "month", "year")


def since_problem(value: str) -> str | None:
    """`since` is the start of this quarter, month or year, or a date."""
    if value in SINCE_PERIODS:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return (
            f"`since` must be quarter, month, year or a date such as 2026-10-01 (found `{value}`)"
        )
    return None


_COMMENTED_COLOR = re.compile(r"^\s*brand_color:\s+(#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?)\b")


def brand_color_problem(value: str) -> str | None:
    """Why `brand_color` cannot colour a report's text, or None: it must be a hex colour (what
    every brand guide gives), dark enough to read on white (WCAG AA, 4.5:1)."""
    color = colors.parse_hex(value)
    if color is None:
        text = value.strip()
        if colors.parse_hex("#" + text) is not None:
            return (
                f'`brand_color` must start with `#`: write it in quotes: `brand_color: "#{text}"`'
            )
        return (
            f"`brand_color` must be a colour written #RRGGBB (found `{text}`): write it in quotes, "
            'e.g. `brand_color: "#1d4e89"`'
        )
    ratio = colors.contrast_ratio(color)
    if ratio < colors.MIN_TEXT_CONTRAST:
        return (
            f"`brand_color` {color} has a contrast of {colors.ratio_text(ratio)} against white; "
            f"text needs at least {colors.MIN_TEXT_CONTRAST:g}:1 (WCAG AA): choose a darker colour"
        )
    return None


def brand_color_cut_by_comment(line: str) -> str | None:
    """`brand_color: #1d4e89` reads as an empty value: YAML takes the colour for a comment. Say
    so, instead of silently using no colour at all."""
    found = _COMMENTED_COLOR.match(line)
    if found is None:
        return None
    return (
        f"`brand_color` is empty: YAML reads `{found.group(1)}` as a comment; put the colour in "
        f'quotes: `brand_color: "{found.group(1)}"`'
    )


def _logo_problem(root: Path, logo: str) -> str | None:
    """The logo is published next to every report: an image file inside the site, by the same
    rules as a narrative's images."""
    parts = [part for part in logo.split("/") if part not in ("", ".")]
    if logo.startswith("/") or "\\" in logo or not parts or ".." in parts:
        return f"`logo` `{logo}` must be a file inside the site folder"
    kind = images.extension_kind(parts[-1])
    if kind is None:
        return f"`logo` `{logo}` must be a {images.KINDS} image"
    try:
        data = read_inside(
            root, parts, images.MAX_IMAGE_BYTES, head=None if kind == "SVG" else images.HEAD_BYTES
        )
    except UnsafeFile as unsafe:
        if unsafe.reason == "missing":
            return f"`logo` file `{logo}` was not found (paths are relative to the site root)"
        return f"`logo` file `{logo}` {REASONS[unsafe.reason]}"
    if problem := images.content_problem(kind, data):
        return f"`logo` file `{logo}` {problem}: export it again as PNG"
    return None
