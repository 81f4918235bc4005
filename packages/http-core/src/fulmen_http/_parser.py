"""The incremental request parser: one native call per read, all events at once.

``RequestParser(*, limits=None)``: the native incremental parser. Feed it
each read of a connection; ``feed(data)`` returns every complete event in it, as a
flat list ``[kind, payload, kind, payload, ...]``:

- ``EV_REQUEST``: a whole request: a :class:`RequestHead` whose message ended in
  this same read, its body (``b""`` when none) in ``head.body``; nothing follows it;
- ``EV_HEAD``: a :class:`RequestHead` (``body`` None) whose body is still to come;
- ``EV_BODY``: ``bytes`` of body (chunk framing removed);
- ``EV_END``: the message is complete; payload is the trailer list or None;
- ``EV_UPGRADE``: the request switches protocol; payload is the bytes after it;
- ``EV_ERROR``: ``(status, reason)``; the parser takes no more input.

A request with chunked trailers always streams (EV_HEAD ... EV_END trailers).
Input split at any byte gives the same heads, body bytes, ends and errors (a split
turns an EV_REQUEST into EV_HEAD, EV_BODY..., EV_END).
``idle``: nothing of a next request buffered; ``stopped``: no more input taken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fulmen_http import _core
from fulmen_http._limits import Limits

Header = tuple[bytes, bytes]

EV_HEAD: int = _core.EV_HEAD
EV_BODY: int = _core.EV_BODY
EV_END: int = _core.EV_END
EV_UPGRADE: int = _core.EV_UPGRADE
EV_ERROR: int = _core.EV_ERROR
EV_REQUEST: int = _core.EV_REQUEST

if TYPE_CHECKING:
    # The native types, as the type checker should see them.

    class RequestHead(tuple[object, ...]):
        """A parsed request head (a tuple with named fields). Every field owns its
        data (no view into a read buffer)."""

        _fields: tuple[str, ...]
        method: str
        target: bytes
        """The request-target as received."""
        path: str
        """The percent-decoded path (UTF-8, undecodable bytes replaced)."""
        raw_path: bytes
        """The path as received, still percent-encoded, without the query."""
        query_string: bytes
        http_version: str
        headers: list[Header]
        """(name, value) pairs in order; names lowercased, values without surrounding spaces."""
        keep_alive: bool
        content_length: int
        """-1 when the request has no Content-Length."""
        chunked: bool
        expect_continue: bool
        upgrade: bool
        """Upgrade (with ``Connection: upgrade``) or CONNECT: the connection leaves HTTP/1.1."""
        body: bytes | None
        """The whole body for ``EV_REQUEST``; None for ``EV_HEAD`` (the body follows)."""

    class RequestParser:
        def __init__(self, *, limits: Limits | None = None) -> None: ...
        def feed(self, data: bytes | bytearray | memoryview, /) -> list[object]: ...
        @property
        def idle(self) -> bool: ...
        @property
        def stopped(self) -> bool: ...

else:
    RequestHead = _core.RequestHead
    RequestParser = _core.RequestParser


def make_native_parser(limits: Limits) -> RequestParser:
    """A parser with ``limits`` (one per connection)."""
    return RequestParser(limits=limits)
