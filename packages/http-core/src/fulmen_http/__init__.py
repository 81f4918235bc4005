"""fulmen_http: a native HTTP/1.1 parser and response writer, and an ASGI server.

This release parses the request line; headers, bodies and the server follow.
"""

from fulmen_http._errors import HTTPParseError
from fulmen_http._request_line import DEFAULT_MAX_REQUEST_LINE, RequestLine, parse_request_line

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_REQUEST_LINE",
    "HTTPParseError",
    "RequestLine",
    "__version__",
    "parse_request_line",
]
