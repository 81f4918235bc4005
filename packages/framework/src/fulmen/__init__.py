"""fulmen: a FastAPI-compatible web framework on a native (C++) fast path.

Importing fulmen checks that the installed components (fulmen-http,
fulmen-router, fulmen-json, fulmen-workers) are within the supported ranges.
"""

from fulmen._components import ComponentVersionError, check_components

check_components()

__version__ = "0.1.0"

__all__ = ["ComponentVersionError", "__version__"]
