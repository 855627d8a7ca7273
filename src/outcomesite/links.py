"""Share links: an unguessable, stable token per account from a secret.

Same secret -> same links on every build; bumping `link_version` revokes the old link; without the
secret a link cannot be derived from the slug or the account name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.layout import LOCAL_SECRET_FILE, running_in_ci

SECRET_ENV = "OUTCOMESITE_SECRET"
MIN_SECRET_LENGTH = 32
TOKEN_BYTES = 20  # 160 bits, above the 128 SPEC asks for


@dataclass(frozen=True)
class Secret:
    value: bytes
    notice: str | None = None  # said once, when a local secret was just created
    local: bool = False  # from .outcomesite/secret, not from the environment


def resolve_secret(root: Path, environ: dict[str, str] | None = None) -> Secret:
    """The secret from the environment; locally, a generated one kept out of Git; in CI, an error."""
    env = os.environ if environ is None else environ
    value = env.get(SECRET_ENV, "")
    if value and len(value) < MIN_SECRET_LENGTH:
        raise OutcomesiteError(
            f"{SECRET_ENV} is {len(value)} characters long: use at least {MIN_SECRET_LENGTH} "
            "random characters, so that nobody can guess the share links; make one with "
            '`python -c "import secrets; print(secrets.token_hex(32))"`',
            EXIT_USAGE,
        )
    if value:
        return Secret(value.encode("utf-8", "surrogateescape"))
    if running_in_ci(env):
        raise OutcomesiteError(
            f"{SECRET_ENV} is not set: in CI, set it from your CI secrets (GitHub: "
            f"`env: {SECRET_ENV}: ${{{{ secrets.{SECRET_ENV} }}}}`); without it every deploy "
            "would publish different share links",
            EXIT_USAGE,
        )
    path = root / LOCAL_SECRET_FILE
    if path.is_file() and (kept := path.read_text(encoding="utf-8").strip()):
        return Secret(
            kept.encode("utf-8"), local=True
        )  # an empty file would be a public key: make a new one
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
    path.write_text(secrets.token_urlsafe(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return Secret(
        path.read_text(encoding="utf-8").strip().encode("utf-8"),
        local=True,
        notice=(
            f"created a local share-link secret in {LOCAL_SECRET_FILE.as_posix()} (kept out of Git); "
            f"set {SECRET_ENV} to publish the same links from CI"
        ),
    )


def link_id(secret: bytes, slug: str, link_version: int) -> str:
    """HMAC-SHA256(secret, slug + link_version) as 32 lowercase base32 characters (160 bits)."""
    message = f"outcomesite-link\x00{slug}\x00{link_version}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.b32encode(digest).decode("ascii").lower()


def share_url(base_url: str | None, link: str) -> str:
    """The link a CSM sends: relative to public/, or absolute when `base_url` is configured."""
    path = f"r/{link}/"
    return base_url.rstrip("/") + "/" + path if base_url else path
