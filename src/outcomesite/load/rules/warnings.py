"""Warning rules: what a valid account still lacks on its way up the ladder. Exit 0, or 1 with
--strict."""

from __future__ import annotations

from collections.abc import Iterator

from outcomesite.load.rules.base import AccountFacts, Finding, WarningRule, plain
from outcomesite.model import ladder


def has_results(facts: AccountFacts) -> Iterator[Finding]:
    if not facts.data.results:
        yield (
            ("results",),
            "the account has no results yet (rung 0, No named result): add a result under "
            "`results:` with the customer's goal, metric, baseline, target and owner",
        )


def has_validator(facts: AccountFacts) -> Iterator[Finding]:
    for index, result in enumerate(facts.data.results):
        if result.validator is None:
            yield (
                ("results", index, "id"),
                f"result `{result.id}` has no validator: add `validator:` with the name and role "
                "of the person at the customer who confirms the result",
            )


def measured_recently(facts: AccountFacts) -> Iterator[Finding]:
    for index, item in enumerate(facts.assessment.results):
        measured_on = item.result.measured_on
        if item.stale and measured_on is not None:
            age = (facts.as_of - measured_on).days
            yield (
                ("results", index, "measured_on"),
                f"result `{item.result.id}`: the last measurement ({measured_on.isoformat()}) is "
                f"{age} days old, more than {facts.config.stale_after_days}: measure again and "
                "update `current` and `measured_on`",
            )


def not_overdue(facts: AccountFacts) -> Iterator[Finding]:
    for index, item in enumerate(facts.assessment.results):
        due = item.result.due
        if item.overdue and due is not None:
            yield (
                ("results", index, "due"),
                f"result `{item.result.id}` is overdue: the target {plain(item.result.target)} was "
                f"due on {due.isoformat()} and is not met: update `current`, or agree a new `due` "
                "date with the customer",
            )


def passes_the_result_check(facts: AccountFacts) -> Iterator[Finding]:
    assessment = facts.assessment
    if assessment.result_check != "failing":
        return
    days = (facts.as_of - facts.data.start_date).days
    step = ladder.next_rung_step(assessment.rung) or ""
    yield (
        ("start_date",),
        f"failing the {facts.config.result_check_days}-day result check: {days} days since "
        f"start_date and the account is at rung {int(assessment.rung)} "
        f"({assessment.rung.label}), below Measurable Result. Next: {step}",
    )


# (code, rule): the code names the kind of warning in summaries (errors.WARNING_KINDS).
WARNINGS: tuple[tuple[str, WarningRule], ...] = (
    ("no-results", has_results),
    ("no-validator", has_validator),
    ("stale", measured_recently),
    ("overdue", not_overdue),
    ("result-check", passes_the_result_check),
)
