"""fulmen_http: a native HTTP/1.1 parser and response writer, and an ASGI server."""

from fulmen_http._asgi import ASGIApp, Lifespan, LifespanStartupError
from fulmen_http._core import http_date
from fulmen_http._direct import Handler, Response
from fulmen_http._errors import HTTPParseError
from fulmen_http._limits import (
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_HEADER_FIELD,
    DEFAULT_MAX_HEADERS,
    DEFAULT_MAX_REQUEST_LINE,
    Limits,
)
from fulmen_http._parser import (
    EV_BODY,
    EV_END,
    EV_ERROR,
    EV_HEAD,
    EV_REQUEST,
    EV_UPGRADE,
    RequestHead,
    RequestParser,
)
from fulmen_http._request import ClientDisconnected, Request
from fulmen_http._request_line import RequestLine, parse_request_line
from fulmen_http._server import Config, Server
from fulmen_http._writer import encode_chunk, encode_response

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_MAX_HEADERS",
    "DEFAULT_MAX_HEADER_FIELD",
    "DEFAULT_MAX_REQUEST_LINE",
    "EV_BODY",
    "EV_END",
    "EV_ERROR",
    "EV_HEAD",
    "EV_REQUEST",
    "EV_UPGRADE",
    "ASGIApp",
    "ClientDisconnected",
    "Config",
    "HTTPParseError",
    "Handler",
    "Lifespan",
    "LifespanStartupError",
    "Limits",
    "Request",
    "RequestHead",
    "RequestLine",
    "RequestParser",
    "Response",
    "Server",
    "__version__",
    "encode_chunk",
    "encode_response",
    "http_date",
    "parse_request_line",
]
