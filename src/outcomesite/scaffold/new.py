"""`outcomesite new`: a commented account file that passes `check` exactly as written, with a
warning for each placeholder text still to replace, never overwriting anything."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.layout import ACCOUNTS_DIR, DEFAULT_CURRENCY
from outcomesite.load.account import slug_problem
from outcomesite.load.config import load_config
from outcomesite.model.config import Segments
from outcomesite.model.schema import Segment, slugify
from outcomesite.scaffold import placeholders

# The texts a CSM must replace come from placeholders.py, which `check` reads too: every one left
# in a file is a warning at its line. `_to` pads them so that the comments after them line up.
ACCOUNT_TEMPLATE = """\
---
# One customer account. Lines starting with # are comments. Run `outcomesite check` after editing.
account: {name}                # the customer's name, as they write it
segment: {segment}{segment_pad}# smb | mid-market | enterprise
# What a result is for {segment} accounts, as this team defines it (outcomesite.yaml, `segments`):
{definition}
csm: {csm}# the internal account owner
start_date: {today}         # start of the relationship (YYYY-MM-DD); the 90-day check counts from it
usage: activity                # activity | adoption (adoption = repeated use across users and weeks)
# link_version: 1              # bump to revoke the customer's old link and issue a new one
# logo: logo.png               # the customer's logo: a PNG, JPEG, GIF, WebP or SVG file in content/accounts/{slug}/
# paper: Letter                # A4 | Letter: this customer's PDF paper size (default: the site's `paper`)
# locale: de_DE                # the customer's language and formats: de_DE, fr_FR, es_ES (default: the site's)
# renewal_date: {renewal}# internal only, never shown to the customer: the next renewal (YYYY-MM-DD)
# arr: 120000                  # internal only, never shown to the customer: annual recurring revenue in {currency}, a plain number
# status: churned              # internal only: active (default) | churned (the report is no longer published)
# renewals:                    # internal only: renewals that happened (renewed | expanded | contracted | churned)
#   - date: 2027-01-31
#     outcome: renewed
internal_notes: >-
  {internal_notes}
results:
  - id: {result_id}# lowercase letters, digits, hyphens; unique in this file
    goal: {goal}
    # What changed in the customer's world (time, money, errors, risk), not what our team did
    # ("training hours", "QBRs held") nor how much the product is used ("logins", "active users"):
    metric: {metric}
    unit: hours                # free text; "%" (in quotes) and currency codes such as USD format specially
    baseline: 40               # the value before our product: a plain number (write 65, not "65%")
    target: 20                 # the value the customer wants to reach
    # current: 32              # the latest measured value ...
    # measured_on: {today}  # ... and the day it was measured (required together)
    # source: {source}# e.g. SAP month-end close (shown in small print by the number)
    # evidence: measured       # measured | estimated | customer-reported (an estimate never reaches the top rung)
    # due: 2027-03-31          # when the customer expects to reach the target
    owner: {owner}# required: who on our side owns this result
    category: efficiency       # revenue | cost | risk | efficiency | experience
    # attribution: {attribution}# needed for the top rung
    validator:                 # the person at the customer who confirms the result
      name: {validator_name}
      role: {validator_role}
      level: {level}{level_pad}# user | team-lead | manager | executive: {segment} needs {level} or above
      # confirmed_on: {today} # the day they confirmed it; it covers the latest value measured by then
# Next steps, shown near the top of the report: delete the `# ` before the five lines below.
# next_steps:
#   - step: {step}
#     owner: {step_owner}# who does it (a person's name)
#     side: vendor             # vendor (our team does it) | customer (the customer's team does it)
#     due: {step_due}          # by when (YYYY-MM-DD)
---
## What's working

{working}

## What's not working

{not_working}

## Next step

{next_step}
"""


def account_text(
    slug: str,
    today: dt.date,
    segment: Segment = "mid-market",
    segments: Segments | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> str:
    """The scaffold; `currency` (the site's) is named by the commented `arr` line, so that the
    CSM who fills it in knows which currency the number is in."""
    segments = segments or Segments()
    level = segments.validator_level(segment)
    definition = "\n".join(
        f"#   {line}" for line in textwrap.wrap(segments.definition(segment), width=94)
    )
    return ACCOUNT_TEMPLATE.format(
        name=slug.replace("-", " ").title(),
        slug=slug,
        today=today.isoformat(),
        step_due=(today + dt.timedelta(days=14)).isoformat(),
        renewal=_to(31, "# renewal_date: ", (today + dt.timedelta(days=365)).isoformat()),
        currency=currency,
        segment=segment,
        segment_pad=" " * max(1, 22 - len(segment)),
        definition=definition,
        level=level,
        level_pad=" " * max(1, 18 - len(level)),
        csm=_to(31, "csm: ", placeholders.YOUR_NAME),
        internal_notes=placeholders.INTERNAL_NOTES,
        result_id=_to(31, "  - id: ", placeholders.RESULT_ID),
        goal=placeholders.GOAL,
        metric=placeholders.METRIC,
        source=_to(31, "    # source: ", placeholders.SOURCE),
        owner=_to(31, "    owner: ", placeholders.YOUR_NAME),
        attribution=_to(31, "    # attribution: ", placeholders.ATTRIBUTION),
        step_owner=_to(31, "#     owner: ", placeholders.YOUR_NAME),
        validator_name=placeholders.VALIDATOR_NAME,
        validator_role=placeholders.VALIDATOR_ROLE,
        step=placeholders.STEP,
        working=placeholders.WORKING,
        not_working=placeholders.NOT_WORKING,
        next_step=placeholders.NEXT_STEP,
    )


def _to(column: int, before: str, value: str) -> str:
    """`value`, padded so that the comment after it starts at `column` like its neighbours', and
    at least two spaces away: a value followed by ` #` reads as cut by a comment to `check`."""
    return value + " " * max(2, column - len(before) - len(value))


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
        handle.write(account_text(slug, today, segment, config.segments, config.currency))
    return [path]
