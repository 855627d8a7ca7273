"""`outcomesite import`: spreadsheets (CSV with any delimiter and BOM, XLSX) become account files
that pass `check` and build, or nothing is written and every problem is reported at its row in
`check`'s own words. Real files in temporary sites, through the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from outcomesite.data.importer import (
    Group,
    Row,
    assign_slugs,
    result_id,
    yaml_value,
)
from outcomesite.data.spreadsheet import column_key, xlsx_cell
from tests.conftest import AS_OF, VALID, make_site, run_cli

SECRET = "s" * 40
HEADER = [
    "Account", "Segment", "CSM", "Start Date", "Goal", "Metric", "Unit", "Baseline", "Target",
    "Current", "Measured On", "Owner", "Validator Name", "Validator Role", "Validator Level",
    "Confirmed On",
]  # fmt: skip
GOOD = {
    "Account": "Acme Ltd",
    "Segment": "smb",
    "CSM": "Dana Reyes",
    "Start Date": "2026-09-01",
    "Goal": "Cut cost",
    "Metric": "Cost per order",
    "Unit": "EUR",
    "Baseline": "12",
    "Target": "8",
    "Owner": "Dana Reyes",
}


def write_csv(
    path: Path, header: list[str], rows: list[list[Any]], delimiter: str = ",", bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list[Any]]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def rows_of(dicts: list[dict[str, str]], header: list[str] = HEADER) -> list[list[Any]]:
    return [[d.get(h, "") for h in header] for d in dicts]


def import_(root: Path, *args: str) -> Any:
    return run_cli(root, "import", *args, "--as-of", AS_OF.isoformat())


def snapshot(root: Path) -> dict[str, bytes]:
    folder = root / "content" / "accounts"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


# --- a realistic portfolio -------------------------------------------------------------------

NAMES = [
    "Müller Maschinenbau", "Bäckerei Schönfeld", "Øresund Shipping", "Café Noir", "Straße & Söhne",
    "Northwind Logistics", "Globex", "Initech", "Umbrella Health", "Zürich Versicherung",
]  # fmt: skip
LEVEL = {"smb": "user", "mid-market": "team-lead", "enterprise": "executive"}


def portfolio(accounts: int = 80, rows: int = 200) -> list[list[Any]]:
    """`rows` rows over `accounts` accounts (1 to 4 results each), as Python values: dates as
    dates and numbers as numbers, like an XLSX sheet gives them."""
    rng = random.Random(7)
    counts = [1] * accounts
    while sum(counts) < rows:
        i = rng.randrange(accounts)
        if counts[i] < 4:
            counts[i] += 1
    out: list[list[Any]] = []
    for a, count in enumerate(counts):
        name = f"{NAMES[a % len(NAMES)]} {a // len(NAMES) + 1}"
        segment = ("smb", "mid-market", "enterprise")[a % 3]
        start = dt.date(2026, 1, 5) + dt.timedelta(days=a)
        for r in range(count):
            baseline = 40 + r * 10 + a % 7
            moved = rng.random() < 0.7
            goal = ("yes", "2026", f"Cut rework by a third #{r}", f"Ship orders faster: step {r}")[
                r
            ]
            validated = rng.random() < 0.5
            out.append(
                [
                    name, segment, "Jürgen Groß", start, goal, f"Hours of rework, line {r}",
                    "%" if r == 1 else "hours", float(baseline), baseline / 2,
                    baseline - 3.5 if moved else None,
                    dt.datetime(2026, 11, 1) if moved else None, "Dana Reyes",
                    "Priya Shah" if validated else None, "COO" if validated else None,
                    LEVEL[segment] if validated else None,
                    dt.date(2026, 11, 10) if validated and moved else None,
                ]
            )  # fmt: skip
    return out


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@pytest.mark.parametrize("variant", ["xlsx", "csv", "csv-semicolon-bom", "csv-tab"])
def test_a_realistic_spreadsheet_becomes_files_that_pass_check(
    tmp_path: Path, variant: str
) -> None:
    root = make_site(tmp_path / "site", {})
    data = portfolio()
    assert len(data) == 200
    if variant == "xlsx":
        source = write_xlsx(tmp_path / "accounts.xlsx", {"Accounts": (HEADER, data)})
    else:
        text_rows = [[as_text(v) for v in row] for row in data]
        delimiter = {"csv": ",", "csv-semicolon-bom": ";", "csv-tab": "\t"}[variant]
        source = write_csv(
            tmp_path / "accounts.csv", HEADER, text_rows, delimiter, bom="bom" in variant
        )
    result = import_(root, str(source))
    assert result.exit_code == 0, result.output
    assert "80 account files created, 0 updated, from 200 rows" in result.stderr
    files = sorted((root / "content" / "accounts").glob("*.md"))
    assert len(files) == 80
    assert result.stdout.count("created content/accounts/") == 80
    assert (root / "content/accounts/mueller-maschinenbau-1.md").exists()
    text = (root / "content/accounts/mueller-maschinenbau-1.md").read_text(encoding="utf-8")
    assert "account: Müller Maschinenbau 1" in text
    assert 'goal: "yes"' in text  # YAML would read a bare yes as true
    assert "baseline: 40 " in text  # an XLSX 40.0 (or a CSV 40) is written 40
    assert "start_date: 2026-01-05 " in text
    checked = run_cli(root, "check", "--as-of", AS_OF.isoformat())
    assert checked.exit_code == 0, checked.output
    built = run_cli(
        root, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env={"OUTCOMESITE_SECRET": SECRET}
    )
    assert built.exit_code == 0, built.output
    links = run_cli(root, "links", env={"OUTCOMESITE_SECRET": SECRET})
    assert len(links.stdout.splitlines()) == 80


# --- errors, each at its row -------------------------------------------------------------------


def _edit(changes: dict[int, dict[str, str]], extra: int = 0) -> list[dict[str, str]]:
    rows = [dict(GOOD) for _ in range(1 + extra)]
    for i, change in changes.items():
        rows[i].update(change)
    return rows


ERRORS: list[tuple[str, list[str], list[dict[str, str]], str]] = [
    (
        "unknown header",
        [*HEADER, "Segmnt"],
        [GOOD],
        "1: error: unknown column `Segmnt`: did you mean `segment`?",
    ),
    (
        "misspelt required header: one problem",
        [h if h != "CSM" else "CMS" for h in HEADER],
        [GOOD],
        "1: error: unknown column `CMS`: did you mean `csm`?",
    ),
    (
        "missing required column",
        [h for h in HEADER if h != "Start Date"],
        [GOOD],
        "1: error: missing column `start_date`: every new account file needs it",
    ),
    (
        "missing result column",
        [h for h in HEADER if h != "Owner"],
        [GOOD],
        "1: error: missing column `owner`: every result needs it",
    ),
    (
        "number with its unit",
        HEADER,
        _edit({1: {"Goal": "Other", "Baseline": "65%"}}, 1),
        '3: error: result `other`: `baseline` must be a plain number: write `65` and `unit: "%"` (found `65%`)',
    ),
    (
        "money",
        HEADER,
        _edit({0: {"Target": "$1,200"}}),
        "2: error: result `cut-cost`: `target` must be a plain number: write `1200` and `unit: USD` (found `$1,200`)",
    ),
    (
        "bad date",
        HEADER,
        _edit({0: {"Start Date": "03/15/2026"}}),
        "2: error: `start_date` must be a date written YYYY-MM-DD, e.g. 2026-11-01 (found `03/15/2026`)",
    ),
    (
        "unknown segment",
        HEADER,
        _edit({0: {"Segment": "Enterprize"}}),
        "2: error: `segment` must be one of smb, mid-market, enterprise (found `Enterprize`): did you mean `enterprise`?",
    ),
    (
        "current without measured_on",
        HEADER,
        _edit({1: {"Goal": "Other", "Current": "9"}}, 1),
        "3: error: result `other`: `current` needs `measured_on`",
    ),
    (
        "measured in the future",
        HEADER,
        _edit({0: {"Current": "9", "Measured On": "2027-01-01"}}),
        "2: error: result `cut-cost`: `measured_on` 2027-01-01 is after the report date 2026-11-23",
    ),
    (
        "empty owner",
        HEADER,
        _edit({2: {"Goal": "Third", "Owner": ""}}, 2),
        "4: error: result `third`: `owner` is missing",
    ),
    (
        "target equals baseline",
        HEADER,
        _edit({0: {"Target": "12"}}),
        "2: error: result `cut-cost`: `target` equals `baseline` (12)",
    ),
    (
        "conflicting account-level values",
        HEADER,
        _edit({1: {"Goal": "Other", "Segment": "enterprise"}}, 1),
        "3: error: account `Acme Ltd`: `segment` is `enterprise` here but `smb` on row 2",
    ),
    (
        "duplicate result",
        HEADER,
        _edit({}, 1),
        "3: error: account `Acme Ltd`: the result `cut-cost` is already on row 2",
    ),
    (
        "row without an account",
        HEADER,
        _edit({1: {"Account": ""}}, 1),
        "3: error: the row has no `account`: write the customer's name",
    ),
    (
        "existing file without --update",
        HEADER,
        _edit({1: {"Account": "Acme Corp", "Segment": "enterprise"}}, 1),
        "3: error: content/accounts/acme.md already exists (account `Acme Corp`): it was left untouched; give --update",
    ),
    (
        "invalid slug",
        [*HEADER, "Slug"],
        _edit({0: {"Slug": "Acme Ltd"}}),
        "2: error: `slug` `Acme Ltd` is not a valid slug: write `acme-ltd`",
    ),
]


@pytest.mark.parametrize(
    ("header", "rows", "expected"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS]
)
def test_each_error_is_reported_at_its_row_and_nothing_is_written(
    tmp_path: Path, header: list[str], rows: list[dict[str, str]], expected: str
) -> None:
    root = make_site(tmp_path / "site", {"acme": VALID})
    before = snapshot(root)
    source = write_csv(tmp_path / "in.csv", header, rows_of(rows, header))
    result = import_(root, str(source))
    assert result.exit_code == 1, result.output
    assert f"{source}:{expected}" in result.stdout, result.stdout
    assert all(line.startswith(f"{source}:") for line in result.stdout.splitlines())
    assert "nothing written" in result.stderr
    assert snapshot(root) == before
    assert not list(root.glob("content/accounts/.import-*"))


def test_the_number_message_is_the_one_check_gives(tmp_path: Path) -> None:
    """The same mistake in a file: `check` says the same words."""
    root = make_site(tmp_path / "site", {"acme": VALID.replace("baseline: 60", "baseline: 65%")})
    checked = run_cli(root, "check", "--as-of", AS_OF.isoformat())
    assert '`baseline` must be a plain number: write `65` and `unit: "%"` (found `65%`)' in (
        checked.stdout
    )


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (lambda d: d / "missing.csv", [], "missing.csv: no such file"),
        (
            lambda d: (d / "notes.pdf").write_bytes(b"%PDF-1.4") and d / "notes.pdf",
            [],
            "not a CSV or XLSX file",
        ),
        (
            lambda d: write_xlsx(d / "a.xlsx", {"Accounts": (HEADER, [])}),
            ["--sheet", "Acounts"],
            "no sheet `Acounts`: did you mean `Accounts`?",
        ),
        (
            lambda d: (d / "bad.xlsx").write_bytes(b"not a zip") and d / "bad.xlsx",
            [],
            "not a readable XLSX file",
        ),
        (
            lambda d: (
                write_csv(d / "latin1.csv", [], []).write_bytes(
                    "Kunde\nM\xfcller\n".encode("latin-1")
                )
                and d / "latin1.csv"
            ),
            [],
            "not UTF-8 text",
        ),
    ],
    ids=["missing", "pdf", "unknown sheet", "broken xlsx", "not utf-8"],
)
def test_an_unreadable_input_is_a_usage_error(
    tmp_path: Path, make: Any, args: list[str], message: str
) -> None:
    root = make_site(tmp_path / "site", {"acme": VALID})
    before = snapshot(root)
    source = make(tmp_path)
    result = import_(root, str(source), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(root) == before


def test_a_bad_column_map_is_a_usage_error(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {})
    source = write_csv(tmp_path / "in.csv", HEADER, rows_of([GOOD]))
    columns = tmp_path / "map.yaml"
    columns.write_text("Kunde: acount\n", encoding="utf-8")
    result = import_(root, str(source), "--columns", str(columns))
    assert result.exit_code == 2
    assert "`Kunde` maps to `acount`, which is not a column: did you mean `account`?" in (
        result.stderr
    )


# --- columns, sheets, slugs ----------------------------------------------------------------------


def test_columns_map_other_header_names_and_ignores_some(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {})
    header = ["Kunde", "Segment", "Betreuer", "Start-Date", "Notizen"]
    source = write_csv(
        tmp_path / "in.csv", header, [["Müller Maschinenbau", "smb", "Eva", "2026-01-05", "x"]]
    )
    columns = tmp_path / "map.yaml"
    columns.write_text("Kunde: account\nBetreuer: csm\nNotizen: null\n", encoding="utf-8")
    result = import_(root, str(source), "--columns", str(columns))
    assert result.exit_code == 0, result.output
    assert result.stdout == "created content/accounts/mueller-maschinenbau.md\n"
    text = (root / "content/accounts/mueller-maschinenbau.md").read_text(encoding="utf-8")
    assert "csm: Eva " in text


def test_sheet_chooses_the_xlsx_sheet(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {})
    first = (["Other"], [["x"]])
    second = (HEADER, rows_of([GOOD]))
    source = write_xlsx(tmp_path / "book.xlsx", {"Notes": first, "Results": second})
    result = import_(root, str(source), "--sheet", "Results")
    assert result.exit_code == 0, result.output
    assert (root / "content/accounts/acme-ltd.md").exists()


def test_slugs_collide_into_suffixes_and_a_slug_column_wins(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"acme-corp": VALID})  # "Acme Corp"
    header = ["Account", "Slug", "Segment", "CSM", "Start Date"]
    rows = [
        ["Müller GmbH", "", "smb", "Eva", "2026-01-05"],
        ["Mueller GmbH", "", "smb", "Eva", "2026-01-05"],
        ["Acme-Corp", "", "smb", "Eva", "2026-01-05"],  # another name, the same slug as the file
        ["Globex Corporation", "globex", "smb", "Eva", "2026-01-05"],
        ["MÜLLER GMBH", "", "", "", ""],  # the first account again, in capitals
    ]
    result = import_(root, str(write_csv(tmp_path / "in.csv", header, rows)))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "created content/accounts/mueller-gmbh.md",
        "created content/accounts/mueller-gmbh-2.md",
        "created content/accounts/acme-corp-2.md",
        "created content/accounts/globex.md",
    ]
    assert "from 5 rows" in result.stderr
    assert run_cli(root, "check", "--as-of", AS_OF.isoformat()).exit_code == 0


@pytest.mark.parametrize(
    ("names", "taken", "slugs"),
    [
        (["Müller Maschinenbau"], set(), ["mueller-maschinenbau"]),
        (["Café Noir", "Cafe Noir"], set(), ["cafe-noir", "cafe-noir-2"]),
        (["Acme"], {"acme", "acme-2"}, ["acme-3"]),
        (["!!!"], set(), ["account"]),
    ],
)
def test_assign_slugs(names: list[str], taken: set[str], slugs: list[str]) -> None:
    groups = [Group([Row(2, {"account": n})], {"account": (n, 2)}) for n in names]
    assert assign_slugs(groups, taken) == (slugs, [])


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"goal": "Cut onboarding time"}, "cut-onboarding-time"),
        ({"goal": "Save #1: money"}, "save-1-money"),
        ({"result_id": "onboarding"}, "onboarding"),
        ({"metric": "Days"}, "days"),
        (
            {"goal": "A very long goal that goes on and on about many things"},
            "a-very-long-goal-that-goes-on-and-on",
        ),
    ],
)
def test_result_id(cells: dict[str, Any], expected: str) -> None:
    assert result_id(Row(2, cells)) == expected


@pytest.mark.parametrize(
    ("header", "key"),
    [("Start Date", "startdate"), ("start-date", "startdate"), ("START_DATE", "startdate"),
     ("Validator Name", "validatorname"), (" csm ", "csm")],
)  # fmt: skip
def test_column_key(header: str, key: str) -> None:
    assert column_key(header) == key


@pytest.mark.parametrize(
    ("column", "cell", "written"),
    [
        ("goal", "yes", '"yes"'),
        ("goal", "2026", '"2026"'),
        ("goal", 2026, '"2026"'),
        ("result_id", "2026", '"2026"'),
        ("goal", "null", '"null"'),
        ("goal", "Save #1 priority", '"Save #1 priority"'),
        ("goal", "Cut cost: 10%", '"Cut cost: 10%"'),
        ("goal", "- dash", '"- dash"'),
        ("goal", "& more", '"& more"'),
        ("goal", 'Say "hi"', 'Say "hi"'),
        ("goal", "two\nlines", '"two\\nlines"'),
        ("account", "Müller Maschinenbau", "Müller Maschinenbau"),
        ("goal", dt.date(2026, 3, 15), '"2026-03-15"'),
        ("baseline", 65, "65"),
        ("baseline", 3.2, "3.2"),
        ("baseline", 1e-05, "0.00001"),
        ("baseline", "65%", "65%"),
        ("baseline", "$1,200", "$1,200"),
        ("baseline", "-5", "-5"),
        ("start_date", dt.date(2026, 3, 15), "2026-03-15"),
        ("start_date", "03/15/2026", "03/15/2026"),
        ("segment", "Enterprize", "Enterprize"),
    ],
)
def test_yaml_value(column: str, cell: Any, written: str) -> None:
    assert yaml_value(column, cell) == written


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (dt.datetime(2026, 3, 15), dt.date(2026, 3, 15)),
        (dt.date(2026, 3, 15), dt.date(2026, 3, 15)),
        (65.0, 65),
        (3.5, 3.5),
        (7, 7),
        (True, "TRUE"),
        ("  Acme ", "Acme"),
        ("", None),
        (None, None),
    ],
)
def test_xlsx_cell(value: object, cell: Any) -> None:
    assert xlsx_cell(value) == cell


# --- --dry-run and --update ---------------------------------------------------------------------


def test_dry_run_prints_the_files_and_writes_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"acme": VALID})
    before = snapshot(root)
    source = write_csv(tmp_path / "in.csv", HEADER, rows_of([GOOD]))
    result = import_(root, str(source), "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "--- content/accounts/acme-ltd.md (would be created)"
    assert lines[1] == "---"
    assert "account: Acme Ltd" in result.stdout
    assert "## What's working" in result.stdout
    assert "1 account file would be created, 0 would be updated, from 1 row" in result.stderr
    assert snapshot(root) == before


def test_update_changes_only_the_named_lines(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"acme": VALID})
    header = ["Account", "CSM", "Goal", "Current", "Measured On", "Validator Level"]
    header += ["Metric", "Baseline", "Target", "Owner", "ARR"]
    rows = [
        ["Acme Corp", "Dana Reyes", "Cut onboarding time", "42", "2026-11-20", "executive",
         "", "", "", "", "120000"],
        ["Acme Corp", "", "Fewer payment errors", "", "", "", "Errors per week", "12", "3", "Eva",
         ""],
    ]  # fmt: skip
    source = write_csv(tmp_path / "in.csv", header, rows)
    without = import_(root, str(source))
    assert without.exit_code == 1
    assert "content/accounts/acme.md already exists" in without.stdout
    assert (root / "content/accounts/acme.md").read_text(encoding="utf-8") == VALID

    result = import_(root, str(source), "--update")
    assert result.exit_code == 0, result.output
    assert result.stdout == "updated content/accounts/acme.md\n"
    assert "0 account files created, 1 updated, from 2 rows" in result.stderr
    after = (root / "content/accounts/acme.md").read_text(encoding="utf-8")
    expected = (
        VALID.replace("account: Acme Corp\n", "account: Acme Corp\narr: 120000\n")
        .replace("current: 44", "current: 42")
        .replace("measured_on: 2026-11-01", "measured_on: 2026-11-20")
        .replace(
            "      role: VP Operations\n", "      level: executive\n      role: VP Operations\n"
        )
        .replace(
            "      confirmed_on: 2026-11-10\n",
            "      confirmed_on: 2026-11-10\n  - id: fewer-payment-errors\n"
            "    goal: Fewer payment errors\n    metric: Errors per week\n    baseline: 12\n"
            "    target: 3\n    owner: Eva\n",
        )
    )
    assert after == expected
    assert run_cli(root, "check", "--as-of", AS_OF.isoformat()).exit_code == 0
    again = import_(root, str(source), "--update")  # the same sheet again: nothing to change
    assert again.exit_code == 0
    assert again.stdout == ""
    assert (root / "content/accounts/acme.md").read_text(encoding="utf-8") == expected


def test_update_errors_are_at_the_row_and_leave_the_file(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"acme": VALID})
    source = write_csv(
        tmp_path / "in.csv",
        ["Account", "Goal", "Current"],
        [["Acme Corp", "Cut onboarding time", "42%"]],
    )
    result = import_(root, str(source), "--update")
    assert result.exit_code == 1
    assert (
        f"{source}:2: error: result `onboarding-time`: `current` must be a plain number: "
        'write `42` and `unit: "%"` (found `42%`)'
    ) in result.stdout
    assert (root / "content/accounts/acme.md").read_text(encoding="utf-8") == VALID


def test_update_keeps_the_rest_of_a_line_and_every_other_line(tmp_path: Path) -> None:
    """A scaffold from `outcomesite new`: its comments stay, only the values change."""
    root = make_site(tmp_path / "site", {})
    assert run_cli(root, "new", "globex").exit_code == 0
    path = root / "content/accounts/globex.md"
    before = path.read_text(encoding="utf-8").splitlines()
    source = write_csv(
        tmp_path / "in.csv",
        ["Slug", "CSM", "Segment", "Result ID", "Target"],
        [["globex", "Eva Stein", "enterprise", "first-result", "15"]],
    )
    result = import_(root, str(source), "--update")
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    replaced = [
        ("segment: mid-market", "segment: enterprise"),
        ("csm: Your Name", "csm: Eva Stein"),
    ]
    replaced.append(("    target: 20", "    target: 15"))
    expected = [
        (line, line.replace(old, new, 1))
        for old, new in replaced
        for line in before
        if line.startswith(old)
    ]
    assert sorted(changed) == sorted(expected)
    assert len(changed) == 3
    assert all("  # " in b for _, b in changed)  # the comments stay
