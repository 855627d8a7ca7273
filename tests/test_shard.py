"""`outcomesite build --shard K/N`: N jobs, each on a machine of its own, render a part of the PDFs
into their PDF caches; the final build, with the caches merged, renders none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from outcomesite.build.shard import Shard
from outcomesite.errors import OutcomesiteError
from tests.conftest import AS_OF, VALID, copy_sample, edited, git_at, make_site, run_cli

ENV = {"OUTCOMESITE_SECRET": "shard-secret-0123456789abcdef0123456789abcdef"}


@pytest.mark.parametrize(
    ("text", "parsed"), [("1/3", (1, 3)), ("3/3", (3, 3)), (" 2 / 5 ", (2, 5)), ("1/1", (1, 1))]
)
def test_a_shard_is_written_k_of_n(text: str, parsed: tuple[int, int]) -> None:
    shard = Shard.parse(text)
    assert (shard.number, shard.count) == parsed


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "1/0", "a/b", "1/3/5", "-1/3", ""])
def test_anything_else_is_a_usage_error(text: str) -> None:
    with pytest.raises(OutcomesiteError) as error:
        Shard.parse(text)
    assert error.value.exit_code == 2
    assert "write K/N" in str(error.value)


def test_shards_split_the_slugs_stably_and_evenly() -> None:
    slugs = [f"customer-{n:05d}" for n in range(3000)]
    shards = [Shard(k, 3) for k in (1, 2, 3)]
    owners = [[s for s in shards if s.has(slug)] for slug in slugs]
    assert all(len(found) == 1 for found in owners)  # each slug in exactly one shard
    sizes = [sum(found[0] is s for found in owners) for s in shards]
    assert all(900 <= size <= 1100 for size in sizes), sizes
    # A slug's shard depends on nothing but the slug and N: adding accounts moves none.
    assert [Shard(2, 3).has(slug) for slug in slugs[:50]] == [
        Shard(2, 3).has(slug) for slug in [*slugs[:50], "new-account"]
    ][:50]


def clone(source: Path, target: Path) -> Path:
    """The site as another CI job checks it out: the same files and history, no cache."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".outcomesite", "build"))
    return target


def pdf_files(root: Path) -> dict[str, bytes]:
    public = root / "build" / "public"
    return {p.relative_to(public).as_posix(): p.read_bytes() for p in public.rglob("*.pdf")}


def test_three_shards_then_a_final_build_that_renders_no_pdf(tmp_path: Path) -> None:
    site = copy_sample(tmp_path / "site")
    git_at(site, "init", "-q")
    git_at(site, "add", "-A")
    git_at(site, "commit", "-qm", "sample", date="2026-11-20T10:00:00")
    as_of = ("--as-of", AS_OF.isoformat())

    rendered: list[int] = []
    for k in (1, 2, 3):
        job = clone(site, tmp_path / f"job-{k}")
        result = run_cli(job, "build", "--shard", f"{k}/3", *as_of, env=ENV)
        assert result.exit_code == 0, result.output
        assert f"shard {k}/3:" in result.output and "already cached" in result.output
        assert not (job / "build").exists()  # a shard writes nothing but the cache
        rendered.append(len(list((job / ".outcomesite/cache/pdf").rglob("*.pdf"))))

    final = clone(site, tmp_path / "final")
    for k in (1, 2, 3):  # the caches merged: each job's folder copied in
        shutil.copytree(
            tmp_path / f"job-{k}" / ".outcomesite/cache/pdf",
            final / ".outcomesite/cache/pdf",
            dirs_exist_ok=True,
        )
    result = run_cli(final, "build", *as_of, env=ENV)
    assert result.exit_code == 0, result.output
    total = len(pdf_files(final))
    assert f"{total} PDF(s) (0 rendered, {total} reused)" in result.output
    assert sum(rendered) == total and all(rendered)  # each PDF rendered once, by one shard

    # The same PDFs as one machine rendering them all.
    alone = clone(site, tmp_path / "alone")
    assert run_cli(alone, "build", *as_of, env=ENV).exit_code == 0
    assert pdf_files(alone) == pdf_files(final)

    # A shard run again renders nothing: its PDFs are in its cache already.
    again = run_cli(tmp_path / "job-1", "build", "--shard", "1/3", *as_of, env=ENV)
    assert f"{rendered[0]} already cached" in again.output
    assert f"{rendered[0]} of the site's {total} PDF(s), 0 rendered" in again.output


def test_a_shard_of_a_site_with_errors_renders_nothing(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": edited("no owner", [("    owner: Dana Reyes\n", "")])})
    result = run_cli(tmp_path, "build", "--shard", "1/2", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 1
    assert "`owner` is missing" in result.output
    assert not (tmp_path / ".outcomesite/cache/pdf").exists()


@pytest.mark.parametrize("flag", ["--no-pdf", "--no-cache"])
def test_a_shard_needs_pdfs_and_the_cache(tmp_path: Path, flag: str) -> None:
    make_site(tmp_path, {"acme": VALID})
    result = run_cli(tmp_path, "build", "--shard", "1/2", flag, env=ENV)
    assert result.exit_code == 2
    assert f"cannot be combined with {flag}" in result.output
