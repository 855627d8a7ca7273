"""Share links: unguessable, stable tokens from a secret; where the secret comes from; revocation;
no token leaking into another customer's files; `outcomesite links`."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import stat
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from outcomesite import OutcomesiteError, load_site
from outcomesite.build import BuildOptions, build_site
from outcomesite.links import link_id, resolve_secret
from tests.conftest import AS_OF, ROOT, VALID, copy_sample, make_site, run_cli

SECRET = "test-secret-0123456789abcdef0123456789abcdef"
ENV = {"OUTCOMESITE_SECRET": SECRET}
FAST = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF)
GLOBEX = VALID.replace("Acme Corp", "Globex")
CI_MESSAGE = (
    "OUTCOMESITE_SECRET is not set: in CI, set it from your CI secrets (GitHub: "
    "`env: OUTCOMESITE_SECRET: ${{ secrets.OUTCOMESITE_SECRET }}`); without it every deploy "
    "would publish different share links"
)
NO_GIT = "not a Git repository: every account is version 1 and has no version history"
NOTICE = (
    "created a local share-link secret in .outcomesite/secret (kept out of Git); "
    "set OUTCOMESITE_SECRET to publish the same links from CI"
)
# The CLI reads the real environment: pin the date and remove any CI / secret of the test runner.
EPOCH = str(int(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC).timestamp()))
LOCAL: dict[str, str | None] = {"CI": None, "OUTCOMESITE_SECRET": None, "SOURCE_DATE_EPOCH": EPOCH}


def link(slug: str, version: int = 1, secret: str = SECRET) -> str:
    return link_id(secret.encode(), slug, version)


def folders(root: Path) -> set[str]:
    return {p.name for p in (root / "build" / "public" / "r").iterdir() if p.is_dir()}


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


# --- link_id ------------------------------------------------------------------------------------


def test_link_id_is_deterministic() -> None:
    assert link_id(b"s3cret", "acme", 1) == link_id(b"s3cret", "acme", 1)


def test_link_id_depends_on_secret_slug_and_version() -> None:
    variants = [
        link_id(secret, slug, version)
        for secret, slug, version in itertools.product(
            (b"s3cret", b"s3cret2", b""), ("acme", "acme-corp", "globex"), (1, 2, 3)
        )
    ]
    assert len(set(variants)) == len(variants)


def test_link_id_has_at_least_128_bits() -> None:
    token = link_id(b"s3cret", "acme", 1)
    assert re.fullmatch(r"[a-z2-7]{32}", token), token
    assert len(token) * 5 >= 128
    tokens = {link_id(b"s3cret", f"account-{n}", 1) for n in range(500)}
    assert len(tokens) == 500


def test_link_id_does_not_contain_the_slug() -> None:
    site = load_site(ROOT, AS_OF)
    for account in site.accounts:
        token = link_id(b"s3cret", account.slug, account.data.link_version)
        for part in [account.slug, *account.slug.split("-")]:
            if len(part) >= 4:
                assert part not in token, (part, token)
        assert re.sub(r"\W", "", account.data.account.lower()) not in token


# --- where the secret comes from ----------------------------------------------------------------


def test_environment_secret_wins_over_the_local_file(tmp_path: Path) -> None:
    (tmp_path / ".outcomesite").mkdir()
    (tmp_path / ".outcomesite" / "secret").write_text("file-secret\n", encoding="utf-8")
    with_secret = {"OUTCOMESITE_SECRET": "env-secret-0123456789abcdef0123456789abcdef"}
    for environ in (with_secret, {**with_secret, "CI": "true"}):
        secret = resolve_secret(tmp_path, environ)
        assert secret.value == b"env-secret-0123456789abcdef0123456789abcdef"
        assert secret.notice is None


def test_environment_secret_creates_no_file(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    report = build_site(tmp_path, FAST)
    assert not any("secret" in notice for notice in report.notices), report.notices
    # (.outcomesite/cache/ keeps the compiled templates; no secret is written anywhere)
    assert not (tmp_path / ".outcomesite" / "secret").exists()
    assert not any("secret" in p.name for p in tmp_path.rglob("*"))
    assert folders(tmp_path) == {link("acme")}


@pytest.mark.parametrize(
    "environ",
    [{"CI": "true"}, {"CI": "1", "OUTCOMESITE_SECRET": ""}],
    ids=["no secret", "empty secret"],
)
def test_ci_without_a_secret_is_an_error(tmp_path: Path, environ: dict[str, str]) -> None:
    with pytest.raises(OutcomesiteError) as failed:
        resolve_secret(tmp_path, environ)
    assert str(failed.value) == CI_MESSAGE
    assert failed.value.exit_code == 2
    assert not (tmp_path / ".outcomesite").exists()


def test_ci_ignores_a_local_secret_file(tmp_path: Path) -> None:
    """A secret committed or cached by accident must not silently become the published one."""
    (tmp_path / ".outcomesite").mkdir()
    (tmp_path / ".outcomesite" / "secret").write_text("file-secret\n", encoding="utf-8")
    with pytest.raises(OutcomesiteError, match=re.escape(CI_MESSAGE)):
        resolve_secret(tmp_path, {"CI": "true"})


def test_ci_build_without_a_secret_exits_2(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    env = {**LOCAL, "CI": "true"}
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", "2026-11-23", env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {CI_MESSAGE}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]

    links = run_cli(tmp_path, "links", env=env)
    assert links.exit_code == 2
    assert links.stderr == f"Error: {CI_MESSAGE}\n"


def test_local_secret_is_created_once_and_kept_out_of_git(tmp_path: Path) -> None:
    assert git(tmp_path, "init", "-q").returncode == 0
    first = resolve_secret(tmp_path, {})
    assert first.notice == NOTICE
    path = tmp_path / ".outcomesite" / "secret"
    assert first.value == path.read_text(encoding="utf-8").strip().encode()
    assert len(first.value) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    again = resolve_secret(tmp_path, {})
    assert (again.value, again.notice) == (first.value, None)

    assert (tmp_path / ".outcomesite" / ".gitignore").is_file()
    ignored = git(tmp_path, "check-ignore", "-v", ".outcomesite/secret")
    assert ignored.returncode == 0
    assert ignored.stdout.split(":")[0] == ".outcomesite/.gitignore", ignored.stdout
    status = git(tmp_path, "status", "--porcelain", "--untracked-files=all")
    assert status.returncode == 0
    assert ".outcomesite" not in status.stdout

    other = tmp_path / "other-site"
    other.mkdir()
    assert resolve_secret(other, {}).value != first.value, "a fresh random secret per site"


def test_local_builds_reuse_the_secret(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    options = BuildOptions(pdf=False, environ={}, as_of=AS_OF)
    first = build_site(tmp_path, options)
    assert first.notices == [NO_GIT, NOTICE]
    secret = (tmp_path / ".outcomesite" / "secret").read_text(encoding="utf-8").strip()
    links = folders(tmp_path)
    assert links == {link("acme", secret=secret), link("globex", secret=secret)}

    second = build_site(tmp_path, options)
    assert second.notices == [NO_GIT]
    assert folders(tmp_path) == links


def test_local_build_on_the_command_line_notes_the_new_secret_once(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    first = run_cli(tmp_path, "build", "--no-pdf", "--as-of", "2026-11-23", env=LOCAL)
    assert first.exit_code == 0, first.stderr
    assert first.stderr.splitlines()[:2] == [f"note: {NO_GIT}", f"note: {NOTICE}"]
    links = folders(tmp_path)

    second = run_cli(tmp_path, "build", "--no-pdf", "--as-of", "2026-11-23", env=LOCAL)
    assert second.exit_code == 0, second.stderr
    assert NOTICE not in second.stderr
    assert folders(tmp_path) == links


def test_an_empty_local_secret_file_is_not_used(tmp_path: Path) -> None:
    """HMAC with an empty key is public: anyone could compute every link from the slugs.

    An emptied secret file is treated like a missing one: a new random secret is written.
    """
    make_site(tmp_path, {"acme": VALID})
    (tmp_path / ".outcomesite").mkdir()
    (tmp_path / ".outcomesite" / "secret").write_text("\n", encoding="utf-8")
    build_site(tmp_path, BuildOptions(pdf=False, environ={}, as_of=AS_OF))
    assert folders(tmp_path) != {link("acme", secret="")}
    secret = (tmp_path / ".outcomesite" / "secret").read_text(encoding="utf-8").strip()
    assert len(secret) >= 32
    assert folders(tmp_path) == {link("acme", secret=secret)}


def test_repository_gitignore_lists_the_secret_folder() -> None:
    lines = [
        line.strip() for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    ]
    assert ".outcomesite/" in lines
    ignored = git(ROOT, "check-ignore", "-v", "--no-index", ".outcomesite/secret")
    assert ignored.returncode == 0
    assert ignored.stdout.split(":")[0] == ".gitignore", ignored.stdout


# --- revocation ---------------------------------------------------------------------------------


def test_bumping_link_version_revokes_the_old_link(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    build_site(tmp_path, FAST)
    assert folders(tmp_path) == {link("acme"), link("globex")}

    make_site(
        tmp_path, {"acme": VALID.replace("csm: Dana Reyes\n", "csm: Dana Reyes\nlink_version: 2\n")}
    )
    build_site(tmp_path, FAST)
    assert folders(tmp_path) == {link("acme", 2), link("globex")}
    assert link("acme", 2) != link("acme")
    index = (tmp_path / "build" / "internal" / "index.json").read_text(encoding="utf-8")
    assert link("acme", 2) in index
    assert link("acme") not in index


# --- no token outside its own folder ------------------------------------------------------------


def scan_for_tokens(public: Path, tokens: set[str]) -> list[str]:
    """Every (file, token) where a token appears in a file outside the token's own folder."""
    leaks = []
    for path in sorted(p for p in public.rglob("*") if p.is_file()):
        relative = path.relative_to(public).as_posix()
        data = path.read_bytes()
        texts = [data]
        if path.suffix == ".pdf":
            reader = PdfReader(io.BytesIO(data))
            texts.append("".join(page.extract_text() for page in reader.pages).encode())
        for token in tokens:
            if relative.startswith(f"r/{token}/"):
                continue
            if token in relative or any(token.encode() in text for text in texts):
                leaks.append(f"{relative}: {token}")
    return leaks


def test_no_token_outside_its_own_folder(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    copy_sample(root)
    (root / "outcomesite.yaml").write_text(
        "base_url: https://reports.example.com/\nvendor: Example Co\n", encoding="utf-8"
    )
    build_site(root, FAST)
    site = load_site(root, AS_OF)
    tokens = {link(a.slug, a.data.link_version) for a in site.accounts}
    assert folders(root) == tokens
    assert scan_for_tokens(root / "build" / "public", tokens) == []
    # The internal index holds every link by design.
    internal = (root / "build" / "internal" / "index.json").read_text(encoding="utf-8")
    assert all(token in internal for token in tokens)


def test_no_token_in_another_accounts_pdf(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    build_site(tmp_path, BuildOptions(pdf=True, jobs=1, environ=ENV, as_of=AS_OF))
    tokens = {link("acme"), link("globex")}
    assert len(list((tmp_path / "build" / "public").rglob("*.pdf"))) == 2
    assert scan_for_tokens(tmp_path / "build" / "public", tokens) == []


# --- outcomesite links --------------------------------------------------------------------------


def test_links_prints_one_line_per_account(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    result = run_cli(tmp_path, "links", env={**LOCAL, "OUTCOMESITE_SECRET": SECRET})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"acme\tAcme Corp\tr/{link('acme')}/\nglobex\tGlobex\tr/{link('globex')}/\n"
    )
    assert result.stderr == ""


def test_links_are_absolute_with_base_url(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, "base_url: https://reports.example.com/\n")
    result = run_cli(tmp_path, "links", env={**LOCAL, "OUTCOMESITE_SECRET": SECRET})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"acme\tAcme Corp\thttps://reports.example.com/r/{link('acme')}/\n"


def test_links_match_the_build_with_a_local_secret(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID, "globex": GLOBEX})
    result = run_cli(tmp_path, "links", env=LOCAL)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"note: {NOTICE}\n"
    printed = {line.split("\t")[2] for line in result.stdout.splitlines()}

    build = run_cli(tmp_path, "build", "--no-pdf", "--as-of", "2026-11-23", env=LOCAL)
    assert build.exit_code == 0, build.stderr
    assert NOTICE not in build.stderr
    assert printed == {f"r/{name}/" for name in folders(tmp_path)}

    again = run_cli(tmp_path, "links", env=LOCAL)
    assert again.stderr == (
        "note: these links use this computer's local secret (.outcomesite/secret); the links your "
        "CI publishes use OUTCOMESITE_SECRET: copy links from the published internal index\n"
    )


# --- the secret's first-day rough edges --------------------------------------------------------


@pytest.mark.parametrize("command", [("build", "--no-pdf"), ("links",)])
def test_a_short_secret_is_refused_with_how_to_make_one(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    make_site(tmp_path, {"acme": VALID})
    env = {**LOCAL, "CI": "true", "OUTCOMESITE_SECRET": "abc"}
    result = run_cli(tmp_path, *command, env=env)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: OUTCOMESITE_SECRET is 3 characters long: use at least 32 random characters, so "
        "that nobody can guess the share links; make one with "
        '`python -c "import secrets; print(secrets.token_hex(32))"`\n'
    )
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("value", ["false", "0", "no", ""])
def test_ci_false_is_not_ci(tmp_path: Path, value: str) -> None:
    secret = resolve_secret(tmp_path, {"CI": value})
    assert secret.local and secret.notice  # a local secret, as on a laptop


def test_the_local_secret_note_is_said_even_when_the_first_build_fails(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID.replace("    owner: Dana Reyes\n", "")})
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", "2026-11-23", env=LOCAL)
    assert result.exit_code == 1
    assert "note: created a local share-link secret in .outcomesite/secret" in result.stderr
    assert (tmp_path / ".outcomesite" / "secret").is_file()


def test_a_ci_build_without_base_url_says_what_the_index_links_need(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID})
    env = {**LOCAL, "CI": "true", "OUTCOMESITE_SECRET": SECRET}
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", "2026-11-23", env=env)
    assert result.exit_code == 0, result.stderr
    assert "note: `base_url` is not set in outcomesite.yaml" in result.stderr
    make_site(tmp_path, {}, "base_url: https://reports.example.com/\n")
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", "2026-11-23", env=env)
    assert "base_url" not in result.stderr
