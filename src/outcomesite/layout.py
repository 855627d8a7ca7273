"""Where things are in a site: the folders and files every stage agrees on. Standard library only."""

from __future__ import annotations

from pathlib import Path

ACCOUNTS_DIR = Path("content") / "accounts"
ACCOUNTS = ACCOUNTS_DIR.as_posix()  # "content/accounts", for messages and Git pathspecs
CONFIG_FILE = "outcomesite.yaml"


def account_file_parts(slug: str, name: str) -> tuple[str, ...]:
    """The path components, from the site's root, of a file in an account's own folder."""
    return (*ACCOUNTS_DIR.parts, slug, *name.split("/"))
