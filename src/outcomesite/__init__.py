"""outcomesite: customer-facing outcome reports from Markdown + YAML files in Git.

The public library API is small on purpose; the command line is a thin layer over it.
"""

from typing import Any

from outcomesite.errors import Diagnostic, OutcomesiteError

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The loader pulls in pydantic; importing the package (the CLI does) should not.
    if name in ("Site", "load_site"):
        from outcomesite import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'outcomesite' has no attribute {name!r}")


__all__ = ["Diagnostic", "OutcomesiteError", "Site", "__version__", "load_site"]
