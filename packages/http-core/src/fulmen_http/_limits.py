"""The configurable limits of the parser, with their defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_REQUEST_LINE = 8192
"""Bytes allowed for the whole request line, CRLF excluded (nginx's and gunicorn's 8 KiB)."""
DEFAULT_MAX_HEADER_FIELD = 8192
"""Bytes allowed for one header line ``name: value`` (8 KiB, like nginx and gunicorn)."""
DEFAULT_MAX_HEADERS = 100
"""Header fields allowed in one request (gunicorn's default); trailers count separately."""
DEFAULT_MAX_BODY = 100 * 1024 * 1024
"""Request-body bytes allowed (100 MiB); ``None`` switches the limit off."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Parser limits. Exceeding one is answered with the status in brackets.

    - ``max_request_line`` [414]: the request line.
    - ``max_header_field`` [431]: one header (or trailer) line.
    - ``max_headers`` [431]: the number of header (or trailer) lines.
    - ``max_body`` [413]: the body; a larger Content-Length is refused before any
      body byte is read, a chunked body when it grows past it. ``None``: no limit.
    - ``require_host``: RFC 9112 §3.2 — an HTTP/1.1 request needs exactly one
      ``Host`` (400 otherwise). Only for testing against corpora that omit it.
    """

    max_request_line: int = DEFAULT_MAX_REQUEST_LINE
    max_header_field: int = DEFAULT_MAX_HEADER_FIELD
    max_headers: int = DEFAULT_MAX_HEADERS
    max_body: int | None = DEFAULT_MAX_BODY
    require_host: bool = True

    def __post_init__(self) -> None:
        for name in ("max_request_line", "max_header_field", "max_headers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.max_body is not None and self.max_body < 0:
            raise ValueError("max_body must be >= 0 or None")
