"""Trust, part 2: one customer's data never reaches another customer's link through Git history.

Real Git repositories in temporary folders: a rename Git detects (a deleted file and a lightly
edited copy), and a slug deleted and later used again for another company.
"""

from __future__ import annotations

import re
from pathlib import Path

from outcomesite.build import BuildOptions, build_site
from outcomesite.links import link_id
from tests.conftest import AS_OF, VALID, make_site, run_cli
from tests.test_history import commit_all, git

SECRET = "history-secret-0123456789abcdef0123456789abcdef"
ENV = {"OUTCOMESITE_SECRET": SECRET}


def folder(root: Path, slug: str, link_version: int = 1) -> Path:
    return root / "build" / "public" / "r" / link_id(SECRET.encode(), slug, link_version)


def build(root: Path) -> None:
    build_site(root, BuildOptions(pdf=False, environ=ENV, as_of=AS_OF, jobs=1))


def visible_text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def old_customer(name: str = "Acct Nineteen GmbH") -> str:
    return VALID.replace("Acme Corp", name).replace(
        "Onboarding is faster.", "Internal detail only Acct Nineteen should see: plant 7 closing."
    )


def test_a_detected_rename_does_not_carry_another_customers_versions(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    make_site(tmp_path, {"acct-19": old_customer()})
    commit_all(tmp_path, "acct-19", "2026-09-01T10:00:00")
    make_site(tmp_path, {"acct-19": old_customer().replace("current: 44", "current: 47")})
    commit_all(tmp_path, "acct-19 measured", "2026-10-01T10:00:00")
    # A new customer's file started as a copy of acct-19's: Git reports it as a rename.
    (tmp_path / "content/accounts/acct-19.md").unlink()
    new = old_customer("Newcust Ltd").replace("Acct Nineteen should", "Newcust should")
    make_site(tmp_path, {"newcust": new})
    commit_all(tmp_path, "new customer from a copy", "2026-11-01T10:00:00")
    status = git(tmp_path, "show", "--stat", "-M", "--format=", "HEAD")
    assert "=>" in status, "the test needs Git to see a rename"

    build(tmp_path)
    base = folder(tmp_path, "newcust")
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == ["v1"]
    for page in (base / "index.html", base / "v1" / "index.html"):
        text = visible_text(page)
        assert "Acct Nineteen" not in text
        assert "47 days" not in text  # acct-19's measurement, recorded in its commits
    assert not folder(tmp_path, "acct-19").exists()


def reuse_the_slug(root: Path, link_version: int | None = None) -> None:
    """acct-07 was a customer; its file is deleted; later another company gets the slug."""
    git(root, "init", "-q", "-b", "main")
    make_site(root, {"acct-07": old_customer("Old Customer AG"), "other": VALID})
    commit_all(root, "old customer", "2026-03-01T10:00:00")
    (root / "content/accounts/acct-07.md").unlink()
    commit_all(root, "old customer left", "2026-05-04T10:00:00")
    text = VALID.replace("Acme Corp", "Brand New Company")
    if link_version is not None:
        text = text.replace("csm: Dana Reyes", f"csm: Dana Reyes\nlink_version: {link_version}")
    make_site(root, {"acct-07": text})
    commit_all(root, "new customer, old slug", "2026-09-01T10:00:00")


def test_a_reused_slug_cannot_come_back_on_the_old_link(tmp_path: Path) -> None:
    reuse_the_slug(tmp_path)
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "content/accounts/acct-07.md:2: error: the slug `acct-07` belonged to another account "
        "file, deleted from Git on 2026-05-04, whose share link used `link_version: 1`: with the "
        "same slug and link_version this account would appear at that old link. Rename this file "
        "to a new slug, or add `link_version: 2`"
    )
    built = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV)
    assert built.exit_code == 1
    assert not (tmp_path / "build").exists()


def test_a_reused_slug_with_a_higher_link_version_gets_a_new_link(tmp_path: Path) -> None:
    reuse_the_slug(tmp_path, link_version=2)
    assert run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat()).exit_code == 0
    build(tmp_path)
    assert not folder(tmp_path, "acct-07", 1).exists()  # the old customer's link stays dead
    page = folder(tmp_path, "acct-07", 2) / "index.html"
    assert "Brand New Company" in visible_text(page)
    assert "Old Customer" not in visible_text(page)


def test_the_highest_link_version_the_old_file_used_counts(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    bumped = old_customer().replace("csm: Dana Reyes", "csm: Dana Reyes\nlink_version: 3")
    make_site(tmp_path, {"acct-07": bumped})
    commit_all(tmp_path, "old customer, link revoked twice", "2026-03-01T10:00:00")
    (tmp_path / "content/accounts/acct-07.md").unlink()
    commit_all(tmp_path, "gone", "2026-04-01T10:00:00")
    make_site(
        tmp_path, {"acct-07": VALID.replace("csm: Dana Reyes", "csm: Dana Reyes\nlink_version: 3")}
    )
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1  # even before it is committed
    assert "content/accounts/acct-07.md:5: error: the slug `acct-07`" in result.output
    assert "add `link_version: 4`" in result.output


def test_a_slug_deleted_in_the_last_commit_and_back_on_disk_is_refused(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    make_site(tmp_path, {"acct-07": old_customer()})
    commit_all(tmp_path, "old", "2026-03-01T10:00:00")
    (tmp_path / "content/accounts/acct-07.md").unlink()
    commit_all(tmp_path, "gone", "2026-04-01T10:00:00")
    make_site(tmp_path, {"acct-07": VALID})  # uncommitted: a draft
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1
    assert "deleted from Git on 2026-04-01" in result.output
