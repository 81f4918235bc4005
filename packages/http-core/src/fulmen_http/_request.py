"""One request on a connection: its head, its body as it arrives, and its response.

The same object serves both faces of the server: the direct handler receives it
as is (the stable contract in docs/packages/http.md), and the ASGI face builds
its scope from it. Everything it holds owns its data: nothing here views a read
buffer that the connection reuses.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

from fulmen_http import _core

if TYPE_CHECKING:
    from fulmen_http._protocol import HttpProtocol

Header = tuple[bytes, bytes]
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_LAST_CHUNK = b"0\r\n\r\n"


class ClientDisconnected(ConnectionError):
    """The client went away before the request body or the response was done."""


class Request:
    """An HTTP request as the direct handler sees it (see docs/packages/http.md)."""

    __slots__ = (
        "_body_waiter",
        "_chunked_out",
        "_chunks",
        "_continue_sent",
        "_disconnected",
        "_keep_alive_out",
        "_no_body_out",
        "_protocol",
        "_response_done",
        "_response_started",
        "_sent_length",
        "_status_out",
        "_want_length",
        "body_complete",
        "chunked",
        "client",
        "content_length",
        "expect_continue",
        "headers",
        "http_version",
        "keep_alive",
        "method",
        "path",
        "query_string",
        "raw_path",
        "scheme",
        "server",
        "target",
        "upgrade",
    )

    method: str
    target: bytes
    path: str
    raw_path: bytes
    query_string: bytes
    http_version: str
    headers: list[Header]
    keep_alive: bool
    content_length: int | None
    chunked: bool
    expect_continue: bool
    upgrade: bool
    client: tuple[str, int] | None
    server: tuple[str, int] | None
    scheme: str
    body_complete: bool

    def __init__(self, protocol: HttpProtocol, head: tuple[object, ...]) -> None:
        (
            self.method,
            self.target,
            self.path,
            self.raw_path,
            self.query_string,
            self.http_version,
            self.headers,
            self.keep_alive,
            length,
            self.chunked,
            self.expect_continue,
            self.upgrade,
            body,
        ) = head  # type: ignore[assignment]
        self.content_length = None if length < 0 else length  # type: ignore[operator,assignment]
        if body is None:
            # EV_HEAD: the body (if any) follows as the connection reads it.
            self.body_complete = False
            self._chunks: list[bytes] = []
        else:
            # EV_REQUEST: the whole request came in one read, body included.
            self.body_complete = True
            if body:
                self._chunks = [body]  # type: ignore[list-item]
                protocol.body_buffered(len(body))  # type: ignore[arg-type]
            else:
                self._chunks = []
        self.client = protocol.client
        self.server = protocol.server_address
        self.scheme = protocol.scheme
        self._protocol = protocol
        self._body_waiter: asyncio.Future[None] | None = None
        self._continue_sent = False
        self._disconnected = False
        self._response_started = False
        self._response_done = False
        self._keep_alive_out = True
        self._chunked_out = False
        self._no_body_out = False
        self._sent_length = 0
        self._want_length = -1
        self._status_out = 0

    # ---- the head ---------------------------------------------------------------

    def header(self, name: bytes, default: bytes | None = None) -> bytes | None:
        """The first value of header ``name`` (lowercase bytes), or ``default``."""
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def get_all(self, name: bytes) -> list[bytes]:
        """Every value of header ``name`` (lowercase bytes), in order."""
        return [value for key, value in self.headers if key == name]

    @property
    def disconnected(self) -> bool:
        """True once the client has closed the connection."""
        return self._disconnected

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.target!r} HTTP/{self.http_version}>"

    # ---- the body ---------------------------------------------------------------

    async def body(self) -> bytes:
        """The whole body (empty when there is none). Raises ClientDisconnected."""
        if self.body_complete:
            # PERF: the common case, a small body already here: no waiting at all.
            chunks = self._chunks
            if not chunks:
                return b""
            self._chunks = []
            self._protocol.body_consumed(sum(map(len, chunks)))
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        parts = [chunk async for chunk in self.stream()]
        return b"".join(parts)

    async def stream(self) -> AsyncIterator[bytes]:
        """The body piece by piece as it arrives. Raises ClientDisconnected."""
        while True:
            data, more = await self.read_some()
            if data:
                yield data
            if not more:
                return

    async def read_some(self) -> tuple[bytes, bool]:
        """The body bytes received so far (waiting for some), and whether more follow."""
        while not self._chunks and not self.body_complete:
            if self._disconnected:
                raise ClientDisconnected("client disconnected before the body was complete")
            if (
                self.expect_continue
                and not self._continue_sent
                and not self._response_started
                and self.http_version != "1.0"  # RFC 9110 §10.1.1: ignored from 1.0 clients
            ):
                # RFC 9110 §10.1.1: tell the client to send the body only once the
                # application asks for it.
                self._continue_sent = True
                self._protocol.write(_CONTINUE)
            self._body_waiter = self._protocol.loop.create_future()
            self._protocol.want_body()
            try:
                await self._body_waiter
            finally:
                self._body_waiter = None
        chunks = self._chunks
        self._chunks = []
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if data:
            self._protocol.body_consumed(len(data))
        return data, not self.body_complete

    # Called by the connection as the parser reports events.
    def _feed_body(self, data: bytes) -> None:
        if self._response_done:
            return  # the handler is done: the rest of the body is read and dropped
        self._chunks.append(data)
        self._protocol.body_buffered(len(data))
        self._wake()

    def _end_body(self) -> None:
        self.body_complete = True
        self._wake()

    def _lost(self) -> None:
        self._disconnected = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._body_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # ---- the response (used by the server faces) --------------------------------

    def _options(self) -> tuple[int, bool, bool]:
        minor = 0 if self.http_version == "1.0" else 1
        keep_alive = self.keep_alive and not self._protocol.closing and not self.upgrade
        return minor, keep_alive, self.method == "HEAD"

    def send_response(self, status: int, headers: Sequence[Header], body: bytes) -> None:
        """Write a whole response (head and body in one write) and finish the request."""
        if self._response_started:
            raise RuntimeError("the response was already started")
        self._response_started = True
        self._status_out = status
        # PERF: the hottest call of every request: _options() written out.
        protocol = self._protocol
        data, keep_alive, _, _ = _core.encode_response(
            status,
            headers,
            body,
            0 if self.http_version == "1.0" else 1,
            self.keep_alive and not protocol.closing and not self.upgrade,
            self.method == "HEAD",
            -1,
        )
        protocol.write(data)
        self._keep_alive_out = keep_alive
        self._finish()

    def start_response(
        self, status: int, headers: Sequence[Header], content_length: int = -1
    ) -> None:
        """Write the head of a streamed response (chunked unless a length is known)."""
        if self._response_started:
            raise RuntimeError("the response was already started")
        self._response_started = True
        self._status_out = status
        minor, keep_alive, head = self._options()
        data, keep_alive, chunked, no_body = _core.encode_response(
            status, headers, None, minor, keep_alive, head, content_length
        )
        self._protocol.write(data)
        self._keep_alive_out = keep_alive
        self._chunked_out = chunked
        self._no_body_out = no_body
        self._want_length = -1 if chunked or no_body else content_length
        for name, value in headers:
            if name.lower() == b"content-length" and not chunked:
                self._want_length = int(value)

    async def send_body(self, data: bytes) -> None:
        """Write one piece of a streamed body, waiting while the socket is full."""
        if not self._response_started or self._response_done:
            raise RuntimeError("send_body outside a started response")
        if data and not self._no_body_out:
            self._sent_length += len(data)
            self._protocol.write(_core.encode_chunk(data, False) if self._chunked_out else data)
        if self._protocol.write_paused:
            await self._protocol.drain()

    def end_response(self) -> None:
        """Finish a streamed response."""
        if not self._response_started or self._response_done:
            raise RuntimeError("end_response outside a started response")
        if self._chunked_out:
            self._protocol.write(_LAST_CHUNK)
        elif self._want_length >= 0 and self._sent_length != self._want_length:
            # The body did not match its Content-Length: the framing is broken.
            self._keep_alive_out = False
        self._finish()

    def _finish(self) -> None:
        self._response_done = True
        if self._chunks:
            # Body the handler never read: release it from the connection's count.
            self._protocol.body_consumed(sum(map(len, self._chunks)))
            self._chunks = []
        if not self.body_complete and self.expect_continue and not self._continue_sent:
            # The client is still waiting to send a body nobody asked for.
            self._keep_alive_out = False
        if self._body_waiter is not None:  # PERF: usually nobody waits
            self._wake()
        self._protocol.response_complete(self, self._keep_alive_out)
