"""The ASGI lifespan protocol: start-up/shut-down handlers and lifespan context managers."""

from __future__ import annotations

import contextlib
import inspect
import traceback
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from fulmen._types import Receive, Scope, Send

Lifespan = Callable[[Any], AbstractAsyncContextManager[Mapping[str, Any] | None]]


async def run_startup_shutdown(handlers: list[Callable[[], Any]]) -> None:
    for handler in handlers:
        result = handler()
        if inspect.isawaitable(result):
            await result


class DefaultLifespan:
    """Runs the router's ``on_startup`` handlers, then ``on_shutdown`` ones."""

    def __init__(self, router: Any) -> None:
        self._router = router

    def __call__(self, app: Any) -> DefaultLifespan:
        return self

    async def __aenter__(self) -> None:
        await run_startup_shutdown(self._router.on_startup)

    async def __aexit__(self, *exc_info: object) -> None:
        await run_startup_shutdown(self._router.on_shutdown)


def merge_lifespans(outer: Lifespan | None, inner: Lifespan | None) -> Lifespan | None:
    """One lifespan entering ``outer`` then ``inner``; their state dicts are merged."""
    if outer is None:
        return inner
    if inner is None:
        return outer

    @contextlib.asynccontextmanager
    async def merged(app: Any) -> AsyncIterator[Mapping[str, Any] | None]:
        async with outer(app) as outer_state, inner(app) as inner_state:
            if outer_state is None and inner_state is None:
                yield None
            else:
                yield {**(outer_state or {}), **(inner_state or {})}

    return merged


async def handle_lifespan(lifespan: Lifespan, scope: Scope, receive: Receive, send: Send) -> None:
    """Drive ``lifespan`` through one start-up/shut-down cycle of the server."""
    started = False
    await receive()  # lifespan.startup
    try:
        async with lifespan(scope.get("app")) as state:
            if state is not None:
                if "state" not in scope:
                    raise RuntimeError('The server does not support "state" in the lifespan scope.')
                scope["state"].update(state)
            await send({"type": "lifespan.startup.complete"})
            started = True
            await receive()  # lifespan.shutdown
    except BaseException:
        message = traceback.format_exc()
        kind = "lifespan.shutdown.failed" if started else "lifespan.startup.failed"
        await send({"type": kind, "message": message})
        raise
    await send({"type": "lifespan.shutdown.complete"})


__all__ = [
    "DefaultLifespan",
    "Lifespan",
    "handle_lifespan",
    "merge_lifespans",
    "run_startup_shutdown",
]
