"""The incremental request parser: one native call per read, all events at once."""

from __future__ import annotations

from typing import NamedTuple

from fulmen_http import _core
from fulmen_http._limits import Limits

Header = tuple[bytes, bytes]

EV_HEAD: int = _core.EV_HEAD
EV_BODY: int = _core.EV_BODY
EV_END: int = _core.EV_END
EV_UPGRADE: int = _core.EV_UPGRADE
EV_ERROR: int = _core.EV_ERROR


class RequestHead(NamedTuple):
    """A parsed request head. Every field owns its data (no view into a read buffer)."""

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


_core.set_head_type(RequestHead)


def make_native_parser(limits: Limits) -> RequestParser:
    """A parser with ``limits`` (one per connection)."""
    return RequestParser(limits=limits)


RequestParser = _core.RequestParser
"""``RequestParser(*, limits=None)``: the native incremental parser. Feed it each
read of a connection; ``feed(data)`` returns every complete event in it, as a flat
list ``[kind, payload, kind, payload, ...]``:

- ``EV_HEAD``: a :class:`RequestHead`;
- ``EV_BODY``: ``bytes`` of body (chunk framing removed);
- ``EV_END``: the message is complete; payload is the trailer list or None;
- ``EV_UPGRADE``: the request switches protocol; payload is the bytes after it;
- ``EV_ERROR``: ``(status, reason)``; the parser takes no more input.

Input split at any byte gives the same heads, body bytes, ends and errors.
``idle``: nothing of a next request buffered; ``stopped``: no more input taken.
"""
