"""The command line through its public surface: output formats, exit codes, schema, scaffolds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from outcomesite.model.schema import account_json_schema_text
from tests.conftest import AS_OF, ROOT, VALID, make_site, run_cli

NO_OWNER = VALID.replace("    owner: Dana Reyes\n", "")
OWNER_MESSAGE = (
    "result `onboarding-time`: `owner` is missing: add a line `owner: ...` "
    "with the internal owner of this result (a person's name)"
)


def test_check_ok(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    result = run_cli(tmp_path, "check", "--as-of", "2026-11-23")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "0 error(s), 0 warning(s) in 1 account file(s)\n"


def test_check_error_text(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": NO_OWNER})
    result = run_cli(tmp_path, "check", "--as-of", "2026-11-23")
    assert result.exit_code == 1
    assert result.stdout == f"content/accounts/acme.md:7: error: {OWNER_MESSAGE}\n"


def test_check_github_annotations(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": NO_OWNER})
    result = run_cli(tmp_path, "check", "--format", "github", "--as-of", "2026-11-23")
    assert result.exit_code == 1
    assert result.stdout == f"::error file=content/accounts/acme.md,line=7::{OWNER_MESSAGE}\n"


def test_github_escaping(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID.replace("baseline: 60", 'baseline: "65%"')})
    result = run_cli(tmp_path, "check", "--format", "github", "--as-of", "2026-11-23")
    assert 'write `65` and `unit: "%25"` (found `65%25`)' in result.stdout


def test_check_json(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": NO_OWNER})
    result = run_cli(tmp_path, "check", "--format", "json", "--as-of", "2026-11-23")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "path": "content/accounts/acme.md",
            "line": 7,
            "severity": "error",
            "message": OWNER_MESSAGE,
        }
    ]


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    make_site(
        tmp_path, {"acme": VALID.replace("measured_on: 2026-11-01", "measured_on: 2026-06-01")}
    )
    assert run_cli(tmp_path, "check", "--as-of", "2026-11-23").exit_code == 0
    strict = run_cli(tmp_path, "check", "--strict", "--as-of", "2026-11-23")
    assert strict.exit_code == 1
    assert "warning: result `onboarding-time`: the last measurement" in strict.stdout


def test_as_of_decides_future_dates(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    early = run_cli(tmp_path, "check", "--as-of", "2026-11-05")
    assert early.exit_code == 1
    assert "`confirmed_on` 2026-11-10 is after the report date 2026-11-05" in early.stdout


def test_source_date_epoch_sets_as_of(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    nov_5 = "1793836800"  # 2026-11-05 00:00 UTC
    result = run_cli(tmp_path, "check", env={"SOURCE_DATE_EPOCH": nov_5})
    assert result.exit_code == 1
    assert "is after the report date 2026-11-05" in result.stdout


def test_bad_source_date_epoch_is_a_usage_error(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    result = run_cli(tmp_path, "check", env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.exit_code == 2
    assert (
        "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (found 'yesterday')"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["check", "--as-of", "2026-13-01"],
            "Invalid value for '--as-of': '2026-13-01' does not match the format '%Y-%m-%d'.",
        ),
        (
            ["check", "--format", "xml"],
            "Invalid value for '--format': 'xml' is not one of 'text', 'github', 'json'.",
        ),
        (["chek"], "No such command 'chek'."),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    make_site(tmp_path, {"acme": VALID})
    result = run_cli(tmp_path, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_no_site_is_an_environment_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "check")
    assert result.exit_code == 2
    assert "no content/accounts/ folder in" in result.stderr


def test_schema_matches_committed_copy() -> None:
    committed = (ROOT / "schema" / "account.schema.json").read_text(encoding="utf-8")
    assert committed == account_json_schema_text(), (
        "schema/account.schema.json is out of date: run `outcomesite schema > schema/account.schema.json`"
    )


def test_schema_command(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "schema")
    schema = json.loads(result.stdout)
    assert result.exit_code == 0
    assert schema["required"] == ["account", "segment", "csm", "start_date"]
    assert schema["additionalProperties"] is False
    result_schema = schema["$defs"]["Result"]
    assert "owner" in result_schema["required"]


def test_schema_validates_a_sample_account() -> None:
    import jsonschema
    import yaml

    text = (ROOT / "content/accounts/northwind-logistics.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    front = json.loads(json.dumps(front, default=str))  # dates as strings, as an editor sees them
    jsonschema.validate(front, json.loads(account_json_schema_text()))


def test_new_scaffold_passes_check_and_is_never_overwritten(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    result = run_cli(tmp_path, "new", "globex")
    assert result.exit_code == 0
    assert (
        result.stdout == "created content/accounts/globex.md\ncreated schema/account.schema.json\n"
    )
    path = tmp_path / "content/accounts/globex.md"
    text = path.read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=../../schema/account.schema.json" in text
    assert "account: Globex" in text
    check = run_cli(tmp_path, "check")
    assert check.exit_code == 0, check.stdout
    assert check.stdout == ""

    path.write_text(text + "\nMy edits.\n", encoding="utf-8")
    again = run_cli(tmp_path, "new", "globex")
    assert again.exit_code == 2
    assert "content/accounts/globex.md already exists: it was left untouched" in again.stderr
    assert path.read_text(encoding="utf-8").endswith("My edits.\n")


def test_new_rejects_a_bad_slug(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    result = run_cli(tmp_path, "new", "Globex Corp")
    assert result.exit_code == 2
    assert "rename it to `globex-corp.md`" in result.stderr
    assert not (tmp_path / "content/accounts/Globex Corp.md").exists()


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The installed entry point, as CI calls it, in a real process."""
    make_site(tmp_path, {"acme": NO_OWNER})
    exe = shutil.which("outcomesite") or str(Path(sys.executable).parent / "outcomesite")
    proc = subprocess.run(
        [exe, "check", "--format", "github", "--as-of", AS_OF.isoformat()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == f"::error file=content/accounts/acme.md,line=7::{OWNER_MESSAGE}\n"
    assert "Traceback" not in proc.stderr
