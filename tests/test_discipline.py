"""The discipline of a result (issue 13): the rules the Customer Results Ladder asks of every
result, each a `check` diagnostic at the right line.

The table edits the VALID account (see conftest) and expects the complete list of diagnostics, so
a row also proves no other, spurious message appears. The tests after it follow a rule beyond
`check`: into the report, index.json, the index page, the scaffold, and Git's earlier commits.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomesite import load_site
from outcomesite.load.rules.words import ACTIVITY_WORDS, USAGE_WORDS, first_match
from tests.conftest import AS_OF, VALID, diagnostics_of, edited, make_site, run_cli
from tests.test_history import commit_all, git
from tests.test_report_fields import scaffold_warnings

P = "content/accounts/acme.md"
P_NEW = "content/accounts/globex.md"  # what `outcomesite new globex` writes
ENV = {"OUTCOMESITE_SECRET": "discipline-secret-0123456789abcdef0123456789"}
R = "result `onboarding-time`"
LEVEL = "      role: VP Operations\n"
VALIDATOR = (
    "    validator:\n      name: Priya Shah\n      role: VP Operations\n"
    "      confirmed_on: 2026-11-10\n"
)


def with_level(level: str) -> tuple[str, str]:
    return (LEVEL, f"{LEVEL}      level: {level}\n")


def with_history(value: int) -> tuple[str, str]:
    return (
        "    owner: Dana Reyes\n",
        f"    owner: Dana Reyes\n    history:\n      - {{date: 2026-10-01, value: {value}}}\n",
    )


ACTIVITY_ADVICE = (
    'name the change, e.g. "Time to onboard a new employee", not "Training hours delivered" '
    "(or add `why_an_outcome:` saying why it is one)"
)
USAGE_ADVICE = (
    "that is evidence of Adoption (rung 2), not an outcome; name what the usage changed for the "
    'customer, e.g. "Hours to close the month" (or add `why_an_outcome:` saying why it is one)'
)
CONFIRMED_NOTHING = (
    "is before any measurement that moved from the baseline: the customer confirmed nothing that "
    "moved; ask them to confirm the latest value and update `confirmed_on`"
)

# (case, edits applied in order, outcomesite.yaml or None, expected diagnostics)
CASES: list[tuple[str, list[tuple[str, str]], str | None, list[str]]] = [
    # --- 1. who validates a result depends on the segment ----------------------------------------
    (
        "enterprise validator below executive",
        [with_level("manager")],
        None,
        [
            f"{P}:21: warning: {R}: the validator is a `manager`, but an enterprise result needs at "
            "least an `executive` to confirm it: an enterprise result has to survive an executive's "
            "renewal conversation; name someone at that level as the validator"
        ],
    ),
    ("enterprise validator at executive", [with_level("executive")], None, []),
    ("no level said: nothing to compare", [], None, []),
    (
        "smb validator at user",
        [("segment: enterprise", "segment: smb"), with_level("user")],
        None,
        [],
    ),
    (
        "mid-market needs a team lead",
        [("segment: enterprise", "segment: mid-market"), with_level("user")],
        None,
        [
            f"{P}:21: warning: {R}: the validator is a `user`, but a mid-market result needs at "
            "least a `team-lead` to confirm it: a mid-market result is confirmed by the team lead "
            "and their manager; name someone at that level as the validator"
        ],
    ),
    (
        "the team lowered enterprise's level",
        [with_level("manager")],
        "segments:\n  enterprise:\n    validator_level: manager\n",
        [],
    ),
    (
        "the team raised smb's level",
        [("segment: enterprise", "segment: smb"), with_level("user")],
        "segments:\n  smb:\n    validator_level: manager\n",
        [
            f"{P}:21: warning: {R}: the validator is a `user`, but an smb result needs at least a "
            "`manager` to confirm it: this team's definition of an smb result asks for it "
            "(outcomesite.yaml `segments`); name someone at that level as the validator"
        ],
    ),
    (
        "unknown level, with a suggestion",
        [with_level("exec")],
        None,
        [
            f"{P}:21: error: {R}, validator: `level` must be one of user, team-lead, manager, "
            "executive (found `exec`): did you mean `executive`?"
        ],
    ),
    (
        "unknown segment, with a suggestion",
        [("segment: enterprise", "segment: entreprise")],
        None,
        [
            f"{P}:3: error: `segment` must be one of smb, mid-market, enterprise (found "
            "`entreprise`): did you mean `enterprise`?"
        ],
    ),
    (
        "unknown segment in outcomesite.yaml",
        [],
        "segments:\n  entreprise:\n    definition: x\n",
        ["outcomesite.yaml:2: error: unknown key `entreprise`: did you mean `enterprise`?"],
    ),
    (
        "unknown level in outcomesite.yaml",
        [],
        "segments:\n  enterprise:\n    validator_level: executiv\n",
        [
            "outcomesite.yaml:3: error: `validator_level` must be one of user, team-lead, manager, "
            "executive (found `executiv`): did you mean `executive`?"
        ],
    ),
    # --- 2. activity and adoption are not results --------------------------------------------
    (
        "vendor activity in the metric",
        [("metric: Days to onboard", "metric: Training hours delivered")],
        None,
        [
            f'{P}:9: warning: {R}: the metric counts what our team does ("Training hours"), not '
            f"what changed for the customer: {ACTIVITY_ADVICE}"
        ],
    ),
    (
        "vendor activity in the goal",
        [("goal: Cut onboarding time", "goal: Hold 12 QBRs a year")],
        None,
        [
            f'{P}:8: warning: {R}: the goal counts what our team does ("QBRs"), not what changed '
            f"for the customer: {ACTIVITY_ADVICE}"
        ],
    ),
    (
        "usage in the metric",
        [("metric: Days to onboard", "metric: Weekly active users")],
        None,
        [
            f'{P}:9: warning: {R}: the metric measures product usage ("active users"): {USAGE_ADVICE}'
        ],
    ),
    (
        "logins",
        [("metric: Days to onboard", "metric: Logins per week")],
        None,
        [f'{P}:9: warning: {R}: the metric measures product usage ("Logins"): {USAGE_ADVICE}'],
    ),
    (
        "a word inside another word is not matched",
        [("metric: Days to onboard", "metric: Days to onboard a trainee")],
        None,
        [],
    ),
    (
        "energy usage is the customer's, not the product's",
        [("metric: Days to onboard", "metric: Energy usage per pallet")],
        None,
        [],
    ),
    (
        "share of staff trained",
        [("metric: Days to onboard", "metric: Share of staff trained")],
        None,
        [
            f'{P}:9: warning: {R}: the metric counts what our team does ("trained"), not what '
            f"changed for the customer: {ACTIVITY_ADVICE}"
        ],
    ),
    (
        "why_an_outcome silences it",
        [
            (
                "metric: Days to onboard",
                "metric: Weekly active users\n    why_an_outcome: Each active user is a clerk off "
                "the paper ledger",
            )
        ],
        None,
        [],
    ),
    (
        "an empty why_an_outcome does not",
        [("metric: Days to onboard", 'metric: Weekly active users\n    why_an_outcome: ""')],
        None,
        [
            f'{P}:9: warning: {R}: the metric measures product usage ("active users"): {USAGE_ADVICE}'
        ],
    ),
    (
        "outcomesite.yaml turns the rule off",
        [("metric: Days to onboard", "metric: Training hours delivered")],
        "check_words: off\n",
        [],
    ),
    (
        "outcomesite.yaml extends the activity words",
        [],
        "activity_words: [onboard]\n",
        [
            f'{P}:9: warning: {R}: the metric counts what our team does ("onboard"), not what '
            f"changed for the customer: {ACTIVITY_ADVICE}"
        ],
    ),
    (
        "outcomesite.yaml extends the usage words",
        [],
        "usage_words: [days]\n",
        [f'{P}:9: warning: {R}: the metric measures product usage ("Days"): {USAGE_ADVICE}'],
    ),
    (
        "check_words must be on or off",
        [],
        "check_words: maybe\n",
        ["outcomesite.yaml:1: error: `check_words` must be one of on, off (found `maybe`)"],
    ),
    # --- 3. a confirmation covers the value that was confirmed -------------------------------
    (
        "confirmed an earlier value that moved: no warning (the index asks for a new one)",
        [("confirmed_on: 2026-11-10", "confirmed_on: 2026-10-15"), with_history(50)],
        None,
        [],
    ),
    (
        "confirmed before the first value that moved",
        [("confirmed_on: 2026-11-10", "confirmed_on: 2026-10-15"), with_history(60)],
        None,
        [f"{P}:23: warning: {R}: `confirmed_on` 2026-10-15 {CONFIRMED_NOTHING}"],
    ),
    (
        "confirmed before any measurement",
        [("confirmed_on: 2026-11-10", "confirmed_on: 2026-10-15")],
        None,
        [f"{P}:21: warning: {R}: `confirmed_on` 2026-10-15 {CONFIRMED_NOTHING}"],
    ),
    # --- 4. moving away from the target ------------------------------------------------------
    (
        "costs rose where they should fall",
        [("current: 44", "current: 65")],
        None,
        [
            f"{P}:14: warning: {R} is moving away from its target: 65 is further from the target "
            "40 than the baseline 60 was; say in the narrative what is being done about it, and "
            "check the numbers"
        ],
    ),
    (
        "an increase that fell",
        [
            ("direction: decrease", "direction: increase"),
            ("baseline: 60", "baseline: 10"),
            ("target: 40", "target: 20"),
            ("current: 44", "current: 9"),
        ],
        None,
        [
            f"{P}:14: warning: {R} is moving away from its target: 9 is further from the target "
            "20 than the baseline 10 was; say in the narrative what is being done about it, and "
            "check the numbers"
        ],
    ),
    # --- 5. provenance of a number ---------------------------------------------------------------
    (
        "source and evidence",
        [
            (
                "    owner: Dana Reyes\n",
                "    owner: Dana Reyes\n    source: HR system, monthly export\n"
                "    evidence: customer-reported\n",
            )
        ],
        None,
        [],
    ),
    (
        "unknown evidence",
        [("    owner: Dana Reyes\n", "    owner: Dana Reyes\n    evidence: guessed\n")],
        None,
        [
            f"{P}:17: error: {R}: `evidence` must be one of measured, estimated, customer-reported "
            "(found `guessed`)"
        ],
    ),
    # --- 6. YAML traps -------------------------------------------------------------------------
    (
        "a # cuts the goal",
        [("goal: Cut onboarding time", "goal: Save #1 priority")],
        None,
        [
            f"{P}:8: error: {R}: `goal`: a ` #` starts a comment in YAML, so the text after it is "
            'left out (the report would show "Save"): put the value in quotes: '
            '`goal: "Save #1 priority"`'
        ],
    ),
    (
        "a # cuts the account name",
        [("account: Acme Corp", "account: E # Inc")],
        None,
        [
            f"{P}:2: error: `account`: a ` #` starts a comment in YAML, so the text after it is "
            'left out (the report would show "E"): put the value in quotes: `account: "E # Inc"`'
        ],
    ),
    ("a # inside quotes is text", [("account: Acme Corp", 'account: "E # Inc"')], None, []),
    ("a # without a space before it is text", [("account: Acme Corp", "account: E#Inc")], None, []),
    (
        "a line indented five spaces",
        [("    metric: Days to onboard", "     metric: Days to onboard")],
        None,
        [
            f"{P}:9: error: this line is indented 5 spaces, but the keys it belongs with are "
            "indented 4 (column 5): indent it with 4 spaces"
        ],
    ),
    (
        "a line indented three spaces",
        [("    metric: Days to onboard", "   metric: Days to onboard")],
        None,
        [
            f"{P}:9: error: this line is indented 3 spaces, but the keys it belongs with are "
            "indented 4 (column 5): indent it with 4 spaces"
        ],
    ),
    (
        "a result item one space too far",
        [("---\n## What", "   - id: second\n     goal: g\n---\n## What")],
        None,
        [
            f"{P}:22: error: this line is indented 3 spaces, but the list's items are indented 2 "
            "(column 3): indent it with 2 spaces"
        ],
    ),
    (
        "an unclosed quote, at the line it opens",
        [("goal: Cut onboarding time", 'goal: "Cut onboarding time')],
        None,
        [
            f'{P}:8: error: the value starts with `"` but its closing `"` is missing on this '
            'line: add `"` at the end of the value'
        ],
    ),
    (
        "an empty owner is empty, not missing",
        [("owner: Dana Reyes", 'owner: ""')],
        None,
        [
            f"{P}:16: error: {R}: `owner` is empty: write the internal owner of this result (a person's name)"
        ],
    ),
    (
        "a validator written on one line",
        [(VALIDATOR, "    validator: Jane Doe\n")],
        None,
        [
            f"{P}:18: error: {R}: `validator` must be lines indented below it, not a value on its "
            "line: write `validator:` alone, and on the next line, two spaces further in, "
            "`name: Jane Doe`"
        ],
    ),
    (
        "a validator's lines not indented",
        [
            (
                "      name: Priya Shah\n      role: VP Operations\n      confirmed_on: 2026-11-10\n",
                "    name: Priya Shah\n    role: VP Operations\n",
            )
        ],
        None,
        [
            f"{P}:19: error: {R}: `name` belongs to `validator:` above it: indent the lines under "
            "`validator:` by two more spaces (to column 7)",
            f"{P}:20: error: {R}: `role` belongs to `validator:` above it: indent the lines under "
            "`validator:` by two more spaces (to column 7)",
        ],
    ),
    (
        "measured before the relationship started",
        [
            ("start_date: 2026-09-01", "start_date: 2026-11-05"),
            ("confirmed_on: 2026-11-10", "confirmed_on: 2026-11-20"),
        ],
        None,
        [
            f"{P}:15: warning: {R}: `measured_on` 2026-11-01 is before `start_date` 2026-11-05: a "
            "measurement from before the product is the `baseline`; check the date"
        ],
    ),
    (
        "a history date before the start",
        [with_history(50), ("start_date: 2026-09-01", "start_date: 2026-10-05")],
        None,
        [
            f"{P}:18: warning: {R}, history entry 1: `date` 2026-10-01 is before `start_date` "
            "2026-10-05: a measurement from before the product is the `baseline`; check the date"
        ],
    ),
    (
        "a goal longer than a report shows",
        [("goal: Cut onboarding time", "goal: " + "Cut onboarding time " * 10)],
        None,
        [
            f"{P}:8: warning: {R}: `goal` is 199 characters long, more than the 160 a report shows "
            "well: shorten it (details belong in the narrative)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "edits", "config", "expected"), CASES, ids=[case[0] for case in CASES]
)
def test_rule(
    tmp_path: Path,
    case: str,
    edits: list[tuple[str, str]],
    config: str | None,
    expected: list[str],
) -> None:
    text = edited(case, edits)
    make_site(tmp_path, {"acme": text}, config)
    assert diagnostics_of(tmp_path) == expected


def test_the_word_lists_are_the_documented_ones() -> None:
    """The CSM guide prints the lists; they must be the ones the rule uses."""
    guide = (Path(__file__).resolve().parent.parent / "docs" / "csm-guide.md").read_text("utf-8")
    for word in (*ACTIVITY_WORDS, *USAGE_WORDS):
        assert f"`{word}`" in guide, word


def _word_by_word(text: str, words: tuple[str, ...]) -> str | None:
    """What first_match answers, the slow way: one case-insensitive search per word."""
    for word in words:
        found = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)
        if found:
            return found.group(0)
    return None


# Custom words as a site may add them, beyond ASCII too: under a case-insensitive search the
# Kelvin sign matches k and a long s matches s, so no prefilter may skip those.
SITE_WORDS = ("kpi reviews", "\u212aey meetings", "ſessions", "straße", "İnsights")
PIECES = [
    *ACTIVITY_WORDS[:8], *USAGE_WORDS[:8], *SITE_WORDS,
    "QBRs", "Logins", "key meetings", "KEY MEETINGS", "sessions", "STRASSE", "insights",
    "-", " ", "_", "12 ", "re", "x", "é", "\u212a", "ı", "ſ",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    text=st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    words=st.sampled_from([ACTIVITY_WORDS, USAGE_WORDS, SITE_WORDS, ACTIVITY_WORDS + SITE_WORDS]),
)
def test_first_match_is_a_search_word_by_word(text: str, words: tuple[str, ...]) -> None:
    assert first_match(text, words) == _word_by_word(text, words)


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("We held 12 QBRs this year", ACTIVITY_WORDS, "QBRs"),
        ("Monthly Active Users", USAGE_WORDS, "Active Users"),
        ("pre-qbr prep", ACTIVITY_WORDS, None),
        ("Days to close the books", ACTIVITY_WORDS, None),
        ("key meetings", ("\u212aey meetings",), "key meetings"),
        ("sessions", ("ſessions",), "sessions"),
    ],
)
def test_first_match(text: str, words: tuple[str, ...], expected: str | None) -> None:
    assert first_match(text, words) == expected


def test_every_new_warning_in_text_github_and_json(tmp_path: Path) -> None:
    """One account breaking several rules: the three formats carry the same lines and messages."""
    text = (
        VALID.replace(LEVEL, f"{LEVEL}      level: user\n")
        .replace("metric: Days to onboard", "metric: Weekly active users")
        .replace("current: 44", "current: 65")
        .replace("goal: Cut onboarding time", "goal: " + "Cut onboarding time " * 10)
    )
    make_site(tmp_path, {"acme": text})
    plain = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    github = run_cli(tmp_path, "check", "--format", "github", "--as-of", AS_OF.isoformat())
    as_json = run_cli(tmp_path, "check", "--format", "json", "--as-of", AS_OF.isoformat())
    assert plain.exit_code == github.exit_code == as_json.exit_code == 0  # warnings pass ...
    strict = run_cli(tmp_path, "check", "--strict", "--as-of", AS_OF.isoformat())
    assert strict.exit_code == 1  # ... unless CI asks for --strict

    lines = plain.stdout.splitlines()
    assert [line.split(": warning: ")[0] for line in lines] == [
        f"{P}:8",
        f"{P}:9",
        f"{P}:14",
        f"{P}:21",
    ]
    records = json.loads(as_json.stdout)
    assert [f"{r['path']}:{r['line']}: {r['severity']}: {r['message']}" for r in records] == lines
    expected_github = [
        f"::warning file={r['path']},line={r['line']}::{r['message']}" for r in records
    ]
    assert github.stdout.splitlines() == expected_github


def read_index(root: Path) -> dict[str, Any]:
    entries = json.loads((root / "build" / "internal" / "index.json").read_text("utf-8"))
    return {entry["slug"]: entry for entry in entries["accounts"]}


def report_text(root: Path) -> str:
    (page,) = (root / "build" / "public" / "r").glob("*/index.html")
    return " ".join(page.read_text("utf-8").split())


def test_a_confirmation_from_an_earlier_commit_covers_its_value_only(tmp_path: Path) -> None:
    """The CSM measured 50 and the customer confirmed it (commit 1). Later the CSM typed 44 over
    it (commit 2): the file no longer holds 50, Git does. The confirmation covers 50, not 44."""
    git(tmp_path, "init", "-q", "-b", "main")
    first = VALID.replace("current: 44", "current: 50").replace(
        "measured_on: 2026-11-01", "measured_on: 2026-10-01"
    )
    first = first.replace("confirmed_on: 2026-11-10", "confirmed_on: 2026-10-15")
    make_site(tmp_path, {"acme": first})
    commit_all(tmp_path, "October", "2026-10-15T12:00:00")
    later = VALID.replace("confirmed_on: 2026-11-10", "confirmed_on: 2026-10-15")
    make_site(tmp_path, {"acme": later})
    commit_all(tmp_path, "November", "2026-11-02T12:00:00")

    assert diagnostics_of(tmp_path) == []  # Git knows the customer confirmed a value that moved
    build = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV)
    assert build.exit_code == 0, build.stderr
    entry = read_index(tmp_path)["acme"]
    (result,) = entry["results"]
    assert result["confirmed_value"] == 50
    assert result["latest_confirmed"] is False
    assert result["validated"] is True
    assert result["rung"] == 4  # the confirmed value itself had moved from 60 toward 40
    assert entry["needs_attention"] is True
    assert entry["attention"] == [{"reason": "unconfirmed", "result": "onboarding-time"}]
    report = report_text(tmp_path)
    assert "Confirmed by Priya Shah, VP Operations, on Oct 15, 2026: 50 days</p>" in report
    assert (
        "<dt>Not confirmed yet</dt><dd>The latest value, 44 days (Nov 1, 2026), awaits "
        "confirmation by your team.</dd>" in report
    )

    # Outside Git the same file has no earlier value: the customer confirmed nothing that moved.
    subprocess.run(["rm", "-rf", str(tmp_path / ".git")], check=True)
    assert diagnostics_of(tmp_path) == [
        f"{P}:21: warning: {R}: `confirmed_on` 2026-10-15 {CONFIRMED_NOTHING}"
    ]
    site = load_site(tmp_path, AS_OF)
    (item,) = site.accounts[0].assessment.results
    assert item.confirmed_value is None
    assert int(item.rung) == 3


def test_the_latest_value_confirmed(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    assert (
        run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV).exit_code == 0
    )
    entry = read_index(tmp_path)["acme"]
    (result,) = entry["results"]
    assert (result["confirmed_value"], result["latest_confirmed"], result["rung"]) == (44, True, 4)
    assert entry["attention"] == []
    assert "Confirmed by Priya Shah, VP Operations, on Nov 10, 2026" in report_text(tmp_path)
    assert "awaits their confirmation" not in report_text(tmp_path)


def test_an_estimate_reaches_outcome_and_says_so(tmp_path: Path) -> None:
    text = VALID.replace(
        "    owner: Dana Reyes\n",
        "    owner: Dana Reyes\n    evidence: estimated\n    source: HR team's estimate\n",
    )
    make_site(tmp_path, {"acme": text})
    assert (
        run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV).exit_code == 0
    )
    entry = read_index(tmp_path)["acme"]
    (result,) = entry["results"]
    assert (result["rung"], result["evidence"], result["source"]) == (
        3,
        "estimated",
        "HR team's estimate",
    )
    assert entry["rung"] == 3
    report = report_text(tmp_path)
    assert '44 days <span class="estimate">estimate</span>' in report
    assert "estimated Nov 1, 2026" in report
    assert "Source: HR team&#39;s estimate" in report


def test_measured_is_the_default_evidence(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    assert (
        run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV).exit_code == 0
    )
    (result,) = read_index(tmp_path)["acme"]["results"]
    assert (result["evidence"], result["source"]) == ("measured", None)
    assert 'class="estimate"' not in report_text(tmp_path)


def test_the_index_shows_segment_definitions_and_moving_away_first(tmp_path: Path) -> None:
    away = VALID.replace("current: 44", "current: 65").replace(
        "account: Acme Corp", "account: Away"
    )
    config = (
        "segments:\n  enterprise:\n    definition: Money the CFO signs off on.\n"
        "    validator_level: manager\n"
    )
    make_site(tmp_path, {"acme": VALID, "away": away}, config)
    assert (
        run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV).exit_code == 0
    )
    assert read_index(tmp_path)["away"]["attention"] == [
        {"reason": "moving-away", "result": "onboarding-time"}
    ]
    index = " ".join((tmp_path / "build" / "internal" / "index.html").read_text("utf-8").split())
    assert "What a result is, per segment" in index
    assert (
        "<dt>enterprise</dt><dd>Money the CFO signs off on. "
        '<span class="sub">Lowest validator level that counts: manager.</span></dd>' in index
    )
    assert "Moving away from the target: Cut onboarding time" in index  # the goal, on a card


@pytest.mark.parametrize(
    ("segment", "level", "definition"),
    [
        ("enterprise", "executive", "confirmed by an executive sponsor, not the day-to-day user"),
        ("smb", "user", None),
        ("mid-market", "team-lead", None),
    ],
)
def test_new_shows_the_segment_definition(
    tmp_path: Path, segment: str, level: str, definition: str | None
) -> None:
    make_site(tmp_path, {})
    result = run_cli(tmp_path, "new", "globex", "--segment", segment)
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / P_NEW).read_text("utf-8")
    site = load_site(tmp_path, AS_OF)
    flat = " ".join(line.lstrip("# ") for line in text.splitlines())
    assert " ".join(site.config.segments.definition(segment).split()) in flat
    if definition:
        assert definition in flat
    assert f"segment: {segment} " in text
    assert f"      level: {level} " in text
    assert "# source:" in text and "# evidence: measured" in text
    # The scaffold passes check as written, with a warning for each placeholder to replace.
    assert [d.format_text() for d in site.diagnostics] == scaffold_warnings(P_NEW, text)


def test_new_uses_the_teams_own_definition(tmp_path: Path) -> None:
    config = "segments:\n  smb:\n    definition: Hours the owner gets back.\n    validator_level: manager\n"
    make_site(tmp_path, {}, config)
    assert run_cli(tmp_path, "new", "globex", "--segment", "smb").exit_code == 0
    text = (tmp_path / P_NEW).read_text("utf-8")
    assert "#   Hours the owner gets back." in text
    assert "      level: manager " in text
    assert diagnostics_of(tmp_path) == scaffold_warnings(P_NEW, text)
