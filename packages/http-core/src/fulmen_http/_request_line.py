"""Request-line parsing: the first piece of the HTTP/1.1 parser."""

from __future__ import annotations

from typing import NamedTuple

from fulmen_http import _core
from fulmen_http._errors import error_for

DEFAULT_MAX_REQUEST_LINE = 8192
"""Bytes allowed for the whole request line, CRLF included (nginx's and gunicorn's 8 KiB)."""


class RequestLine(NamedTuple):
    method: str
    target: bytes
    http_version: str
    consumed: int
    """Bytes of the input that the line took, CRLF included."""


def parse_request_line(
    data: bytes | bytearray | memoryview,
    /,
    *,
    max_request_line: int = DEFAULT_MAX_REQUEST_LINE,
) -> RequestLine | None:
    """Parse ``method SP request-target SP HTTP-version CRLF`` (RFC 9112 §3).

    Returns None when ``data`` does not hold a whole line yet; raises
    :class:`HTTPParseError` (with the status to answer) when it never will.
    """
    code, method, target, minor, consumed = _core.parse_request_line(data, max_request_line)
    if code == _core.STATUS_COMPLETE:
        assert method is not None
        assert target is not None
        return RequestLine(method, target, f"1.{minor}", consumed)
    if code == _core.STATUS_INCOMPLETE:
        return None
    raise error_for(code)
