"""outcomesite.yaml: declared options, defaults, and precise errors with suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomesite.load.config import load_config
from outcomesite.model.config import SiteConfig
from tests.conftest import VALID, diagnostics_of, make_site


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config == SiteConfig()
    assert (config.paper, config.locale, config.result_check_days, config.stale_after_days) == (
        "A4",
        "en_US",
        90,
        120,
    )


def test_full_config(tmp_path: Path) -> None:
    (tmp_path / "themes/brand").mkdir(parents=True)
    (tmp_path / "logo.svg").write_text("<svg/>")
    (tmp_path / "outcomesite.yaml").write_text(
        "site_name: Acme CS\nvendor: Acme\nlogo: logo.svg\nbase_url: https://r.example.com/\n"
        "theme: brand\npaper: Letter\nlocale: de_DE\nresult_check_days: 60\nstale_after_days: 90\n"
    )
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config.paper == "Letter"
    assert config.result_check_days == 60


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vendr: Acme\n", "outcomesite.yaml:1: error: unknown key `vendr`: did you mean `vendor`?"),
        (
            "paper: a4\n",
            "outcomesite.yaml:1: error: `paper` must be one of A4, Letter (found `a4`): did you mean `A4`?",
        ),
        (
            "locale: xx_YY\n",
            "outcomesite.yaml:1: error: `locale` `xx_YY` is not a known locale: write a language "
            "and country such as en_US or de_DE (the report's words come in de, en, es or fr)",
        ),
        (
            "result_check_days: 0\n",
            "outcomesite.yaml:1: error: `result_check_days` must be at least 1",
        ),
        (
            "stale_after_days: 1.5\n",
            "outcomesite.yaml:1: error: `stale_after_days` must be a whole number such as 1 or 2 (found `1.5`)",
        ),
        (
            "base_url: reports.example.com\n",
            "outcomesite.yaml:1: error: `base_url` must be an absolute URL such as https://reports.example.com/",
        ),
        (
            "theme: brnd\n",
            "outcomesite.yaml:1: error: `theme` `brnd` has no folder themes/brnd/: create that folder or use `default`",
        ),
        (
            "logo: ../secret.png\n",
            "outcomesite.yaml:1: error: `logo` `../secret.png` must be a file inside the site folder",
        ),
        (
            "logo: missing.png\n",
            "outcomesite.yaml:1: error: `logo` file `missing.png` was not found (paths are relative to the site root)",
        ),
        (
            "site_name: A\nsite_name: B\n",
            "outcomesite.yaml:2: error: duplicate key `site_name` (first given on line 1): keep only one",
        ),
        (
            "vendor: [a\n",
            "outcomesite.yaml:2: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
        ),
        ("- a\n", "outcomesite.yaml:1: error: the config must be a list of `key: value` lines"),
    ],
)
def test_config_errors(tmp_path: Path, text: str, expected: str) -> None:
    make_site(tmp_path, {"acme": VALID}, config=text)
    assert diagnostics_of(tmp_path) == [expected]


def test_config_days_drive_the_checks(tmp_path: Path) -> None:
    stale = VALID.replace("measured_on: 2026-11-01", "measured_on: 2026-10-01")
    make_site(tmp_path, {"acme": stale}, config="stale_after_days: 30\n")
    assert diagnostics_of(tmp_path) == [
        "content/accounts/acme.md:15: warning: result `onboarding-time`: the last measurement "
        "(2026-10-01) is 53 days old, more than 30: measure again and update `current` and `measured_on`"
    ]
