"""The command line through its public surface: output formats, exit codes, schema, scaffolds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from outcomesite.model.schema import account_json_schema_text
from tests.conftest import AS_OF, ROOT, VALID, make_site, run_cli
from tests.test_report_fields import scaffold_warnings

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
    assert result.stderr == (
        f"Error: {tmp_path} is not in an outcomesite site: neither it nor any folder above it has "
        "outcomesite.yaml or content/accounts/; run this in your site's folder (or give it with "
        "-C DIR), or start a new site with `outcomesite init DIR`\n"
    )


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
    assert result.stdout == "created content/accounts/globex.md\n"
    path = tmp_path / "content/accounts/globex.md"
    text = path.read_text(encoding="utf-8")
    assert "yaml-language-server" not in text  # VS Code does not read it in front matter
    assert "account: Globex" in text
    check = run_cli(tmp_path, "check")
    assert check.exit_code == 0, check.stdout  # it passes, with a warning per placeholder
    expected = scaffold_warnings("content/accounts/globex.md", text)
    assert check.stdout == "\n".join(expected) + "\n"

    path.write_text(text + "\nMy edits.\n", encoding="utf-8")
    again = run_cli(tmp_path, "new", "globex")
    assert again.exit_code == 2
    assert "content/accounts/globex.md already exists: it was left untouched" in again.stderr
    assert path.read_text(encoding="utf-8").endswith("My edits.\n")


def test_new_rejects_a_bad_slug(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    result = run_cli(tmp_path, "new", "Globex Corp")
    assert result.exit_code == 2
    assert "write `outcomesite new globex-corp`" in result.stderr
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


# Finding the site, as Git finds a repository.


def cli_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("outcomesite") or str(Path(sys.executable).parent / "outcomesite")
    env = {**os.environ, "OUTCOMESITE_SECRET": "cli-secret-0123456789abcdef0123456789abcdef"}
    env.pop("CI", None)
    return subprocess.run(
        [exe, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "args",
    [("new", "foo"), ("check",), ("build", "--no-pdf"), ("links",), ("serve", "--port", "0")],
)
def test_outside_a_site_nothing_is_written_and_the_reason_is_given(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    outside = tmp_path / "not-a-site"
    outside.mkdir()
    result = cli_in(outside, *args)
    assert result.returncode == 2
    assert "is not in an outcomesite site" in result.stderr
    assert "outcomesite init DIR" in result.stderr
    assert list(outside.iterdir()) == []  # no content/, no schema/, no .outcomesite/


def test_commands_find_the_site_from_a_folder_inside_it(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    accounts = tmp_path / "content" / "accounts"
    check = cli_in(accounts, "check", "--as-of", "2026-11-23")
    assert check.returncode == 0, check.stderr
    new = cli_in(accounts, "new", "globex")
    assert new.returncode == 0, new.stderr
    assert new.stdout == "created content/accounts/globex.md\n"
    assert (accounts / "globex.md").is_file()
    assert not (accounts / "content").exists()
    build = cli_in(accounts, "build", "--no-pdf", "--as-of", "2026-11-23")
    assert build.returncode == 0, build.stderr
    assert (tmp_path / "build" / "internal" / "index.html").is_file()


@pytest.mark.parametrize("command", ["check", "build", "links", "new"])
def test_every_command_takes_dash_c_after_its_name(tmp_path: Path, command: str) -> None:
    make_site(tmp_path / "site", {"acme": VALID})
    extra = {"check": ["--as-of", "2026-11-23"], "build": ["--no-pdf", "--as-of", "2026-11-23"],
             "links": [], "new": ["globex"]}[command]  # fmt: skip
    after = cli_in(tmp_path, command, "-C", "site", *extra)
    assert after.returncode == 0, after.stderr
    if command == "new":
        extra = ["initech"]
    before = cli_in(tmp_path, "-C", "site", command, *extra)  # the same, before the command
    assert before.returncode == 0, before.stderr


def test_dash_c_to_a_missing_folder_says_so(tmp_path: Path) -> None:
    result = cli_in(tmp_path, "check", "-C", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr == f"Error: the folder {tmp_path / 'missing'} does not exist\n"


def test_new_transliterates_and_takes_a_file_name(tmp_path: Path) -> None:
    make_site(tmp_path, {})
    bad = run_cli(tmp_path, "new", "müller-maschinenbau")
    assert bad.exit_code == 2
    assert "write `outcomesite new mueller-maschinenbau`" in bad.stderr
    named = run_cli(tmp_path, "new", "foo.md")
    assert named.exit_code == 0, named.stderr
    assert named.stdout == "created content/accounts/foo.md\n"
    assert "foo.md.md" not in named.output
