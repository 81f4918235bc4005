"""The errors a FastAPI app raises and handles, under FastAPI's names."""

from __future__ import annotations

import http
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict


class EndpointContext(TypedDict, total=False):
    function: str
    path: str
    file: str
    line: int


class HTTPException(Exception):
    """Raise to answer with ``status_code``, ``{"detail": detail}`` and ``headers``."""

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            detail = http.HTTPStatus(status_code).phrase
        self.status_code = status_code
        self.detail = detail
        self.headers = headers

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, detail={self.detail!r})"


class FastAPIError(RuntimeError):
    """A usage error in the application code (FastAPI's name, kept for drop-in)."""


FulmenError = FastAPIError


class DependencyScopeError(FastAPIError):
    """A dependency's scope does not fit where it is used."""


class ValidationException(Exception):
    """Validation errors plus where the endpoint lives (for the log line)."""

    def __init__(
        self, errors: Sequence[Any], *, endpoint_ctx: EndpointContext | None = None
    ) -> None:
        self._errors = errors
        self.endpoint_ctx = endpoint_ctx
        context = endpoint_ctx or {}
        self.endpoint_function = context.get("function")
        self.endpoint_path = context.get("path")
        self.endpoint_file = context.get("file")
        self.endpoint_line = context.get("line")

    def errors(self) -> Sequence[Any]:
        return self._errors

    def _where(self) -> str:
        # Same layout as FastAPI's message, so log parsers keep working.
        if self.endpoint_file and self.endpoint_line and self.endpoint_function:
            where = (
                f'\n  File "{self.endpoint_file}", line {self.endpoint_line}, '
                f"in {self.endpoint_function}"
            )
            return where + (f"\n    {self.endpoint_path}" if self.endpoint_path else "")
        return f"\n  Endpoint: {self.endpoint_path}" if self.endpoint_path else ""

    def __str__(self) -> str:
        count = len(self._errors)
        lines = [f"{count} validation error{'s' if count != 1 else ''}:"]
        lines.extend(f"  {error}" for error in self._errors)
        return ("\n".join(lines) + "\n" + self._where()).rstrip()


class RequestValidationError(ValidationException):
    """The request did not match the endpoint's parameters (answered with 422)."""

    def __init__(
        self,
        errors: Sequence[Any],
        *,
        body: Any = None,
        endpoint_ctx: EndpointContext | None = None,
    ) -> None:
        super().__init__(errors, endpoint_ctx=endpoint_ctx)
        self.body = body


class ResponseValidationError(ValidationException):
    """The endpoint's return value did not match its response model (a server error)."""

    def __init__(
        self,
        errors: Sequence[Any],
        *,
        body: Any = None,
        endpoint_ctx: EndpointContext | None = None,
    ) -> None:
        super().__init__(errors, endpoint_ctx=endpoint_ctx)
        self.body = body


class WebSocketRequestValidationError(ValidationException):
    """Kept for import compatibility; WebSockets arrive in a later release."""


__all__ = [
    "DependencyScopeError",
    "EndpointContext",
    "FastAPIError",
    "FulmenError",
    "HTTPException",
    "RequestValidationError",
    "ResponseValidationError",
    "ValidationException",
    "WebSocketRequestValidationError",
]
