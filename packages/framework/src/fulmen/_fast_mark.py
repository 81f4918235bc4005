"""Routes remember their ``request -> response`` function for the fast path."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def mark_fast(route: Any, endpoint: Callable[..., Any]) -> None:
    """Keep ``endpoint`` next to the ``route.app`` made from it.

    The fast path (fulmen._fast) calls the function only while ``route.app`` is
    still that app: a replaced or wrapped ``app`` (instrumentation, a body limit)
    sends the route's requests through ASGI instead.
    """
    route._fast = (route.app, endpoint, inspect.iscoroutinefunction(endpoint))


__all__ = ["mark_fast"]
