"""Building: decide what changed (standard library only), plan, write a staging folder, commit it.

The public names of a build; importing them loads nothing heavy.
"""

from outcomesite.build.decide import (
    BuildOptions,
    BuildRefused,
    BuildReport,
    ProgressCallback,
    build_site,
)

__all__ = ["BuildOptions", "BuildRefused", "BuildReport", "ProgressCallback", "build_site"]
