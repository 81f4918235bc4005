"""The ASGI vocabulary the client speaks, and how it calls an app of either ASGI version."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeGuard

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGI3App = Callable[[Scope, Receive, Send], Awaitable[None]]
ASGI2App = Callable[[Scope], Callable[[Receive, Send], Awaitable[None]]]
ASGIApp = ASGI3App | ASGI2App

# The ASGI versions every scope we build announces.
ASGI_VERSIONS = {"version": "3.0", "spec_version": "2.4"}


def _is_asgi3(app: ASGIApp) -> TypeGuard[ASGI3App]:
    # An ASGI 2 app is a class (or callable) whose call returns an instance to
    # await later; an ASGI 3 app is itself a coroutine function (or an object
    # with one as ``__call__``).
    if inspect.isclass(app):
        return hasattr(app, "__await__")
    while isinstance(app, functools.partial):
        app = app.func
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(
        getattr(app, "__call__", None)  # noqa: B004 - we want the attribute, not callable()
    )


def as_asgi3(app: ASGIApp) -> ASGI3App:
    """Return ``app`` as an ASGI 3 callable (wrapping an ASGI 2 app, as Starlette does)."""
    if _is_asgi3(app):
        return app
    asgi2: ASGI2App = app  # type: ignore[assignment]

    async def asgi2_adapter(scope: Scope, receive: Receive, send: Send) -> None:
        await asgi2(scope)(receive, send)

    return asgi2_adapter


class ProtocolError(AssertionError):
    """The app broke the ASGI protocol (or sent no response at all).

    An ``AssertionError``, as the same failures are in Starlette's TestClient, so
    tests written against it keep catching them.
    """
