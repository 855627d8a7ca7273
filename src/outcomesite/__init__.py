"""outcomesite: customer-facing outcome reports from Markdown + YAML files in Git.

The public library API is small on purpose; the command line is a thin layer over it:

    site = load_site("path/to/site")          # check: every problem as a Diagnostic
    report = build_site("path/to/site", BuildOptions(pdf=False))

Importing the package loads nothing heavy: `build_site` decides from the last build's record
whether anything has to be rendered before it imports the stages that render.
"""

from typing import Any

from outcomesite.build import BuildOptions, BuildRefused, BuildReport, build_site
from outcomesite.errors import Diagnostic, OutcomesiteError

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The loader pulls in YAML and the models: only those who check a site pay for it.
    if name in ("Site", "load_site"):
        from outcomesite.load import site

        return getattr(site, name)
    raise AttributeError(f"module 'outcomesite' has no attribute {name!r}")


__all__ = [
    "BuildOptions",
    "BuildRefused",
    "BuildReport",
    "Diagnostic",
    "OutcomesiteError",
    "Site",
    "__version__",
    "build_site",
    "load_site",
]
