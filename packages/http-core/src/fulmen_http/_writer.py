"""The response writer: status line, headers and body in one buffer."""

from __future__ import annotations

from collections.abc import Sequence

from fulmen_http import _core

Header = tuple[bytes, bytes]


def encode_response(
    status: int,
    headers: Sequence[Header],
    body: bytes | None,
    /,
    *,
    http_version: str = "1.1",
    keep_alive: bool = True,
    head_request: bool = False,
    content_length: int = -1,
) -> tuple[bytes, bool, bool]:
    """Encode a response; returns ``(data, keep_alive, chunked)``.

    With ``body`` bytes, ``data`` is the whole response (``content-length`` added
    unless given). With ``body=None`` it is the head of a streamed response:
    raw when ``content_length`` (or a content-length header) is known, else
    ``transfer-encoding: chunked`` for HTTP/1.1 (HTTP/1.0: close-delimited).
    ``date`` (cached per second) is added unless given; ``connection: close``
    when the connection must close (the request asked for it, HTTP/1.0 without
    keep-alive, a ``connection: close`` header, or a body of unknown length on
    HTTP/1.0). Raises ValueError for a header that would split the response.
    """
    minor = 0 if http_version == "1.0" else 1
    data, keep, chunked, _ = _core.encode_response(
        status, headers, body, minor, keep_alive, head_request, content_length
    )
    return data, keep, chunked


def encode_chunk(data: bytes | bytearray | memoryview, /, *, last: bool = False) -> bytes:
    """One chunk of a chunked body (RFC 9112 §7.1); ``last`` appends the final ``0`` chunk."""
    return _core.encode_chunk(data, last)
