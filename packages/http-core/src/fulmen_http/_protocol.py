"""The connection: an asyncio.Protocol that drives the native parser.

One native ``feed`` per read returns every complete event in it. Requests on a
connection are answered strictly in order (RFC 9112 §9.3.2): the first is
dispatched at once, the ones pipelined behind it wait in ``_queue`` (their
bodies buffered, reading paused past a high-water mark).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from fulmen_http import _core
from fulmen_http._parser import (
    EV_BODY,
    EV_END,
    EV_ERROR,
    EV_HEAD,
    EV_REQUEST,
    EV_UPGRADE,
    make_native_parser,
)
from fulmen_http._request import Request

if TYPE_CHECKING:
    from fulmen_http._server import ServerState

logger = logging.getLogger("fulmen_http.error")

Dispatch = Callable[[Request], None]
"""Starts handling a request; the face calls ``request.send_response`` (or the
streaming trio) when done — that completes the request on the connection."""

# Flow control towards the client: stop reading once this much request data
# (bodies of the current and queued requests) is buffered, or this many
# requests are queued behind the one being handled.
HIGH_WATER = 65536
MAX_QUEUED = 32


class HttpProtocol(asyncio.Protocol):
    __slots__ = (
        "_buffered",
        "_dispatch",
        "_drain_waiter",
        "_eof",
        "_error",
        "_new_request",
        "_parser",
        "_parsing",
        "_pumping",
        "_queue",
        "_read_paused",
        "_state",
        "_transport",
        "client",
        "closing",
        "head_started",
        "last_activity",
        "loop",
        "scheme",
        "server_address",
        "write_paused",
    )

    def __init__(
        self, state: ServerState, dispatch: Dispatch, request_class: type[Request] = Request
    ) -> None:
        self._state = state
        self._dispatch = dispatch
        self._new_request = request_class.factory()
        self.loop = state.loop
        self._parser = make_native_parser(state.config.limits)
        self._queue: deque[Request] = deque()
        self._parsing: Request | None = None
        self._transport: asyncio.Transport | None = None
        self._buffered = 0
        self._read_paused = False
        self.write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._pumping = False
        self._eof = False
        self._error: tuple[int, str] | None = None
        self.closing = False
        self.client: tuple[str, int] | None = None
        self.server_address: tuple[str, int] | None = None
        self.scheme = "http"
        self.last_activity = 0.0
        self.head_started = -1.0

    # ---- asyncio.Protocol -------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, only alike.
        self._transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        sock = transport.get_extra_info("sockname")
        if isinstance(peer, tuple):
            self.client = (str(peer[0]), int(peer[1]))
        if isinstance(sock, tuple):
            self.server_address = (str(sock[0]), int(sock[1]))
        self.last_activity = self.loop.time()
        self._state.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._state.connections.discard(self)
        self._transport = None
        for request in self._queue:
            request._lost()
        if self._parsing is not None:
            self._parsing._lost()
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def eof_received(self) -> bool:
        # The client will send nothing more; answer what it sent, then close.
        # A body cut short will never be complete: that request is disconnected.
        self._eof = True
        if self._parsing is not None:
            self._parsing._lost()
            self._parsing = None
        if not self._queue:
            self._close()
        return True

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.last_activity = self.loop.time()
        try:
            events = self._parser.feed(data)
        except MemoryError:
            self._fail(500, "out of memory")
            return
        n = len(events)
        i = 0
        # PERF: dispatch only after the whole read is taken in, so that a request
        # whose body came in the same read (most POSTs) finds it complete and
        # its handler runs to the end without suspending.
        dispatch = failed = False
        while i < n:
            kind = events[i]
            payload = events[i + 1]
            i += 2
            if kind in (EV_REQUEST, EV_HEAD):
                # EV_REQUEST: the whole request, body included (the usual case);
                # EV_HEAD: its body and end follow as more events.
                self.head_started = -1.0
                request = self._new_request(
                    payload, self, self.client, self.server_address, self.scheme
                )
                if kind == EV_HEAD:
                    self._parsing = request
                else:
                    request._take_whole_body(payload.body)  # type: ignore[attr-defined]
                self._queue.append(request)
                if len(self._queue) == 1:
                    dispatch = True
                elif len(self._queue) > MAX_QUEUED:
                    self._pause_reading()
            elif kind == EV_BODY:
                if self._parsing is not None:
                    self._parsing._feed_body(payload)  # type: ignore[arg-type]
            elif kind == EV_END:
                request = self._parsing
                if request is not None:
                    # PERF: Request._end_body written out (once per request).
                    request.body_complete = True
                    if request._body_waiter is not None:
                        request._wake()
                    self._parsing = None
            elif kind == EV_UPGRADE:
                # WebSockets arrive with their own issue: the upgrade request is
                # answered as plain HTTP, and the connection closes after it.
                pass
            elif kind == EV_ERROR:
                status, reason = cast(tuple[int, str], payload)
                self._fail(status, reason)
                failed = True
                break
        if dispatch:
            self._pump()
        if failed:
            return
        if self.head_started < 0 and not self._parser.idle and not self._queue:
            self.head_started = self.last_activity

    # ---- used by Request --------------------------------------------------------

    def write(self, data: bytes) -> None:
        transport = self._transport
        if transport is not None:
            transport.write(data)

    async def drain(self) -> None:
        """Wait until the socket's write buffer is below its high-water mark."""
        while self.write_paused and self._transport is not None:
            self._drain_waiter = self.loop.create_future()
            try:
                await self._drain_waiter
            finally:
                self._drain_waiter = None

    def body_buffered(self, size: int) -> None:
        self._buffered += size
        if self._buffered > HIGH_WATER:
            self._pause_reading()

    def body_consumed(self, size: int) -> None:
        self._buffered -= size
        if self._buffered <= HIGH_WATER and len(self._queue) <= MAX_QUEUED:
            self._resume_reading()

    def want_body(self) -> None:
        self._resume_reading()

    def response_complete(self, request: Request, keep_alive: bool) -> None:
        self._state.active -= 1
        queue = self._queue
        if queue and queue[0] is request:
            queue.popleft()
        if not keep_alive or self.closing:
            self._close()
            return
        if queue:
            self._pump()
            return
        if self._error is not None:
            self._write_error(*self._error)
            return
        if self._eof:
            self._close()
            return
        if self._read_paused:  # PERF: the call only when there is something to do
            self._resume_reading()

    # ---- internals --------------------------------------------------------------

    def _pump(self) -> None:
        """Dispatch queued requests in order; iterative, so that a long pipeline
        of handlers finishing at once does not recurse."""
        if self._pumping:
            return
        self._pumping = True
        queue = self._queue
        state = self._state
        limit = state.config.limit_concurrency
        try:
            while queue:
                request = queue[0]
                if request._response_started:
                    break
                state.active += 1
                if limit is not None and state.active > limit:
                    request.send_response(503, _UNAVAILABLE_HEADERS, b"Service Unavailable")
                    continue
                self._dispatch(request)
                if queue and queue[0] is request:
                    break  # still running: its completion pumps again
        finally:
            self._pumping = False

    def _fail(self, status: int, reason: str) -> None:
        """A request the parser refused: answer it after the ones before it."""
        self._pause_reading()
        if self._parsing is not None:
            self._parsing._lost()
            self._parsing = None
        if self._queue:
            self._error = (status, reason)
        else:
            self._write_error(status, reason)

    def _write_error(self, status: int, reason: str) -> None:
        body = f"{status} {reason}\n".encode("latin-1", "replace")
        data, _, _, _ = _core.encode_response(status, _ERROR_HEADERS, body, 1, False, False, -1)
        self.write(data)
        self._close()

    def _pause_reading(self) -> None:
        if not self._read_paused and self._transport is not None:
            self._read_paused = True
            self._transport.pause_reading()

    def _resume_reading(self) -> None:
        if self._read_paused and self._transport is not None and self._error is None:
            self._read_paused = False
            self._transport.resume_reading()

    def _close(self) -> None:
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.close()

    # ---- used by the server ------------------------------------------------------

    @property
    def idle(self) -> bool:
        """No request in flight and nothing of the next one received."""
        return not self._queue and self._parser.idle

    def shutdown(self) -> None:
        """Graceful: close now if idle, else after the response in flight."""
        self.closing = True
        if not self._queue:
            self._close()

    def abort(self) -> None:
        transport = self._transport
        if transport is not None:
            transport.abort()

    def check_timeouts(self, now: float) -> None:
        """Called about once a second by the server (one sweep, no timer per request)."""
        if self._queue or self._transport is None:
            return
        config = self._state.config
        if self.head_started >= 0:
            if now - self.head_started > config.timeout_request_head:
                self._write_error(408, "request head timeout")
        elif now - self.last_activity > config.timeout_keep_alive:
            self._close()


_ERROR_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]
_UNAVAILABLE_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]
