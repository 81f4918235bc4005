"""The default handlers: HTTPException and RequestValidationError to JSON, as FastAPI."""

from __future__ import annotations

from fulmen.encoders import jsonable_encoder
from fulmen.exceptions import HTTPException, RequestValidationError
from fulmen.requests import Request
from fulmen.responses import JSONResponse, Response


def is_body_allowed_for_status_code(status_code: int | str | None) -> bool:
    """No body on 1xx, 204, 205 and 304 (RFC 9110 §6.4.1)."""
    if status_code is None:
        return True
    if status_code in {"default", "1XX", "2XX", "3XX", "4XX", "5XX"}:
        return True
    current = int(status_code)
    return not (current < 200 or current in {204, 205, 304})


async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    headers = getattr(exc, "headers", None)
    if not is_body_allowed_for_status_code(exc.status_code):
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


async def request_validation_exception_handler(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": jsonable_encoder(exc.errors())})


__all__ = [
    "http_exception_handler",
    "is_body_allowed_for_status_code",
    "request_validation_exception_handler",
]
