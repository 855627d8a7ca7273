"""Read `outcomesite.yaml` by its model (model/config.py), the same way as account files, and check
what a type cannot express: the locale exists, the theme folder has no links, the logo is an image."""

from __future__ import annotations

from pathlib import Path

import yaml

from outcomesite.errors import Diagnostic
from outcomesite.files import REASONS, UnsafeFile, links_under, read_inside
from outcomesite.layout import CONFIG_FILE, THEMES_DIR
from outcomesite.load import images
from outcomesite.load.convert import convert, suggest
from outcomesite.load.frontmatter import YamlProblem, parse_yaml
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
    conv = convert(root_node, SiteConfig, line_offset=1, source=text.replace("\r\n", "\n"))
    diagnostics = [Diagnostic(CONFIG_FILE, line, "error", msg) for line, msg in conv.problems]
    data = conv.data
    for key, message in _option_rules(root, data):
        diagnostics.append(Diagnostic(CONFIG_FILE, conv.line_of((key,)), "error", message))
    if diagnostics or not isinstance(conv.model, SiteConfig):
        return SiteConfig(), sorted(diagnostics)
    return conv.model, []


def _option_rules(root: Path, data: dict[str, object]) -> list[tuple[str, str]]:
    """Checks a type cannot express: the locale exists, the theme folder and logo file exist."""
    problems: list[tuple[str, str]] = []
    locale = data.get("locale")
    if isinstance(locale, str) and not _known_locale(locale):
        problems.append(("locale", f"`locale` `{locale}` is not a known locale: write e.g. en_US"))
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
    return problems


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


def _known_locale(name: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True
