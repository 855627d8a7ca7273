"""`outcomesite.yaml` as a typed model: the declared options, their defaults and descriptions.

Reading the file (and the checks a type cannot express) is the load stage's job: load/config.py.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from outcomesite import layout
from outcomesite.i18n import N_
from outcomesite.model.schema import Level, Paper, Segment

_MODEL = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

# What a result typically is in each segment, and who must confirm it (the Customer Results
# Ladder's "defining a result by segment"): a team writes its own in outcomesite.yaml.
DEFAULT_SEGMENTS: dict[Segment, tuple[str, Level]] = {
    "smb": (
        N_(
            "A single, immediate operational win: time saved, an error rate dropped, a manual "
            "process eliminated; confirmed by the buyer, often the person who uses the product."
        ),
        "user",
    ),
    "mid-market": (
        N_(
            "A team-level outcome (throughput, accuracy, cycle time) visible to the team lead and "
            "reportable upward; confirmed by the team lead and their manager."
        ),
        "team-lead",
    ),
    "enterprise": (
        N_(
            "A business metric tied to the original reason for buying (revenue, cost, risk, "
            "compliance) that an executive would defend; confirmed by an executive sponsor, not "
            "the day-to-day user."
        ),
        "executive",
    ),
}


class SegmentRule(BaseModel):
    """What a result is in one segment; what is left out keeps its default."""

    model_config = _MODEL

    definition: str | None = Field(None, description="What a result is here, in one line")
    validator_level: Level | None = Field(
        None,
        description="The lowest validator level that counts: user, team-lead, manager or executive",
    )


class Segments(BaseModel):
    model_config = _MODEL

    smb: SegmentRule = Field(default_factory=SegmentRule, description="Small businesses")
    mid_market: SegmentRule = Field(
        default_factory=SegmentRule, alias="mid-market", description="Mid-market accounts"
    )
    enterprise: SegmentRule = Field(default_factory=SegmentRule, description="Enterprise accounts")

    def definition(self, segment: Segment) -> str:
        return self._rule(segment).definition or DEFAULT_SEGMENTS[segment][0]

    def validator_level(self, segment: Segment) -> Level:
        return self._rule(segment).validator_level or DEFAULT_SEGMENTS[segment][1]

    def _rule(self, segment: Segment) -> SegmentRule:
        return {"smb": self.smb, "mid-market": self.mid_market, "enterprise": self.enterprise}[
            segment
        ]


class SiteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    site_name: str = Field(layout.DEFAULT_SITE_NAME, description="Title of the internal index")
    vendor: str = Field("", description="Your company name, shown on every report")
    logo: str | None = Field(None, description="Path of a logo image, relative to the site root")
    base_url: str | None = Field(None, description="e.g. https://reports.example.com/")
    theme: str = Field("default", description="A folder name under themes/, or default")
    paper: Paper = Field("A4", description="PDF paper size (an account may set its own)")
    currency: str = Field(
        layout.DEFAULT_CURRENCY,
        description="ISO 4217 code of the accounts' `arr` (internal only), e.g. USD or EUR",
    )
    brand_color: str | None = Field(
        None,
        description="Your brand colour as #RRGGBB, for the masthead and accents; it must reach "
        "4.5:1 contrast against white (WCAG AA for text)",
    )
    locale: str = Field(
        layout.DEFAULT_LOCALE, description="Formats numbers and dates, e.g. en_US or de_DE"
    )
    result_check_days: int = Field(
        layout.DEFAULT_RESULT_CHECK_DAYS, ge=1, description="Days after start_date for the check"
    )
    stale_after_days: int = Field(
        layout.DEFAULT_STALE_AFTER_DAYS, ge=1, description="Days after which a value is stale"
    )
    since: str = Field(
        "quarter",
        description='Where the index\'s "since" section starts: quarter (default: the start of '
        "the current quarter), month, year, or a date (YYYY-MM-DD)",
    )
    pdf_variant: layout.PdfVariant = Field(
        layout.DEFAULT_PDF_VARIANT,
        description="pdf/ua-1 (default: tagged, for screen readers), pdf/a-3a (archival and "
        "tagged) or pdf/a-3b (archival)",
    )
    pdf_memory_mb: int = Field(
        layout.DEFAULT_PDF_MEMORY_MB,
        ge=200,
        description="Memory one PDF worker may use, in MB; a PDF needing more fails",
    )
    segments: Segments = Field(
        default_factory=Segments,
        description="Per segment: what a result is, and the lowest validator level that counts",
    )
    check_words: Literal["on", "off"] = Field(
        "on", description="Warn about metrics that count our activity or product usage"
    )
    activity_words: tuple[str, ...] = Field(
        (), description="More words that mean our team's activity (added to the built-in list)"
    )
    usage_words: tuple[str, ...] = Field(
        (), description="More words that mean product usage (added to the built-in list)"
    )
