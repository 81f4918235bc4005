"""The ASGI 3 face of the server: ``http`` and ``lifespan`` scopes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fulmen_http import _eager
from fulmen_http._request import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("fulmen_http.error")

_ASGI = {"version": "3.0", "spec_version": "2.4"}
_DISCONNECT = {"type": "http.disconnect"}
_ERROR_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]
_done: asyncio.Future[None]  # set by the first make_dispatch
"""A finished future: what ``send`` returns when nothing needs waiting for.
Awaiting a finished future never touches its loop, so one serves every loop."""


def _plain_headers(headers: Any) -> list[tuple[bytes, bytes]]:
    """ASGI allows any iterable of two-item iterables; the writer wants tuples."""
    return [(bytes(name), bytes(value)) for name, value in headers]


class AsgiRequest(Request):
    """A request plus the ASGI ``receive``/``send`` pair of its cycle."""

    __slots__ = ("_asgi_headers",)

    _asgi_headers: Sequence[tuple[bytes, bytes]]

    async def receive(self) -> Message:
        if not self._body_handed and not self._response_done and not self._disconnected:
            if self.body_complete:
                # PERF: the body (often empty) is already here: answer without waiting.
                chunks = self._chunks
                self._chunks = ()
                data = b"" if not chunks else chunks[0] if len(chunks) == 1 else b"".join(chunks)
                if data:
                    self._protocol.body_consumed(len(data))
                self._body_handed = True
                return {"type": "http.request", "body": data, "more_body": False}
            try:
                data, more = await self.read_some()
            except ConnectionError:
                return _DISCONNECT
            if not more:
                self._body_handed = True
            return {"type": "http.request", "body": data, "more_body": more}
        # The body was handed over: the next event is the end of the cycle.
        while not self._response_done and not self._disconnected:
            self._body_waiter = self._protocol.loop.create_future()
            try:
                await self._body_waiter
            finally:
                self._body_waiter = None
        return _DISCONNECT

    def send(self, message: Message) -> Awaitable[None]:
        # PERF: a plain function returning an awaitable (ASGI asks only for "an
        # awaitable callable"): the usual messages complete at once, and a
        # finished future costs far less to await than a coroutine per call.
        # Only a body piece written into a full socket buffer really waits.
        kind = message["type"]
        if kind == "http.response.body":
            status = self._asgi_status
            if status is None:
                raise RuntimeError("http.response.body sent before http.response.start")
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if not self._response_started:
                if not more:
                    # The usual case: head and whole body in one native call, one write.
                    try:
                        self.send_response(status, self._asgi_headers, bytes(body))
                    except TypeError:
                        self._response_started = False
                        self.send_response(status, _plain_headers(self._asgi_headers), bytes(body))
                    return _done
                try:
                    self.start_response(status, self._asgi_headers)
                except TypeError:
                    self._response_started = False
                    self.start_response(status, _plain_headers(self._asgi_headers))
            elif self._response_done:
                return _done  # after the end (or a disconnect), sends are dropped
            if body:
                return self._send_piece(bytes(body), more)
            if not more:
                self.end_response()
        elif kind == "http.response.start":
            if self._asgi_status is not None:
                raise RuntimeError("http.response.start sent twice")
            self._asgi_status = int(message["status"])
            self._asgi_headers = message.get("headers", ())
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} in an http scope")
        return _done

    async def _send_piece(self, body: bytes, more: bool) -> None:
        await self.send_body(body)
        if not more:
            self.end_response()

    def _app_done(self, _value: object, exc: BaseException | None) -> None:
        if exc is not None and not isinstance(exc, asyncio.CancelledError):
            logger.error("Exception in ASGI application", exc_info=exc)
        if self._response_done:
            return
        if not self._response_started:
            if exc is None:
                logger.error("ASGI callable returned without completing the response")
            self._asgi_status = 500
            self._response_started = False
            self.send_response(500, _ERROR_HEADERS, b"Internal Server Error")
            return
        # A half-sent response cannot be repaired: close the connection.
        self._keep_alive_out = False
        self._finish()


def make_dispatch(
    app: ASGIApp, state: dict[str, Any], tasks: set[asyncio.Task[None]], root_path: str = ""
) -> Callable[[Request], None]:
    """The ASGI dispatch of one server; call it in the server's running loop."""
    global _done
    if "_done" not in globals():
        _done = asyncio.get_running_loop().create_future()
        _done.set_result(None)

    def dispatch(request: Request) -> None:
        assert isinstance(request, AsgiRequest)
        scope = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": request.http_version,
            "server": request.server,
            "client": request.client,
            "scheme": request.scheme,
            "method": request.method,
            "root_path": root_path,
            "path": request.path,
            "raw_path": request.raw_path,
            "query_string": request.query_string,
            "headers": request.headers,
            "state": state.copy(),
        }
        coro = app(scope, request.receive, request.send)
        _eager.start(coro, request._app_done, tasks, request._protocol.loop)  # type: ignore[arg-type]

    return dispatch


class LifespanStartupError(RuntimeError):
    """The app's lifespan start-up failed (``lifespan.startup.failed`` or an
    exception); the server does not start."""


class Lifespan:
    """Runs the app's ``lifespan`` scope. Mode "auto": an app that raises on it
    is taken as not supporting it; "on": that is an error; "off": not run."""

    def __init__(self, app: ASGIApp, mode: str) -> None:
        if mode not in ("auto", "on", "off"):
            raise ValueError("lifespan must be 'auto', 'on' or 'off'")
        self.app = app
        self.mode = mode
        self.state: dict[str, Any] = {}
        self._queue: asyncio.Queue[Message] = asyncio.Queue()
        self._started = asyncio.Event()
        self._stopped = asyncio.Event()
        self._unsupported = False
        self.failed: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        if self.mode == "off":
            return
        self._task = asyncio.get_running_loop().create_task(self._main())
        await self._queue.put({"type": "lifespan.startup"})
        await self._started.wait()
        if self.failed is not None:
            raise LifespanStartupError(f"application startup failed: {self.failed}")

    async def shutdown(self) -> None:
        if self.mode == "off" or self._unsupported or self._task is None:
            return
        await self._queue.put({"type": "lifespan.shutdown"})
        await self._stopped.wait()

    async def _main(self) -> None:
        scope = {"type": "lifespan", "asgi": _ASGI, "state": self.state}
        try:
            await self.app(scope, self._receive, self._send)
        except BaseException as exc:
            if self.mode == "auto" and not self._started.is_set():
                self._unsupported = True
                logger.info("ASGI 'lifespan' protocol appears unsupported.")
            else:
                self.failed = self.failed or repr(exc)
                logger.error("Exception in 'lifespan' protocol", exc_info=exc)
        finally:
            self._started.set()
            self._stopped.set()

    async def _receive(self) -> Message:
        return await self._queue.get()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            self._started.set()
        elif kind == "lifespan.startup.failed":
            self.failed = str(message.get("message", "") or "lifespan.startup.failed")
            self._started.set()
        elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            if kind == "lifespan.shutdown.failed":
                logger.error("application shutdown failed: %s", message.get("message", ""))
            self._stopped.set()
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} in a lifespan scope")
