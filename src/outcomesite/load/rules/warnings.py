"""Warning rules: what a valid account still lacks on its way up the ladder. Exit 0, or 1 with
--strict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from outcomesite.load.convert import Loc
from outcomesite.load.locales import catalog_problem
from outcomesite.load.rules.base import (
    AccountFacts,
    Finding,
    WarningRule,
    article,
    next_step_name,
    plain,
)
from outcomesite.load.rules.glyphs import drawable_texts
from outcomesite.load.rules.placeholders import no_placeholders
from outcomesite.load.rules.words import ACTIVITY_WORDS, USAGE_WORDS, first_match
from outcomesite.model import ladder
from outcomesite.model.config import DEFAULT_SEGMENTS
from outcomesite.model.schema import LEVELS


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


# A next step is a promise the customer reads; one that slipped by more than this many days
# (a weekly update's worth) is either done or late, and the report should say which.
NEXT_STEP_GRACE_DAYS = 7


def next_steps_not_past_due(facts: AccountFacts) -> Iterator[Finding]:
    for index, step in enumerate(facts.data.next_steps):
        if step.due is not None and (facts.as_of - step.due).days > NEXT_STEP_GRACE_DAYS:
            days = (facts.as_of - step.due).days
            yield (
                ("next_steps", index, "due"),
                f"{next_step_name(index)} was due on {step.due.isoformat()}, {days} days before "
                "the report date: the customer reads it as late; if it is done, remove it, if "
                "not, agree a new `due` date",
            )


def renewal_after_the_start(facts: AccountFacts) -> Iterator[Finding]:
    """`renewal_date` is the next renewal, for the CS leader's index: one before the start of
    the relationship is a typo."""
    renewal, start = facts.data.renewal_date, facts.data.start_date
    if renewal is not None and renewal < start:
        yield (
            ("renewal_date",),
            f"`renewal_date` {renewal.isoformat()} is before `start_date` {start.isoformat()}: "
            "a renewal comes after the relationship starts; check the date",
        )


def renewal_not_passed(facts: AccountFacts) -> Iterator[Finding]:
    """A renewal date that has passed (from the day after it) is either done, and the next one
    belongs in the file, or late, which the warning keeps in view until the customer renews.
    One before `start_date` is a typo, which the rule above reports instead."""
    renewal = facts.data.renewal_date
    if renewal is None or renewal < facts.data.start_date or renewal >= facts.as_of:
        return
    days = (facts.as_of - renewal).days
    yield (
        ("renewal_date",),
        f"the renewal date {renewal.isoformat()} has passed ({days} day{'' if days == 1 else 's'} "
        "before the report date): once the customer renews, update `renewal_date` to the next "
        "renewal",
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


def not_moving_away(facts: AccountFacts) -> Iterator[Finding]:
    """The loudest signal: the metric moved from the baseline away from the target."""
    for index, item in enumerate(facts.assessment.results):
        r = item.result
        if item.moving_away and r.current is not None:
            yield (
                ("results", index, "current"),
                f"result `{r.id}` is moving away from its target: {plain(r.current)} is further "
                f"from the target {plain(r.target)} than the baseline {plain(r.baseline)} was; say "
                "in the narrative what is being done about it, and check the numbers",
            )


# Why a segment needs its level of validator (the seeds: "a result that isn't validated by the
# right person doesn't survive a renewal conversation").
_WHY_LEVEL = {
    "smb": "an SMB result survives a conversation with the buyer",
    "mid-market": "a mid-market result is confirmed by the team lead and their manager",
    "enterprise": "an enterprise result has to survive an executive's renewal conversation",
}


def validator_level_fits_the_segment(facts: AccountFacts) -> Iterator[Finding]:
    segment = facts.data.segment
    needed = facts.config.segments.validator_level(segment)
    for index, r in enumerate(facts.data.results):
        level = r.validator.level if r.validator else None
        if level is not None and LEVELS.index(level) < LEVELS.index(needed):
            why = (
                _WHY_LEVEL[segment]
                if needed == DEFAULT_SEGMENTS[segment][1]
                else f"this team's definition of {article(segment)} {segment} result asks for it "
                "(outcomesite.yaml `segments`)"
            )
            yield (
                ("results", index, "validator", "level"),
                f"result `{r.id}`: the validator is {article(level)} `{level}`, but "
                f"{article(segment)} {segment} result needs at least {article(needed)} `{needed}` "
                f"to confirm it: {why}; name someone at that level as the "
                "validator",
            )


def confirmation_covers_a_move(facts: AccountFacts) -> Iterator[Finding]:
    for index, item in enumerate(facts.assessment.results):
        r = item.result
        found = item.confirmation
        if found is not None and ladder.confirmed_nothing_that_moved(r, item.points):
            yield (
                ("results", index, "validator", "confirmed_on"),
                f"result `{r.id}`: `confirmed_on` {found.on.isoformat()} is before any "
                "measurement that moved from the baseline: the customer confirmed nothing that "
                "moved; ask them to confirm the latest value and update `confirmed_on`",
            )


def outcome_not_activity(facts: AccountFacts) -> Iterator[Finding]:
    """A metric that counts what our team does, or how much the product is used."""
    config = facts.config
    if config.check_words == "off":
        return
    activity = (*config.activity_words, *ACTIVITY_WORDS)
    usage = (*config.usage_words, *USAGE_WORDS)
    for index, r in enumerate(facts.data.results):
        if r.why_an_outcome:
            continue  # the team says why, in the file
        for key in ("metric", "goal"):
            text = getattr(r, key)
            if word := first_match(text, activity):
                problem = (
                    f'counts what our team does ("{word}"), not what changed for the customer: '
                    'name the change, e.g. "Time to onboard a new employee", not "Training hours '
                    'delivered"'
                )
            elif word := first_match(text, usage):
                problem = (
                    f'measures product usage ("{word}"): that is evidence of Adoption (rung 2), '
                    "not an outcome; name what the usage changed for the customer, e.g. "
                    '"Hours to close the month"'
                )
            else:
                continue
            yield (
                ("results", index, key),
                f"result `{r.id}`: the {key} {problem} (or add `why_an_outcome:` saying why it "
                "is one)",
            )
            break


def measured_after_the_start(facts: AccountFacts) -> Iterator[Finding]:
    start = facts.data.start_date
    for index, r in enumerate(facts.data.results):
        dated: list[tuple[Loc, str, dt.date | None]] = [
            (("results", index, "measured_on"), ": `measured_on`", r.measured_on)
        ]
        dated += [
            (("results", index, "history", i, "date"), f", history entry {i + 1}: `date`", p.date)
            for i, p in enumerate(r.history)
        ]
        for loc, what, day in dated:
            if day is not None and day < start:
                yield (
                    loc,
                    f"result `{r.id}`{what} {day.isoformat()} is before `start_date` "
                    f"{start.isoformat()}: a measurement from before the product is the "
                    "`baseline`; check the date",
                )


# How much text a report can show where each text goes (README: the limits).
TEXT_LIMITS = {
    "account": 80,
    "goal": 160,
    "metric": 120,
    "unit": 24,
    "attribution": 400,
    "source": 160,
    "why_an_outcome": 400,
    "name": 80,
    "role": 80,
    "step": 160,
    "owner": 80,
}


def texts_fit_the_report(facts: AccountFacts) -> Iterator[Finding]:
    def too_long(
        loc: tuple[str | int, ...], where: str, key: str, text: str | None
    ) -> Iterator[Finding]:
        limit = TEXT_LIMITS[key]
        if text is not None and len(text) > limit:
            yield (
                loc,
                f"{where}`{key}` is {len(text)} characters long, more than the {limit} a report "
                "shows well: shorten it (details belong in the narrative)",
            )

    yield from too_long(("account",), "", "account", facts.data.account)
    for index, r in enumerate(facts.data.results):
        at, where = ("results", index), f"result `{r.id}`: "
        for key in ("goal", "metric", "unit", "attribution", "source", "why_an_outcome"):
            yield from too_long((*at, key), where, key, getattr(r, key))
        if r.validator:
            where = f"result `{r.id}`, validator: "
            yield from too_long((*at, "validator", "name"), where, "name", r.validator.name)
            yield from too_long((*at, "validator", "role"), where, "role", r.validator.role)
    for index, step in enumerate(facts.data.next_steps):
        at, where = ("next_steps", index), f"{next_step_name(index)}: "
        yield from too_long((*at, "step"), where, "step", step.step)
        yield from too_long((*at, "owner"), where, "owner", step.owner)


def locale_has_a_catalog(facts: AccountFacts) -> Iterator[Finding]:
    if facts.data.locale and (message := catalog_problem(facts.data.locale)):
        yield ("locale",), message


# (code, rule): the code names the kind of warning in summaries (errors.WARNING_KINDS).
WARNINGS: tuple[tuple[str, WarningRule], ...] = (
    ("no-results", has_results),
    ("moving-away", not_moving_away),
    ("no-validator", has_validator),
    ("validator-level", validator_level_fits_the_segment),
    ("confirmed-nothing", confirmation_covers_a_move),
    ("activity", outcome_not_activity),
    ("stale", measured_recently),
    ("before-start", measured_after_the_start),
    ("overdue", not_overdue),
    ("step-overdue", next_steps_not_past_due),
    ("renewal-before-start", renewal_after_the_start),
    ("renewal-passed", renewal_not_passed),
    ("placeholder", no_placeholders),
    ("long-text", texts_fit_the_report),
    ("result-check", passes_the_result_check),
    ("locale", locale_has_a_catalog),
    ("no-font", drawable_texts),
)
