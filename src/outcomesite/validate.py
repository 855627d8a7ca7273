"""Validate one account file: front matter by the schema, cross-field rules, the narrative's links.

Returns the typed account (when there is no error) and every problem found, never raising for input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outcomesite import ladder
from outcomesite.config import SiteConfig
from outcomesite.convert import Conversion, Loc, convert
from outcomesite.errors import Diagnostic, has_errors
from outcomesite.files import REASONS, UnsafeFile, is_link, read_inside
from outcomesite.frontmatter import YamlProblem, parse_document
from outcomesite.history import RetiredSlug
from outcomesite.layout import ACCOUNTS, ACCOUNTS_DIR
from outcomesite.markdown import image_target, link_problem, references, size_problems
from outcomesite.markdown import parse as parse_markdown
from outcomesite.markdown import render as render_markdown
from outcomesite.schema import SLUG_PATTERN, AccountData

MAX_FILE_BYTES = 1_000_000
_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True)
class Account:
    """A valid account file: its slug, where it lives, its typed front matter and its narrative."""

    slug: str
    path: str  # relative to the site root, POSIX style
    data: AccountData
    narrative: str  # the Markdown body as safe HTML, rendered while its links were checked
    images: tuple[str, ...] = ()  # files in the account's folder the narrative shows (decoded)


def slug_problem(stem: str) -> str | None:
    if _SLUG.match(stem):
        return None
    fixed = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "account-name"
    return (
        f"the file name `{stem}.md` is not a valid slug: rename it to `{fixed}.md` "
        "(lowercase letters, digits and hyphens, starting with a letter or digit)"
    )


def validate_file(
    path: Path,
    root: Path,
    config: SiteConfig,
    as_of: dt.date,
    retired: RetiredSlug | None = None,
) -> tuple[Account | None, list[Diagnostic]]:
    """Validate content/accounts/<slug>.md of the site at `root`, as it is on disk today."""
    rel = path.relative_to(root).as_posix()
    slug = path.name[: -len(".md")]

    def error(message: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(rel, 1, "error", message)]

    try:
        raw = read_inside(root, rel.split("/"), MAX_FILE_BYTES)
    except UnsafeFile as unsafe:
        if unsafe.reason == "too-large":
            return error(f"the file is larger than {MAX_FILE_BYTES // 1000} kB: shorten it")
        if unsafe.reason == "link":
            return error(
                f"`{rel}` is a link (symlink) to another file: commit the account file itself, "
                "not a link"
            )
        return error(f"the file {REASONS[unsafe.reason]}")
    folder = root / ACCOUNTS_DIR / slug
    if is_link(folder):
        return error(
            f"the account's folder `{ACCOUNTS}/{slug}` is a link (symlink), not a folder: nothing is "
            "published from it; commit the folder and its images themselves, not a link"
        )
    if folder.exists() and not folder.is_dir():
        return error(
            f"`{ACCOUNTS}/{slug}` is a file, not a folder: the account's images go in a folder of "
            "that name; rename or remove the file"
        )
    return validate_text(raw, rel, slug, root, config, as_of, retired)


def validate_text(
    raw: bytes,
    rel: str,
    slug: str,
    root: Path,
    config: SiteConfig,
    as_of: dt.date,
    retired: RetiredSlug | None = None,
) -> tuple[Account | None, list[Diagnostic]]:
    """Validate the bytes of one account file (today's, or an old version from Git); images are
    looked up in today's folder content/accounts/<slug>/ of the site at `root`."""

    def error(line: int, message: str) -> Diagnostic:
        return Diagnostic(rel, line, "error", message)

    if (problem := slug_problem(slug)) is not None:
        return None, [error(1, problem)]
    if len(raw) > MAX_FILE_BYTES:
        return None, [error(1, f"the file is larger than {MAX_FILE_BYTES // 1000} kB: shorten it")]
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [error(line, "the file is not UTF-8 text: save it with UTF-8 encoding")]
    if "\x00" in text:
        return None, [
            error(text[: text.index("\x00")].count("\n") + 1, "the file contains a NUL byte")
        ]
    try:
        document = parse_document(text)
    except YamlProblem as exc:
        return None, [error(exc.line, exc.message)]

    conv = convert(document.root, AccountData, document.line_offset, label=_label)
    diagnostics = [error(line, message) for line, message in conv.problems]
    for loc, message in _cross_field_problems(conv, as_of):
        diagnostics.append(error(conv.line_of(loc), message))
    if retired is not None and (message := _retired_problem(conv.data, slug, retired)):
        diagnostics.append(error(conv.line_of(("link_version",)), message))
    images: list[str] = []
    tokens = parse_markdown(document.body)
    for line, message in size_problems(tokens, document.body_line):
        diagnostics.append(error(line, message))
    for ref in references(document.body, document.body_line, tokens):
        if ref.kind == "image":
            published, message = image_target(ref.url, root, slug)
            if published is not None:
                images.append(published)
        else:
            message = link_problem(ref.url)
        if message:
            diagnostics.append(error(ref.line, message))

    if has_errors(diagnostics) or not isinstance(conv.model, AccountData):
        return None, sorted(diagnostics, key=lambda d: d.line)
    narrative = render_markdown(document.body, tokens)
    account = Account(slug, rel, conv.model, narrative, tuple(dict.fromkeys(images)))
    warnings = [
        Diagnostic(rel, conv.line_of(loc), "warning", message)
        for loc, message in _warnings(conv.model, config, as_of)
    ]
    return account, sorted(warnings, key=lambda d: d.line)


def _retired_problem(data: dict[str, Any], slug: str, retired: RetiredSlug) -> str | None:
    """A slug whose earlier file was deleted keeps its old share link dead: the link is derived
    from the slug and `link_version`, so the same pair would show this account to whoever had the
    old customer's link."""
    link_version = data.get("link_version", 1)
    if not isinstance(link_version, int) or link_version > retired.link_version:
        return None
    return (
        f"the slug `{slug}` belonged to another account file, deleted from Git on "
        f"{retired.deleted_on.isoformat()}, whose share link used `link_version: "
        f"{retired.link_version}`: with the same slug and link_version this account would appear "
        f"at that old link. Rename this file to a new slug, or add `link_version: "
        f"{retired.link_version + 1}`"
    )


def _label(loc: Loc, ids: dict[Loc, str]) -> str:
    """Name the place of a key in messages: 'result `x`: ', 'result `x`, validator: '."""
    if len(loc) < 2 or loc[0] != "results":
        return ""
    result_loc = loc[:2]
    name = f"result `{ids[result_loc]}`" if result_loc in ids else f"result {int(loc[1]) + 1}"
    if len(loc) >= 3 and loc[2] == "validator":
        return f"{name}, validator: "
    if len(loc) >= 4 and loc[2] == "history":
        return f"{name}, history entry {int(loc[3]) + 1}: "
    return f"{name}: "


def _result_name(result: dict[str, Any], index: int) -> str:
    return f"result `{result['id']}`" if "id" in result else f"result {index + 1}"


def _cross_field_problems(conv: Conversion, as_of: dt.date) -> list[tuple[Loc, str]]:
    """Rules that involve more than one key; they only look at keys that converted cleanly."""
    problems: list[tuple[Loc, str]] = []
    seen_ids: dict[str, int] = {}
    results = conv.data.get("results", ())
    for index, result in enumerate(results):
        loc: Loc = ("results", index)
        name = _result_name(result, index)
        if "id" in result:
            if result["id"] in seen_ids:
                first = seen_ids[result["id"]]
                problems.append(
                    (
                        (*loc, "id"),
                        f"duplicate result id `{result['id']}` (also used on line {first}): "
                        "give each result its own id",
                    )
                )
            else:
                seen_ids[result["id"]] = conv.line_of((*loc, "id"))
        if (
            "current" in result
            and "measured_on" not in result
            and (*loc, "measured_on") not in conv.bad
        ):
            problems.append(
                (
                    (*loc, "current"),
                    f"{name}: `current` needs `measured_on`: add `measured_on: YYYY-MM-DD`, "
                    "the day the value was measured",
                )
            )
        baseline, target = result.get("baseline"), result.get("target")
        if baseline is not None and target is not None:
            implied = ladder.implied_direction(baseline, target)
            if implied is None:
                problems.append(
                    (
                        (*loc, "target"),
                        f"{name}: `target` equals `baseline` ({_num(target)}): a result must aim "
                        "to change the metric; write the value the customer wants to reach",
                    )
                )
            elif result.get("direction") not in (None, implied):
                problems.append(
                    (
                        (*loc, "direction"),
                        f"{name}: `direction: {result['direction']}` contradicts baseline "
                        f"{_num(baseline)} -> target {_num(target)}, which is {_article(implied)} {implied}: "
                        f"write `direction: {implied}` or fix the numbers",
                    )
                )
        problems.extend(_future_dates(result, loc, name, as_of))
    return problems


def _future_dates(
    result: dict[str, Any], loc: Loc, name: str, as_of: dt.date
) -> list[tuple[Loc, str]]:
    dated: list[tuple[Loc, str, dt.date]] = []
    if "measured_on" in result:
        dated.append(((*loc, "measured_on"), "`measured_on`", result["measured_on"]))
    validator = result.get("validator") or {}
    if "confirmed_on" in validator:
        dated.append(
            ((*loc, "validator", "confirmed_on"), "`confirmed_on`", validator["confirmed_on"])
        )
    for i, point in enumerate(result.get("history", ())):
        if "date" in point:
            dated.append(((*loc, "history", i, "date"), f"history entry {i + 1}", point["date"]))
    return [
        (
            key_loc,
            f"{name}: {what} {day.isoformat()} is after the report date {as_of.isoformat()}: "
            "dates cannot be in the future (check the year, or build with a later --as-of)",
        )
        for key_loc, what, day in dated
        if day > as_of
    ]


def _warnings(data: AccountData, config: SiteConfig, as_of: dt.date) -> list[tuple[Loc, str]]:
    assessment = ladder.assess(data, as_of, config.result_check_days, config.stale_after_days)
    warnings: list[tuple[Loc, str]] = []
    if not data.results:
        warnings.append(
            (
                ("results",),
                "the account has no results yet (rung 0, No named result): add a result under "
                "`results:` with the customer's goal, metric, baseline, target and owner",
            )
        )
    for index, item in enumerate(assessment.results):
        r, loc = item.result, ("results", index)
        if r.validator is None:
            warnings.append(
                (
                    (*loc, "id"),
                    f"result `{r.id}` has no validator: add `validator:` with the name and role "
                    "of the person at the customer who confirms the result",
                )
            )
        if item.stale and r.measured_on is not None:
            age = (as_of - r.measured_on).days
            warnings.append(
                (
                    (*loc, "measured_on"),
                    f"result `{r.id}`: the last measurement ({r.measured_on.isoformat()}) is {age} "
                    f"days old, more than {config.stale_after_days}: measure again and update "
                    "`current` and `measured_on`",
                )
            )
        if item.overdue and r.due is not None:
            warnings.append(
                (
                    (*loc, "due"),
                    f"result `{r.id}` is overdue: the target {_num(r.target)} was due on "
                    f"{r.due.isoformat()} and is not met: update `current`, or agree a new `due` "
                    "date with the customer",
                )
            )
    if assessment.result_check == "failing":
        days = (as_of - data.start_date).days
        step = ladder.next_rung_step(assessment.rung) or ""
        warnings.append(
            (
                ("start_date",),
                f"failing the {config.result_check_days}-day result check: {days} days since "
                f"start_date and the account is at rung {int(assessment.rung)} "
                f"({assessment.rung.label}), below Measurable Result. Next: {step}",
            )
        )
    return warnings


def _num(value: float) -> str:
    return f"{value:g}"


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
