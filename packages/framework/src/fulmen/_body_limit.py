"""Request body size limits (``max_body_size`` on the app, routers and routes).

Observable behaviour as FastAPI's: a declared Content-Length over the limit
turns whatever response starts into a plain-text ``413 Content Too Large``; a
body that grows past the limit while being read raises an HTTPException(413),
which the app's handlers answer (JSON by default). A more specific limit (a
route's, inside the app's) replaces the outer one for that request.
"""

from __future__ import annotations

from dataclasses import dataclass

from fulmen._types import ASGIApp, Message, Receive, Scope, Send
from fulmen.exceptions import HTTPException
from fulmen.responses import PlainTextResponse

_STATE_KEY = "fulmen.body_limit"


def validate_max_body_size(max_body_size: int | None) -> None:
    if max_body_size is None:
        return
    if isinstance(max_body_size, bool) or not isinstance(max_body_size, int) or max_body_size < 0:
        raise ValueError("max_body_size must be a non-negative integer or None")


class BodyTooLarge(HTTPException):
    """The request body is over the limit (RFC 9110 §15.5.14)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="Content Too Large")


class _ResponseReplaced(Exception):
    """The 413 went out in place of the app's response; nothing more to do."""


@dataclass
class _Budget:
    limit: int
    declared: int | None
    received: int = 0
    started: bool = False


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """ASGI wrapper enforcing ``max_body_size`` bytes of request body."""

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        validate_max_body_size(max_body_size)
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        outer: _Budget | None = scope.get(_STATE_KEY)
        if outer is not None:  # already counted further out: the inner limit rules
            outer.limit = self.max_body_size
            if outer.received > outer.limit:
                raise BodyTooLarge()
            await self.app(scope, receive, send)
            return
        budget = _Budget(self.max_body_size, _declared_length(scope))
        scope[_STATE_KEY] = budget

        async def counted_receive() -> Message:
            if budget.declared is not None and budget.declared > budget.limit:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                budget.received += len(message.get("body", b""))
                if budget.received > budget.limit:
                    raise BodyTooLarge()
            return message

        async def checked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                budget.started = True
                if budget.declared is not None and budget.declared > budget.limit:
                    await _too_large(scope, receive, send)
                    raise _ResponseReplaced
            await send(message)

        try:
            await self.app(scope, counted_receive, checked_send)
        except BodyTooLarge:
            if budget.started:
                raise
            await _too_large(scope, receive, send)
        except _ResponseReplaced:
            pass
        finally:
            scope.pop(_STATE_KEY, None)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("Content Too Large", status_code=413)(scope, receive, send)


__all__ = ["BodyLimit", "BodyTooLarge", "validate_max_body_size"]
