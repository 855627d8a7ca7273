"""Every error and warning SPEC lists, with the exact message and line a CSM sees.

Each case edits the VALID account (see conftest) with one textual replacement and expects the
complete list of diagnostics, so a case also proves no other, spurious message appears.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from outcomesite.load.frontmatter import _Loader, split
from outcomesite.load.rules.base import plain
from tests.conftest import ROOT, VALID, diagnostics_of, make_site

P = "content/accounts/acme.md"

CASES = [
    # --- required fields -------------------------------------------------------------------
    (
        "result without owner",
        ("    owner: Dana Reyes\n", ""),
        [
            f"{P}:7: error: result `onboarding-time`: `owner` is missing: add a line `owner: ...` "
            "with the internal owner of this result (a person's name)"
        ],
    ),
    (
        "empty owner",
        ("    owner: Dana Reyes\n", "    owner:\n"),
        [
            f"{P}:16: error: result `onboarding-time`: `owner` is empty: write the internal owner "
            "of this result (a person's name)"
        ],
    ),
    (
        "missing csm",
        ("csm: Dana Reyes\n", ""),
        [
            f"{P}:2: error: `csm` is missing: add a line `csm: ...` with the internal account owner (CSM)"
        ],
    ),
    # --- wrong types --------------------------------------------------------------------------
    (
        "percent string",
        ("baseline: 60", 'baseline: "65%"'),
        [
            f'{P}:12: error: result `onboarding-time`: `baseline` must be a plain number: write `65` and `unit: "%"` (found `65%`)'
        ],
    ),
    (
        "quoted number",
        ("target: 40", "target: '40'"),
        [
            f"{P}:13: error: result `onboarding-time`: `target` must be a plain number, not text in quotes: write `40` without quotes"
        ],
    ),
    (
        "currency in value",
        ("current: 44", "current: $1,200"),
        [
            f"{P}:14: error: result `onboarding-time`: `current` must be a plain number: write `1200` and `unit: USD` (found `$1,200`)"
        ],
    ),
    (
        "thousands separator",
        ("current: 44", "current: 1,200"),
        [
            f"{P}:14: error: result `onboarding-time`: `current` must be a plain number without thousands separators: write `1200`"
        ],
    ),
    (
        "sexagesimal 1:30 is not guessed",
        ("current: 44", "current: 1:30"),
        [
            f"{P}:14: error: result `onboarding-time`: `current` must be a plain number: `1:30` is not "
            "read as a time (YAML 1.1 would turn it into a base-60 number); write the value in one "
            "unit, e.g. `90` and `unit: minutes`"
        ],
    ),
    (
        "leading zero 0123 is not octal",
        ("current: 44", "current: 0123"),
        [
            f"{P}:14: error: result `onboarding-time`: `current` must be a plain number: `0123` has a "
            "leading zero, which YAML 1.1 reads as an octal number; write `123`"
        ],
    ),
    (
        "text in a number",
        ("current: 44", "current: about 44"),
        [
            f"{P}:14: error: result `onboarding-time`: `current` must be a plain number such as 40 or 12.5 (found `about 44`)"
        ],
    ),
    (
        "huge number",
        ("current: 44", "current: 1e400"),
        [
            f"{P}:14: error: result `onboarding-time`: `current` is out of range: write a number between -1000000000000000 and 1000000000000000, a million billion (found `1e400`)"
        ],
    ),
    (
        "a list where a value belongs",
        ("metric: Days to onboard", "metric: [days, hours]"),
        [f"{P}:9: error: result `onboarding-time`: `metric` must be a single value, not a list"],
    ),
    (
        "results is not a list",
        ("results:\n  - id: onboarding-time", "results:\n    id: onboarding-time"),
        None,  # checked separately below: the message names the shape
    ),
    # --- YAML 1.1 words stay text where the schema wants text --------------------------------
    (
        "NO as an account name is kept as text",
        ("account: Acme Corp", "account: NO"),
        [],
    ),
    (
        "on is not a valid usage",
        ("csm: Dana Reyes\n", "csm: Dana Reyes\nusage: on\n"),
        [f"{P}:5: error: `usage` must be one of activity, adoption (found `on`)"],
    ),
    # --- unknown keys, enums, dates ------------------------------------------------------------
    (
        "misspelt key",
        ("    owner: Dana Reyes", "    ower: Dana Reyes"),
        [
            f"{P}:7: error: result `onboarding-time`: `owner` is missing: add a line `owner: ...` "
            "with the internal owner of this result (a person's name)",
            f"{P}:16: error: result `onboarding-time`: unknown key `ower`: did you mean `owner`?",
        ],
    ),
    (
        "unknown key without a close match",
        ("segment: enterprise\n", "segment: enterprise\nfavourite_colour: blue\n"),
        [
            f"{P}:4: error: unknown key `favourite_colour`: the keys allowed here are account, "
            "segment, csm, start_date, usage, link_version, internal_notes, results, "
            "next_steps, paper, locale, logo, renewal_date, arr, status, renewals"
        ],
    ),
    (
        "invalid enum with suggestion",
        ("segment: enterprise", "segment: Enterprize"),
        [
            f"{P}:3: error: `segment` must be one of smb, mid-market, enterprise (found `Enterprize`): did you mean `enterprise`?"
        ],
    ),
    (
        "invalid date",
        ("start_date: 2026-09-01", "start_date: 2026-02-30"),
        [
            f"{P}:5: error: `start_date` must be a date written YYYY-MM-DD, e.g. 2026-11-01 (found `2026-02-30`)"
        ],
    ),
    (
        "date in another format",
        ("measured_on: 2026-11-01", "measured_on: 01/11/2026"),
        [
            f"{P}:15: error: result `onboarding-time`: `measured_on` must be a date written YYYY-MM-DD, e.g. 2026-11-01 (found `01/11/2026`)"
        ],
    ),
    # --- cross-field rules --------------------------------------------------------------------------
    (
        "current without measured_on",
        ("    measured_on: 2026-11-01\n", ""),
        [
            f"{P}:14: error: result `onboarding-time`: `current` needs `measured_on`: add `measured_on: YYYY-MM-DD`, the day the value was measured"
        ],
    ),
    (
        "measured_on after as_of",
        ("measured_on: 2026-11-01", "measured_on: 2026-12-01"),
        [
            f"{P}:15: error: result `onboarding-time`: `measured_on` 2026-12-01 is after the report "
            "date 2026-11-23: dates cannot be in the future (check the year, or build with a later --as-of)"
        ],
    ),
    (
        "confirmed_on after as_of",
        ("confirmed_on: 2026-11-10", "confirmed_on: 2027-11-10"),
        [
            f"{P}:21: error: result `onboarding-time`: `confirmed_on` 2027-11-10 is after the report "
            "date 2026-11-23: dates cannot be in the future (check the year, or build with a later --as-of)"
        ],
    ),
    (
        "target equals baseline",
        ("target: 40", "target: 60"),
        [
            f"{P}:13: error: result `onboarding-time`: `target` equals `baseline` (60): a result must aim to change the metric; write the value the customer wants to reach"
        ],
    ),
    (
        "direction contradicts",
        ("direction: decrease", "direction: increase"),
        [
            f"{P}:11: error: result `onboarding-time`: `direction: increase` contradicts baseline 60 -> target 40, which is a decrease: write `direction: decrease` or fix the numbers"
        ],
    ),
    (
        "duplicate result ids",
        (
            "---\n## What",
            "  - id: onboarding-time\n    goal: g\n    metric: m\n    baseline: 1\n    target: 2\n"
            "    owner: Dana Reyes\n    validator: {name: Sam Lee}\n---\n## What",
        ),
        [
            f"{P}:22: error: duplicate result id `onboarding-time` (also used on line 7): give each result its own id"
        ],
    ),
    (
        "invalid result id",
        ("id: onboarding-time", "id: Onboarding Time"),
        [
            f"{P}:7: error: result `Onboarding Time`: `id` `Onboarding Time` may only use lowercase letters, digits and hyphens, e.g. `onboarding-time`"
        ],
    ),
    (
        "duplicate key",
        ("    owner: Dana Reyes\n", "    owner: Dana Reyes\n    owner: Sam Lee\n"),
        [
            f"{P}:17: error: result `onboarding-time`: duplicate key `owner` (first given on line 16): keep only one"
        ],
    ),
    (
        "link_version below 1",
        ("csm: Dana Reyes\n", "csm: Dana Reyes\nlink_version: 0\n"),
        [f"{P}:5: error: `link_version` must be at least 1"],
    ),
    # --- YAML itself ---------------------------------------------------------------------------------
    (
        "alias",
        ("csm: Dana Reyes", "csm: &who Dana Reyes"),
        None,
    ),
    (
        "tab indentation",
        ("    owner: Dana Reyes", "\towner: Dana Reyes"),
        [f"{P}:16: error: YAML syntax error: a tab character; indent with spaces, not tabs"],
    ),
    (
        "tab at the start of a key inside a result",
        ("    goal: Cut onboarding time", "\tgoal: Cut onboarding time"),
        [f"{P}:8: error: YAML syntax error: a tab character; indent with spaces, not tabs"],
    ),
    (
        "unquoted colon",
        ("goal: Cut onboarding time", "goal: Cut cost: onboarding"),
        [
            f'{P}:8: error: YAML syntax error: a `: ` inside a value; put the value in quotes, e.g. goal: "Cut cost: 10%"'
        ],
    ),
    (
        "custom tag",
        ("csm: Dana Reyes", "csm: !!python/object:os.system Dana"),
        [
            f"{P}:4: error: YAML tags like `tag:yaml.org,2002:python/object:os.system` are not allowed: write a plain value"
        ],
    ),
    # --- the narrative --------------------------------------------------------------------------------
    (
        "javascript link",
        ("Onboarding is faster.", "See [this](javascript:alert(1))."),
        [
            f"{P}:25: error: link `javascript:alert(1)` uses the `javascript:` scheme, which is not allowed: use an http, https or mailto link, or remove it"
        ],
    ),
    (
        "file link",
        ("Onboarding is faster.", "Text\n\nSee [this](file:///etc/passwd)."),
        [
            f"{P}:27: error: link `file:///etc/passwd` uses the `file:` scheme, which is not allowed: use an http, https or mailto link, or remove it"
        ],
    ),
    (
        "data link with obfuscated scheme",
        ("Onboarding is faster.", "[x](DaTa:text/html;base64,AAAA)"),
        [
            f"{P}:25: error: link `DaTa:text/html;base64,AAAA` uses the `data:` scheme, which is not allowed: use an http, https or mailto link, or remove it"
        ],
    ),
    (
        "remote image",
        ("Onboarding is faster.", "![chart](https://example.com/c.png)"),
        [
            f"{P}:25: error: image `https://example.com/c.png` is not a file in content/accounts/acme/ (remote images are never fetched): put the image in content/accounts/acme/ and write `![description](c.png)`"
        ],
    ),
    (
        "image of another account",
        ("Onboarding is faster.", "![chart](../other/c.png)"),
        [
            f"{P}:25: error: image `../other/c.png` points outside content/accounts/acme/: put the image in content/accounts/acme/ and write `![description](c.png)`"
        ],
    ),
    (
        "missing image",
        ("Onboarding is faster.", "![chart](c.png)"),
        [
            f"{P}:25: error: image `c.png` was not found in content/accounts/acme/: put the image in content/accounts/acme/ and write `![description](c.png)`"
        ],
    ),
    (
        "safe links are fine",
        ("Onboarding is faster.", "[a](https://x.example) [b](mailto:a@b.c) [c](notes.html)"),
        [],
    ),
    # --- warnings ---------------------------------------------------------------------------------------
    (
        "no results",
        (VALID[VALID.index("results:") : VALID.index("---\n##")], "results: []\n"),
        [
            f"{P}:6: warning: the account has no results yet (rung 0, No named result): add a result under `results:` with the customer's goal, metric, baseline, target and owner"
        ],
    ),
    (
        "no validator",
        (
            "    validator:\n      name: Priya Shah\n      role: VP Operations\n      confirmed_on: 2026-11-10\n",
            "",
        ),
        [
            f"{P}:5: warning: failing the 90-day result check: 138 days since start_date and the account is at rung 3 (Outcome), below Measurable Result. Next: Attribute the change to the product and have the customer confirm it.",
            f"{P}:7: warning: result `onboarding-time` has no validator: add `validator:` with the name and role of the person at the customer who confirms the result",
        ],
    ),
    (
        "stale",
        ("measured_on: 2026-11-01", "measured_on: 2026-06-01"),
        [
            f"{P}:15: warning: result `onboarding-time`: the last measurement (2026-06-01) is 175 days old, more than 120: measure again and update `current` and `measured_on`"
        ],
    ),
    (
        "overdue",
        ("    owner: Dana Reyes\n", "    due: 2026-10-31\n    owner: Dana Reyes\n"),
        [
            f"{P}:16: warning: result `onboarding-time` is overdue: the target 40 was due on 2026-10-31 and is not met: update `current`, or agree a new `due` date with the customer"
        ],
    ),
    # --- numbers in messages: as the CSM could have written them, never an exponent -----------
    (
        "overdue, with a small target",
        (
            "    baseline: 60\n    target: 40\n    current: 44\n    measured_on: 2026-11-01\n",
            "    baseline: 0.00005\n    target: 0.000012\n    current: 0.00002\n"
            "    measured_on: 2026-11-01\n    due: 2026-10-31\n",
        ),
        [
            f"{P}:16: warning: result `onboarding-time` is overdue: the target 0.000012 was due on 2026-10-31 and is not met: update `current`, or agree a new `due` date with the customer"
        ],
    ),
    (
        "direction against large numbers written with an exponent",
        ("    baseline: 60\n    target: 40\n", "    baseline: 1234567.5\n    target: 6e6\n"),
        [
            f"{P}:11: error: result `onboarding-time`: `direction: decrease` contradicts baseline 1234567.5 -> target 6000000, which is an increase: write `direction: increase` or fix the numbers"
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "edit", "expected"),
    [c for c in CASES if c[2] is not None],
    ids=lambda c: c if isinstance(c, str) else "",
)
def test_message(tmp_path: Path, case: str, edit: tuple[str, str], expected: list[str]) -> None:
    old, new = edit
    assert old in VALID, f"the edit for {case!r} does not apply"
    text = VALID.replace(old, new, 1)
    if "start_date" in case or "no validator" in case:
        text = text.replace("start_date: 2026-09-01", "start_date: 2026-07-08")
    if case == "stale":  # measured long ago, but after the relationship started
        text = text.replace("start_date: 2026-09-01", "start_date: 2026-05-01")
    make_site(tmp_path, {"acme": text})
    assert diagnostics_of(tmp_path) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (6e6, "6000000"),
        (6000000, "6000000"),
        (1234567.5, "1234567.5"),
        (0.000012, "0.000012"),
        (1e-7, "0.0000001"),
        (123456789012345.6, "123456789012345.6"),
        (1e15, "1000000000000000"),
        (-1e15, "-1000000000000000"),
        (10**15 + 1, "1000000000000001"),
        (0.1, "0.1"),
        (-3.25, "-3.25"),
        (100.0, "100"),
        (0, "0"),
        (-0.0, "0"),
    ],
)
def test_numbers_in_messages_are_written_out(value: float, expected: str) -> None:
    """Every number a message quotes goes through `plain`: no exponent, no digit lost."""
    assert plain(value) == expected


def test_valid_account_has_no_diagnostics(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    assert diagnostics_of(tmp_path) == []


def test_results_mapping_instead_of_list(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID.replace("results:\n  - id:", "results:\n    id:")})
    messages = diagnostics_of(tmp_path)
    assert messages[0] == (
        f"{P}:7: error: `results` must be a list, one item per line starting with `- `: write "
        "`- id: onboarding-time` and line up the lines below it with `id`"
    )


def test_alias_is_rejected_at_the_alias(tmp_path: Path) -> None:
    text = VALID.replace("csm: Dana Reyes", "csm: &who Dana Reyes").replace(
        "    owner: Dana Reyes", "    owner: *who"
    )
    make_site(tmp_path, {"acme": text})
    assert diagnostics_of(tmp_path) == [
        f"{P}:16: error: YAML anchors and aliases (&name, *name) are not allowed: write the value out in full"
    ]


def test_all_problems_in_one_run(tmp_path: Path) -> None:
    text = VALID.replace("segment: enterprise", "segment: big").replace(
        "    owner: Dana Reyes\n", ""
    )
    make_site(tmp_path, {"acme": text, "zeta": VALID.replace("baseline: 60", "baseline: 6O")})
    messages = diagnostics_of(tmp_path)
    assert [m.split(": error:")[0] for m in messages] == [
        f"{P}:3",
        f"{P}:7",
        "content/accounts/zeta.md:12",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Acme Corp",
            "content/accounts/Acme Corp.md:1: error: the file name `Acme Corp.md` is not a valid slug: rename it to `acme-corp.md` (lowercase letters, digits and hyphens, starting with a letter or digit)",
        ),
        (
            "-acme",
            "content/accounts/-acme.md:1: error: the file name `-acme.md` is not a valid slug: rename it to `acme.md` (lowercase letters, digits and hyphens, starting with a letter or digit)",
        ),
        (
            "acme_corp",
            "content/accounts/acme_corp.md:1: error: the file name `acme_corp.md` is not a valid slug: rename it to `acme-corp.md` (lowercase letters, digits and hyphens, starting with a letter or digit)",
        ),
    ],
)
def test_invalid_slug(tmp_path: Path, name: str, expected: str) -> None:
    make_site(tmp_path, {name: VALID})
    assert diagnostics_of(tmp_path) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "account: Acme\n",
            f"{P}:1: error: missing front matter: the file must start with a line `---`, then the account fields (account:, segment:, csm:, ...), then a closing `---` line",
        ),
        (
            "---\naccount: Acme\n",
            f"{P}:1: error: front matter is not closed: add a line `---` after the last field, before the narrative",
        ),
        (
            "---\n---\nbody\n",
            f"{P}:2: error: the front matter is empty: add the account fields (account:, segment:, ...)",
        ),
        (
            "---\n- a\n- b\n---\n",
            f"{P}:2: error: the front matter must be a list of `key: value` lines (a mapping), not a single value or a list",
        ),
        (
            "---\naccount: [Acme\n---\n",
            f"{P}:3: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
        ),
    ],
)
def test_front_matter_shape(tmp_path: Path, text: str, expected: str) -> None:
    make_site(tmp_path, {"acme": text})
    assert diagnostics_of(tmp_path) == [expected]


def test_not_utf8(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    (tmp_path / "content/accounts/acme.md").write_bytes(VALID.encode().replace(b"Acme", b"Acm\xe9"))
    assert diagnostics_of(tmp_path) == [
        f"{P}:2: error: the file is not UTF-8 text: save it with UTF-8 encoding"
    ]


def test_windows_line_endings_and_bom(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    (tmp_path / "content/accounts/acme.md").write_bytes(
        b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode()
    )
    assert diagnostics_of(tmp_path) == []


def test_image_inside_the_account_folder_is_fine(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID.replace("Onboarding is faster.", "![chart](img/c.png)")})
    (tmp_path / "content/accounts/acme/img").mkdir(parents=True)
    (tmp_path / "content/accounts/acme/img/c.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(8))
    assert diagnostics_of(tmp_path) == []


def test_image_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID.replace("Onboarding is faster.", "![chart](c.png)")})
    (tmp_path / "secret.png").write_bytes(b"x")
    (tmp_path / "content/accounts/acme").mkdir()
    (tmp_path / "content/accounts/acme/c.png").symlink_to(tmp_path / "secret.png")
    assert diagnostics_of(tmp_path) == [
        f"{P}:25: error: image `c.png` is reached through a link (symlink) in content/accounts/acme/: commit the image itself, not a link; nothing outside the account's own folder is published"
    ]


def _shape(node: Any) -> Any:
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.value, node.style, marks)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.flow_style, marks, [_shape(n) for n in node.value])
    return ("map", node.flow_style, marks, [(_shape(k), _shape(v)) for k, v in node.value])


TRICKY_YAML = [
    "a: NO\nb: on\nc: 1:30\nd: 0123\ne: 2026-11-01\nf: ~\ng: 1e3\nh: .inf\n",
    "a: \"quoted\"\nb: 'single'\nc: |\n  block\nd: >-\n  folded\n",
    "a: {b: 1, c: [2, 3]}\nd:\n  - e: 4\n    f: 5\n",
]


def test_composing_without_the_resolver_keeps_every_node_and_mark() -> None:
    """The loader skips PyYAML's type guessing (the schema decides types); values, styles and
    marks are PyYAML's own, on every sample account file and on YAML's traps."""
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    texts = [
        split(p.read_text("utf-8"))[0] for p in sorted((ROOT / "content/accounts").glob("*.md"))
    ]
    for text in [*texts, *TRICKY_YAML]:
        ours, theirs = yaml.compose(text, Loader=_Loader), yaml.compose(text, Loader=base)
        assert _shape(ours) == _shape(theirs)
    tagged = yaml.compose("a: !!python/name:os.system x\nb: plain\n", Loader=_Loader)
    assert isinstance(tagged, yaml.MappingNode)
    assert [v.tag for _, v in tagged.value] == [
        "tag:yaml.org,2002:python/name:os.system",
        "tag:yaml.org,2002:str",
    ]


def test_files_validated_together_are_each_what_they_are_alone(tmp_path: Path) -> None:
    """validate_files (a build worker's chunk, `check`'s) takes every file's front matter
    first, then every account's narrative and warnings: each file's result is still exactly
    validate_file's, whatever fails, where, and beside what."""
    from outcomesite.load.account import validate_file, validate_files
    from outcomesite.load.config import load_config
    from tests.conftest import AS_OF, edited

    accounts = {
        "a-valid": VALID,
        "b-yaml": "---\naccount: [\n---\n",
        "c-schema": edited("not a date", [("start_date: 2026-09-01", "start_date: soon")]),
        "d-narrative": VALID + "\n[click](javascript:alert(1))\n",
        "e-warned": VALID.replace("metric: Days to onboard", "metric: Training hours delivered"),
        "f-folder-is-a-file": VALID,
        "g-valid": VALID.replace("Acme Corp", "Globex"),
        "Bad_Name": VALID,
    }
    site = make_site(tmp_path, accounts)
    folder = site / "content" / "accounts"
    (folder / "f-folder-is-a-file").write_text("not a folder", encoding="utf-8")
    (folder / "h-link.md").symlink_to(folder / "a-valid.md")
    config, _ = load_config(site)
    paths = sorted(folder.glob("*.md"))
    together = validate_files(paths, site, config, AS_OF, {})
    alone = [validate_file(path, site, config, AS_OF) for path in paths]
    assert [(one.account, one.diagnostics, one.body) for one in together] == [
        (one.account, one.diagnostics, one.body) for one in alone
    ]
    valid = [one.account.slug for one in together if one.account is not None]
    assert valid == ["a-valid", "e-warned", "g-valid"]
    assert all(one.diagnostics for one in together if one.account is None)
    assert [d.code for d in together[paths.index(folder / "e-warned.md")].diagnostics] == [
        "activity"
    ]
