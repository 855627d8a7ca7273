"""Find and validate every account of a site: the `load` and `validate` stages for a whole site."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from outcomesite.config import SiteConfig, load_config
from outcomesite.errors import EXIT_USAGE, Diagnostic, OutcomesiteError, has_errors
from outcomesite.files import is_link
from outcomesite.history import Repository, RetiredSlug, read_repository
from outcomesite.layout import ACCOUNTS_DIR
from outcomesite.parallel import in_chunks
from outcomesite.state import default_as_of
from outcomesite.validate import Account, validate_file


@dataclass(frozen=True)
class Site:
    """A validated site: what `check` reports and what `build` renders."""

    root: Path
    config: SiteConfig
    as_of: dt.date
    accounts: tuple[Account, ...]  # the valid ones, by slug
    diagnostics: tuple[Diagnostic, ...]  # every problem, by path and line

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def failed(self, strict: bool) -> bool:
        """Would a CI gate fail? Errors always; warnings too with --strict."""
        return not self.ok or (strict and bool(self.diagnostics))


def account_files(root: Path) -> list[Path]:
    """Every `*.md` in content/accounts/, links included (validation refuses those by name)."""
    folder = root / ACCOUNTS_DIR
    for part in (root / ACCOUNTS_DIR.parent, folder):
        if is_link(part):
            raise OutcomesiteError(
                f"{part.relative_to(root).as_posix()} is a link (symlink): the account files must "
                "be committed in the site itself, in a real content/accounts/ folder",
                EXIT_USAGE,
            )
    if not folder.is_dir():
        raise OutcomesiteError(
            f"no {ACCOUNTS_DIR.as_posix()}/ folder in {root}: run this in your site's folder, "
            "or create one with `outcomesite init DIR`",
            EXIT_USAGE,
        )
    return sorted(
        p for p in folder.iterdir() if p.suffix == ".md" and (p.is_symlink() or p.is_file())
    )


def load_site(
    root: Path | str = ".",
    as_of: dt.date | None = None,
    jobs: int | None = None,
    files: list[Path] | None = None,
    repo: Repository | None = None,
) -> Site:
    """Validate the config and every account file (or just `files`); never raises for bad content.

    Git's history (`repo`, read here when not given) is needed to refuse a slug whose earlier,
    deleted file still has a share link out there.
    """
    root = Path(root)
    as_of = as_of or default_as_of()
    config, diagnostics = load_config(root)
    files = account_files(root) if files is None else files
    repo = repo if repo is not None else read_repository(root)
    accounts: list[Account] = []
    state = (files, root, config, as_of, repo.retired)
    for chunk in in_chunks(_validate_files, state, len(files), jobs):
        for account, problems in chunk:
            diagnostics.extend(problems)
            if account is not None:
                accounts.append(account)
    return Site(root, config, as_of, tuple(accounts), tuple(sorted(diagnostics)))


def _validate_files(
    state: tuple[list[Path], Path, SiteConfig, dt.date, dict[str, RetiredSlug]],
    start: int,
    end: int,
) -> list[tuple[Account | None, list[Diagnostic]]]:
    files, root, config, as_of, retired = state
    return [
        validate_file(path, root, config, as_of, retired.get(path.relative_to(root).as_posix()))
        for path in files[start:end]
    ]
