"""fulmen_router: a native router with FastAPI's route semantics.

This release matches static paths; templates with parameters arrive next.
"""

from fulmen_router._router import Router, RouteTemplateError

__version__ = "0.1.0"

__all__ = ["RouteTemplateError", "Router", "__version__"]
