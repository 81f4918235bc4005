"""The exceptions of fulmen_http, and the one place native codes become them."""

from __future__ import annotations

from fulmen_http import _core


class HTTPParseError(ValueError):
    """Input that is not valid HTTP/1.1. ``status`` is the response to send
    before closing the connection (400, 414, 505, ...)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


_ERRORS: dict[int, tuple[int, str]] = {
    _core.STATUS_BAD_REQUEST: (400, "Bad Request: malformed request line"),
    _core.STATUS_URI_TOO_LONG: (414, "URI Too Long: request line exceeds the limit"),
    _core.STATUS_VERSION_NOT_SUPPORTED: (505, "HTTP Version Not Supported"),
}


def error_for(code: int) -> HTTPParseError:
    """The exception for a native parse status other than complete/incomplete."""
    status, reason = _ERRORS[code]
    return HTTPParseError(status, reason)
