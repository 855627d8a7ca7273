"""outcomesite: customer-facing outcome reports from Markdown + YAML files in Git.

The public library API is small on purpose; the command line is a thin layer over it.
"""

from outcomesite.errors import Diagnostic, OutcomesiteError
from outcomesite.loader import Site, load_site

__version__ = "0.1.0"

__all__ = ["Diagnostic", "OutcomesiteError", "Site", "__version__", "load_site"]
