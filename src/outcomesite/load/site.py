"""Find and validate every account of a site: the load stage for a whole site (`check`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from outcomesite.errors import EXIT_USAGE, Diagnostic, OutcomesiteError, has_errors
from outcomesite.files import is_link
from outcomesite.history.measurements import merge_recorded
from outcomesite.history.records import RetiredSlug
from outcomesite.history.versions import Repository, read_repository
from outcomesite.layout import ACCOUNTS_DIR, CONFIG_FILE, default_as_of
from outcomesite.load.account import Loaded, Recorded, validate_file, validate_files
from outcomesite.load.config import load_config
from outcomesite.model.account import Account
from outcomesite.model.config import SiteConfig
from outcomesite.workers import by_size, each_chunk

T = TypeVar("T")

# Files a worker validates together (validate_files; at most STEP_BYTES of them): their
# narratives and tokens wait for `each` meanwhile, and a chunk of a large site is thousands of
# files.
_AT_ONCE = 200


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

    @property
    def config_failed(self) -> bool:
        """outcomesite.yaml has errors: nothing can be built with it, not even a preview."""
        return any(d.severity == "error" and d.path == CONFIG_FILE for d in self.diagnostics)


def account_files(root: Path, slugs: Collection[str] | None = None) -> list[Path]:
    """Every `*.md` in content/accounts/, links included (validation refuses those by name).
    `slugs`: the account files a scan of the folder just found (build/stamps.py), which spares
    listing it and stat-ing every file again."""
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
    if slugs is not None:  # ".md" alone is a hidden file without a suffix, not an account
        return [folder / name for name in sorted(f"{slug}.md" for slug in slugs if slug)]
    # os.scandir: an entry's type comes with the listing (no stat per file, as pathlib's would).
    with os.scandir(folder) as entries:
        names = [
            entry.name
            for entry in entries
            if entry.name.endswith(".md")
            and entry.name != ".md"  # a hidden file without a suffix, not an account
            and (entry.is_symlink() or entry.is_file())
        ]
    return [folder / name for name in sorted(names)]


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
    return read_site(Path(root), as_of, jobs, files, repo, _nothing)[0]


def _nothing(loaded: Loaded) -> None:
    return None


def read_site(
    root: Path,
    as_of: dt.date | None,
    jobs: int | None,
    files: list[Path] | None,
    repo: Repository | None,
    each: Callable[[Loaded], T],
) -> tuple[Site, list[T]]:
    """`load_site`, and `each(loaded)` for every valid account, in the worker that validated it
    (the build renders the narrative there, while its parsed tokens are at hand). The results
    come in the order of `Site.accounts`."""
    as_of = as_of or default_as_of()
    config, diagnostics = load_config(root)
    files = account_files(root) if files is None else files
    repo = repo if repo is not None else read_repository(root)
    work = _Work(files, root, config, as_of, repo.retired, each)
    found = [item for chunk in each_chunk(_validate, work, len(files), jobs) for item in chunk]
    # A few files need the measurements earlier commits recorded (a confirmation that covers a
    # value since replaced): read them all from Git in one go, and validate those files again.
    again = [index for index, item in enumerate(found) if item[3]]
    if again and repo.in_git:
        recorded = recorded_by_file(repo, [files[i].relative_to(root).as_posix() for i in again])
        for index in again:
            path = files[index]
            rel = path.relative_to(root).as_posix()
            loaded = validate_file(
                path, root, config, as_of, repo.retired.get(rel), recorded.get(rel, {})
            )
            extra = each(loaded) if loaded.account is not None else None
            found[index] = (loaded.account, loaded.diagnostics, extra, False)
    accounts: list[Account] = []
    extras: list[T] = []
    for account, problems, extra, _ in found:
        diagnostics.extend(problems)
        if account is not None:
            accounts.append(account)
            extras.append(extra)
    return Site(root, config, as_of, tuple(accounts), tuple(sorted(diagnostics))), extras


def recorded_by_file(repo: Repository, paths: list[str]) -> dict[str, Recorded]:
    """The measurements every committed version of these files recorded, by file and result."""
    versions = {path: repo.history(path).versions for path in paths}
    contents = repo.read_versions(v for found in versions.values() for v in found)
    return {
        path: merge_recorded(contents.get(v, b"").decode("utf-8", "replace") for v in found)
        for path, found in versions.items()
    }


@dataclass(frozen=True)
class _Work:
    files: list[Path]
    root: Path
    config: SiteConfig
    as_of: dt.date
    retired: dict[str, RetiredSlug]
    each: Callable[[Loaded], Any]


def _validate(
    work: _Work, start: int, end: int
) -> list[tuple[Account | None, list[Diagnostic], Any, bool]]:
    found = []
    for files in by_size(work.files[start:end], count=_AT_ONCE):
        for loaded in validate_files(files, work.root, work.config, work.as_of, work.retired):
            extra = work.each(loaded) if loaded.account is not None else None
            found.append((loaded.account, loaded.diagnostics, extra, loaded.needs_history))
    return found
