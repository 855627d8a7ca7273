"""The CI files `outcomesite init` writes pass a GitHub Actions security audit.

Every site made with `init` runs our workflow with the repository's token and OUTCOMESITE_SECRET,
so its security is ours. zizmor (a declared test dependency: missing, it fails these tests) audits
`init`'s output offline at its default settings, and the project's own workflows when it has any.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT, run_cli

WORKFLOW = Path(".github/workflows/outcomesite.yml")
DEPENDABOT = Path(".github/dependabot.yml")
ZIZMOR_MINIMUM = (1, 32)
SECRET = "OUTCOMESITE_SECRET"
BUILD_COMMAND = "outcomesite build"
# `uses: owner/repo@<full commit SHA> # vX.Y.Z`: the form Dependabot updates, SHA and comment alike.
PINNED_USES = re.compile(
    r"uses: (?P<action>[\w.-]+/[\w.-]+(?:/[\w.-]+)*)@(?P<sha>[0-9a-f]{40}) # (?P<version>v\d+\.\d+\.\d+)"
)


def zizmor_executable() -> str:
    """zizmor, installed with the test dependencies next to this Python (or else on PATH)."""
    name = "zizmor.exe" if os.name == "nt" else "zizmor"
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which("zizmor")
    assert found is not None, (
        "zizmor is not installed: it is a test dependency (python -m pip install -e '.[test]')"
    )
    return found


def zizmor(*inputs: Path, output_format: str = "plain") -> subprocess.CompletedProcess[str]:
    """zizmor offline at its default settings: no configuration file, no persona, every audit at
    its default severity and confidence. Inputs that do not parse fail instead of being skipped."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ZIZMOR_")}
    command = [zizmor_executable(), "--offline", "--no-config", "--strict-collection"]
    command += ["--no-progress", "--color=never", f"--format={output_format}"]
    return subprocess.run(
        [*command, *map(str, inputs)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        check=False,
    )


def report(result: subprocess.CompletedProcess[str]) -> str:
    return f"zizmor exit status {result.returncode}\n{result.stdout}\n{result.stderr}"


def finding_ids(result: subprocess.CompletedProcess[str]) -> set[str]:
    assert result.stdout.strip(), report(result)
    return {finding["ident"] for finding in json.loads(result.stdout)}


def init(tmp_path: Path) -> Path:
    site = tmp_path / "reports"
    result = run_cli(tmp_path, "init", str(site))
    assert result.exit_code == 0, result.output
    return site


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def all_steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def action(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


# zizmor itself.


def test_zizmor_is_installed_and_recent_enough() -> None:
    result = subprocess.run(
        [zizmor_executable(), "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, report(result)
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", result.stdout)
    assert found is not None, result.stdout
    assert tuple(int(n) for n in found.groups()[:2]) >= ZIZMOR_MINIMUM, result.stdout


def test_init_output_has_no_zizmor_findings(tmp_path: Path) -> None:
    site = init(tmp_path)
    # The workflow on its own (as the issue audits it), then the whole site: the workflow and
    # .github/dependabot.yml, as zizmor collects them from a repository.
    for audited in (site / WORKFLOW, site):
        result = zizmor(audited)
        assert result.returncode == 0, report(result)
        assert "No findings" in result.stdout, report(result)


def test_zizmor_finds_what_the_generated_files_avoid(tmp_path: Path) -> None:
    """The audit above is real: undo a few of the safeguards and zizmor reports each of them, in
    the workflow and in dependabot.yml, from the same folder layout."""
    site = init(tmp_path)
    workflow = site / WORKFLOW
    text = workflow.read_text(encoding="utf-8")
    # Drop `persist-credentials: false` (and a `with:` left empty by that).
    unsafe = re.sub(r"(\n *with:)?\n *persist-credentials: false[^\n]*(?=\n *-)", "", text)
    unsafe = re.sub(r"\n *persist-credentials: false[^\n]*", "", unsafe)
    unsafe = re.sub(r"actions/checkout@[0-9a-f]{40} # v[\d.]+", "actions/checkout@v4", unsafe)
    assert unsafe != text
    workflow.write_text(unsafe, encoding="utf-8")
    dependabot = site / DEPENDABOT
    dependabot.write_text(
        dependabot.read_text(encoding="utf-8") + "    insecure-external-code-execution: allow\n",
        encoding="utf-8",
    )
    result = zizmor(site, output_format="json")
    assert result.returncode != 0, report(result)
    assert {"artipacked", "unpinned-uses", "dependabot-execution"} <= finding_ids(result)


def test_the_projects_own_workflows_have_no_zizmor_findings() -> None:
    """outcomesite's own GitHub workflows and Dependabot file, whenever the repository has them."""
    github = ROOT / ".github"
    inputs = sorted(github.glob("workflows/*.yml")) + sorted(github.glob("workflows/*.yaml"))
    inputs += [p for p in (github / "dependabot.yml", github / "dependabot.yaml") if p.is_file()]
    if not inputs:
        return  # none yet: nothing of ours to audit (init's output is audited above)
    result = zizmor(*inputs)
    assert result.returncode == 0, report(result)


# What the audit asks for, stated directly: the pins, the token, the permissions, the secret.


def test_every_action_is_pinned_to_a_commit_with_its_version(tmp_path: Path) -> None:
    site = init(tmp_path)
    raw = (site / WORKFLOW).read_text(encoding="utf-8")
    uses_lines = [line.strip() for line in raw.splitlines() if re.match(r"\s*(- )?uses:", line)]
    steps_with_uses = [s for s in all_steps(load(site / WORKFLOW)) if "uses" in s]
    assert len(uses_lines) == len(steps_with_uses) >= 7
    pins: dict[str, set[tuple[str, str]]] = {}
    for line in uses_lines:
        pinned = PINNED_USES.fullmatch(line.removeprefix("- "))
        assert pinned is not None, f"not pinned to a commit SHA with its version: {line}"
        pins.setdefault(pinned["action"], set()).add((pinned["sha"], pinned["version"]))
    # One release per action: both checkouts (and both setup-pythons) run the same code.
    assert all(len(releases) == 1 for releases in pins.values()), pins
    assert {
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "actions/upload-pages-artifact",
        "actions/upload-artifact",
        "actions/deploy-pages",
    } <= set(pins)


def test_every_checkout_leaves_no_token_behind(tmp_path: Path) -> None:
    checkouts = [
        s for s in all_steps(load(init(tmp_path) / WORKFLOW)) if action(s) == "actions/checkout"
    ]
    assert len(checkouts) == 2
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_each_job_gets_only_the_permissions_it_needs(tmp_path: Path) -> None:
    workflow = load(init(tmp_path) / WORKFLOW)
    assert workflow["permissions"] == {}
    permissions = {name: job.get("permissions") for name, job in workflow["jobs"].items()}
    assert permissions == {
        "check": {"contents": "read"},
        "build": {"contents": "read"},
        "deploy": {"pages": "write", "id-token": "write"},
    }


def test_the_secret_reaches_only_the_build_step(tmp_path: Path) -> None:
    workflow = load(init(tmp_path) / WORKFLOW)
    assert "env" not in workflow
    assert not any("env" in job for job in workflow["jobs"].values())
    mentioning = [s for s in all_steps(workflow) if "secret" in json.dumps(s).lower()]
    assert mentioning == [
        s for s in workflow["jobs"]["build"]["steps"] if s.get("run") == BUILD_COMMAND
    ]
    (build_step,) = mentioning
    assert build_step["env"] == {SECRET: "${{ secrets.OUTCOMESITE_SECRET }}"}
    assert "secrets." not in json.dumps(workflow["jobs"]["check"])
    # No expression is expanded into a shell command (values of a pull request could inject one).
    assert not [s["run"] for s in all_steps(workflow) if "${{" in s.get("run", "")]


def test_dependabot_keeps_the_action_pins_fresh(tmp_path: Path) -> None:
    site = init(tmp_path)
    config = load(site / DEPENDABOT)
    assert config["version"] == 2
    (actions,) = [u for u in config["updates"] if u["package-ecosystem"] == "github-actions"]
    assert actions["directory"] == "/"
    assert actions["schedule"]["interval"] == "weekly"


# GitLab: the secret is a masked and protected variable, used by the build job only.


def test_gitlab_ci_keeps_the_secret_to_the_build_job(tmp_path: Path) -> None:
    path = init(tmp_path) / ".gitlab-ci.yml"
    ci = load(path)
    # Never defined in the file itself: it comes from the project's CI/CD variables.
    assert SECRET not in json.dumps(ci)
    scripts = [
        line
        for job in ci.values()
        if isinstance(job, dict)
        for key in ("before_script", "script", "after_script")
        for line in job.get(key, [])
    ]
    assert scripts and not [line for line in scripts if SECRET in line or "echo" in line]
    assert ci["check"]["script"][-1] == "outcomesite check"
    assert ci["build"]["script"][-1] == BUILD_COMMAND
    # The set-up instructions, in the file's comments.
    assert "Masked and Protected" in path.read_text(encoding="utf-8")


def uncommented(text: str, start: str, indent: str, count: int = 0) -> str:
    """The commented-out block that starts at the line `start` (without its `# `), as YAML: to
    the end of the comment, or `count` lines."""
    lines = text.split("\n")
    first = lines.index(f"{indent}# {start}")
    block = []
    for line in lines[first : first + count] if count else lines[first:]:
        if not line.startswith(f"{indent}#"):
            break
        block.append(indent + line[len(indent) + 2 :])
    return "\n".join(block) + "\n"


def test_the_pdf_shards_option_works_when_uncommented(tmp_path: Path) -> None:
    """The optional `pdfs` jobs of both workflows, uncommented as their comments say: valid, the
    GitHub one free of zizmor findings, each running `build --shard K/N`."""
    site = init(tmp_path)
    workflow = site / WORKFLOW
    text = workflow.read_text(encoding="utf-8")
    job = uncommented(text, "pdfs:", "  ")
    restore = uncommented(text, "    - name: Restore the PDFs of shard 1", "  ", count=5)
    text = text.replace("\n  deploy:\n", "\n" + job + "\n  deploy:\n", 1)
    text = text.replace(
        "      # The only step that sees OUTCOMESITE_SECRET.",
        restore + "      # The only step that sees OUTCOMESITE_SECRET.",
        1,
    )
    text = text.replace(
        "  build:\n    name: build\n", "  build:\n    name: build\n    needs: pdfs\n"
    )
    workflow.write_text(text, encoding="utf-8")
    data = load(workflow)
    pdfs = data["jobs"]["pdfs"]
    assert pdfs["strategy"]["matrix"]["shard"] == [1, 2, 3]
    runs = [step.get("run", "") for step in pdfs["steps"]]
    assert 'outcomesite build --shard "$SHARD/3"' in runs
    assert data["jobs"]["build"]["needs"] == "pdfs"
    build_uses = [action(step) for step in data["jobs"]["build"]["steps"] if "uses" in step]
    assert "actions/cache/restore" in build_uses
    result = zizmor(workflow)
    assert result.returncode == 0, report(result)

    gitlab = (site / ".gitlab-ci.yml").read_text(encoding="utf-8")
    jobs = yaml.safe_load(gitlab + uncommented(gitlab, "pdfs:", ""))
    assert jobs["pdfs"]["parallel"] == 3
    assert 'outcomesite build --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"' in jobs["pdfs"]["script"]
