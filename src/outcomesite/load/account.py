"""Validate one account file: its bytes, its front matter by the schema, the rules, its narrative.

Returns the typed account (when there is no error), every problem found, and the narrative's parsed
tokens for the render stage. Never raises for input, and never renders HTML: `check` stops here.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from outcomesite.errors import Diagnostic, has_errors
from outcomesite.files import REASONS, UnsafeFile, read_file
from outcomesite.history.records import RetiredSlug
from outcomesite.layout import ACCOUNTS, MAX_FILE_BYTES
from outcomesite.load import rules
from outcomesite.load.convert import Conversion, convert
from outcomesite.load.frontmatter import Document, YamlProblem, parse_document
from outcomesite.load.money import arr_check
from outcomesite.load.narrative import (
    image_target,
    is_plain,
    link_problem,
    logo_target,
    parse,
    references,
    size_problems,
)
from outcomesite.load.rules.glyphs import narrative_glyphs
from outcomesite.load.rules.placeholders import narrative_placeholders
from outcomesite.model import ladder
from outcomesite.model.account import Account
from outcomesite.model.config import SiteConfig
from outcomesite.model.schema import SLUG, AccountData, slugify

if TYPE_CHECKING:
    from markdown_it.token import Token

Recorded = dict[str, tuple[ladder.Point, ...]]  # result id -> measurements, oldest first


@dataclass(frozen=True)
class Loaded:
    """What validating one file gives."""

    account: Account | None  # None when the file has an error
    diagnostics: list[Diagnostic]  # every problem, by line
    body: str = field(default="", repr=False)  # the narrative's Markdown
    # Its parsed tokens, for rendering; None for a plain body (load/narrative.py's `is_plain`),
    # which is rendered from `body`.
    tokens: list[Token] | None = field(default=None, repr=False)
    # A confirmation may cover a value only earlier commits hold (the file was updated since):
    # the site loader then validates the file again with those measurements.
    needs_history: bool = False


def slug_problem(stem: str) -> str | None:
    if SLUG.match(stem):
        return None
    return (
        f"the file name `{stem}.md` is not a valid slug: rename it to "
        f"`{slugify(stem) or 'account-name'}.md` (lowercase letters, digits and hyphens, "
        "starting with a letter or digit)"
    )


def validate_file(
    path: Path,
    root: Path,
    config: SiteConfig,
    as_of: dt.date,
    retired: RetiredSlug | None = None,
    recorded: Recorded | None = None,
) -> Loaded:
    """Validate content/accounts/<slug>.md of the site at `root`, as it is on disk today."""
    front = _file_front_matter(path, config, as_of, retired)
    return front if isinstance(front, Loaded) else _account(front, root, config, as_of, recorded)


def validate_files(
    paths: Sequence[Path],
    root: Path,
    config: SiteConfig,
    as_of: dt.date,
    retired: Mapping[str, RetiredSlug],
) -> list[Loaded]:
    """validate_file of each file (`retired` by its path relative to the site), one half for
    all of them at a time: every file read and its front matter converted, then every
    account's narrative, ladder and warnings. Each half keeps its code in the processor's
    caches (build/worker.py): 0.87-0.93 of the time of one file after another."""
    fronts = [
        _file_front_matter(path, config, as_of, retired.get(f"{ACCOUNTS}/{path.name}"))
        for path in paths
    ]
    return [
        front if isinstance(front, Loaded) else _account(front, root, config, as_of, None)
        for front in fronts
    ]


def _file_front_matter(
    path: Path, config: SiteConfig, as_of: dt.date, retired: RetiredSlug | None
) -> Loaded | _Front:
    """The file read safely, its folder checked, and its front matter converted.

    Its name and its folder's path are put together as text (`path` is always
    root/content/accounts/<slug>.md): pathlib's relative_to and joins took 23 µs an account,
    text takes 8."""
    name = path.name
    rel = f"{ACCOUNTS}/{name}"
    slug = name[: -len(".md")]

    def error(message: str) -> Loaded:
        return Loaded(None, [Diagnostic(rel, 1, "error", message)])

    try:
        raw = read_file(path, MAX_FILE_BYTES)  # site.py refused a linked content/accounts/
    except UnsafeFile as unsafe:
        if unsafe.reason == "too-large":
            return error(f"the file is larger than {MAX_FILE_BYTES // 1000} kB: shorten it")
        if unsafe.reason == "link":
            return error(
                f"`{rel}` is a link (symlink) to another file: commit the account file itself, "
                "not a link"
            )
        return error(f"the file {REASONS[unsafe.reason]}")
    try:
        folder = os.lstat(os.path.join(os.path.dirname(path), slug)).st_mode
    except OSError:
        folder = None  # no folder: most accounts have no images
    if folder is not None and stat.S_ISLNK(folder):
        return error(
            f"the account's folder `{ACCOUNTS}/{slug}` is a link (symlink), not a folder: nothing is "
            "published from it; commit the folder and its images themselves, not a link"
        )
    if folder is not None and not stat.S_ISDIR(folder):
        return error(
            f"`{ACCOUNTS}/{slug}` is a file, not a folder: the account's images go in a folder of "
            "that name; rename or remove the file"
        )
    return _front_matter(raw, rel, slug, config, as_of, retired)


def validate_text(
    raw: bytes,
    rel: str,
    slug: str,
    root: Path,
    config: SiteConfig,
    as_of: dt.date,
    retired: RetiredSlug | None = None,
    recorded: Recorded | None = None,
) -> Loaded:
    """Validate the bytes of one account file (today's, or an old version from Git); images are
    looked up in today's folder content/accounts/<slug>/ of the site at `root`. `recorded` are
    the measurements earlier commits recorded, by result id."""
    front = _front_matter(raw, rel, slug, config, as_of, retired)
    return front if isinstance(front, Loaded) else _account(front, root, config, as_of, recorded)


@dataclass(frozen=True)
class _Front:
    """A file whose front matter converted: what validating its account goes on with."""

    rel: str
    slug: str
    document: Document
    conv: Conversion
    diagnostics: list[Diagnostic]  # its errors so far (the account is refused if any)


def _account(
    front: _Front, root: Path, config: SiteConfig, as_of: dt.date, recorded: Recorded | None
) -> Loaded:
    """The narrative and the files it refers to checked, then the account on the ladder and
    its warnings."""
    rel, slug, document, conv = front.rel, front.slug, front.document, front.conv
    diagnostics = list(front.diagnostics)

    def error(line: int, message: str) -> Diagnostic:
        return Diagnostic(rel, line, "error", message)

    logo: str | None = None
    if isinstance(conv.data.get("logo"), str):
        # The customer's logo is published next to the report: the narrative's image policy.
        logo, logo_problem = logo_target(conv.data["logo"], root, slug)
        if logo_problem:
            diagnostics.append(error(conv.line_of(("logo",)), logo_problem))
    images: list[str] = []
    tokens = None if is_plain(document.body) else parse(document.body)  # None: nothing to check
    diagnostics += [
        error(line, text) for line, text in size_problems(tokens or [], document.body_line)
    ]
    for ref in references(document.body, document.body_line, tokens or []):
        refused: str | None
        if ref.kind == "image":
            published, refused = image_target(ref.url, root, slug)
            if published is not None:
                images.append(published)
        else:
            refused = link_problem(ref.url)
        if refused:
            diagnostics.append(error(ref.line, refused))

    if has_errors(diagnostics) or not isinstance(conv.model, AccountData):
        return Loaded(None, sorted(diagnostics, key=lambda d: d.line))
    data = conv.model
    assessment = ladder.assess(
        data, as_of, config.result_check_days, config.stale_after_days, recorded
    )
    shown = [*images, logo] if logo is not None else images
    account = Account(slug, rel, data, assessment, tuple(dict.fromkeys(shown)), logo)
    warnings = [
        Diagnostic(rel, conv.line_of(loc), "warning", message, code)
        for code, (loc, message) in rules.warnings(
            rules.AccountFacts(data, assessment, config, as_of, conv)
        )
    ]
    warnings += [
        Diagnostic(rel, line, "warning", message, "placeholder")
        for line, message in narrative_placeholders(document.body, document.body_line)
    ]
    warnings += [
        Diagnostic(rel, line, "warning", message, "no-font")
        for line, message in narrative_glyphs(document.body, document.body_line)
    ]
    history = recorded is None and any(
        r.confirmation is not None and not r.latest_confirmed for r in assessment.results
    )
    return Loaded(account, sorted(warnings, key=lambda d: d.line), document.body, tokens, history)


def _front_matter(
    raw: bytes,
    rel: str,
    slug: str,
    config: SiteConfig,
    as_of: dt.date,
    retired: RetiredSlug | None,
) -> Loaded | _Front:
    """The bytes decoded, the YAML composed and converted by the schema, and the data rules run:
    everything but the narrative and the files it refers to. A Loaded when it cannot go on."""

    def error(line: int, message: str) -> Diagnostic:
        return Diagnostic(rel, line, "error", message)

    if (problem := slug_problem(slug)) is not None:
        return Loaded(None, [error(1, problem)])
    if len(raw) > MAX_FILE_BYTES:
        return Loaded(
            None, [error(1, f"the file is larger than {MAX_FILE_BYTES // 1000} kB: shorten it")]
        )
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Loaded(
            None, [error(line, "the file is not UTF-8 text: save it with UTF-8 encoding")]
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return Loaded(None, [error(line, "the file contains a NUL byte")])
    try:
        document = parse_document(text)
    except YamlProblem as exc:
        return Loaded(None, [error(exc.line, exc.message)])

    conv = convert(
        document.root,
        AccountData,
        document.line_offset,
        label=rules.place_label,
        source=document.yaml_text,
        number_checks={("arr",): arr_check(config.currency, config.locale)},
    )
    diagnostics = [error(line, message) for line, message in conv.problems]
    facts = rules.FileFacts(conv, slug, as_of, retired)
    diagnostics += [error(conv.line_of(loc), message) for loc, message in rules.errors(facts)]
    return _Front(rel, slug, document, conv, diagnostics)


def account_data(raw: bytes, slug: str, config: SiteConfig, as_of: dt.date) -> AccountData | None:
    """An old version of an account file's data, by today's rules: its front matter only.

    The narrative and its images do not decide a rung, and today's folder no longer holds the
    images of then; None when the data itself fails today's checks.
    """
    front = _front_matter(raw, f"{ACCOUNTS}/{slug}.md", slug, config, as_of, None)
    if isinstance(front, Loaded):
        return None
    if has_errors(front.diagnostics) or not isinstance(front.conv.model, AccountData):
        return None
    return front.conv.model
