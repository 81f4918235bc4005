"""The direct face: ``async def handler(request) -> Response``, no ASGI dicts.

This is the contract the framework builds on (docs/packages/http.md, "The
direct handler interface"); keep it stable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Sequence
from typing import Any

from fulmen_http import _eager
from fulmen_http._request import Request

logger = logging.getLogger("fulmen_http.error")

Header = tuple[bytes, bytes]
Body = bytes | AsyncIterable[bytes]


class Response:
    """What a direct handler returns: a status, (name, value) byte pairs, and a
    body — ``bytes`` (sent with the head in one write) or an async iterable of
    ``bytes`` (streamed: chunked, or raw when a content-length header is given).
    The server adds ``date``, the framing header and ``connection`` itself."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int = 200, headers: Sequence[Header] = (), body: Body = b"") -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"<Response {self.status}>"


Handler = Callable[[Request], Awaitable[Response | tuple[int, Sequence[Header], Body] | None]]
"""A handler returns the response, or None when it wrote the response itself
(``request.send_response`` or ``start_response``/``send_body``/``end_response``),
for example to run work after the response is out. A handler given by an app's
``__fulmen_http__`` hook may also return ``NotImplemented`` (before reading the
body or responding): the server then serves that request over ASGI."""
Fallback = Callable[[Request], None]
_ERROR_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]


def _fail(request: Request, exc: BaseException | None, what: str) -> None:
    if exc is not None and not isinstance(exc, asyncio.CancelledError):
        logger.error("Exception in %s", what, exc_info=exc)
    if request._response_done:
        return
    if not request._response_started:
        request.send_response(500, _ERROR_HEADERS, b"Internal Server Error")
    else:
        request._keep_alive_out = False
        request._finish()


async def _stream(request: Request, status: int, headers: Sequence[Header], body: Any) -> None:
    request.start_response(status, headers)
    async for piece in body:
        await request.send_body(bytes(piece))
    request.end_response()


def make_dispatch(
    handler: Handler, tasks: set[asyncio.Task[None]], fallback: Fallback | None = None
) -> Callable[[Request], None]:
    """``fallback`` (the ASGI dispatch, for hooked apps) serves the requests the
    handler declines by returning ``NotImplemented``."""

    def stream_done(request: Request) -> Callable[[object, BaseException | None], None]:
        def done(_value: object, exc: BaseException | None) -> None:
            if exc is not None or not request._response_done:
                _fail(request, exc, "streamed response body")

        return done

    def dispatch(request: Request) -> None:
        def done(result: object, exc: BaseException | None) -> None:
            if exc is not None:
                _fail(request, exc, "request handler")
                return
            if result is None:
                if not request._response_done:
                    logger.error("handler returned None without completing the response")
                    _fail(request, None, "request handler")
                return
            if result is NotImplemented and fallback is not None:
                fallback(request)
                return
            if isinstance(result, Response):
                status, headers, body = result.status, result.headers, result.body
            elif isinstance(result, tuple) and len(result) == 3:
                status, headers, body = result
            else:
                _fail(request, TypeError(f"handler returned {result!r}, not a Response"), "handler")
                return
            if isinstance(body, bytes):
                try:
                    request.send_response(status, headers, body)
                except (TypeError, ValueError) as error:
                    _fail(request, error, "response")
                return
            _eager.start(
                _stream(request, status, headers, body),
                stream_done(request),
                tasks,
                request._protocol.loop,
            )

        _eager.start(handler(request), done, tasks, request._protocol.loop)  # type: ignore[arg-type]

    return dispatch
