"""`outcomesite record`: measurements from CSV or JSON Lines into account files, changing only the
lines of the recorded values, all or nothing. Real files in temporary sites, real Git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from outcomesite.cli import cli
from outcomesite.errors import OutcomesiteError
from outcomesite.load.account import validate_text
from outcomesite.load.config import load_config
from tests.conftest import AS_OF, VALID, diagnostics_of, edited, git_at, make_site

ACCOUNTS = "content/accounts"

# An account written the way people write: comments, 4-space list items, quoted values, a
# trailing comment on `target`, no `current` yet, and a second result.
COMMENTED = """\
---
# Owner: Dana. Numbers from the HR system.
account: "Globex Corp"   # as they write it
segment: mid-market
csm: Dana Reyes
start_date: 2026-08-01
results:
    -   id: ticket-time
        goal: 'Answer tickets faster'
        metric: Hours to first answer
        baseline: 30
        target: 12    # agreed at the kick-off
        owner: Dana Reyes
        # a comment inside the result
    -   id: cost
        goal: Lower support cost
        metric: Cost per ticket
        unit: USD
        baseline: 20
        target: 15
        current: 19
        measured_on: 2026-10-01
        source: "finance: month-end"
        owner: Dana Reyes
---
Body stays.
"""

# 1-space indentation throughout.
ONE_SPACE = """\
---
account: Initech
segment: smb
csm: Dana Reyes
start_date: 2026-08-01
results:
 - id: uptime
   goal: Fewer outages
   metric: Outage hours per month
   baseline: 10
   target: 2
   owner: Dana Reyes
---
"""

FLOW = """\
---
account: Flow Co
segment: smb
csm: Dana Reyes
start_date: 2026-08-01
results:
  - {id: scrap, goal: Less scrap, metric: Scrap rate, unit: "%", baseline: 8, target: 4, owner: Dana Reyes}  # one line
  - {id: yield, goal: Better yield, metric: Yield, baseline: 80, target: 90, current: 81, measured_on: 2026-10-01, owner: Dana Reyes}
---
"""


def record(root: Path, *args: str, stdin: str | None = None) -> Result:
    """The real command line; `stdin` feeds `record -` (run_cli has no input)."""
    return CliRunner().invoke(
        cli, ["--root", str(root), "record", *args, "--as-of", AS_OF.isoformat()], input=stdin
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / ACCOUNTS).glob("*.md"))}


def changed_lines(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """Lines only in `before`, lines only in `after` (line endings included), by position."""
    import difflib

    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed: list[bytes] = []
    added: list[bytes] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


def write_csv(root: Path, text: str, name: str = "m.csv") -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


# -- only the intended bytes change ---------------------------------------------------------------


def test_only_the_recorded_lines_change_in_files_written_every_way(tmp_path: Path) -> None:
    crlf = "\ufeff" + VALID.replace("\n", "\r\n")  # a BOM and CRLF line endings
    root = make_site(tmp_path, {"globex": COMMENTED, "initech": ONE_SPACE, "flow": FLOW})
    (root / ACCOUNTS / "acme.md").write_bytes(crlf.encode("utf-8"))
    git_at(root, "init", "-q")
    git_at(root, "add", "-A")
    git_at(root, "commit", "-q", "-m", "accounts")
    before = snapshot(root)
    csv = write_csv(
        tmp_path,
        "account,result,value,date,source\n"
        "acme,onboarding-time,41,2026-11-20,\n"
        "globex,ticket-time,20.5,2026-11-02,Zendesk: first reply\n"
        "globex,cost,18,2026-11-01,\n"
        "initech,uptime,6,2026-11-03,\n"
        "flow,scrap,6.5,2026-11-04,\n"
        "flow,yield,84,2026-11-05,MES export\n",
    )
    result = record(root, str(csv))
    assert result.exit_code == 0, result.output
    after = snapshot(root)
    assert changed_lines(before["acme.md"], after["acme.md"]) == (
        [b"    current: 44\r\n", b"    measured_on: 2026-11-01\r\n"],
        [b"    current: 41\r\n", b"    measured_on: 2026-11-20\r\n"],
    )
    assert after["acme.md"].startswith(b"\xef\xbb\xbf---\r\n")
    assert after["acme.md"].count(b"\r\n") == before["acme.md"].count(b"\r\n")
    assert b"\n" not in after["acme.md"].replace(b"\r\n", b"")
    # Inserted after `target:` (and its comment), with the result's own 8-space indentation.
    assert changed_lines(before["globex.md"], after["globex.md"]) == (
        [b"        current: 19\n", b"        measured_on: 2026-10-01\n"],
        [
            b"        current: 20.5\n",
            b"        measured_on: 2026-11-02\n",
            b'        source: "Zendesk: first reply"\n',
            b"        current: 18\n",
            b"        measured_on: 2026-11-01\n",
        ],
    )
    text = after["globex.md"].decode()
    assert "        target: 12    # agreed at the kick-off\n        current: 20.5\n" in text
    assert 'source: "finance: month-end"' in text  # not given for that row: unchanged
    assert changed_lines(before["initech.md"], after["initech.md"]) == (
        [],
        [b"   current: 6\n", b"   measured_on: 2026-11-03\n"],
    )
    assert changed_lines(before["flow.md"], after["flow.md"]) == (
        [
            b'  - {id: scrap, goal: Less scrap, metric: Scrap rate, unit: "%", baseline: 8, target: 4, owner: Dana Reyes}  # one line\n',
            b"  - {id: yield, goal: Better yield, metric: Yield, baseline: 80, target: 90, current: 81, measured_on: 2026-10-01, owner: Dana Reyes}\n",
        ],
        [
            b'  - {id: scrap, goal: Less scrap, metric: Scrap rate, unit: "%", baseline: 8, target: 4, current: 6.5, measured_on: 2026-11-04, owner: Dana Reyes}  # one line\n',
            b"  - {id: yield, goal: Better yield, metric: Yield, baseline: 80, target: 90, current: 84, measured_on: 2026-11-05, source: MES export, owner: Dana Reyes}\n",
        ],
    )
    assert result.stdout.splitlines() == [
        "recorded content/accounts/acme.md: onboarding-time 41 on 2026-11-20",
        "recorded content/accounts/flow.md: scrap 6.5 on 2026-11-04, yield 84 on 2026-11-05",
        "recorded content/accounts/globex.md: ticket-time 20.5 on 2026-11-02, cost 18 on 2026-11-01",
        "recorded content/accounts/initech.md: uptime 6 on 2026-11-03",
    ]
    assert result.stderr.strip() == "6 results recorded in 4 account files"
    assert not [d for d in diagnostics_of(root) if ": error: " in d]


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"initech": ONE_SPACE})
    before = snapshot(root)
    result = record(
        root, "-", "--dry-run", stdin="account,result,value,date\ninitech,uptime,6,2026-11-03\n"
    )
    assert result.exit_code == 0, result.output
    assert snapshot(root) == before
    assert result.stdout == (
        "--- a/content/accounts/initech.md\n"
        "+++ b/content/accounts/initech.md\n"
        "@@ -9,5 +9,7 @@\n"
        "    metric: Outage hours per month\n"
        "    baseline: 10\n"
        "    target: 2\n"
        "+   current: 6\n"
        "+   measured_on: 2026-11-03\n"
        "    owner: Dana Reyes\n"
        " ---\n"
    )
    assert result.stderr.strip() == (
        "1 result would be recorded in 1 account file; dry run: nothing written"
    )


def test_json_lines_from_standard_input(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"acme": VALID})
    lines = [
        {"account": "acme", "result": "onboarding-time", "value": 42.5, "date": "2026-11-15"},
        {"account": "acme", "result": "onboarding-time", "value": "41", "date": "2026-11-20",
         "source": "HRIS"},
    ]  # fmt: skip
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    git_at(root, "init", "-q")
    result = record(root, "-", stdin=stdin)
    assert result.exit_code == 0, result.output
    text = (root / ACCOUNTS / "acme.md").read_text()
    assert "    current: 41\n    measured_on: 2026-11-20\n    source: HRIS\n" in text
    # In Git, the older row is not written anywhere: the summary names it.
    assert "history" not in text
    assert result.stderr.strip() == (
        "1 result recorded in 1 account file; 1 older measurement not recorded (row 1): older "
        "than the result's measured_on; Git keeps the earlier values"
    )


def test_in_git_an_older_measurement_changes_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"acme": VALID})
    git_at(root, "init", "-q")
    git_at(root, "add", "-A")
    git_at(root, "commit", "-q", "-m", "acme")
    before = snapshot(root)
    csv = write_csv(tmp_path, "account,result,value,date\nacme,onboarding-time,50,2026-10-01\n")
    result = record(root, str(csv))
    assert result.exit_code == 0, result.output
    assert snapshot(root) == before
    assert result.stdout == ""
    assert result.stderr.startswith("0 results recorded in 0 account files; 1 older measurement")


def test_outside_git_earlier_values_go_into_history(tmp_path: Path) -> None:
    """Nothing else keeps them: the replaced `current` and the older rows become history points
    (the newer reading wins on a date the history already holds)."""
    with_history = edited(
        "history",
        [("    measured_on: 2026-11-01\n", "    measured_on: 2026-11-01\n    history:\n"
          "      - {date: 2026-09-15, value: 58}\n      - date: 2026-10-01\n        value: 50\n")],
    )  # fmt: skip
    root = make_site(tmp_path, {"acme": with_history, "initech": ONE_SPACE})
    csv = write_csv(
        tmp_path,
        "account,result,value,date\n"
        "acme,onboarding-time,41,2026-11-20\n"
        "acme,onboarding-time,49,2026-10-01\n"
        "acme,onboarding-time,45,2026-10-20\n"
        "initech,uptime,6,2026-11-03\n"
        "initech,uptime,8,2026-09-03\n",
    )
    before = snapshot(root)
    result = record(root, str(csv))
    assert result.exit_code == 0, result.output
    after = snapshot(root)
    assert changed_lines(before["acme.md"], after["acme.md"]) == (
        [b"    current: 44\n", b"    measured_on: 2026-11-01\n", b"        value: 50\n"],
        [
            b"    current: 41\n",
            b"    measured_on: 2026-11-20\n",
            b"        value: 49\n",
            b"      - {date: 2026-10-20, value: 45}\n",
            b"      - {date: 2026-11-01, value: 44}\n",
        ],
    )
    assert changed_lines(before["initech.md"], after["initech.md"]) == (
        [],
        [
            b"   current: 6\n",
            b"   measured_on: 2026-11-03\n",
            b"   history:\n",
            b"     - {date: 2026-09-03, value: 8}\n",
        ],
    )
    assert result.stderr.strip() == (
        "2 results recorded in 2 account files; 3 older measurements went into `history` (rows "
        "3, 4, 6): the site is not in Git, which would keep them"
    )
    assert not [d for d in diagnostics_of(root) if ": error: " in d]


def test_empty_values_text_blocks_and_comments_after_a_list_stay_in_place(tmp_path: Path) -> None:
    """`current:` with nothing after it gets its value after the colon; a `|` block is replaced
    by one line; a new history point goes right after the last one, before the blank line and
    the comment that follow it."""
    text = """\
---
account: X
segment: smb
csm: Dana Reyes
start_date: 2026-08-01
results:
  - id: a
    goal: Fewer errors
    metric: Errors per week
    baseline: 10
    target: 2
    current:
    history:
      - date: 2026-09-01
        value: 9

      # a comment after the history
    owner: Dana Reyes
    source: |
      old
      text
---"""
    root = make_site(tmp_path, {"x": text})
    csv = write_csv(tmp_path, "account,result,value,date,source\nx,a,5,2026-11-01,ERP\n"
                    "x,a,7,2026-10-15,\n")  # fmt: skip
    result = record(root, str(csv), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(" ---\n\\ No newline at end of file\n")
    assert record(root, str(csv)).exit_code == 0
    after = (root / ACCOUNTS / "x.md").read_text()
    assert after == text.replace("    current:\n", "    current: 5\n    measured_on: 2026-11-01\n")\
        .replace("        value: 9\n", "        value: 9\n      - {date: 2026-10-15, value: 7}\n")\
        .replace("    source: |\n      old\n      text\n", "    source: ERP\n")  # fmt: skip


def test_new_lines_take_the_files_crlf_line_endings_and_keep_its_bom(tmp_path: Path) -> None:
    root = make_site(tmp_path, {})
    path = root / ACCOUNTS / "initech.md"
    path.write_bytes(b"\xef\xbb\xbf" + ONE_SPACE.replace("\n", "\r\n").encode())
    before = path.read_bytes()
    csv = write_csv(tmp_path, "account,result,value,date\ninitech,uptime,6,2026-11-03\n"
                    "initech,uptime,8,2026-10-03\n")  # fmt: skip
    assert record(root, str(csv)).exit_code == 0
    after = path.read_bytes()
    assert changed_lines(before, after) == (
        [],
        [
            b"   current: 6\r\n",
            b"   measured_on: 2026-11-03\r\n",
            b"   history:\r\n",
            b"     - {date: 2026-10-03, value: 8}\r\n",
        ],
    )
    assert after.startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\n" not in after.replace(b"\r\n", b"")


def test_outside_git_a_flow_history_gets_the_point_inside_its_brackets(tmp_path: Path) -> None:
    text = FLOW.replace("measured_on: 2026-10-01,", "measured_on: 2026-10-01, history: [],")
    root = make_site(tmp_path, {"flow": text})
    csv = write_csv(tmp_path, "account,result,value,date\nflow,yield,85,2026-11-01\n")
    assert record(root, str(csv)).exit_code == 0
    assert (
        "current: 85, measured_on: 2026-11-01, history: [{date: 2026-10-01, value: 81}],"
        in (root / ACCOUNTS / "flow.md").read_text()
    )


def test_a_value_already_recorded_is_not_rewritten(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"acme": VALID})
    before = snapshot(root)
    csv = write_csv(tmp_path, "account,result,value,date\nacme,onboarding-time,44.0,2026-11-01\n")
    result = record(root, str(csv))
    assert result.exit_code == 0
    assert snapshot(root) == before
    assert result.stderr.strip() == (
        "0 results recorded in 0 account files; 1 result already held the value and date"
    )


def test_a_source_that_needs_quotes_reads_back_as_written(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"acme": VALID})
    source = 'SAP: scrap #1, "month-end" \\ close'
    lines = json.dumps({"account": "acme", "result": "onboarding-time", "value": 41,
                        "date": "2026-11-20", "source": source})  # fmt: skip
    assert record(root, "-", stdin=lines).exit_code == 0
    raw = (root / ACCOUNTS / "acme.md").read_bytes()
    config, _ = load_config(root)
    loaded = validate_text(raw, f"{ACCOUNTS}/acme.md", "acme", root, config, AS_OF)
    assert loaded.account is not None
    assert loaded.account.data.results[0].source == source


# -- all or nothing: every error class, its row and its words ------------------------------------

BROKEN = edited("broken", [("    target: 40\n", "    target: 60\n")])  # target == baseline

ERRORS = [
    (
        "unknown account",
        "account,result,value,date\nacme-crop,onboarding-time,41,2026-11-20\n",
        ["m.csv:2: error: unknown account `acme-crop`: there is no file "
         "content/accounts/acme-crop.md: did you mean `acme-corp`?"],
    ),
    (
        "unknown result",
        "account,result,value,date\nacme-corp,onboarding-tim,41,2026-11-20\n",
        ["m.csv:2: error: content/accounts/acme-corp.md has no result `onboarding-tim`: did you "
         "mean `onboarding-time`?"],
    ),
    (
        "percent",
        "account,result,value,date\nacme-corp,onboarding-time,41%,2026-11-20\n",
        ['m.csv:2: error: `value` must be a plain number: write `41` and `unit: "%"` (found `41%`)'],
    ),
    (
        "thousands",
        'account,result,value,date\nacme-corp,onboarding-time,"1,200",2026-11-20\n',
        ["m.csv:2: error: `value` must be a plain number without thousands separators: write `1200`"],
    ),
    (
        "money",
        "account,result,value,date\nacme-corp,onboarding-time,$120,2026-11-20\n",
        ["m.csv:2: error: `value` must be a plain number: write `120` and `unit: USD` (found `$120`)"],
    ),
    (
        "words",
        "account,result,value,date\nacme-corp,onboarding-time,forty,2026-11-20\n",
        ["m.csv:2: error: `value` must be a plain number such as 40 or 12.5 (found `forty`)"],
    ),
    (
        "empty value",
        "account,result,value,date\nacme-corp,onboarding-time,,2026-11-20\n",
        ["m.csv:2: error: `value` is empty: write the measured value, a plain number such as 44"],
    ),
    (
        "bad date",
        "account,result,value,date\nacme-corp,onboarding-time,41,20/11/2026\n",
        ["m.csv:2: error: `date` must be a date written YYYY-MM-DD, e.g. 2026-11-01 (found "
         "`20/11/2026`)"],
    ),
    (
        "future date",
        "account,result,value,date\nacme-corp,onboarding-time,41,2026-11-24\n",
        ["m.csv:2: error: `date` 2026-11-24 is after the report date 2026-11-23: dates cannot be "
         "in the future (check the year, or record with a later --as-of)"],
    ),
    (
        "before start_date",
        "account,result,value,date\nacme-corp,onboarding-time,41,2026-08-31\n",
        ["m.csv:2: error: `date` 2026-08-31 is before the account's `start_date` 2026-09-01: "
         "check the year, or the account"],
    ),
    (
        "same result and date twice",
        "account,result,value,date\nacme-corp,onboarding-time,41,2026-11-20\n"
        "globex,ticket-time,20,2026-11-20\nacme-corp,onboarding-time,42,2026-11-20\n",
        ["m.csv:4: error: a second row for result `onboarding-time` of `acme-corp` on 2026-11-20 "
         "(the first is row 2): keep one"],
    ),
    (
        "fails check afterwards",
        "account,result,value,date\nbroken,onboarding-time,41,2026-11-20\n",
        ["m.csv:2: error: after recording, content/accounts/broken.md would fail `outcomesite "
         "check` at line 13: result `onboarding-time`: `target` equals `baseline` (60): a result "
         "must aim to change the metric; write the value the customer wants to reach"],
    ),
    (
        "unknown column",
        "account,result,value,date,sorce\nacme-corp,onboarding-time,41,2026-11-20,HR\n",
        ["m.csv:1: error: unknown column `sorce`: did you mean `source`?"],
    ),
    (
        "missing column",
        "account,result,value\nacme-corp,onboarding-time,41\n",
        ["m.csv:1: error: the column `date` is missing"],
    ),
    (
        "short row",
        "account,result,value,date\nacme-corp,onboarding-time,41\n",
        ["m.csv:2: error: the row has 3 values, the header 4 columns: put a value that holds the "
         "separator in double quotes"],
    ),
    (
        "bad JSON line",
        '{"account": "acme-corp", "result": "onboarding-time", "value": 41, "date": "2026-11-20"}\n'
        '{"account": "acme-corp", "result": "onboarding-time", "value": 41\n'
        '{"account": "acme-corp", "result": "onboarding-time", "value": true, "date": "2026-11-21"}\n',
        ["m.csv:2: error: not a JSON object: Expecting ',' delimiter (column 66)",
         "m.csv:3: error: `value` must be a single value such as 41 (found `true`)"],
    ),
    (
        "several problems, in row order",
        "account,result,value,date\nglobex,ticket-time,12 hours,2026-11-20\n"
        "acme-corp,onboarding-time,41,2027-01-01\n",
        ["m.csv:2: error: `value` must be a plain number such as 40 or 12.5 (found `12 hours`)",
         "m.csv:3: error: `date` 2027-01-01 is after the report date 2026-11-23: dates cannot be "
         "in the future (check the year, or record with a later --as-of)"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "expected"), ERRORS, ids=[c[0] for c in ERRORS])
def test_every_error_names_its_row_and_changes_no_file(
    tmp_path: Path, case: str, text: str, expected: list[str]
) -> None:
    root = make_site(tmp_path / "site", {"acme-corp": VALID, "globex": COMMENTED, "broken": BROKEN})
    # A valid row for another file in every input: all or nothing means it is not written either.
    if text.startswith("account,result,value,date\n"):
        text += "globex,cost,18,2026-11-02\n"
    csv = write_csv(tmp_path, text)
    before = snapshot(root)
    result = record(root, str(csv))
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [line.replace("m.csv", str(csv)) for line in expected]
    assert result.stderr.startswith("nothing recorded: ")
    assert snapshot(root) == before
    assert not list((root / ACCOUNTS).glob(".*"))  # no temporary file left


def test_errors_from_standard_input_are_named_stdin(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"acme-corp": VALID})
    result = record(root, "-", stdin="account,result,value,date\nacme-corp,x,41,2026-11-20\n")
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:2: error: content/accounts/acme-corp.md has no result")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no such file"),
        ("just some text\nwithout columns\n", "is neither CSV"),
        ("[1, 2, 3]\n", "is neither CSV"),
    ],
)
def test_unreadable_input_is_a_usage_error(tmp_path: Path, content: str | None, words: str) -> None:
    root = make_site(tmp_path / "site", {"acme-corp": VALID})
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_text(content)
    result = record(root, str(path))
    assert result.exit_code == 2
    assert words in result.output
    from outcomesite.data.record import record_file

    with pytest.raises(OutcomesiteError):
        record_file(root, path, None, dry_run=False, as_of=AS_OF)


def test_an_empty_input_records_nothing(tmp_path: Path) -> None:
    """A scheduled export with no new rows is not a failure: the job then opens no pull request."""
    root = make_site(tmp_path, {"acme-corp": VALID})
    result = record(root, "-", stdin="account,result,value,date\n")
    assert result.exit_code == 0
    assert result.stderr.strip() == "0 results recorded in 0 account files"


def test_semicolons_from_a_spreadsheet_are_read(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"acme-corp": VALID})
    csv = write_csv(
        tmp_path, "Account;Result;Value;Date\nacme-corp;onboarding-time;41;2026-11-20\n"
    )
    assert record(root, str(csv)).exit_code == 0
    assert "current: 41\n" in (root / ACCOUNTS / "acme-corp.md").read_text()


def test_many_files_are_validated_in_workers_and_all_written(tmp_path: Path) -> None:
    """Above the parallel threshold the files are edited and validated in forked workers."""
    accounts = {f"customer-{n:04d}": VALID for n in range(450)}
    root = make_site(tmp_path, accounts)
    rows = "".join(
        f"customer-{n:04d},onboarding-time,{40 + n % 5},2026-11-20\n" for n in range(450)
    )
    csv = write_csv(tmp_path, "account,result,value,date\n" + rows)
    result = record(root, str(csv))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "450 results recorded in 450 account files"
    assert all("measured_on: 2026-11-20\n" in p.read_text() for p in (root / ACCOUNTS).glob("*.md"))


def test_a_relative_file_is_read_from_the_folder_given_with_C(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`outcomesite -C site record m.csv` reads site/m.csv, as `git -C` would; without -C the
    current folder."""
    site = tmp_path / "site"
    make_site(site, {"acme": VALID})
    (site / "m.csv").write_text(
        "account,result,value,date\nacme,onboarding-time,42,2026-11-15\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(cli, ["-C", "site", "record", "m.csv", "--as-of", AS_OF.isoformat()])
    assert done.exit_code == 0, done.output
    assert "current: 42" in (site / "content" / "accounts" / "acme.md").read_text("utf-8")
    monkeypatch.chdir(site)
    again = CliRunner().invoke(cli, ["record", "missing.csv", "--as-of", AS_OF.isoformat()])
    assert again.exit_code == 2 and "missing.csv" in again.output
