"""`outcomesite new`: a commented account file that passes `check` exactly as written, never
overwriting anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.layout import ACCOUNTS_DIR
from outcomesite.load.account import slug_problem
from outcomesite.model.schema import slugify

ACCOUNT_TEMPLATE = """\
---
# One customer account. Lines starting with # are comments. Run `outcomesite check` after editing.
account: {name}                # the customer's name, as they write it
segment: mid-market            # smb | mid-market | enterprise
csm: Your Name                 # the internal account owner
start_date: {today}           # start of the relationship (YYYY-MM-DD); the 90-day check counts from it
usage: activity                # activity | adoption (adoption = repeated use across users and weeks)
# link_version: 1              # bump to revoke the customer's old link and issue a new one
internal_notes: >-
  Internal only, never shown to the customer: risks, renewal date, politics.
results:
  - id: first-result           # lowercase letters, digits, hyphens; unique in this file
    goal: The customer's goal, in their own words
    metric: What is measured, e.g. Hours to close the month
    unit: hours                # free text; "%" (in quotes) and currency codes such as USD format specially
    baseline: 40               # the value before our product: a plain number (write 65, not "65%")
    target: 20                 # the value the customer wants to reach
    # current: 32              # the latest measured value ...
    # measured_on: {today}    # ... and the day it was measured (required together)
    # due: 2027-03-31          # when the customer expects to reach the target
    owner: Your Name           # required: who on our side owns this result
    category: efficiency       # revenue | cost | risk | efficiency | experience
    # attribution: How our product caused the change (needed for the top rung)
    validator:                 # the person at the customer who confirms the result
      name: Customer Contact
      role: Their job title
      # confirmed_on: {today} # the day they confirmed it
---
## What's working

What the customer achieved so far, in a few sentences.

## What's not working

What is in the way, honestly.

## Next step

The one thing that happens next, who does it and by when.
"""


def account_text(slug: str, today: dt.date) -> str:
    name = slug.replace("-", " ").title()
    return ACCOUNT_TEMPLATE.format(name=name, today=today.isoformat())


def new_account(root: Path, slug: str, today: dt.date) -> list[Path]:
    """Write content/accounts/<slug>.md, never overwriting. `foo.md` is taken as `foo`."""
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
        handle.write(account_text(slug, today))
    return [path]
