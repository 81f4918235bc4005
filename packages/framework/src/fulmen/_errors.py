"""Turning exceptions into responses: per-route handling (as Starlette's
``wrap_app_handling_exceptions``) and the outermost 500 guard."""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from fulmen._types import ASGIApp, Message, Receive, Scope, Send
from fulmen.concurrency import run_in_threadpool
from fulmen.exceptions import HTTPException
from fulmen.requests import Request
from fulmen.responses import PlainTextResponse, Response

ExceptionHandler = Callable[[Request, Exception], Any]
#: Where the app puts its handlers for the per-route wrappers to find.
HANDLERS_KEY = "fulmen.exception_handlers"


def split_handlers(
    handlers: Mapping[Any, ExceptionHandler],
) -> tuple[dict[type[BaseException], ExceptionHandler], dict[int, ExceptionHandler]]:
    by_class: dict[type[BaseException], ExceptionHandler] = {}
    by_status: dict[int, ExceptionHandler] = {}
    for key, handler in handlers.items():
        if isinstance(key, int):
            by_status[key] = handler
        else:
            by_class[key] = handler
    return by_class, by_status


def _lookup(
    exc: Exception,
    by_class: dict[type[BaseException], ExceptionHandler],
    by_status: dict[int, ExceptionHandler],
) -> ExceptionHandler | None:
    if isinstance(exc, HTTPException) and exc.status_code in by_status:
        return by_status[exc.status_code]
    for cls in type(exc).__mro__:
        if cls in by_class:
            return by_class[cls]
    return None


async def _call_handler(handler: ExceptionHandler, request: Request, exc: Exception) -> Any:
    if inspect.iscoroutinefunction(handler):
        return await handler(request, exc)
    return await run_in_threadpool(handler, request, exc)


def wrap_app_handling_exceptions(app: ASGIApp, request: Request) -> ASGIApp:
    """Run ``app``; an exception with a registered handler becomes that handler's response."""
    by_class, by_status = request.scope.get(HANDLERS_KEY, ({}, {}))

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, receive, sender)
        except Exception as exc:
            handler = _lookup(exc, by_class, by_status)
            if handler is None:
                raise
            if started:
                raise RuntimeError(
                    "Caught handled exception, but response already started."
                ) from exc
            response = await _call_handler(handler, request, exc)
            if response is not None:
                await response(scope, receive, sender)

    return wrapped


class ExceptionMiddleware:
    """Handles what escapes routing itself (404, 405) with the app's handlers."""

    def __init__(self, app: ASGIApp, handlers: Mapping[Any, ExceptionHandler]) -> None:
        self.app = app
        self.handlers = split_handlers(handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[HANDLERS_KEY] = self.handlers
        await wrap_app_handling_exceptions(self.app, Request(scope, receive, send))(
            scope, receive, send
        )


class ServerErrorMiddleware:
    """The last resort: an unhandled error answers 500 (or the app's 500 handler),
    then propagates so the server logs it and test clients re-raise it."""

    def __init__(
        self, app: ASGIApp, handler: ExceptionHandler | None = None, debug: bool = False
    ) -> None:
        self.app = app
        self.handler = handler
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sender)
        except Exception as exc:
            request = Request(scope)
            response: Response
            if self.debug:
                # Development aid: the traceback as plain text (Starlette's text form).
                trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                response = PlainTextResponse(trace, status_code=500)
            elif self.handler is not None:
                response = await _call_handler(self.handler, request, exc)
            else:
                response = PlainTextResponse("Internal Server Error", status_code=500)
            if not started:
                await response(scope, receive, send)
            raise


__all__ = ["ExceptionMiddleware", "ServerErrorMiddleware", "wrap_app_handling_exceptions"]
