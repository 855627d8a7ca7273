"""The repository is also the example site: its accounts must pass and cover every case."""

from __future__ import annotations

from pathlib import Path

from outcomesite import load_site
from outcomesite.model import ladder
from outcomesite.model.ladder import Rung
from tests.conftest import AS_OF, ROOT, copy_sample, run_cli


def test_sample_site_passes_check() -> None:
    site = load_site(ROOT, AS_OF)
    assert site.ok, "\n".join(d.format_text() for d in site.diagnostics)
    assert len(site.accounts) >= 8


def test_sample_site_covers_every_case() -> None:
    site = load_site(ROOT, AS_OF)
    config = site.config
    assessments = [
        ladder.assess(a.data, AS_OF, config.result_check_days, config.stale_after_days)
        for a in site.accounts
    ]
    results = [r for a in assessments for r in a.results]
    assert {a.rung for a in assessments} == set(Rung)
    assert {a.data.segment for a in site.accounts} == {"smb", "mid-market", "enterprise"}
    assert {r.direction for r in results} == {"increase", "decrease"}
    units = {r.result.unit for r in results}
    assert {"%", "USD", "EUR/month"} <= units  # money, and money per month
    assert units - {"%", "USD", "EUR/month", None}, "a plain-unit metric"
    assert {a.result_check for a in assessments} == {"passed", "failing", "not_due"}
    assert any(r.stale for r in results)
    assert any(r.overdue for r in results)
    assert any(r.result.validator and not r.validated for r in results), "an unconfirmed validator"
    assert any(r.result.validator is None for r in results)
    assert any(r.result.history for r in results)


def test_removing_an_owner_fails_check(tmp_path: Path) -> None:
    site = tmp_path / "site"
    copy_sample(site)
    path = site / "content/accounts/northwind-logistics.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    owner_index = next(i for i, line in enumerate(lines) if line.strip().startswith("owner:"))
    result_line = max(i for i in range(owner_index) if lines[i].lstrip().startswith("- id:"))
    result_id = lines[result_line].split("id:")[1].strip()
    del lines[owner_index]
    path.write_text("\n".join(lines), encoding="utf-8")

    text = run_cli(site, "check", "--as-of", AS_OF.isoformat())
    assert text.exit_code == 1
    expected = (
        f"content/accounts/northwind-logistics.md:{result_line + 1}: error: result `{result_id}`: "
        "`owner` is missing"
    )
    assert expected in text.stdout

    github = run_cli(site, "check", "--format", "github", "--as-of", AS_OF.isoformat())
    assert github.exit_code == 1
    assert (
        f"::error file=content/accounts/northwind-logistics.md,line={result_line + 1}::"
        f"result `{result_id}`: `owner` is missing"
    ) in github.stdout
