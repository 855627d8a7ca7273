"""A valid account: what the load stage hands to every later stage."""

from __future__ import annotations

from dataclasses import dataclass

from outcomesite.model.ladder import Assessment
from outcomesite.model.schema import AccountData


@dataclass(frozen=True)
class Account:
    """A valid account file: its slug, where it lives, its typed front matter, where it stands on
    the ladder (as of the build's date) and the images its narrative shows.

    The narrative itself is rendered to HTML by the render stage, never by validation.
    """

    slug: str
    path: str  # relative to the site root, POSIX style
    data: AccountData
    assessment: Assessment
    images: tuple[str, ...] = ()  # files in the account's folder the narrative shows, as published
    logo: str | None = None  # the customer's logo (`logo:`), as published; also in `images`
