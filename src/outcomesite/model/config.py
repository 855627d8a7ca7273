"""`outcomesite.yaml` as a typed model: the declared options, their defaults and descriptions.

Reading the file (and the checks a type cannot express) is the load stage's job: load/config.py.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from outcomesite import layout


class SiteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    site_name: str = Field(layout.DEFAULT_SITE_NAME, description="Title of the internal index")
    vendor: str = Field("", description="Your company name, shown on every report")
    logo: str | None = Field(None, description="Path of a logo image, relative to the site root")
    base_url: str | None = Field(None, description="e.g. https://reports.example.com/")
    theme: str = Field("default", description="A folder name under themes/, or default")
    paper: Literal["A4", "Letter"] = Field("A4", description="PDF paper size")
    locale: str = Field(
        layout.DEFAULT_LOCALE, description="Formats numbers and dates, e.g. en_US or de_DE"
    )
    result_check_days: int = Field(
        layout.DEFAULT_RESULT_CHECK_DAYS, ge=1, description="Days after start_date for the check"
    )
    stale_after_days: int = Field(
        layout.DEFAULT_STALE_AFTER_DAYS, ge=1, description="Days after which a value is stale"
    )
    pdf_memory_mb: int = Field(
        layout.DEFAULT_PDF_MEMORY_MB,
        ge=200,
        description="Memory one PDF worker may use, in MB; a PDF needing more fails",
    )
