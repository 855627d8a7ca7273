"""Plan what each account publishes: its latest report and a permanent page per committed version,
all under its current share link, with the measurements earlier commits recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.history.measurements import recorded_measurements
from outcomesite.history.records import FileHistory, Version
from outcomesite.history.versions import Repository
from outcomesite.links import link_id
from outcomesite.load.account import Loaded, validate_text
from outcomesite.load.site import Site
from outcomesite.model.account import Account
from outcomesite.render.markdown import render, render_text
from outcomesite.render.page import AccountPage, Point, VersionInfo


@dataclass
class AccountPages:
    """Everything one account publishes: its latest report and a permanent copy per version."""

    account: Account
    latest: AccountPage
    permanent: list[AccountPage]
    skipped: list[str]  # notices about versions left out

    @property
    def published(self) -> bool:
        """A churned account publishes nothing: its link and versions go dark, like a revoked link
        (its index pieces are still made from `latest`, for the internal index's churned list)."""
        return self.account.data.status != "churned"

    @property
    def pages(self) -> list[AccountPage]:
        return [self.latest, *self.permanent] if self.published else []


def narrative_of(loaded: Loaded) -> str:
    """The narrative as HTML, rendered while its parsed tokens are at hand."""
    if loaded.tokens is None:  # a plain body, which validation did not parse
        return render_text(loaded.body)
    return render(loaded.tokens)


def old_versions(history: FileHistory) -> tuple[Version, ...]:
    """Versions whose file differs from today's: the last commit's file is today's unless a draft."""
    return history.versions if history.draft else history.versions[:-1]


def plan_account(
    site: Site,
    account: Account,
    narrative: str,
    secret: bytes,
    repo: Repository,
    contents: dict[Version, bytes],
) -> AccountPages:
    """The latest page and a permanent page per committed version, under the current link.

    Each version is rendered from that commit's file with today's theme. A version that no longer
    passes today's checks is left out with a notice rather than failing the build.
    """
    history = repo.history(account.path)
    infos = tuple(VersionInfo(v.number, v.short, v.date) for v in history.versions)
    recorded: dict[int, dict[str, tuple[dt.date, float]]] = {
        v.number: recorded_measurements(contents[v].decode("utf-8", "replace"))
        for v in old_versions(history)
        if v in contents
    }
    if history.versions and not history.draft:  # today's file is the last commit's: no re-read
        recorded[history.number] = {
            r.id: (r.measured_on, r.current)
            for r in account.data.results
            if r.current is not None and r.measured_on is not None
        }

    def points_up_to(number: int) -> dict[str, tuple[Point, ...]]:
        points: dict[str, list[Point]] = {}
        for n in sorted(k for k in recorded if k <= number):
            for rid, point in recorded[n].items():
                points.setdefault(rid, []).append(point)
        return {rid: tuple(p) for rid, p in points.items()}

    latest = AccountPage(
        account,
        link_id(secret, account.slug, account.data.link_version),
        narrative,
        version=history.number,
        draft=history.draft,
        source=None if history.draft or not infos else infos[-1],
        versions=infos,
        recorded=points_up_to(history.number),
    )
    permanent: list[AccountPage] = []
    skipped: list[str] = []
    for version, info in zip(history.versions, infos, strict=True):
        page = replace(
            latest,
            version=version.number,
            draft=False,
            source=info,
            recorded=points_up_to(version.number),
            permanent=True,
        )
        if version.number != history.number or history.draft:
            old = validate_text(
                contents.get(version, b""), account.path, account.slug, site.root,
                site.config, site.as_of,
            )  # fmt: skip
            if old.account is None:
                first = next(
                    (d.message for d in old.diagnostics if d.severity == "error"), "unreadable"
                )
                skipped.append(
                    f"{account.path}: version {version.number} ({version.short}) no longer passes "
                    f"check and was not published: {first}"
                )
                continue
            page = replace(page, account=old.account, narrative=narrative_of(old))
        permanent.append(page)
    return AccountPages(account, latest, permanent, skipped)


def git_notices(repo: Repository, strict: bool, in_ci: bool, allow_shallow: bool) -> list[str]:
    """What the build says about Git. A shallow clone misses versions, and a deploy from one would
    take older versions' permanent links down: in CI (or with --strict) it stops the build."""
    if not repo.in_git:
        return ["not a Git repository: every account is version 1 and has no version history"]
    if repo.shallow:
        message = (
            "this is a shallow Git clone, so version numbers and measurement history are "
            "incomplete; fetch the full history: GitHub Actions `actions/checkout` with "
            "`fetch-depth: 0`, GitLab CI `GIT_DEPTH: 0`, or `git fetch --unshallow`"
        )
        if strict or (in_ci and not allow_shallow):
            raise OutcomesiteError(
                message + " (or build with --allow-shallow, which leaves older versions out)",
                EXIT_USAGE,
            )
        return [message]
    return []
