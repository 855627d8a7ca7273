"""`outcomesite new`: a commented account file that passes `check` exactly as written, never
overwriting anything."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.layout import ACCOUNTS_DIR
from outcomesite.load.account import slug_problem
from outcomesite.load.config import load_config
from outcomesite.model.config import Segments
from outcomesite.model.schema import Segment, slugify

ACCOUNT_TEMPLATE = """\
---
# One customer account. Lines starting with # are comments. Run `outcomesite check` after editing.
account: {name}                # the customer's name, as they write it
segment: {segment}{segment_pad}# smb | mid-market | enterprise
# What a result is for {segment} accounts, as this team defines it (outcomesite.yaml, `segments`):
{definition}
csm: Your Name                 # the internal account owner
start_date: {today}         # start of the relationship (YYYY-MM-DD); the 90-day check counts from it
usage: activity                # activity | adoption (adoption = repeated use across users and weeks)
# link_version: 1              # bump to revoke the customer's old link and issue a new one
internal_notes: >-
  Internal only, never shown to the customer: risks, renewal date, politics.
results:
  - id: first-result           # lowercase letters, digits, hyphens; unique in this file
    goal: The customer's goal, in their own words
    # What changed in the customer's world (time, money, errors, risk), not what our team did
    # ("training hours", "QBRs held") nor how much the product is used ("logins", "active users"):
    metric: What is measured, e.g. Hours to close the month
    unit: hours                # free text; "%" (in quotes) and currency codes such as USD format specially
    baseline: 40               # the value before our product: a plain number (write 65, not "65%")
    target: 20                 # the value the customer wants to reach
    # current: 32              # the latest measured value ...
    # measured_on: {today}  # ... and the day it was measured (required together)
    # source: Where the number comes from, e.g. SAP month-end close (shown in small print)
    # evidence: measured       # measured | estimated | customer-reported (an estimate never reaches the top rung)
    # due: 2027-03-31          # when the customer expects to reach the target
    owner: Your Name           # required: who on our side owns this result
    category: efficiency       # revenue | cost | risk | efficiency | experience
    # attribution: How our product caused the change (needed for the top rung)
    validator:                 # the person at the customer who confirms the result
      name: Customer Contact
      role: Their job title
      level: {level}{level_pad}# user | team-lead | manager | executive: {segment} needs {level} or above
      # confirmed_on: {today} # the day they confirmed it; it covers the latest value measured by then
---
## What's working

What the customer achieved so far, in a few sentences.

## What's not working

What is in the way, honestly.

## Next step

The one thing that happens next, who does it and by when.
"""


def account_text(
    slug: str, today: dt.date, segment: Segment = "mid-market", segments: Segments | None = None
) -> str:
    segments = segments or Segments()
    level = segments.validator_level(segment)
    definition = "\n".join(
        f"#   {line}" for line in textwrap.wrap(segments.definition(segment), width=94)
    )
    return ACCOUNT_TEMPLATE.format(
        name=slug.replace("-", " ").title(),
        today=today.isoformat(),
        segment=segment,
        segment_pad=" " * max(1, 22 - len(segment)),
        definition=definition,
        level=level,
        level_pad=" " * max(1, 18 - len(level)),
    )


def new_account(
    root: Path, slug: str, today: dt.date, segment: Segment = "mid-market"
) -> list[Path]:
    """Write content/accounts/<slug>.md, never overwriting. `foo.md` is taken as `foo`. The
    scaffold shows what a result is for the account's segment, from the site's config."""
    slug = slug.removesuffix(".md")
    if slug_problem(slug) is not None:
        fixed = slugify(slug) or "customer-name"
        raise OutcomesiteError(
            f"`{slug}` is not a valid slug (lowercase letters, digits and hyphens, starting with a "
            f"letter or digit): write `outcomesite new {fixed}`",
            EXIT_USAGE,
        )
    path = root / ACCOUNTS_DIR / f"{slug}.md"
    if path.exists():
        raise OutcomesiteError(
            f"{path.relative_to(root).as_posix()} already exists: it was left untouched; "
            "choose another slug or edit that file",
            EXIT_USAGE,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite, even racing
        config, _ = load_config(root)
        handle.write(account_text(slug, today, segment, config.segments))
    return [path]
