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
    def __init__(
        self, errors: Sequence[Any], *, endpoint_ctx: EndpointContext | None = None
    ) -> None:
        self._errors = errors
        self.endpoint_ctx = endpoint_ctx or {}

    def errors(self) -> Sequence[Any]:
        return self._errors

    def __str__(self) -> str:
        lines = [f"{len(self._errors)} validation error{'s' if len(self._errors) != 1 else ''}:"]
        if path := self.endpoint_ctx.get("path"):
            lines[0] += f" in {path}"
        lines.extend(f"  {error}" for error in self._errors)
        return "\n".join(lines)


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
