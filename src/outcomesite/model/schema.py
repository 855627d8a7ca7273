"""The account file's front matter as a typed model, and the JSON Schema derived from it.

The model is the single source of truth: the converter reads field kinds, constraints and
descriptions from it (model/fields.py), `outcomesite schema` prints its JSON Schema, and editors
validate against the committed copy. The models are msgspec Structs: frozen, unknown keys
refused, and cheap to import (pydantic and its models were a sixth of a one-account rebuild).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

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


def about(text: str) -> Meta:
    """A field's description: the JSON Schema's, and the converter's hint when it is missing."""
    return Meta(description=text)


# `strip`: the converter strips the text before checking it, as a person means it.
Slug = Annotated[str, Meta(pattern=SLUG_PATTERN)]
Text = Annotated[str, Meta(min_length=1, extra={"strip": True})]
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


class Model(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What every model of a file is: immutable, unknown keys refused. Each model also says
    `frozen` and `kw_only` (msgspec does not inherit `kw_only`, and mypy then needs `frozen`
    again), so that required keys may follow optional ones, in the order a file lists them."""


class Validator(Model, frozen=True, kw_only=True):
    """The person at the customer who confirms that the result is real."""

    name: Annotated[Text, about("Full name of the person at the customer, e.g. Priya Shah")]
    role: Annotated[Text | None, about("Their job title, e.g. VP Operations")] = None
    level: Annotated[
        Level | None, about("user, team-lead, manager or executive: who they are in their company")
    ] = None
    confirmed_on: Annotated[
        dt.date | None,
        about(
            "The day they confirmed the result (YYYY-MM-DD); it covers the latest "
            "measurement dated on or before it"
        ),
    ] = None


class HistoryPoint(Model, frozen=True, kw_only=True):
    """An earlier measurement of the metric."""

    date: Annotated[dt.date, about("When it was measured (YYYY-MM-DD)")]
    value: Annotated[float, about("The measured value, a plain number")]


class Result(Model, frozen=True, kw_only=True):
    """A measurable outcome the customer would call valuable."""

    id: Annotated[Slug, about("Unique in the account: lowercase letters, digits, hyphens")]
    goal: Annotated[Text, about("The customer's goal in their own words")]
    metric: Annotated[Text, about("What is measured, e.g. Days to onboard a warehouse employee")]
    unit: Annotated[
        Text | None, about('Unit of the metric: free text, "%", or a currency code such as USD')
    ] = None
    direction: Annotated[
        Direction | None,
        about("increase or decrease; inferred from baseline -> target when left out"),
    ] = None
    baseline: Annotated[float, about("The value before the product, a plain number")]
    target: Annotated[float, about("The value the customer wants to reach, a plain number")]
    current: Annotated[float | None, about("The latest measured value; leave out if none")] = None
    measured_on: Annotated[
        dt.date | None,
        about("When `current` was measured (YYYY-MM-DD); required with `current`"),
    ] = None
    due: Annotated[dt.date | None, about("When the customer expects to reach the target")] = None
    owner: Annotated[Text, about("The internal owner of this result (a person's name)")]
    category: Annotated[Category | None, about("The kind of value this result creates")] = None
    attribution: Annotated[
        Text | None, about("How the product caused the change; needed for Measurable Result")
    ] = None
    validator: Annotated[Validator | None, about("Who at the customer validates it")] = None
    history: Annotated[tuple[HistoryPoint, ...], about("Earlier measurements")] = ()
    source: Annotated[
        Text | None,
        about("Where the numbers come from, e.g. SAP scrap postings, month-end close"),
    ] = None
    evidence: Annotated[
        Evidence,
        about(
            "measured (default), estimated or customer-reported; an estimate can reach "
            "Outcome but not Measurable Result"
        ),
    ] = "measured"
    why_an_outcome: Annotated[
        Text | None,
        about(
            "Why this metric is an outcome although it sounds like activity or usage "
            "(silences that warning)"
        ),
    ] = None


class NextStep(Model, frozen=True, kw_only=True):
    """One thing that happens next, who does it, and by when: the report shows these near the
    top, the customer's own steps under their own heading."""

    step: Annotated[Text, about("What happens next, e.g. Roll out guided onboarding to Denver")]
    owner: Annotated[Text, about("Who does it (a person's name)")]
    side: Annotated[
        Side, about("vendor (default: our team does it) or customer (their team does)")
    ] = "vendor"
    due: Annotated[dt.date | None, about("By when (YYYY-MM-DD)")] = None


class Renewal(Model, frozen=True, kw_only=True):
    """One renewal that happened, and how it went: the index sets these against the ladder."""

    date: Annotated[dt.date, about("When the renewal was decided (YYYY-MM-DD)")]
    outcome: Annotated[RenewalOutcome, about("renewed, expanded, contracted or churned")]


class AccountData(Model, frozen=True, kw_only=True):
    """The front matter of `content/accounts/<slug>.md`."""

    account: Annotated[Text, about("The customer's display name")]
    segment: Annotated[Segment, about("smb, mid-market or enterprise")]
    csm: Annotated[Text, about("The internal account owner (CSM)")]
    start_date: Annotated[dt.date, about("Start of the relationship (YYYY-MM-DD)")]
    usage: Annotated[Usage, about("activity (default) or adoption")] = "activity"
    link_version: Annotated[int, Meta(ge=1), about("Bump to revoke the old share link")] = 1
    internal_notes: Annotated[
        Text | None, about("Shown in the internal index only, never to the customer")
    ] = None
    results: Annotated[tuple[Result, ...], about("The account's results")] = ()
    next_steps: Annotated[
        tuple[NextStep, ...], about("What happens next, with owners and dates; shown near the top")
    ] = ()
    paper: Annotated[
        Paper | None, about("A4 or Letter: this customer's PDF paper size (default: the site's)")
    ] = None
    locale: Annotated[
        Text | None,
        about(
            "This customer's language, numbers and dates, e.g. de_DE (default: the site's `locale`)"
        ),
    ] = None
    logo: Annotated[
        Text | None,
        about(
            "The customer's logo, a PNG, JPEG, GIF, WebP or SVG file in the account's "
            "folder (co-branding)"
        ),
    ] = None
    renewal_date: Annotated[
        dt.date | None, about("Internal only: the next renewal (YYYY-MM-DD); never on the report")
    ] = None
    arr: Annotated[
        Annotated[float, Meta(ge=0)] | None,
        about(
            "Internal only: annual recurring revenue, a plain number in the site's "
            "`currency`; never on the report"
        ),
    ] = None
    status: Annotated[
        Status,
        about(
            "Internal only: active (default) or churned; a churned account's report "
            "and its versions are no longer published"
        ),
    ] = "active"
    renewals: Annotated[
        tuple[Renewal, ...],
        about("Internal only: renewals that happened, each a date and an outcome"),
    ] = ()


def account_json_schema() -> dict[str, Any]:
    """JSON Schema of the front matter, for editors and for `outcomesite schema`: the account's
    own object at the top, the models inside it under `$defs`."""
    schema = msgspec.json.schema(AccountData)
    defs = dict(schema["$defs"])
    top = defs.pop(AccountData.__name__)
    top.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://outcomesite.dev/schema/account.schema.json",
        "title": "outcomesite account",
        **top,
        "$defs": defs,
    }


def account_json_schema_text() -> str:
    return json.dumps(account_json_schema(), indent=2, sort_keys=False) + "\n"
