"""`outcomesite init`: a whole new site that checks and builds at once, with CI workflows."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Literal, get_args, get_origin

import yaml

from outcomesite import __version__
from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.layout import ACCOUNTS_DIR, CONFIG_FILE, SCHEMA_FILE
from outcomesite.model.config import DEFAULT_SEGMENTS, SiteConfig
from outcomesite.model.fields import fields_by_key
from outcomesite.model.schema import account_json_schema_text

# `outcomesite init`: packaged files (src/outcomesite/site_template/) and where they go in the site.
SITE_TEMPLATE = Path(__file__).parent / "site_template"
EXAMPLE_SLUG = "example-customer"
GITHUB_WORKFLOW = Path(".github") / "workflows" / "outcomesite.yml"
GITLAB_CI = Path(".gitlab-ci.yml")
# The scheduled `outcomesite record` (new measurements as a pull or merge request): a workflow of
# its own on GitHub; on GitLab, where a project has one pipeline file, a job file it includes.
GITHUB_RECORD = Path(".github") / "workflows" / "outcomesite-record.yml"
GITLAB_RECORD = Path(".gitlab") / "outcomesite-record.yml"
TEMPLATE_FILES: dict[str, Path] = {
    "gitignore": Path(".gitignore"),
    "github-workflow.yml": GITHUB_WORKFLOW,
    "github-record.yml": GITHUB_RECORD,
    "dependabot.yml": Path(".github") / "dependabot.yml",
    "gitlab-ci.yml": GITLAB_CI,
    "gitlab-record.yml": GITLAB_RECORD,
    "vscode-tasks.json": Path(".vscode") / "tasks.json",
}
GITLAB_INCLUDE = f"""
# The `record` job, for a pipeline schedule: new measurements as a merge request (see that file).
include:
  - local: {GITLAB_RECORD.as_posix()}
"""
# What `--install` accepts: a pip requirement, URL or path, nothing a shell or YAML would read
# otherwise (no spaces, quotes, `$` or backquotes: the value is written into a `run:` line).
_INSTALL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+\-=<>!~:/@#%,\[\]]*$")
_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?(\.(post|dev)[0-9]+)?$")
# Folder entries that do not stop `init`: `git init reports && outcomesite init reports` works.
IGNORED_IN_EMPTY_FOLDER = frozenset({".git"})

# Options whose default is "not set" get a sample value to uncomment.
_CONFIG_EXAMPLES: dict[str, str] = {
    "logo": "assets/logo.svg",
    "base_url": "https://reports.example.com/",
    "brand_color": '"#1d4e89"  # in quotes: a bare # starts a comment',
}
# Fuller wording than the model's short descriptions, where a CS team needs it.
_CONFIG_HELP: dict[str, str] = {
    "base_url": "Address where public/ is published: makes share links and the index links absolute",
    "result_check_days": "Days after start_date when the result check is due: "
    "an account below rung 4 then fails it",
    "stale_after_days": "A measurement (measured_on) older than this many days is stale",
    "currency": "The currency of every account's `arr` (annual recurring revenue, shown in the "
    "internal index only, never to a customer): an ISO 4217 code in capitals, e.g. USD, EUR, GBP",
}


def install_requirement(spec: str | None) -> str:
    """What the CI workflows install: by default this very version; a version number becomes
    `outcomesite==<version>`; a requirement, a Git URL or a wheel's path is taken as written."""
    if spec is None:
        return f"outcomesite=={__version__}"
    spec = spec.strip()
    if not _INSTALL.match(spec):
        raise OutcomesiteError(
            f"--install {spec!r} is not something to install: give a version (0.1.0), a "
            "requirement (outcomesite==0.1.0), a Git URL (git+https://github.com/ORG/outcomesite"
            "@v0.1.0) or the path of a wheel in the site (./vendor/outcomesite-0.1.0-py3-none-any"
            ".whl), without spaces or quotes",
            EXIT_USAGE,
        )
    if _VERSION.match(spec):
        return f"outcomesite=={spec}"
    if spec.endswith(".whl") and not spec.startswith(("./", "/", "http://", "https://")):
        return f"./{spec}"  # pip reads a bare name as a requirement, not as a file
    return spec


def init_site(target: Path, today: dt.date, install: str | None = None) -> list[Path]:
    """Create a new site in `target` (absent or empty) that checks and builds at once.

    Returns the files written, in a stable order. Everything is prepared before the first file is
    written, and nothing is ever overwritten. A folder that cannot be made is an error (exit 2).
    """
    _refuse_unless_empty(target)
    files = site_files(today, install_requirement(install))
    try:
        target.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for relative, text in files.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as handle:  # never overwrite
                handle.write(text)
            written.append(path)
    except OSError as exc:
        raise OutcomesiteError(
            f"cannot create the site in {target}: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else ""),
            EXIT_USAGE,
        ) from None
    return written


def _refuse_unless_empty(target: Path) -> None:
    for parent in target.parents:
        if parent.exists() and not parent.is_dir():
            raise OutcomesiteError(
                f"{parent} is a file, so no folder can be made inside it: nothing was written",
                EXIT_USAGE,
            )
    if target.exists() and not target.is_dir():
        raise OutcomesiteError(
            f"{target} is a file, not a folder: nothing was written; "
            "give `outcomesite init` the name of a new folder, e.g. `outcomesite init reports`",
            EXIT_USAGE,
        )
    if target.is_dir() and any(p.name not in IGNORED_IN_EMPTY_FOLDER for p in target.iterdir()):
        raise OutcomesiteError(
            f"{target} is not empty: nothing was written; `outcomesite init` only creates a site "
            "in a new or empty folder (a .git folder is fine). Choose a new folder, "
            "e.g. `outcomesite init reports`, or add an account to an existing site with "
            "`outcomesite new SLUG`",
            EXIT_USAGE,
        )


def site_files(today: dt.date, install: str) -> dict[Path, str]:
    """Every file `init` writes, by path relative to the site, in the order they are reported."""
    files: dict[Path, str] = {
        Path(CONFIG_FILE): config_text(),
        ACCOUNTS_DIR / f"{EXAMPLE_SLUG}.md": example_account_text(today),
        SCHEMA_FILE: account_json_schema_text(),
    }
    for name, destination in TEMPLATE_FILES.items():
        files[destination] = _template(name).replace("@INSTALL@", install)
    files[GITLAB_CI] += GITLAB_INCLUDE
    return files


def _template(name: str) -> str:
    return (SITE_TEMPLATE / name).read_text(encoding="utf-8")


def example_account_text(today: dt.date) -> str:
    """A filled-in account at the top rung, dated relative to `today` so that it passes `check`
    with no warning for months: the relationship started 150 days ago, measured 10 days ago."""
    dates = {
        "@START_DATE@": today - dt.timedelta(days=150),
        "@HISTORY_1@": today - dt.timedelta(days=100),
        "@HISTORY_2@": today - dt.timedelta(days=50),
        "@MEASURED_ON@": today - dt.timedelta(days=10),
        "@CONFIRMED_ON@": today - dt.timedelta(days=5),
    }
    text = _template(f"{EXAMPLE_SLUG}.md")
    for marker, day in dates.items():
        # A marker is longer than a date: drop as many spaces after it to keep comments aligned.
        text = re.sub(rf"{marker} {{0,{len(marker) - 10}}}", day.isoformat(), text)
    return text


def config_text() -> str:
    """outcomesite.yaml with every SiteConfig option commented out, at its default value."""
    lines = [
        "# outcomesite.yaml: the settings of this site. Every option is listed at its default",
        "# value, commented out: to change one, delete the `# ` before its name and edit the value.",
        "# `outcomesite check` validates this file; an unknown option is an error.",
    ]
    for name, field in fields_by_key(SiteConfig).items():
        help_text = _CONFIG_HELP.get(name, field.description or name.replace("_", " "))
        if name == "segments":
            lines += ["", f"# {help_text} (default: as below)", *_segments_text()]
            continue
        default = field.default()
        if isinstance(default, tuple):
            lines += ["", f"# {help_text} (default: none)", f"# {name}: []"]
            continue
        shown_default = "not set" if default is None else _yaml_scalar(default)
        shown_default = "empty" if default == "" else shown_default
        choices = get_args(field.bare) if get_origin(field.bare) is Literal else ()
        extra = f"; one of {', '.join(map(str, choices))}" if choices else ""
        value = _CONFIG_EXAMPLES.get(name, "") if default is None else _yaml_scalar(default)
        lines += ["", f"# {help_text} (default: {shown_default}{extra})", f"# {name}: {value}"]
    return "\n".join(lines) + "\n"


def _segments_text() -> list[str]:
    """The `segments:` block, commented out, with the built-in definitions and levels."""
    lines = ["# segments:"]
    for segment, (definition, level) in DEFAULT_SEGMENTS.items():
        lines += [
            f"#   {segment}:",
            f"#     definition: {_yaml_scalar(definition)}",
            f"#     validator_level: {level}   # user | team-lead | manager | executive",
        ]
    return lines


def _yaml_scalar(value: object) -> str:
    """A value as YAML that reads back as the same value: quoted only when it must be."""
    if isinstance(value, bool) or not isinstance(value, str):
        return json.dumps(value)
    try:
        plain_ok = value != "" and yaml.safe_load(value) == value
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok else json.dumps(value)
