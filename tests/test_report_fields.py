"""The report's new fields, checked like every other: next steps, the customer's logo, the paper
size, the site's brand colour, and the placeholders `outcomesite new` leaves for a CSM to replace.

The tables edit the VALID account (see conftest) and expect the complete list of diagnostics, so
a row also proves no other, spurious message appears. The attacks on `logo` are performed on a
real site, like tests/test_trust_files.py does for the narrative's images.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomesite import load_site
from outcomesite.colors import contrast_ratio, parse_hex, ratio_text
from outcomesite.load.rules.placeholders import narrative_placeholders
from outcomesite.scaffold.new import account_text
from outcomesite.scaffold.placeholders import FRONT_MATTER, NARRATIVE
from tests.conftest import AS_OF, VALID, diagnostics_of, edited, make_site, run_cli

P = "content/accounts/acme.md"
C = "outcomesite.yaml"
END = "---\n## What"  # where the front matter ends: new keys go before it, at line 22
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
ENV = {"OUTCOMESITE_SECRET": "report-fields-0123456789abcdef0123456789abcdef"}


def steps(*items: str) -> tuple[str, str]:
    """An edit that adds `next_steps:` with these items (each a block of lines) at line 22."""
    return (END, "next_steps:\n" + "".join(items) + END)


def step(*lines: str) -> str:
    """One next step: its first line after `  - `, the others indented below it."""
    first, *rest = lines
    return f"  - {first}\n" + "".join(f"    {line}\n" for line in rest)


def key(line: str) -> tuple[str, str]:
    """An edit that adds a top-level line at line 22."""
    return (END, f"{line}\n{END}")


OK_STEP = step("step: Send the renewal proposal", "owner: Dana Reyes")
STEP_1 = "next step 1"
PAST_DUE = "the customer reads it as late; if it is done, remove it, if not, agree a new `due` date"
FROM_NEW = "from `outcomesite new`"

# (case, edits applied in order to VALID, files in content/accounts/acme/, expected diagnostics)
ACCOUNT_CASES: list[tuple[str, list[tuple[str, str]], dict[str, bytes], list[str]]] = [
    # --- next steps ---------------------------------------------------------------------------
    (
        "next steps of both sides, one with a date",
        [
            steps(
                OK_STEP,
                step("step: Share the Q4 figures", "owner: Priya Shah", "side: customer"),
                step("step: Review the results", "owner: Dana Reyes", "due: 2026-12-15"),
            )
        ],
        {},
        [],
    ),
    (
        "a next step without a step",
        [steps(step("owner: Dana Reyes"))],
        {},
        [
            f"{P}:23: error: {STEP_1}: `step` is missing: add a line `step: ...` with what happens "
            "next, e.g. Roll out guided onboarding to Denver"
        ],
    ),
    (
        "a next step without an owner, the second one",
        [steps(OK_STEP, step("step: Share the Q4 figures", "side: customer"))],
        {},
        [
            f"{P}:25: error: next step 2: `owner` is missing: add a line `owner: ...` with who does "
            "it (a person's name)"
        ],
    ),
    (
        "an empty step",
        [steps(step("step:", "owner: Dana Reyes"))],
        {},
        [
            f"{P}:23: error: {STEP_1}: `step` is empty: write what happens next, e.g. Roll out "
            "guided onboarding to Denver"
        ],
    ),
    (
        "an empty owner",
        [steps(step("step: Send the renewal proposal", 'owner: ""'))],
        {},
        [f"{P}:24: error: {STEP_1}: `owner` is empty: write who does it (a person's name)"],
    ),
    (
        "a due date that is not a date",
        [steps(step("step: Send the renewal proposal", "owner: Dana Reyes", "due: 2026-13-01"))],
        {},
        [
            f"{P}:25: error: {STEP_1}: `due` must be a date written YYYY-MM-DD, e.g. 2026-11-01 "
            "(found `2026-13-01`)"
        ],
    ),
    (
        "a due date in another format",
        [steps(step("step: Send the renewal proposal", "owner: Dana Reyes", "due: 12/15/2026"))],
        {},
        [
            f"{P}:25: error: {STEP_1}: `due` must be a date written YYYY-MM-DD, e.g. 2026-11-01 "
            "(found `12/15/2026`)"
        ],
    ),
    (
        "a misspelt key",
        [steps(step("step: Send the renewal proposal", "onwer: Dana Reyes"))],
        {},
        [
            f"{P}:23: error: {STEP_1}: `owner` is missing: add a line `owner: ...` with who does "
            "it (a person's name)",
            f"{P}:24: error: {STEP_1}: unknown key `onwer`: did you mean `owner`?",
        ],
    ),
    (
        "an unknown key",
        [steps(step("step: Send the renewal proposal", "owner: Dana Reyes", "priority: high"))],
        {},
        [
            f"{P}:25: error: {STEP_1}: unknown key `priority`: the keys allowed here are step, "
            "owner, side, due"
        ],
    ),
    (
        "a side that is neither",
        [steps(step("step: Send the renewal proposal", "owner: Dana Reyes", "side: us"))],
        {},
        [f"{P}:25: error: {STEP_1}: `side` must be one of vendor, customer (found `us`)"],
    ),
    (
        "a side with a capital",
        [steps(step("step: Send the renewal proposal", "owner: Dana Reyes", "side: Customer"))],
        {},
        [
            f"{P}:25: error: {STEP_1}: `side` must be one of vendor, customer (found `Customer`): "
            "did you mean `customer`?"
        ],
    ),
    (
        "next steps written as a mapping, not a list",
        [(END, "next_steps:\n  step: Send the renewal proposal\n  owner: Dana Reyes\n" + END)],
        {},
        [
            f"{P}:23: error: `next_steps` must be a list, one item per line starting with `- `: "
            "write `- step: Send the renewal proposal` and line up the lines below it with `step`"
        ],
    ),
    (
        "a next step written as a plain line",
        [steps("  - Send the renewal proposal\n")],
        {},
        [
            f"{P}:23: error: {STEP_1}: each item of `next_steps` is a group of `key: value` lines: "
            "write `- step: Send the renewal proposal`, then `owner: ...` on the line below, "
            "lined up with `step`"
        ],
    ),
    (
        "a next step long past its date",
        [steps(OK_STEP, step("step: Review", "owner: Dana Reyes", "due: 2026-10-01"))],
        {},
        [
            f"{P}:27: warning: next step 2 was due on 2026-10-01, 53 days before the report date: "
            f"{PAST_DUE}"
        ],
    ),
    (
        "a next step a week late is not yet a warning",
        [steps(step("step: Review", "owner: Dana Reyes", "due: 2026-11-16"))],
        {},
        [],
    ),
    (
        "a next step eight days late is",
        [steps(step("step: Review", "owner: Dana Reyes", "due: 2026-11-15"))],
        {},
        [
            f"{P}:25: warning: {STEP_1} was due on 2026-11-15, 8 days before the report date: "
            f"{PAST_DUE}"
        ],
    ),
    (
        "a next step longer than a report shows",
        [steps(step("step: " + "Send the renewal proposal " * 7, "owner: Dana Reyes"))],
        {},
        [
            f"{P}:23: warning: {STEP_1}: `step` is 181 characters long, more than the 160 a "
            "report shows well: shorten it (details belong in the narrative)"
        ],
    ),
    (
        "a next step's owner longer than a report shows",
        [steps(step("step: Review", "owner: " + "Dana Reyes and " * 6 + "Sam"))],
        {},
        [
            f"{P}:24: warning: {STEP_1}: `owner` is 93 characters long, more than the 80 a "
            "report shows well: shorten it (details belong in the narrative)"
        ],
    ),
    # --- paper ----------------------------------------------------------------------------------
    ("paper Letter", [key("paper: Letter")], {}, []),
    (
        "paper in lower case",
        [key("paper: letter")],
        {},
        [
            f"{P}:22: error: `paper` must be one of A4, Letter (found `letter`): did you mean `Letter`?"
        ],
    ),
    # --- locale -----------------------------------------------------------------------------------
    ("locale de_DE", [key("locale: de_DE")], {}, []),
    ("locale of a region", [key("locale: fr_CA")], {}, []),
    (
        "a locale that is no locale",
        [key("locale: german")],
        {},
        [
            f"{P}:22: error: `locale` `german` is not a known locale: write a language and country "
            "such as en_US or de_DE (the report's words come in de, en, es or fr)"
        ],
    ),
    (
        "a locale without the report's words",
        [key("locale: pl_PL")],
        {},
        [
            f"{P}:22: warning: `locale` `pl_PL` has no translation of the report's words: the "
            "report would show English text with pl_PL numbers and dates. Use a locale of de, en, "
            "es or fr, or add a catalog (README: Languages)"
        ],
    ),
    (
        "a locale that is not text",
        [key("locale: [de_DE]")],
        {},
        [f"{P}:22: error: `locale` must be a single value, not a list"],
    ),
    # --- the customer's logo --------------------------------------------------------------------
    ("a logo in the account's folder", [key("logo: logo.png")], {"logo.png": PNG}, []),
    ("a logo in a subfolder", [key("logo: brand/logo.png")], {"brand/logo.png": PNG}, []),
    (
        "a logo that is not there",
        [key("logo: logo.png")],
        {},
        [
            f"{P}:22: error: `logo` `logo.png` was not found in content/accounts/acme/: put the "
            "logo in content/accounts/acme/ and write `logo: logo.png`"
        ],
    ),
    (
        "a logo from the web",
        [key("logo: https://example.com/logo.png")],
        {},
        [
            f"{P}:22: error: `logo` `https://example.com/logo.png` is not a file in "
            "content/accounts/acme/ (remote images are never fetched): put the logo in "
            "content/accounts/acme/ and write `logo: logo.png`"
        ],
    ),
    (
        "a logo that is not an image file",
        [key("logo: logo.pdf")],
        {"logo.pdf": b"%PDF-1.7"},
        [
            f"{P}:22: error: `logo` `logo.pdf` is not a PNG, JPEG, GIF, WebP or SVG file: only "
            "images are published next to a report; export it as PNG and write `logo: logo.png`"
        ],
    ),
    (
        "a logo in a folder named like a version",
        [key("logo: v2/logo.png")],
        {"v2/logo.png": PNG},
        [
            f"{P}:22: error: `logo` `v2/logo.png` is in a folder named `v2`, which is where "
            "version 2 of the report is published: rename that folder, e.g. `images/`"
        ],
    ),
    # --- placeholders from `outcomesite new` -----------------------------------------------------
    (
        "the csm",
        [("csm: Dana Reyes", "csm: Your Name")],
        {},
        [
            f"{P}:4: warning: `csm` is still the placeholder `Your Name` {FROM_NEW}: write your "
            "own name, as the internal owner of this account"
        ],
    ),
    (
        "the internal notes",
        [
            key(
                "internal_notes: >-\n  Internal only, never shown to the customer: risks, renewal "
                "date, politics."
            )
        ],
        {},
        [
            f"{P}:22: warning: `internal_notes` is still the placeholder `Internal only, never "
            f"shown to the customer: risks, renewal date, politics.` {FROM_NEW}: write your "
            "team's notes (risks, renewal date), or remove `internal_notes`"
        ],
    ),
    (
        "the result's id",
        [("id: onboarding-time", "id: first-result")],
        {},
        [
            f"{P}:7: warning: result `first-result`: `id` is still the placeholder `first-result` "
            f"{FROM_NEW}: name the result after what it measures, e.g. `month-end-close`"
        ],
    ),
    (
        "the goal, whatever its case and spacing",
        [("goal: Cut onboarding time", "goal: the customer's goal,  in their own words")],
        {},
        [
            f"{P}:8: warning: result `onboarding-time`: `goal` is still the placeholder `The "
            f"customer's goal, in their own words` {FROM_NEW}: write the customer's goal as they "
            "say it, e.g. Close the books faster at month end"
        ],
    ),
    (
        "the metric",
        [("metric: Days to onboard", "metric: What is measured, e.g. Hours to close the month")],
        {},
        [
            f"{P}:9: warning: result `onboarding-time`: `metric` is still the placeholder `What is "
            f"measured, e.g. Hours to close the month` {FROM_NEW}: write what is measured, e.g. "
            "Working days to close the month"
        ],
    ),
    (
        "the source",
        [
            (
                "    owner: Dana Reyes\n",
                "    owner: Dana Reyes\n    source: Where the number comes from\n",
            )
        ],
        {},
        [
            f"{P}:17: warning: result `onboarding-time`: `source` is still the placeholder `Where "
            f"the number comes from` {FROM_NEW}: write where the numbers come from, e.g. SAP "
            "month-end close, or remove `source`"
        ],
    ),
    (
        "the owner of a result",
        [("    owner: Dana Reyes", "    owner: Your Name")],
        {},
        [
            f"{P}:16: warning: result `onboarding-time`: `owner` is still the placeholder `Your "
            f"Name` {FROM_NEW}: write the name of the person on our side who owns this result"
        ],
    ),
    (
        "the attribution",
        [
            (
                "attribution: Guided onboarding replaced the paper checklist.",
                "attribution: How our product caused the change",
            )
        ],
        {},
        [
            f"{P}:17: warning: result `onboarding-time`: `attribution` is still the placeholder "
            f"`How our product caused the change` {FROM_NEW}: write one sentence on how our "
            "product caused the change, or remove `attribution`"
        ],
    ),
    (
        "the validator",
        [("name: Priya Shah", "name: Customer Contact"), ("VP Operations", "Their job title")],
        {},
        [
            f"{P}:19: warning: result `onboarding-time`, validator: `name` is still the "
            f"placeholder `Customer Contact` {FROM_NEW}: write the name of the person at the "
            "customer who confirms the result",
            f"{P}:20: warning: result `onboarding-time`, validator: `role` is still the "
            f"placeholder `Their job title` {FROM_NEW}: write their job title, e.g. Controller",
        ],
    ),
    (
        "a next step",
        [steps(step("step: What happens next, in a few words", "owner: Your Name"))],
        {},
        [
            f"{P}:23: warning: {STEP_1}: `step` is still the placeholder `What happens next, in a "
            f"few words` {FROM_NEW}: write what happens next, e.g. Roll out guided onboarding to "
            "the second warehouse",
            f"{P}:24: warning: {STEP_1}: `owner` is still the placeholder `Your Name` {FROM_NEW}: "
            "write the name of the person who does it",
        ],
    ),
    (
        "the narrative",
        [
            (
                "Onboarding is faster.\n",
                "What the customer achieved so far, in a few sentences.\n\n## What's not working"
                "\n\nWhat is in the way, honestly.\n\n## Next step\n\n"
                "The one thing that happens next, who does it and by when.\n",
            )
        ],
        {},
        [
            f"{P}:25: warning: the narrative still has the placeholder `What the customer achieved "
            f"so far, in a few sentences.` {FROM_NEW}: write what the customer achieved so far, "
            "in a few sentences",
            f"{P}:29: warning: the narrative still has the placeholder `What is in the way, "
            f"honestly.` {FROM_NEW}: write what is in the way, honestly",
            f"{P}:33: warning: the narrative still has the placeholder `The one thing that happens "
            f"next, who does it and by when.` {FROM_NEW}: write the one thing that happens next, "
            "who does it and by when",
        ],
    ),
    (
        "a placeholder that was edited is not one",
        [
            ("csm: Dana Reyes", "csm: Your Name Here"),
            ("Onboarding is faster.", "What is in the way."),
        ],
        {},
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "edits", "files", "expected"), ACCOUNT_CASES, ids=[c[0] for c in ACCOUNT_CASES]
)
def test_account_field(
    tmp_path: Path,
    case: str,
    edits: list[tuple[str, str]],
    files: dict[str, bytes],
    expected: list[str],
) -> None:
    text = edited(case, edits)
    make_site(tmp_path, {"acme": text})
    for name, content in files.items():
        path = tmp_path / "content/accounts/acme" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    assert diagnostics_of(tmp_path) == expected


LOW_CONTRAST = "text needs at least 4.5:1 (WCAG AA): choose a darker colour"

# (case, outcomesite.yaml, expected diagnostics)
CONFIG_CASES: list[tuple[str, str, list[str]]] = [
    ("a dark brand colour in quotes", 'brand_color: "#1d4e89"\n', []),
    ("in single quotes and upper case", "brand_color: '#1D4E89'\n", []),
    ("the #RGB shorthand", 'brand_color: "#036"\n', []),
    ("just dark enough", 'brand_color: "#767676"\n', []),
    ("a comment after it", 'brand_color: "#1d4e89"   # our blue\n', []),
    ("no brand colour: a comment alone", "brand_color:   # our blue, later\n", []),
    (
        "a brand colour without quotes reads as a comment",
        "vendor: Acme\nbrand_color: #1d4e89\n",
        [
            f"{C}:2: error: `brand_color` is empty: YAML reads `#1d4e89` as a comment; put the "
            'colour in quotes: `brand_color: "#1d4e89"`'
        ],
    ),
    (
        "too light to read on white",
        'brand_color: "#77aaff"\n',
        [
            f"{C}:1: error: `brand_color` #77aaff has a contrast of 2.3:1 against white; {LOW_CONTRAST}"
        ],
    ),
    (
        "just too light, never shown as 4.5",
        "brand_color: '#777'\n",
        [
            f"{C}:1: error: `brand_color` #777777 has a contrast of 4.4:1 against white; {LOW_CONTRAST}"
        ],
    ),
    (
        "a colour name",
        "brand_color: navy\n",
        [
            f"{C}:1: error: `brand_color` must be a colour written #RRGGBB (found `navy`): write it "
            'in quotes, e.g. `brand_color: "#1d4e89"`'
        ],
    ),
    (
        "without the #",
        "brand_color: 1d4e89\n",
        [
            f"{C}:1: error: `brand_color` must start with `#`: write it in quotes: "
            '`brand_color: "#1d4e89"`'
        ],
    ),
    (
        "paper in outcomesite.yaml",
        "paper: A5\n",
        [f"{C}:1: error: `paper` must be one of A4, Letter (found `A5`)"],
    ),
]


@pytest.mark.parametrize(
    ("case", "config", "expected"), CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES]
)
def test_site_option(tmp_path: Path, case: str, config: str, expected: list[str]) -> None:
    make_site(tmp_path, {"acme": VALID}, config)
    assert diagnostics_of(tmp_path) == expected


def test_the_brand_colour_reaches_the_render_stage_in_one_spelling(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, "brand_color: '#1D4E89'\n")
    assert load_site(tmp_path, AS_OF).config.brand_color == "#1d4e89"
    make_site(tmp_path, {}, "brand_color: '#036'\n")
    assert load_site(tmp_path, AS_OF).config.brand_color == "#003366"
    make_site(tmp_path, {}, "vendor: Acme\n")
    assert load_site(tmp_path, AS_OF).config.brand_color is None


# --- contrast: WCAG 2's formulas, pure functions ------------------------------------------------


@pytest.mark.parametrize(
    ("color", "ratio", "shown"),
    [
        ("#000000", 21.0, "21:1"),
        ("#767676", 4.54, "4.5:1"),  # the lightest grey that passes AA
        ("#777777", 4.48, "4.4:1"),  # fails: rounded down, never shown as the limit it misses
        ("#77aaff", 2.34, "2.3:1"),
        ("#1d4e89", 8.39, "8.3:1"),
        ("#ffffff", 1.0, "1:1"),
    ],
)
def test_contrast_against_white(color: str, ratio: float, shown: str) -> None:
    assert round(contrast_ratio(color), 2) == ratio
    assert contrast_ratio("#ffffff", color) == contrast_ratio(color)  # order does not matter
    assert ratio_text(contrast_ratio(color)) == shown


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("#1d4e89", "#1d4e89"),
        ("#1D4E89", "#1d4e89"),
        ("#abc", "#aabbcc"),
        (" #abc ", "#aabbcc"),
        ("1d4e89", None),
        ("#1d4e8", None),
        ("#1d4e89ff", None),
        ("navy", None),
        ("rgb(0, 0, 0)", None),
        ("#ggg", None),
    ],
)
def test_parse_hex(text: str, parsed: str | None) -> None:
    assert parse_hex(text) == parsed


# --- the logo: published like a narrative's image, and attacked like one -------------------------

LOGO_LINE = 22


def with_logo(root: Path, value: str) -> Path:
    make_site(root, {"acme": VALID.replace(END, f"logo: {value}\n{END}", 1)})
    (root / "content/accounts/acme").mkdir(exist_ok=True)
    return root / "content/accounts/acme"


def test_a_logo_is_published_beside_the_report(tmp_path: Path) -> None:
    folder = with_logo(tmp_path, "brand/logo.png")
    (folder / "brand").mkdir()
    (folder / "brand/logo.png").write_bytes(PNG)
    site = load_site(tmp_path, AS_OF)
    assert site.diagnostics == ()
    (account,) = site.accounts
    assert account.logo == "brand/logo.png"
    assert account.images == ("brand/logo.png",)

    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 0, result.output
    (published,) = (tmp_path / "build/public/r").glob("*/brand/logo.png")
    assert published.read_bytes() == PNG


def test_a_logo_the_narrative_shows_too_is_published_once(tmp_path: Path) -> None:
    folder = with_logo(tmp_path, "logo.png")
    (folder / "logo.png").write_bytes(PNG)
    text = (tmp_path / P).read_text("utf-8").replace("Onboarding is faster.", "![Acme](logo.png)")
    (tmp_path / P).write_text(text, "utf-8")
    (account,) = load_site(tmp_path, AS_OF).accounts
    assert (account.logo, account.images) == ("logo.png", ("logo.png",))


def test_an_account_without_a_logo_has_none(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    (account,) = load_site(tmp_path, AS_OF).accounts
    assert account.logo is None


def symlink_out_of_the_folder(root: Path, folder: Path) -> str:
    (root / "secret.png").write_bytes(PNG)
    (folder / "logo.png").symlink_to(root / "secret.png")
    return (
        "`logo` `logo.png` is reached through a link (symlink) in content/accounts/acme/: commit "
        "the image itself, not a link; nothing outside the account's own folder is published"
    )


def html_named_logo_png(root: Path, folder: Path) -> str:
    (folder / "logo.png").write_bytes(
        b"<!DOCTYPE html><html><script>alert(document.cookie)</script>"
    )
    return (
        "`logo` `logo.png` is not a PNG image (its content is HTML): only images are published "
        "next to a report; export it again as PNG"
    )


def svg_with_a_script(root: Path, folder: Path) -> str:
    (folder / "logo.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    return (
        "`logo` `logo.svg` contains a `<script>` element: only images are published next to a "
        "report; export it again as PNG"
    )


def path_out_of_the_folder(root: Path, folder: Path) -> str:
    (root / "content/accounts/other").mkdir()
    (root / "content/accounts/other/logo.png").write_bytes(PNG)
    return (
        "`logo` `../other/logo.png` points outside content/accounts/acme/: put the logo in "
        "content/accounts/acme/ and write `logo: logo.png`"
    )


ATTACKS = [
    ("a symlink out of the folder", "logo.png", symlink_out_of_the_folder),
    ("an HTML page named logo.png", "logo.png", html_named_logo_png),
    ("an SVG with a script", "logo.svg", svg_with_a_script),
    ("a path with ../", "../other/logo.png", path_out_of_the_folder),
    ("an absolute path", "/etc/hostname.png", None),
]


@pytest.mark.parametrize(("case", "value", "attack"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_an_attack_through_the_logo_is_a_located_error_and_publishes_nothing(
    tmp_path: Path, case: str, value: str, attack: object
) -> None:
    folder = with_logo(tmp_path, value)
    if callable(attack):
        message = attack(tmp_path, folder)
    else:
        message = (
            f"`logo` `{value}` is not a file in content/accounts/acme/: put the logo in "
            "content/accounts/acme/ and write `logo: hostname.png`"
        )
    assert diagnostics_of(tmp_path) == [f"{P}:{LOGO_LINE}: error: {message}"]
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 1
    assert not (tmp_path / "build").exists()


# --- the scaffold's placeholders --------------------------------------------------------------

# What `check` says about a new scaffold, by the start of the line it is about, in file order.
SCAFFOLD_PLACEHOLDERS = [
    (
        "csm: ",
        f"`csm` is still the placeholder `Your Name` {FROM_NEW}: write your own name, as the "
        "internal owner of this account",
    ),
    (
        "internal_notes: ",
        f"`internal_notes` is still the placeholder `Internal only, never shown to the customer: "
        f"risks, renewal date, politics.` {FROM_NEW}: write your team's notes (risks, renewal "
        "date), or remove `internal_notes`",
    ),
    (
        "  - id: ",
        f"result `first-result`: `id` is still the placeholder `first-result` {FROM_NEW}: name "
        "the result after what it measures, e.g. `month-end-close`",
    ),
    (
        "    goal: ",
        f"result `first-result`: `goal` is still the placeholder `The customer's goal, in their "
        f"own words` {FROM_NEW}: write the customer's goal as they say it, e.g. Close the books "
        "faster at month end",
    ),
    (
        "    metric: ",
        f"result `first-result`: `metric` is still the placeholder `What is measured, e.g. Hours "
        f"to close the month` {FROM_NEW}: write what is measured, e.g. Working days to close the "
        "month",
    ),
    (
        "    owner: ",
        f"result `first-result`: `owner` is still the placeholder `Your Name` {FROM_NEW}: write "
        "the name of the person on our side who owns this result",
    ),
    (
        "      name: ",
        f"result `first-result`, validator: `name` is still the placeholder `Customer Contact` "
        f"{FROM_NEW}: write the name of the person at the customer who confirms the result",
    ),
    (
        "      role: ",
        f"result `first-result`, validator: `role` is still the placeholder `Their job title` "
        f"{FROM_NEW}: write their job title, e.g. Controller",
    ),
    (
        "What the customer achieved",
        f"the narrative still has the placeholder `What the customer achieved so far, in a few "
        f"sentences.` {FROM_NEW}: write what the customer achieved so far, in a few sentences",
    ),
    (
        "What is in the way",
        f"the narrative still has the placeholder `What is in the way, honestly.` {FROM_NEW}: "
        "write what is in the way, honestly",
    ),
    (
        "The one thing",
        f"the narrative still has the placeholder `The one thing that happens next, who does it "
        f"and by when.` {FROM_NEW}: write the one thing that happens next, who does it and by when",
    ),
]


def scaffold_warnings(path: str, text: str) -> list[str]:
    """Exactly the warnings `check` gives a file as `outcomesite new` wrote it: one per
    placeholder, at its line (which moves with the length of the segment's definition)."""
    lines = text.split("\n")
    found = []
    for start, message in SCAFFOLD_PLACEHOLDERS:
        number = next(i for i, line in enumerate(lines, 1) if line.startswith(start))
        found.append(f"{path}:{number}: warning: {message}")
    return found


def test_every_placeholder_is_in_the_scaffold() -> None:
    """The scaffold writes its texts from the list the rule reads: one that is not in the file
    (written, or commented out for a CSM to use) would be a rule about nothing."""
    text = account_text("globex", AS_OF)
    for placeholder in (*FRONT_MATTER, *NARRATIVE):
        assert placeholder.text in text, placeholder


def test_the_scaffold_gives_exactly_the_placeholder_warnings(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    assert run_cli(tmp_path, "new", "globex").exit_code == 0
    path = "content/accounts/globex.md"
    text = (tmp_path / path).read_text("utf-8")
    assert diagnostics_of(tmp_path) == scaffold_warnings(path, text)


def test_the_scaffold_with_every_example_line_in_use(tmp_path: Path) -> None:
    """The commented examples are right as written: with their `# ` deleted (the logo and paper
    too), the file has no error, and the example texts are placeholders in their turn."""
    make_site(tmp_path, {})
    assert run_cli(tmp_path, "new", "globex").exit_code == 0
    path = tmp_path / "content/accounts/globex.md"
    text = path.read_text("utf-8")
    assert "\n# next_steps:\n" in text and "\n# logo: logo.png " in text
    assert "\n# paper: Letter " in text
    for commented in ("# next_steps:", "#   - step:", "#     owner:", "#     side:", "#     due:"):
        text = text.replace(f"\n{commented}", f"\n{commented[2:]}", 1)
    for commented in ("# logo:", "# paper:", "    # source:", "    # attribution:"):
        text = text.replace(f"\n{commented}", "\n" + commented.replace("# ", "", 1), 1)
    path.write_text(text, "utf-8")
    (tmp_path / "content/accounts/globex").mkdir()
    (tmp_path / "content/accounts/globex/logo.png").write_bytes(PNG)
    found = diagnostics_of(tmp_path)
    assert not [line for line in found if ": error: " in line], found
    added = [
        line.split(": warning: ")[1]
        for line in found
        if line not in scaffold_warnings("content/accounts/globex.md", text)
    ]
    assert added == [
        f"result `first-result`: `source` is still the placeholder `Where the number comes from` "
        f"{FROM_NEW}: write where the numbers come from, e.g. SAP month-end close, or remove "
        "`source`",
        f"result `first-result`: `attribution` is still the placeholder `How our product caused "
        f"the change` {FROM_NEW}: write one sentence on how our product caused the change, or "
        "remove `attribution`",
        f"{STEP_1}: `step` is still the placeholder `What happens next, in a few words` "
        f"{FROM_NEW}: write what happens next, e.g. Roll out guided onboarding to the second "
        "warehouse",
        f"{STEP_1}: `owner` is still the placeholder `Your Name` {FROM_NEW}: write the name of the "
        "person who does it",
    ]
    (account,) = load_site(tmp_path, AS_OF).accounts
    assert account.data.paper == "Letter" and account.logo == "logo.png"
    assert [s.side for s in account.data.next_steps] == ["vendor"]


_PLACEHOLDER_LINES = st.sampled_from(
    [
        *(p.text for p in NARRATIVE),
        *(p.text.upper() for p in NARRATIVE),
        *("  " + p.text.replace(" ", " \t ") + " " for p in NARRATIVE),
        *(p.text.replace("happens", "happened") for p in NARRATIVE),
        "Onboarding is faster: 60 days -> 38.",
        "STRASSE und Straße",
        "",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PLACEHOLDER_LINES, max_size=8))
def test_narrative_placeholders_are_found_on_every_line_that_still_has_one(
    lines: list[str],
) -> None:
    """The shortcut (a narrative without any placeholder's longest word is not read line by
    line) finds what comparing every folded line finds."""
    body = "\n".join(lines)
    expected = [
        (10 + index, p.text)
        for index, line in enumerate(lines)
        for p in NARRATIVE
        if " ".join(line.split()).casefold() == p.text.casefold()
    ]
    found = list(narrative_placeholders(body, 10))
    assert [line for line, _ in found] == [line for line, _ in expected]
    assert all(text in message for (_, message), (_, text) in zip(found, expected, strict=True))
