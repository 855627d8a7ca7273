"""The PDF cache: a cached build equals a cold build byte for byte, and an edit invalidates exactly
what it should (the account's own PDFs; everything after a theme, config, date or version change)."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from outcomesite.build import BuildOptions, BuildReport, build_site
from outcomesite.layout import BOOKKEEPING
from outcomesite.load.site import load_site
from outcomesite.pdf.cache import PdfCache
from outcomesite.render.theme import Theme
from tests.conftest import AS_OF, VALID, make_site

ENV = {"OUTCOMESITE_SECRET": "cache-secret-0123456789abcdef0123456789abcdef"}
OPTIONS = BuildOptions(pdf=True, environ=ENV, as_of=AS_OF, jobs=1)
GLOBEX = VALID.replace("Acme Corp", "Globex Inc")


def snapshot(folder: Path) -> dict[str, str]:
    """Every built file's hash; the build's own state file is bookkeeping, not output."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in BOOKKEEPING
    }


def build(root: Path, **changes: Any) -> BuildReport:
    return build_site(root, replace(OPTIONS, **changes))


def test_a_cached_build_equals_a_cold_build(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    first = build(tmp_path)
    assert (first.pdfs, first.pdfs_reused) == (2, 0)
    cached = build(tmp_path)
    assert (cached.pdfs, cached.pdfs_reused) == (2, 2)
    with_cache = snapshot(tmp_path / "build")
    cold = build(tmp_path, use_cache=False)
    assert cold.pdfs_reused == 0
    assert snapshot(tmp_path / "build") == with_cache


def test_an_edit_renders_only_that_accounts_pdf(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    build(tmp_path)
    make_site(tmp_path, {"acme": VALID.replace("current: 44", "current: 42")})
    report = build(tmp_path)
    assert (report.pdfs, report.pdfs_reused) == (2, 1)


def test_an_image_change_invalidates_the_pdf(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID.replace("Onboarding is faster.", "![c](c.png)")})
    (tmp_path / "content/accounts/acme").mkdir()
    chart = Path(__file__).parent.parent / "content/accounts/northwind-logistics/chart.png"
    shutil.copyfile(chart, tmp_path / "content/accounts/acme/c.png")
    build(tmp_path)
    assert build(tmp_path).pdfs_reused == 1
    data = (tmp_path / "content/accounts/acme/c.png").read_bytes()
    (tmp_path / "content/accounts/acme/c.png").write_bytes(data + b"\0")
    assert build(tmp_path).pdfs_reused == 0


def test_theme_config_and_date_changes_render_everything_again(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    build(tmp_path)
    (tmp_path / "outcomesite.yaml").write_text("vendor: Initech\n", encoding="utf-8")
    assert build(tmp_path).pdfs_reused == 0  # the vendor is on every page
    assert build(tmp_path).pdfs_reused == 2
    assert build(tmp_path, as_of=AS_OF.replace(day=24)).pdfs_reused == 0  # "as of" is printed
    (tmp_path / "themes/brand/assets").mkdir(parents=True)
    (tmp_path / "themes/brand/assets/print.css").write_text("@page { margin: 10mm; }\n")
    (tmp_path / "outcomesite.yaml").write_text("vendor: Initech\ntheme: brand\n", encoding="utf-8")
    assert build(tmp_path).pdfs_reused == 0
    assert build(tmp_path).pdfs_reused == 2
    (tmp_path / "themes/brand/assets/print.css").write_text("@page { margin: 12mm; }\n")
    assert build(tmp_path).pdfs_reused == 0


def test_the_renderer_version_is_part_of_the_key(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    build(tmp_path)
    from outcomesite.render.pages import pdf_job

    site = load_site(tmp_path, AS_OF)
    report = build(tmp_path)
    assert report.changed == [] and not report.pages  # nothing changed: nothing was rendered
    report = build(tmp_path, use_cache=False)
    job = pdf_job(site, Theme(tmp_path, "default"), report.pages[0], 60.0)
    today = PdfCache(tmp_path / ".outcomesite/cache")
    upgraded = PdfCache(tmp_path / ".outcomesite/cache", tag="outcomesite 9.9; weasyprint 99")
    assert today.key(job) != upgraded.key(job)
    assert today.get(today.key(job)) is not None
    assert upgraded.get(upgraded.key(job)) is None


def test_a_restored_cache_hits_in_a_checkout_at_another_path(tmp_path: Path) -> None:
    """CI restores .outcomesite/cache into a fresh checkout, possibly at another path."""
    first, second = tmp_path / "run-1", tmp_path / "run-2"
    make_site(first, {"acme": VALID, "globex": GLOBEX})
    build(first)
    shutil.copytree(first / "content", second / "content")
    shutil.copytree(first / ".outcomesite/cache", second / ".outcomesite/cache")
    assert build(second).pdfs_reused == 2


def test_a_new_secret_keeps_the_pdfs(tmp_path: Path) -> None:
    """Links change with the secret, PDFs do not contain them: folders move, PDFs are reused."""
    make_site(tmp_path, {"acme": VALID})
    build(tmp_path)
    before = {p.parent.name for p in (tmp_path / "build/public/r").glob("*/acme.pdf")}
    report = build(
        tmp_path, environ={"OUTCOMESITE_SECRET": "rotated-0123456789abcdef0123456789abcdef"}
    )
    after = {p.parent.name for p in (tmp_path / "build/public/r").glob("*/acme.pdf")}
    assert before != after and report.pdfs_reused == 1


def test_unused_entries_are_pruned(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    build(tmp_path)
    (tmp_path / "content/accounts/globex.md").unlink()
    build(tmp_path)
    assert len(list((tmp_path / ".outcomesite/cache/pdf").glob("*/*.pdf"))) == 1


def test_compiled_templates_are_kept_and_follow_the_theme(tmp_path: Path) -> None:
    """The theme's compiled templates are kept in the cache (a fifth of a one-account rebuild);
    a theme edit is seen at once, since Jinja checks each against its template's source."""
    make_site(tmp_path, {"acme": VALID}, config="theme: brand\n")
    templates = tmp_path / "themes" / "brand" / "templates"
    templates.mkdir(parents=True)
    (templates / "report.html").write_text(
        '{% extends "default/report.html" %}{% block title %}Brand one{% endblock %}', "utf-8"
    )
    build(tmp_path, pdf=False)
    compiled = tmp_path / ".outcomesite" / "cache" / "templates" / "source"  # English's
    assert len(list(compiled.glob("*.cache"))) >= 3
    (templates / "report.html").write_text(
        '{% extends "default/report.html" %}{% block title %}Brand two{% endblock %}', "utf-8"
    )
    report = build(tmp_path, pdf=False)
    page = tmp_path / "build" / "public" / report.pages[0].folder / "index.html"
    assert "<title>Brand two" in page.read_text("utf-8")


def test_a_cache_that_cannot_keep_compiled_templates_is_not_used(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    cache = tmp_path / ".outcomesite" / "cache"
    cache.mkdir(parents=True)
    (cache / "templates").write_text("a file where the folder would go", "utf-8")
    for _ in range(2):  # and again, with nothing kept from the first
        report = build(tmp_path, pdf=False)
        assert report.reports == 1
        assert report.cache_warnings == []
    assert (cache / "templates").read_text("utf-8") == "a file where the folder would go"
