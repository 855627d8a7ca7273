"""The account file's front matter as a typed model, and the JSON Schema derived from it.

The model is the single source of truth: the converter reads field kinds and descriptions from it,
`outcomesite schema` prints its JSON Schema, and editors validate against the committed copy.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
SLUG = re.compile(SLUG_PATTERN)
# Letters that do not decompose into a base letter and an accent, spelled as their languages do.
_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe",
                          "œ": "oe", "å": "aa", "ł": "l", "đ": "d", "þ": "th", "ð": "d"})  # fmt: skip


def slugify(text: str) -> str:
    """A name as a slug: `Müller Maschinenbau` -> `mueller-maschinenbau`, `Café Noir` ->
    `cafe-noir`; "" when nothing usable is left."""
    spelled = text.lower().translate(_SPELLED)
    plain = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Segment = Literal["smb", "mid-market", "enterprise"]
Usage = Literal["activity", "adoption"]
Direction = Literal["increase", "decrease"]
Category = Literal["revenue", "cost", "risk", "efficiency", "experience"]
# Who confirms a result, lowest to highest; each segment names the lowest level that counts.
Level = Literal["user", "team-lead", "manager", "executive"]
LEVELS: tuple[Level, ...] = ("user", "team-lead", "manager", "executive")
Evidence = Literal["measured", "estimated", "customer-reported"]
Side = Literal["vendor", "customer"]
Paper = Literal["A4", "Letter"]
Status = Literal["active", "churned"]
RenewalOutcome = Literal["renewed", "expanded", "contracted", "churned"]
RENEWED: tuple[RenewalOutcome, ...] = ("renewed", "expanded")  # what the renewal rate counts

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True)


class Validator(BaseModel):
    """The person at the customer who confirms that the result is real."""

    model_config = _MODEL_CONFIG

    name: Text = Field(description="Full name of the person at the customer, e.g. Priya Shah")
    role: Text | None = Field(None, description="Their job title, e.g. VP Operations")
    level: Level | None = Field(
        None, description="user, team-lead, manager or executive: who they are in their company"
    )
    confirmed_on: dt.date | None = Field(
        None,
        description="The day they confirmed the result (YYYY-MM-DD); it covers the latest "
        "measurement dated on or before it",
    )


class HistoryPoint(BaseModel):
    """An earlier measurement of the metric."""

    model_config = _MODEL_CONFIG

    date: dt.date = Field(description="When it was measured (YYYY-MM-DD)")
    value: float = Field(description="The measured value, a plain number")


class Result(BaseModel):
    """A measurable outcome the customer would call valuable."""

    model_config = _MODEL_CONFIG

    id: Slug = Field(description="Unique in the account: lowercase letters, digits, hyphens")
    goal: Text = Field(description="The customer's goal in their own words")
    metric: Text = Field(description="What is measured, e.g. Days to onboard a warehouse employee")
    unit: Text | None = Field(
        None, description='Unit of the metric: free text, "%", or a currency code such as USD'
    )
    direction: Direction | None = Field(
        None, description="increase or decrease; inferred from baseline -> target when left out"
    )
    baseline: float = Field(description="The value before the product, a plain number")
    target: float = Field(description="The value the customer wants to reach, a plain number")
    current: float | None = Field(None, description="The latest measured value; leave out if none")
    measured_on: dt.date | None = Field(
        None, description="When `current` was measured (YYYY-MM-DD); required with `current`"
    )
    due: dt.date | None = Field(None, description="When the customer expects to reach the target")
    owner: Text = Field(description="The internal owner of this result (a person's name)")
    category: Category | None = Field(None, description="The kind of value this result creates")
    attribution: Text | None = Field(
        None, description="How the product caused the change; needed for Measurable Result"
    )
    validator: Validator | None = Field(None, description="Who at the customer validates it")
    history: tuple[HistoryPoint, ...] = Field((), description="Earlier measurements")
    source: Text | None = Field(
        None, description="Where the numbers come from, e.g. SAP scrap postings, month-end close"
    )
    evidence: Evidence = Field(
        "measured",
        description="measured (default), estimated or customer-reported; an estimate can reach "
        "Outcome but not Measurable Result",
    )
    why_an_outcome: Text | None = Field(
        None,
        description="Why this metric is an outcome although it sounds like activity or usage "
        "(silences that warning)",
    )


class NextStep(BaseModel):
    """One thing that happens next, who does it, and by when: the report shows these near the
    top, the customer's own steps under their own heading."""

    model_config = _MODEL_CONFIG

    step: Text = Field(description="What happens next, e.g. Roll out guided onboarding to Denver")
    owner: Text = Field(description="Who does it (a person's name)")
    side: Side = Field(
        "vendor", description="vendor (default: our team does it) or customer (their team does)"
    )
    due: dt.date | None = Field(None, description="By when (YYYY-MM-DD)")


class Renewal(BaseModel):
    """One renewal that happened, and how it went: the index sets these against the ladder."""

    model_config = _MODEL_CONFIG

    date: dt.date = Field(description="When the renewal was decided (YYYY-MM-DD)")
    outcome: RenewalOutcome = Field(description="renewed, expanded, contracted or churned")


class AccountData(BaseModel):
    """The front matter of `content/accounts/<slug>.md`."""

    model_config = _MODEL_CONFIG

    account: Text = Field(description="The customer's display name")
    segment: Segment = Field(description="smb, mid-market or enterprise")
    csm: Text = Field(description="The internal account owner (CSM)")
    start_date: dt.date = Field(description="Start of the relationship (YYYY-MM-DD)")
    usage: Usage = Field("activity", description="activity (default) or adoption")
    link_version: int = Field(1, ge=1, description="Bump to revoke the old share link")
    internal_notes: Text | None = Field(
        None, description="Shown in the internal index only, never to the customer"
    )
    results: tuple[Result, ...] = Field((), description="The account's results")
    next_steps: tuple[NextStep, ...] = Field(
        (), description="What happens next, with owners and dates; shown near the top"
    )
    paper: Paper | None = Field(
        None, description="A4 or Letter: this customer's PDF paper size (default: the site's)"
    )
    locale: Text | None = Field(
        None,
        description="This customer's language, numbers and dates, e.g. de_DE (default: the "
        "site's `locale`)",
    )
    logo: Text | None = Field(
        None,
        description="The customer's logo, a PNG, JPEG, GIF, WebP or SVG file in the account's "
        "folder (co-branding)",
    )
    renewal_date: dt.date | None = Field(
        None, description="Internal only: the next renewal (YYYY-MM-DD); never on the report"
    )
    arr: float | None = Field(
        None,
        ge=0,
        description="Internal only: annual recurring revenue, a plain number in the site's "
        "`currency`; never on the report",
    )
    status: Status = Field(
        "active",
        description="Internal only: active (default) or churned; a churned account's report "
        "and its versions are no longer published",
    )
    renewals: tuple[Renewal, ...] = Field(
        (), description="Internal only: renewals that happened, each a date and an outcome"
    )


def account_json_schema() -> dict[str, Any]:
    """JSON Schema of the front matter, for editors and for `outcomesite schema`."""
    schema = AccountData.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://outcomesite.dev/schema/account.schema.json",
        "title": "outcomesite account",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def account_json_schema_text() -> str:
    return json.dumps(account_json_schema(), indent=2, sort_keys=False) + "\n"
