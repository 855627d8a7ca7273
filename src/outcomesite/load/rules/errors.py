"""Error rules: what makes an account file wrong beyond its types. In order of the messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from outcomesite.load.convert import Loc
from outcomesite.load.locales import locale_problem
from outcomesite.load.rules.base import ErrorRule, FileFacts, Finding, article, plain, result_name
from outcomesite.model import ladder


def _results(facts: FileFacts) -> Iterator[tuple[Loc, str, dict[str, Any]]]:
    for index, result in enumerate(facts.data.get("results", ())):
        yield ("results", index), result_name(result, index), result


def unique_result_ids(facts: FileFacts) -> Iterator[Finding]:
    first_line: dict[str, int] = {}
    for loc, _, result in _results(facts):
        if "id" not in result:
            continue
        if result["id"] in first_line:
            yield (
                (*loc, "id"),
                f"duplicate result id `{result['id']}` (also used on line "
                f"{first_line[result['id']]}): give each result its own id",
            )
        else:
            first_line[result["id"]] = facts.conv.line_of((*loc, "id"))


def current_needs_measured_on(facts: FileFacts) -> Iterator[Finding]:
    for loc, name, result in _results(facts):
        if (
            "current" in result
            and "measured_on" not in result
            and (*loc, "measured_on") not in facts.conv.bad
        ):
            yield (
                (*loc, "current"),
                f"{name}: `current` needs `measured_on`: add `measured_on: YYYY-MM-DD`, "
                "the day the value was measured",
            )


def target_differs_from_baseline(facts: FileFacts) -> Iterator[Finding]:
    for loc, name, result in _results(facts):
        baseline, target = result.get("baseline"), result.get("target")
        if baseline is not None and target is not None and baseline == target:
            yield (
                (*loc, "target"),
                f"{name}: `target` equals `baseline` ({plain(target)}): a result must aim to "
                "change the metric; write the value the customer wants to reach",
            )


def direction_agrees(facts: FileFacts) -> Iterator[Finding]:
    for loc, name, result in _results(facts):
        baseline, target = result.get("baseline"), result.get("target")
        if baseline is None or target is None:
            continue
        implied = ladder.implied_direction(baseline, target)
        if implied is not None and result.get("direction") not in (None, implied):
            yield (
                (*loc, "direction"),
                f"{name}: `direction: {result['direction']}` contradicts baseline "
                f"{plain(baseline)} -> target {plain(target)}, which is {article(implied)} {implied}: "
                f"write `direction: {implied}` or fix the numbers",
            )


def no_future_dates(facts: FileFacts) -> Iterator[Finding]:
    for loc, name, result in _results(facts):
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
                dated.append(
                    ((*loc, "history", i, "date"), f"history entry {i + 1}", point["date"])
                )
        for key_loc, what, day in dated:
            if day > facts.as_of:
                yield (
                    key_loc,
                    f"{name}: {what} {day.isoformat()} is after the report date "
                    f"{facts.as_of.isoformat()}: dates cannot be in the future (check the year, "
                    "or build with a later --as-of)",
                )


def reused_slug_has_a_new_link(facts: FileFacts) -> Iterator[Finding]:
    """A slug whose earlier file was deleted keeps its old share link dead: the link is derived
    from the slug and `link_version`, so the same pair would show this account to whoever had the
    old customer's link."""
    retired = facts.retired
    link_version = facts.data.get("link_version", 1)
    if retired is None or not isinstance(link_version, int):
        return
    if link_version <= retired.link_version:
        yield (
            ("link_version",),
            f"the slug `{facts.slug}` belonged to another account file, deleted from Git on "
            f"{retired.deleted_on.isoformat()}, whose share link used `link_version: "
            f"{retired.link_version}`: with the same slug and link_version this account would "
            f"appear at that old link. Rename this file to a new slug, or add `link_version: "
            f"{retired.link_version + 1}`",
        )


def locale_is_known(facts: FileFacts) -> Iterator[Finding]:
    locale = facts.data.get("locale")
    if isinstance(locale, str) and (message := locale_problem(locale)):
        yield ("locale",), message


ERRORS: tuple[ErrorRule, ...] = (
    unique_result_ids,
    current_needs_measured_on,
    target_differs_from_baseline,
    direction_agrees,
    no_future_dates,
    reused_slug_has_a_new_link,
    locale_is_known,
)
