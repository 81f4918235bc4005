"""fulmen_router: a native radix-trie router with FastAPI's route semantics."""

from fulmen_router._errors import NoMatchFound, RouteTemplateError
from fulmen_router._router import (
    FOUND,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    RouteMatch,
    Router,
)

__version__ = "0.1.0"

__all__ = [
    "FOUND",
    "METHOD_NOT_ALLOWED",
    "NOT_FOUND",
    "NoMatchFound",
    "RouteMatch",
    "RouteTemplateError",
    "Router",
    "__version__",
]
