"""The release the project's own workflow makes: the sdist and the wheel build, pass
`twine check`, and ship everything `init` and a build need."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

from tests.conftest import ROOT

RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def test_the_distributions_build_and_pass_twine_check(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheels, sdists = list(tmp_path.glob("*.whl")), list(tmp_path.glob("*.tar.gz"))
    assert len(wheels) == len(sdists) == 1
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, [*wheels, *sdists])],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    for needed in (
        "outcomesite/scaffold/site_template/github-workflow.yml",
        "outcomesite/scaffold/site_template/vscode-tasks.json",
        "outcomesite/themes/default/templates/report.html",
        "outcomesite/themes/default/assets/print.css",
        "outcomesite/build/run.py",
    ):
        assert needed in names


def test_the_release_workflow_publishes_tags_by_trusted_publishing() -> None:
    workflow = yaml.safe_load(RELEASE.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))
    assert triggers == {"push": {"tags": ["v*"]}}
    dist, publish = workflow["jobs"]["dist"], workflow["jobs"]["publish"]
    commands = "\n".join(step.get("run", "") for step in dist["steps"])
    assert "python -m build" in commands and "twine check --strict" in commands
    assert publish["needs"] == "dist"
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing, no token
    assert publish["environment"]["name"] == "pypi"
    uses = [step["uses"] for step in publish["steps"]]
    assert uses[-1].startswith("pypa/gh-action-pypi-publish@")
    assert "password" not in RELEASE.read_text(encoding="utf-8")
