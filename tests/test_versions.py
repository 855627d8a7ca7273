"""Versions from Git in the built site: permanent folders, version lists, charts, drafts."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from jinja2 import meta, nodes

from outcomesite.build import BuildOptions, build_site
from outcomesite.build.plan import old_versions, plan_account
from outcomesite.errors import OutcomesiteError
from outcomesite.history.versions import read_repository
from outcomesite.links import link_id
from outcomesite.load.site import load_site
from outcomesite.render.pages import (
    ACCOUNT_BLOCKS,
    ACCOUNT_TEMPLATES,
    report_contexts,
    report_html,
    reports_html,
)
from outcomesite.render.theme import Theme
from outcomesite.render.views import AccountParts, same_parts
from tests.conftest import AS_OF, VALID, make_site, run_cli
from tests.test_history import commit_all, git, measured

SECRET = "version-secret-0123456789abcdef0123456789abcdef"
ENV = {"OUTCOMESITE_SECRET": SECRET}


def options(pdf: bool = False, strict: bool = False) -> BuildOptions:
    return BuildOptions(pdf=pdf, strict=strict, environ=ENV, as_of=AS_OF, jobs=1)


def folder(root: Path, slug: str = "acme") -> Path:
    return root / "build" / "public" / "r" / link_id(SECRET.encode(), slug, 1)


def text_of(path: Path) -> str:
    """Visible text of a page, whitespace folded, for asserting sentences."""
    html = path.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def three_versions(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    make_site(tmp_path, {"acme": measured(58, "2026-05-01")})
    commit_all(tmp_path, "one", "2026-05-02T10:00:00")
    make_site(tmp_path, {"acme": measured(50, "2026-08-01")})
    commit_all(tmp_path, "two", "2026-08-02T10:00:00")
    make_site(tmp_path, {"acme": measured(44, "2026-11-01")})
    commit_all(tmp_path, "three", "2026-11-02T10:00:00")
    return tmp_path


def test_every_version_has_a_permanent_folder_with_html_and_pdf(three_versions: Path) -> None:
    report = build_site(three_versions, options(pdf=True))
    base = folder(three_versions)
    for n in (1, 2, 3):
        assert (base / f"v{n}" / "index.html").is_file()
        assert (base / f"v{n}" / f"acme-v{n}.pdf").read_bytes().startswith(b"%PDF-")
    assert (base / "index.html").is_file() and (base / "acme.pdf").is_file()
    assert not (base / "v4").exists()
    assert report.pdfs == 4
    assert report.notices == []


def test_versions_render_their_own_commit(three_versions: Path) -> None:
    build_site(three_versions, options())
    base = folder(three_versions)
    head = git(three_versions, "rev-parse", "--short=7", "HEAD").strip()
    latest = text_of(base / "index.html")
    # One date story for the customer; the commit stays internal.
    assert "Data as of Nov 23, 2026 · Version 3" in latest
    assert "Version 3 · Nov 2, 2026 this version" in latest  # in the list of versions
    assert head not in latest and "commit" not in latest
    assert "Fell from 60 days to 44 days" in latest
    first = text_of(base / "v1" / "index.html")
    assert "Data as of May 2, 2026 · Version 1" in first
    assert "Fell from 60 days to 58 days" in first
    # The version list links every version from every page, relative to the page.
    latest_html = (base / "index.html").read_text(encoding="utf-8")
    assert [f'href="v{n}/"' in latest_html for n in (1, 2, 3)] == [True] * 3
    v1_html = (base / "v1" / "index.html").read_text(encoding="utf-8")
    assert 'href="../v3/"' in v1_html and 'href="../"' in v1_html
    assert 'href="../../../assets/report.css"' in v1_html


@pytest.mark.parametrize("draft", [False, True], ids=["committed", "draft"])
def test_the_latest_page_shares_its_versions_parts_and_renders_as_alone(
    three_versions: Path, draft: bool
) -> None:
    """The latest page and the permanent page of the version it is show the same file with the
    same measurements: a build makes their account parts once (issue 19: their results' views
    took a tenth of a build in Git). Each page is still exactly what rendering it alone gives;
    a draft is no version, and shares with none."""
    if draft:
        make_site(three_versions, {"acme": measured(40, "2026-11-20")})
    site = load_site(three_versions, AS_OF)
    repo = read_repository(three_versions)
    account = site.accounts[0]
    contents = repo.read_versions(old_versions(repo.history(account.path)))
    pages = plan_account(site, account, "<p>Story.</p>", SECRET.encode(), repo, contents).pages
    assert [(p.version, p.permanent) for p in pages] == [
        (4 if draft else 3, False), (1, True), (2, True), (3, True)
    ]  # fmt: skip
    assert [same_parts(pages[0], p) for p in pages[1:]] == [False, False, not draft]
    theme = Theme(three_versions, "default")
    contexts = report_contexts(site, theme, pages, preview=False)
    # Made once: the very same views, not equal ones made again.
    shared = [c["results"] is contexts[0][0]["results"] for c, _ in contexts[1:]]
    assert shared == [False, False, not draft]
    assert [parts is contexts[0][1] for _, parts in contexts[1:]] == shared
    alone = [report_html(site, theme, page, pdf=False) for page in pages]
    assert reports_html(site, theme, pages) == alone  # its account blocks written once
    folded = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", alone[3]))
    assert "Version 3 · Nov 2, 2026 this version" in folded


def test_the_account_blocks_of_report_html_show_only_the_account_parts() -> None:
    """What lets two pages that share their account parts share those blocks' output
    (pages.ACCOUNT_BLOCKS): every name they read, through the templates they include and the
    macros they call, is one of views.AccountParts (or a loop's own). A block that read the
    page's version, say, would fail here before a permanent page showed the latest one's."""
    env = Theme(Path("."), "default").env
    source, _, _ = env.loader.get_source(env, "report.html")  # type: ignore[union-attr]
    report = env.parse(source)
    macros = {m.name: m for m in report.find_all(nodes.Macro)}

    def read_by(body: list[nodes.Node]) -> set[str]:
        template = nodes.Template(body, lineno=1)
        template.set_environment(env)
        names = meta.find_undeclared_variables(template)
        for included in meta.find_referenced_templates(template):
            assert included in ACCOUNT_TEMPLATES, included  # what a site theme may replace
            source, _, _ = env.loader.get_source(env, included)  # type: ignore[union-attr]
            names |= meta.find_undeclared_variables(env.parse(source))
        for name in names & macros.keys():
            args = {arg.name for arg in macros[name].args}
            names |= read_by(macros[name].body) - args
        return names

    blocks = {b.name: b for b in report.find_all(nodes.Block)}
    allowed = set(AccountParts.__annotations__) | macros.keys() | {"r"}  # r: `for r in results`
    for name in ACCOUNT_BLOCKS:
        read = read_by(blocks[name].body)
        assert read and read <= allowed, (name, read - allowed)


def test_a_site_theme_that_shows_the_page_in_an_account_block_gets_each_pages_own(
    three_versions: Path,
) -> None:
    """A site theme may show anything in those blocks: its pages are rendered whole, each one."""
    (three_versions / "outcomesite.yaml").write_text("theme: brand\n")
    templates = three_versions / "themes" / "brand" / "templates"
    templates.mkdir(parents=True)
    (templates / "report.html").write_text(
        '{% extends "default/report.html" %}\n'
        '{% block results %}<p class="shown">shown as version {{ version }}</p>{{ super() }}'
        "{% endblock %}\n"
    )
    build_site(three_versions, options())
    base = folder(three_versions)
    shown = [
        re.findall(r"shown as version (\d+)", (page / "index.html").read_text(encoding="utf-8"))
        for page in (base, base / "v3", base / "v1")
    ]
    assert shown == [["3"], ["3"], ["1"]]


def test_measurement_history_is_recovered_from_commits(three_versions: Path) -> None:
    build_site(three_versions, options())
    latest = text_of(folder(three_versions) / "index.html")
    # The text alternative of the chart lists every measurement, oldest first.
    rows = re.findall(r"(May 1, 2026|Aug 1, 2026|Nov 1, 2026) (\d+) days", latest)
    assert rows == [("May 1, 2026", "58"), ("Aug 1, 2026", "50"), ("Nov 1, 2026", "44")]
    html = (folder(three_versions) / "index.html").read_text(encoding="utf-8")
    drawing = html.split('<svg class="chart-svg', 2)[1]  # the desktop drawing (a phone one follows)
    assert drawing.count("<circle") == 3
    # An old version only knows the measurements up to its own commit.
    v2 = text_of(folder(three_versions) / "v2" / "index.html")
    assert re.findall(r"(May 1, 2026|Aug 1, 2026|Nov 1, 2026) (\d+) days", v2) == [
        ("May 1, 2026", "58"),
        ("Aug 1, 2026", "50"),
    ]


def test_explicit_history_wins_on_the_same_date(three_versions: Path) -> None:
    text = measured(44, "2026-11-01").replace(
        "    owner: Dana Reyes\n",
        "    owner: Dana Reyes\n    history:\n      - {date: 2026-08-01, value: 51}\n",
    )
    make_site(three_versions, {"acme": text})
    commit_all(three_versions, "correct the August value", "2026-11-03T10:00:00")
    build_site(three_versions, options())
    latest = text_of(folder(three_versions) / "index.html")
    assert re.findall(r"(Aug 1, 2026) (\d+) days", latest) == [("Aug 1, 2026", "51")]


def test_index_json_carries_the_version(three_versions: Path) -> None:
    build_site(three_versions, options())
    data = json.loads((three_versions / "build/internal/index.json").read_text(encoding="utf-8"))
    assert data["accounts"][0]["version"] == 3


def test_uncommitted_changes_render_as_a_draft(three_versions: Path) -> None:
    make_site(three_versions, {"acme": measured(41, "2026-11-20")})
    build_site(three_versions, options(pdf=True))
    base = folder(three_versions)
    latest = text_of(base / "index.html")
    assert "Draft - not yet committed" in latest
    assert "Version 4 (draft)" in latest
    assert "Fell from 60 days to 41 days" in latest
    assert not (base / "v4").exists()
    assert (base / "v3" / "index.html").is_file()
    assert "Draft" not in text_of(base / "v3" / "index.html")
    from pypdf import PdfReader

    pdf_text = PdfReader(base / "acme.pdf").pages[0].extract_text()
    assert "Draft - not yet committed" in pdf_text
    assert (
        json.loads((three_versions / "build/internal/index.json").read_text())["accounts"][0][
            "version"
        ]
        == 4
    )


def test_a_renamed_file_does_not_carry_the_old_files_versions(three_versions: Path) -> None:
    git(three_versions, "mv", "content/accounts/acme.md", "content/accounts/acme-corp.md")
    commit_all(three_versions, "rename", "2026-11-04T10:00:00")
    build_site(three_versions, options())
    base = folder(three_versions, "acme-corp")
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == ["v1"]
    page = text_of(base / "v1" / "index.html")
    assert "Fell from 60 days to 44 days" in page
    # Nothing the old file's commits recorded reaches the new slug's chart.
    assert "58 days" not in page and "50 days" not in page
    assert not folder(three_versions).exists()  # the old link is gone with its file


def test_a_version_that_no_longer_passes_check_is_left_out(three_versions: Path) -> None:
    broken = measured(58, "2026-05-01").replace("    owner: Dana Reyes\n", "")
    make_site(three_versions, {"acme": broken})
    commit_all(three_versions, "oops", "2026-11-05T10:00:00")
    make_site(three_versions, {"acme": measured(43, "2026-11-05")})
    commit_all(three_versions, "fixed", "2026-11-06T10:00:00")
    report = build_site(three_versions, options())
    base = folder(three_versions)
    assert not (base / "v4").exists()
    assert (base / "v5" / "index.html").is_file()
    assert report.notices == [
        "content/accounts/acme.md: version 4 ("
        + git(three_versions, "rev-parse", "--short=7", "HEAD~1").strip()
        + ") no longer passes check and was not published: result `onboarding-time`: `owner` is "
        "missing: add a line `owner: ...` with the internal owner of this result (a person's name)"
    ]


def test_outside_git_every_account_is_version_one(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    report = build_site(tmp_path, options())
    assert report.notices == [
        "not a Git repository: every account is version 1 and has no version history"
    ]
    assert "Version 1" in text_of(folder(tmp_path) / "index.html")
    assert not (folder(tmp_path) / "v1").exists()


SHALLOW = (
    "this is a shallow Git clone, so version numbers and measurement history are incomplete; "
    "fetch the full history: GitHub Actions `actions/checkout` with `fetch-depth: 0`, GitLab CI "
    "`GIT_DEPTH: 0`, or `git fetch --unshallow`"
)
FAIL = " (or build with --allow-shallow, which leaves older versions out)"


def test_shallow_clone_is_named_and_fails_with_strict(
    three_versions: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    clone = tmp_path_factory.mktemp("shallow") / "site"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{three_versions}", str(clone)], check=True
    )
    report = build_site(clone, options())
    assert report.notices == [SHALLOW]
    assert "Data as of Nov 23, 2026 · Version 1" in text_of(folder(clone) / "index.html")
    with pytest.raises(OutcomesiteError) as failed:
        build_site(clone, options(strict=True))
    assert str(failed.value) == SHALLOW + FAIL and failed.value.exit_code == 2
    result = run_cli(clone, "build", "--no-pdf", "--strict", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 2
    assert f"Error: {SHALLOW}{FAIL}" in result.stderr


def test_a_shallow_clone_fails_in_ci_unless_allowed(
    three_versions: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A deploy from a shallow clone would take older versions' permanent links down: in CI the
    build stops with the fix; --allow-shallow builds anyway, with the note."""
    clone = tmp_path_factory.mktemp("shallow-ci") / "site"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{three_versions}", str(clone)], check=True
    )
    ci = {**ENV, "CI": "true"}
    result = run_cli(clone, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ci)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {SHALLOW}{FAIL}\n"
    assert not (clone / "build").exists()
    allowed = run_cli(
        clone, "build", "--no-pdf", "--allow-shallow", "--as-of", AS_OF.isoformat(), env=ci
    )
    assert allowed.exit_code == 0
    assert f"note: {SHALLOW}" in allowed.stderr
    not_ci = run_cli(
        clone, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env={**ENV, "CI": "false"}
    )
    assert not_ci.exit_code == 0  # CI=false is not CI
