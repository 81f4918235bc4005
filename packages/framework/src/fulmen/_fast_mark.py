"""Routes remember their ``request -> response`` function for the fast path."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from fulmen._lean import LeanRoute


def mark_fast(route: Any, endpoint: Callable[..., Any]) -> None:
    """Keep ``endpoint`` next to the ``route.app`` made from it.

    The fast path (fulmen._fast) calls the function only while ``route.app`` is
    still that app: a replaced or wrapped ``app`` (instrumentation, a body limit)
    sends the route's requests through ASGI instead. The fourth item is the
    handler's lean form (fulmen._lean), if it has one.
    """
    lean = getattr(endpoint, "_fulmen_lean", None)
    # Only the handler the lean form was made from: a wrapper that copied the
    # function's attributes (functools.wraps) does not inherit it.
    if not isinstance(lean, LeanRoute) or lean.handler is not endpoint:
        lean = None
    route._fast = (route.app, endpoint, inspect.iscoroutinefunction(endpoint), lean)


__all__ = ["mark_fast"]
