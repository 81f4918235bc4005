"""One request on a connection: its head, its body as it arrives, and its response.

The same object serves both faces of the server: the direct handler receives it
as is (the stable contract in docs/packages/http.md), and the ASGI face builds
its scope from it. Everything it holds owns its data: nothing here views a read
buffer that the connection reuses.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from fulmen_http import _core

if TYPE_CHECKING:
    from fulmen_http._protocol import HttpProtocol

Header = tuple[bytes, bytes]
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_LAST_CHUNK = b"0\r\n\r\n"


class ClientDisconnected(ConnectionError):
    """The client went away before the request body or the response was done."""


# The request's slots filled from the parser's head, in the head's own field
# order (one source of truth: the native RequestHead). Its content_length (-1
# for none) lands in _content_length, behind the Request.content_length
# property; its body (an EV_REQUEST's whole body) is taken separately.
_HEAD_FIELDS = tuple(
    "_content_length" if name == "content_length" else name
    for name in _core.RequestHead._fields
    if name != "body"
)
_BODY_INDEX = _core.RequestHead._fields.index("body")
if len(_HEAD_FIELDS) != _BODY_INDEX:  # SlotFactory stores the head's leading items
    raise ImportError("fulmen_http: RequestHead.body must be the head's last field")
_CONNECTION_FIELDS = ("_protocol", "client", "server", "scheme")
_INITIAL: dict[str, object] = {
    "body_complete": False,
    "_chunks": (),
    "_body_waiter": None,
    "_continue_sent": False,
    "_disconnected": False,
    "_response_started": False,
    "_response_done": False,
    "_keep_alive_out": True,
    "_chunked_out": False,
    "_no_body_out": False,
    "_sent_length": 0,
    "_want_length": -1,
    "_status_out": 0,
    "_asgi_status": None,
    "_body_handed": False,
}
"""Every other field's value in a new request (shared by all: immutable values only)."""
_factories: dict[type, Any] = {}


class Request:
    """An HTTP request as the direct handler sees it (see docs/packages/http.md)."""

    __slots__ = (
        "_asgi_status",
        "_body_handed",
        "_body_waiter",
        "_chunked_out",
        "_chunks",
        "_content_length",
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
    _content_length: int
    chunked: bool
    expect_continue: bool
    upgrade: bool
    client: tuple[str, int] | None
    server: tuple[str, int] | None
    scheme: str
    body_complete: bool

    _protocol: HttpProtocol
    _chunks: Sequence[bytes]  # () until a body piece arrives, then a list
    _body_waiter: asyncio.Future[None] | None
    _continue_sent: bool
    _disconnected: bool
    _response_started: bool
    _response_done: bool
    _keep_alive_out: bool
    _chunked_out: bool
    _no_body_out: bool
    _sent_length: int
    _want_length: int
    _status_out: int
    # The ASGI face's cycle state (fulmen_http/_asgi.py), kept here so that a
    # direct handler given by an app's hook may hand its requests to ASGI code.
    _asgi_status: int | None
    _body_handed: bool

    def __new__(cls, protocol: HttpProtocol, head: tuple[object, ...]) -> Request:
        request: Request = cls.factory()(
            head, protocol, protocol.client, protocol.server_address, protocol.scheme
        )
        body = head[_BODY_INDEX]
        if body is not None:
            request._take_whole_body(body)  # type: ignore[arg-type]
        return request

    @classmethod
    def factory(cls) -> Any:
        """``factory()(head, protocol, client, server, scheme)``: a request of this
        class from a parsed head (what ``cls(protocol, head)`` makes).

        PERF: the connection makes one per request; this is one native call
        (``_core.SlotFactory``) instead of an ``__init__`` storing ~30 fields,
        which cost about as much as parsing the request.
        """
        made = _factories.get(cls)
        if made is None:
            made = _factories[cls] = _core.SlotFactory(
                cls, _HEAD_FIELDS, _CONNECTION_FIELDS, _INITIAL
            )
        return made

    def _take_whole_body(self, body: bytes) -> None:
        """An ``EV_REQUEST`` head: the whole request came in one read, body included."""
        self.body_complete = True
        if body:
            self._chunks = [body]
            self._protocol.body_buffered(len(body))

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
    def content_length(self) -> int | None:
        """The Content-Length of the request, None when it has none."""
        length = self._content_length
        return None if length < 0 else length

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
            self._chunks = ()
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
        self._chunks = ()
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if data:
            self._protocol.body_consumed(len(data))
        return data, not self.body_complete

    # Called by the connection as the parser reports events.
    def _feed_body(self, data: bytes) -> None:
        if self._response_done:
            return  # the handler is done: the rest of the body is read and dropped
        chunks = self._chunks
        if chunks:
            chunks.append(data)  # type: ignore[attr-defined]
        else:
            self._chunks = [data]
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
        transport = protocol._transport  # PERF: protocol.write written out
        if transport is not None:
            transport.write(data)
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
            self._chunks = ()
        if not self.body_complete and self.expect_continue and not self._continue_sent:
            # The client is still waiting to send a body nobody asked for.
            self._keep_alive_out = False
        if self._body_waiter is not None:  # PERF: usually nobody waits
            self._wake()
        self._protocol.response_complete(self, self._keep_alive_out)
