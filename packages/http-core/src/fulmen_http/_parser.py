"""The incremental request parser: one native call per read, all events at once."""

from __future__ import annotations

import functools
from collections.abc import Callable
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
_DEFAULT_LIMITS = Limits()


@functools.lru_cache(maxsize=64)
def _native_args(limits: Limits) -> tuple[int, int, int, int, bool]:
    return (
        limits.max_request_line,
        limits.max_header_field,
        limits.max_headers,
        -1 if limits.max_body is None else limits.max_body,
        limits.require_host,
    )


def make_native_parser(limits: Limits) -> _core.Parser:
    """The native parser with ``limits`` (the server's hot path uses it directly)."""
    # PERF: a connection (or a benchmark iteration) creates one; the arguments
    # are computed once per Limits value.
    return _core.Parser(*_native_args(limits))


class RequestParser:
    """Feed it each read of a connection; it returns every complete event in it.

    ``feed`` returns a flat list ``[kind, payload, kind, payload, ...]``:

    - ``EV_HEAD``: a :class:`RequestHead` tuple;
    - ``EV_BODY``: ``bytes`` of body (chunk framing removed);
    - ``EV_END``: the message is complete; payload is the trailer list or None;
    - ``EV_UPGRADE``: the request switches protocol; payload is the bytes after it;
    - ``EV_ERROR``: ``(status, reason)``; the parser takes no more input.

    Input split at any byte gives the same heads, body bytes, ends and errors.
    """

    __slots__ = ("_native", "feed", "limits")

    feed: Callable[[bytes | bytearray | memoryview], list[object]]
    """``feed(data)``: parse one read; return its events (heads are RequestHead)."""

    def __init__(self, *, limits: Limits | None = None) -> None:
        self.limits = limits or _DEFAULT_LIMITS
        self._native = make_native_parser(self.limits)
        # PERF: the native method itself, so that feeding costs no Python frame.
        self.feed = self._native.feed

    @property
    def idle(self) -> bool:
        """True between requests (nothing of a next request buffered)."""
        return self._native.idle

    @property
    def stopped(self) -> bool:
        """True after an error, an upgrade, or a request that closes the connection."""
        return self._native.stopped
