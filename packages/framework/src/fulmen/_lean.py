"""Lean routes: the fast path's shortcut for endpoints that never see the request.

Most path operations take only path, query, header, cookie and body parameters:
no ``Request``, no ``Response`` to set headers on, no background tasks, no
dependencies. For those, the request handler built by ``get_request_handler``
(fulmen._handler) needs nothing of the per-request object model -- no scope
mapping, no ``Request``, no exit stacks, no ``Response`` object -- so the fast
path (fulmen._fast) runs this instead: it reads the parameters from fulmen_http's
request directly, calls the endpoint, and writes the status, headers and body the
handler's ``Response`` would have had in one ``send_response`` call.

Everything else is the handler's own code and order: the body is read and decoded
first, parameters are validated path, query, header, cookie, body (so the 422
error list is the same), the return value is validated and dumped through the
same response field. A ``LeanRoute`` is made only when every piece it skips is
provably empty (``lean_route`` says no otherwise), and the fast path uses it only
while the route's handler is still the one it was made for (an integration that
replaced ``get_request_handler`` or ``get_route_handler`` gets the full path).
When it fails, the fast path builds the scope and ``Request`` it skipped (the
body already read kept on it) and handles the exception as the full path would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from fulmen import _json
from fulmen._dependant import Dependant, should_embed_body
from fulmen._fields import ModelField, Undefined, located_errors
from fulmen._lean_params import ParamPlan, query_source
from fulmen._solve import request_body_to_args
from fulmen.concurrency import run_in_threadpool
from fulmen.datastructures import Headers
from fulmen.encoders import jsonable_encoder
from fulmen.exceptions import (
    EndpointContext,
    HTTPException,
    RequestValidationError,
    ResponseValidationError,
)
from fulmen.requests import parse_cookies
from fulmen.responses import JSONResponse, Response, _content_type

# The Response methods whose effect a lean route reproduces without an object.
_STOCK_INIT = (Response.__init__, JSONResponse.__init__)
_STOCK_RENDER = (Response.render, JSONResponse.render)
_RESPONSE_LOC = ("response",)


class BodyBox:
    """What a lean route read of the body, for the ``Request`` made on failure
    (an exception handler may still call ``request.body()``/``json()``)."""

    __slots__ = ("json", "raw")

    def __init__(self) -> None:
        self.raw: bytes | None = None
        self.json: Any = Undefined


def _render_text(charset: str) -> Callable[[Any], bytes]:
    def render(content: Any) -> bytes:  # as Response.render
        if content is None:
            return b""
        if isinstance(content, bytes | memoryview):
            return bytes(content)
        return str(content).encode(charset)

    return render


def _plan(fields: list[ModelField], *, multi: bool) -> ParamPlan | None:
    return ParamPlan(fields, multi=multi) if fields else None


class LeanRoute:
    """One route's request handling without the per-request object model."""

    __slots__ = (
        "body_field",
        "body_params",
        "call",
        "content_type",
        "context",
        "cookie",
        "dependant",
        "dump",
        "dump_json",
        "dump_kwargs",
        "embed_body_fields",
        "handler",
        "header",
        "is_coroutine",
        "is_json_content_type",
        "path",
        "query",
        "render",
        "response_field",
        "single_body",
        "solves",
        "status",
        "strict_content_type",
        "validate_response",
    )

    def __init__(
        self,
        *,
        handler: Callable[..., Any],
        dependant: Dependant,
        body_field: ModelField | None,
        embed_body_fields: bool,
        strict_content_type: bool,
        response_field: ModelField | None,
        dump_json: bool,
        dump_kwargs: dict[str, Any],
        response_class: type[Response],
        status: int,
        context: Callable[[str, str], EndpointContext],
        is_json_content_type: Callable[[str], bool],
    ) -> None:
        assert dependant.call is not None
        self.handler = handler
        self.call = dependant.call
        self.is_coroutine = dependant.is_coroutine_callable
        self.dependant = dependant
        self.path = _plan(dependant.path_params, multi=False)
        self.query = _plan(dependant.query_params, multi=True)
        self.header = _plan(dependant.header_params, multi=True)
        self.cookie = _plan(dependant.cookie_params, multi=False)
        self.body_params = dependant.body_params
        single = (
            len(self.body_params) == 1
            and not embed_body_fields
            and not should_embed_body(self.body_params)
        )
        self.single_body = self.body_params[0] if single else None
        self.solves = bool(
            dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
        )
        self.body_field = body_field
        self.embed_body_fields = embed_body_fields
        self.strict_content_type = strict_content_type
        self.response_field = response_field
        self.dump_json = dump_json
        # PERF: options equal to pydantic-core's own defaults (None include and
        # exclude, False flags) are left out of the call; by_alias always stays
        # (its default, None, means "the model's config", not True).
        self.dump_kwargs = {
            key: value
            for key, value in dump_kwargs.items()
            if key == "by_alias" or (value is not None and value is not False)
        }
        self.dump: Any = None
        self.validate_response: Any = None
        if response_field is not None:
            self.validate_response = response_field._adapter.validator.validate_python
            serializer = response_field._adapter.serializer
            self.dump = serializer.to_json if dump_json else serializer.to_python
            if not dump_json:
                self.dump_kwargs = {"mode": "json", **self.dump_kwargs}
        media_type = "application/json" if dump_json else response_class.media_type
        self.content_type: tuple[bytes, bytes] | None = (
            None
            if media_type is None
            else (b"content-type", _content_type(media_type, response_class.charset))
        )
        if dump_json:
            self.render: Callable[[Any], bytes] = bytes
        elif response_class.render is JSONResponse.render:
            self.render = _json.dumps
        else:
            self.render = _render_text(response_class.charset)
        self.status = status
        self.context = context
        self.is_json_content_type = is_json_content_type

    def _decode(self, req: Any, raw: bytes, root: str, box: BodyBox) -> Any:
        # As fulmen._handler._read_body, past reading the bytes.
        box.raw = raw
        # What reading it through the ASGI receive would have left: the body
        # handed over (a later receive() waits for the end of the cycle).
        req._body_handed = True
        try:
            if not raw:
                return Undefined
            content_type = req.header(b"content-type")
            if content_type is not None:
                content_type = content_type.decode("latin-1")
            if (not content_type and not self.strict_content_type) or (
                content_type and self.is_json_content_type(content_type)
            ):
                box.json = _json.loads(raw)
                return box.json
            return raw
        except _json.JSONDecodeError as exc:
            # Imported here: fulmen._handler imports this module (error path only).
            from fulmen._handler import json_invalid_error

            raise json_invalid_error(exc, self.context(req.method, root)) from exc
        except Exception as exc:
            raise HTTPException(400, "There was an error parsing the body") from exc

    def _solve(self, req: Any, path_params: dict[str, Any], body: Any, root: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        errors: list[Any] = []
        # The order of fulmen._solve.solve_dependencies: it fixes the error list's.
        if self.path is not None:
            self.path.solve(path_params, values, errors)
        if self.query is not None:
            self.query.solve(query_source(req.query_string, self.query), values, errors)
        if self.header is not None or self.cookie is not None:
            headers = Headers(raw=list(req.headers))
            if self.header is not None:
                self.header.solve(headers, values, errors)
            if self.cookie is not None:
                cookie = headers.get("cookie")
                self.cookie.solve(parse_cookies(cookie) if cookie else {}, values, errors)
        if self.single_body is not None:
            # As request_body_to_args for one body parameter that is not embedded.
            value, body_errors = self.single_body.validate_or_default(body, loc=("body",))
            if body_errors:
                errors.extend(body_errors)
            values[self.single_body.name] = value
        elif self.body_params:
            body_values, body_errors = request_body_to_args(
                self.body_params, body, self.embed_body_fields
            )
            values.update(body_values)
            errors.extend(body_errors)
        if errors:
            raise RequestValidationError(
                errors,
                body=None if body is Undefined else body,
                endpoint_ctx=self.context(req.method, root),
            )
        return values

    async def serve(
        self, host: Any, plan: Any, req: Any, route: Any, path_params: dict[str, Any]
    ) -> None:
        """Answer ``req``, as the fast path's ``host`` (fulmen._fast.FastPath)
        would through the route's handler: a failure, or a ``Response`` the
        endpoint returned, goes back to ``host`` with what it needs to finish.

        PERF: the whole request in this one coroutine (the fast path routes it
        outside any)."""
        box = BodyBox() if self.body_field is not None else None
        root = host.root_path
        try:
            body: Any = Undefined
            if box is not None:
                try:
                    raw_body = await req.body()
                except Exception as exc:  # as _read_body: a body that cannot be read
                    raise HTTPException(400, "There was an error parsing the body") from exc
                body = self._decode(req, raw_body, root, box)
            values = self._solve(req, path_params, body, root) if self.solves else {}
            if self.is_coroutine:
                raw = await self.call(**values)
            else:
                raw = await run_in_threadpool(self.call, **values)
            if not isinstance(raw, Response):
                if self.is_coroutine:
                    self._write(req, root, raw)
                else:
                    await self._write_sync(req, root, raw)
                return
        except Exception as exc:
            await host._lean_failed(plan, exc, req, route, path_params, box)
            return
        await host._lean_response(plan, raw, req, route, path_params, box)

    def _write(self, req: Any, root: str, raw: Any) -> None:
        # The handler's serialize_response and Response, as bytes on the wire.
        if self.response_field is None:
            content = jsonable_encoder(raw)
        else:
            # As ModelField.validate (PERF: its validator called directly).
            try:
                value = self.validate_response(raw, from_attributes=True)
                errors = None
            except ValidationError as exc:
                value, errors = None, located_errors(exc, _RESPONSE_LOC)
            if errors:
                raise ResponseValidationError(
                    errors, body=raw, endpoint_ctx=self.context(req.method, root)
                )
            content = self.dump(value, **self.dump_kwargs)
        self._send(req, content)

    async def _write_sync(self, req: Any, root: str, raw: Any) -> None:
        # As _write for a def endpoint: the response model validated in the thread pool.
        field = self.response_field
        if field is None:
            content = jsonable_encoder(raw)
        else:
            value, errors = await run_in_threadpool(field.validate, raw, None, loc=_RESPONSE_LOC)
            if errors:
                raise ResponseValidationError(
                    errors, body=raw, endpoint_ctx=self.context(req.method, root)
                )
            content = self.dump(value, **self.dump_kwargs)
        self._send(req, content)

    def _send(self, req: Any, content: Any) -> None:
        data = self.render(content)
        content_type = self.content_type
        length = (b"content-length", b"%d" % len(data))  # as str(len).encode("latin-1")
        req.send_response(
            self.status, [length] if content_type is None else [length, content_type], data
        )


def _is_stock(cls: type[Response]) -> bool:
    # The Response methods this module reproduces, unchanged by the class.
    return (
        cls.__init__ in _STOCK_INIT
        and cls.render in _STOCK_RENDER
        and cls.init_headers is Response.init_headers
        and cls.__call__ is Response.__call__
        and type(cls).__call__ is type.__call__
        and "__new__" not in vars(cls)
    )


def lean_route(
    *,
    handler: Callable[..., Any],
    dependant: Dependant,
    body_field: ModelField | None,
    embed_body_fields: bool,
    strict_content_type: bool,
    response_class: type[Response],
    is_default_class: bool,
    status_code: int | None,
    response_field: ModelField | None,
    dump_json: bool,
    dump_kwargs: dict[str, Any],
    context: Callable[[str, str], EndpointContext],
    is_json_content_type: Callable[[str], bool],
) -> LeanRoute | None:
    """The lean form of a route's handler, or None where it would differ."""
    if (
        dependant.dependencies
        or dependant.takes_connection_objects
        or dependant.is_gen_callable
        or dependant.is_async_gen_callable
    ):
        return None
    cls = response_class
    # With a response model and the default class the handler builds a plain
    # Response; otherwise the class's own methods must be the stock ones.
    if not (is_default_class and dump_json) and not _is_stock(cls):
        return None
    status = status_code or 200
    # Statuses without a body get it dropped after the headers were made: the
    # handler's own path keeps that behaviour.
    if status < 200 or status in (204, 205, 304):
        return None
    return LeanRoute(
        handler=handler,
        dependant=dependant,
        body_field=body_field,
        embed_body_fields=embed_body_fields,
        strict_content_type=strict_content_type,
        response_field=response_field,
        dump_json=dump_json,
        dump_kwargs=dump_kwargs,
        response_class=cls,
        status=status,
        context=context,
        is_json_content_type=is_json_content_type,
    )


__all__ = ["BodyBox", "LeanRoute", "lean_route"]
