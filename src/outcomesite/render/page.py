"""What the plan hands to rendering: one report page of one account (its latest, or a version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from outcomesite import layout
from outcomesite.model.account import Account

Point = tuple[dt.date, float]  # one measurement: when, and the value


@dataclass(frozen=True)
class VersionInfo:
    """A permanent version of an account: the N-th commit that changed its file."""

    number: int
    commit: str  # short hash
    date: dt.date


@dataclass(frozen=True)
class AccountPage:
    """One report: the latest at r/<link>/, or a permanent copy at r/<link>/v<N>/."""

    account: Account  # assessed as of the build's date (a version: that commit's file, today)
    link: str
    narrative: str  # the narrative as safe HTML (render/markdown.py)
    version: int = 1
    draft: bool = False  # uncommitted changes: shown as the next version, marked draft
    source: VersionInfo | None = None  # the commit this page shows (None: draft, or no Git)
    versions: tuple[VersionInfo, ...] = ()  # every permanent version, oldest first
    recorded: Mapping[str, tuple[Point, ...]] = field(default_factory=dict)  # from old commits
    permanent: bool = False

    @property
    def folder(self) -> str:
        return layout.report_folder(self.link, self.version if self.permanent else None)

    @property
    def pdf_name(self) -> str:
        return layout.pdf_name(self.account.slug, self.version if self.permanent else None)

    @property
    def root_prefix(self) -> str:
        """From this page's folder back to public/."""
        return "../../../" if self.permanent else "../../"
