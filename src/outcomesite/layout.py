"""One place for the site's layout and limits: every folder and file name a stage agrees on, every
limit a hostile input meets, every default, and the clock. Standard library only: the decision
whether a build has anything to do imports this and nothing heavy.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from outcomesite.errors import EXIT_USAGE, OutcomesiteError

# --- the site's inputs ------------------------------------------------------------------------

ACCOUNTS_DIR = Path("content") / "accounts"
ACCOUNTS = ACCOUNTS_DIR.as_posix()  # "content/accounts", for messages and Git pathspecs
CONFIG_FILE = "outcomesite.yaml"
THEMES_DIR = "themes"
SCHEMA_FILE = Path("schema") / "account.schema.json"

# --- what outcomesite keeps in the site (git-ignored) -----------------------------------------

WORK_DIR = Path(".outcomesite")
CACHE_DIR = WORK_DIR / "cache"  # pdf/ (rendered PDFs) and git/ (the log of HEAD)
LOCAL_SECRET_FILE = WORK_DIR / "secret"
PREVIEW_DIR = WORK_DIR / "preview"

# --- the build's output ------------------------------------------------------------------------

DEFAULT_OUT = "build"
PUBLIC = "public"
INTERNAL = "internal"
ASSETS = "assets"
BUILD_MARKER = ".outcomesite-build"  # a folder with this was made by `build` and may be replaced
STATE_FILE = ".outcomesite-state.json"
DETAILS_FILE = ".outcomesite-details.sqlite"
BOOKKEEPING = (STATE_FILE, DETAILS_FILE)  # in the output folder, never published
INDEX_TO_PUBLIC = "../public/"  # from internal/index.html to the reports


def report_folder(link: str, version: int | None = None) -> str:
    """A report's folder below public/: r/<link-id>, or r/<link-id>/v<N> for a permanent version."""
    return f"r/{link}" if version is None else f"r/{link}/v{version}"


def pdf_name(slug: str, version: int | None = None) -> str:
    return f"{slug}.pdf" if version is None else f"{slug}-v{version}.pdf"


def account_file_parts(slug: str, name: str) -> tuple[str, ...]:
    """The path components, from the site's root, of a file in an account's own folder."""
    return (*ACCOUNTS_DIR.parts, slug, *name.split("/"))


# --- limits: a report stays a report, and a hostile file cannot exhaust the machine -----------

MAX_FILE_BYTES = 1_000_000  # an account file
MAX_IMAGE_BYTES = 10_000_000  # an image in an account's folder, the logo, a theme asset in a PDF
MAX_HTML_BYTES = 5_000_000  # a report's HTML, before it is rendered to PDF
MAX_NUMBER = 10**15  # either side of zero: every difference and ratio stays finite and exact
EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_TABLE_COLUMNS = 12
MAX_TABLE_ROWS = 500  # in all the narrative's tables together
MAX_LINKS = 500  # links and images in one narrative
PDF_TIMEOUT = 60.0  # seconds for one PDF
SETTLE_SECONDS = 0.3  # the preview rebuilds once saves have stopped for this long

# --- defaults of outcomesite.yaml ----------------------------------------------------------------

DEFAULT_SITE_NAME = "Outcome reports"
DEFAULT_LOCALE = "en_US"
DEFAULT_CURRENCY = "USD"  # of `arr`, the internal annual recurring revenue
DEFAULT_RESULT_CHECK_DAYS = 90
DEFAULT_STALE_AFTER_DAYS = 120
DEFAULT_PDF_MEMORY_MB = 1000  # one PDF worker: two fit in 2 GB
# Tagged PDF (PDF/UA-1) by default: renewal PDFs reach people using screen readers; PDF/A for
# archives is a choice (`pdf_variant`), since PDF/A-3b carries no structure tree.
PdfVariant = Literal["pdf/ua-1", "pdf/a-3a", "pdf/a-3b"]
DEFAULT_PDF_VARIANT: PdfVariant = "pdf/ua-1"

# --- the clock and the environment ----------------------------------------------------------


def default_as_of(environ: dict[str, str] | None = None) -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH so that reproducible builds agree on the date."""
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise OutcomesiteError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (found {epoch!r})",
                EXIT_USAGE,
            ) from None
    return dt.date.today()


def running_in_ci(environ: Mapping[str, str]) -> bool:
    """CI systems set CI=true (GitHub, GitLab) or 1; `CI=false` (or 0, no, off, empty) is not CI."""
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def find_site(start: Path) -> Path:
    """The site `start` is in: this folder or the nearest parent with outcomesite.yaml or
    content/accounts/, the way Git finds a repository. So `outcomesite check` works from
    content/accounts/ too, and nothing writes into a folder that is not a site."""
    if not start.is_dir():
        raise OutcomesiteError(f"the folder {start} does not exist", EXIT_USAGE)
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file() or (folder / ACCOUNTS_DIR).is_dir():
            return start if folder == here else folder
    raise OutcomesiteError(
        f"{start} is not in an outcomesite site: neither it nor any folder above it has "
        f"{CONFIG_FILE} or {ACCOUNTS}/; run this in your site's folder (or give it with -C DIR), "
        "or start a new site with `outcomesite init DIR`",
        EXIT_USAGE,
    )
