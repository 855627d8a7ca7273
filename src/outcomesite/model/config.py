"""`outcomesite.yaml` as a typed model: the declared options, their defaults and descriptions.

Reading the file (and the checks a type cannot express) is the load stage's job: load/config.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from outcomesite import layout
from outcomesite.i18n import N_
from outcomesite.model.schema import Level, Model, Paper, Segment, about

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


class SegmentRule(Model, frozen=True, kw_only=True):
    """What a result is in one segment; what is left out keeps its default."""

    definition: Annotated[str | None, about("What a result is here, in one line")] = None
    validator_level: Annotated[
        Level | None,
        about("The lowest validator level that counts: user, team-lead, manager or executive"),
    ] = None


class Segments(Model, frozen=True, kw_only=True):
    smb: Annotated[SegmentRule, about("Small businesses")] = msgspec.field(
        default_factory=SegmentRule
    )
    mid_market: Annotated[SegmentRule, about("Mid-market accounts")] = msgspec.field(
        default_factory=SegmentRule, name="mid-market"
    )
    enterprise: Annotated[SegmentRule, about("Enterprise accounts")] = msgspec.field(
        default_factory=SegmentRule
    )

    def definition(self, segment: Segment) -> str:
        return self._rule(segment).definition or DEFAULT_SEGMENTS[segment][0]

    def validator_level(self, segment: Segment) -> Level:
        return self._rule(segment).validator_level or DEFAULT_SEGMENTS[segment][1]

    def _rule(self, segment: Segment) -> SegmentRule:
        return {"smb": self.smb, "mid-market": self.mid_market, "enterprise": self.enterprise}[
            segment
        ]


class SiteConfig(Model, frozen=True, kw_only=True):
    site_name: Annotated[str, about("Title of the internal index")] = layout.DEFAULT_SITE_NAME
    vendor: Annotated[str, about("Your company name, shown on every report")] = ""
    logo: Annotated[str | None, about("Path of a logo image, relative to the site root")] = None
    base_url: Annotated[str | None, about("e.g. https://reports.example.com/")] = None
    theme: Annotated[str, about("A folder name under themes/, or default")] = "default"
    paper: Annotated[Paper, about("PDF paper size (an account may set its own)")] = "A4"
    currency: Annotated[
        str, about("ISO 4217 code of the accounts' `arr` (internal only), e.g. USD or EUR")
    ] = layout.DEFAULT_CURRENCY
    brand_color: Annotated[
        str | None,
        about(
            "Your brand colour as #RRGGBB, for the masthead and accents; it must reach "
            "4.5:1 contrast against white (WCAG AA for text)"
        ),
    ] = None
    locale: Annotated[str, about("Formats numbers and dates, e.g. en_US or de_DE")] = (
        layout.DEFAULT_LOCALE
    )
    result_check_days: Annotated[
        int, msgspec.Meta(ge=1), about("Days after start_date for the check")
    ] = layout.DEFAULT_RESULT_CHECK_DAYS
    stale_after_days: Annotated[
        int, msgspec.Meta(ge=1), about("Days after which a value is stale")
    ] = layout.DEFAULT_STALE_AFTER_DAYS
    since: Annotated[
        str,
        about(
            'Where the index\'s "since" section starts: quarter (default: the start of '
            "the current quarter), month, year, or a date (YYYY-MM-DD)"
        ),
    ] = "quarter"
    pdf_variant: Annotated[
        layout.PdfVariant,
        about(
            "pdf/ua-1 (default: tagged, for screen readers), pdf/a-3a (archival and "
            "tagged) or pdf/a-3b (archival)"
        ),
    ] = layout.DEFAULT_PDF_VARIANT
    pdf_memory_mb: Annotated[
        int,
        msgspec.Meta(ge=200),
        about("Memory one PDF worker may use, in MB; a PDF needing more fails"),
    ] = layout.DEFAULT_PDF_MEMORY_MB
    segments: Annotated[
        Segments,
        about("Per segment: what a result is, and the lowest validator level that counts"),
    ] = msgspec.field(default_factory=Segments)
    check_words: Annotated[
        Literal["on", "off"], about("Warn about metrics that count our activity or product usage")
    ] = "on"
    activity_words: Annotated[
        tuple[str, ...],
        about("More words that mean our team's activity (added to the built-in list)"),
    ] = ()
    usage_words: Annotated[
        tuple[str, ...], about("More words that mean product usage (added to the built-in list)")
    ] = ()


def config_json(config: SiteConfig) -> str:
    """Every setting as JSON: the caches of what depends on them are keyed by it."""
    return msgspec.json.encode(config).decode()
