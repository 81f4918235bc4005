"""The per-route request handler: read the body, solve dependencies, call the
endpoint, serialize the result. It takes a Request and returns a Response, so
a non-ASGI driver (the fulmen_http fast path) can call it too."""

from __future__ import annotations

import email.message
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fulmen import _json
from fulmen._dependant import Dependant
from fulmen._fields import ModelField, Undefined
from fulmen._lean import lean_route
from fulmen._solve import SolvedDependency, new_sub_response, solve_dependencies
from fulmen._streams import async_lines, line_encoder, sync_lines
from fulmen._types import IncEx
from fulmen.concurrency import run_in_threadpool
from fulmen.datastructures import DefaultPlaceholder
from fulmen.encoders import jsonable_encoder
from fulmen.exception_handlers import is_body_allowed_for_status_code
from fulmen.exceptions import (
    EndpointContext,
    HTTPException,
    RequestValidationError,
    ResponseValidationError,
)
from fulmen.requests import Request
from fulmen.responses import JSONResponse, Response, StreamingResponse

_DEFAULT_RESPONSE_CLASS: DefaultPlaceholder[type[Response]] = DefaultPlaceholder(JSONResponse)


def _endpoint_context(call: Callable[..., Any]) -> EndpointContext:
    context: EndpointContext = {}
    try:
        if (source_file := inspect.getsourcefile(call)) is not None:
            context["file"] = source_file
        context["line"] = inspect.getsourcelines(call)[1]
        if (name := getattr(call, "__name__", None)) is not None:
            context["function"] = name
    except Exception:  # builtins, C callables, lost sources: no location then
        return {}
    return context


# PERF: clients send a handful of distinct content types; parse each once.
@functools.lru_cache(maxsize=256)
def _is_json_content_type(value: str) -> bool:
    message = email.message.Message()
    message["content-type"] = value
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def json_invalid_error(
    exc: _json.JSONDecodeError, context: EndpointContext
) -> RequestValidationError:
    """FastAPI's 422 for a body that is not JSON (the same on both paths)."""
    error = {
        "type": "json_invalid",
        "loc": ("body", exc.pos),
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": exc.msg},
    }
    return RequestValidationError([error], body=exc.doc, endpoint_ctx=context)


async def _read_body(request: Request, strict_content_type: bool, context: EndpointContext) -> Any:
    try:
        raw = await request.body()
        if not raw:
            return Undefined
        content_type = request.headers.get("content-type")
        if (not content_type and not strict_content_type) or (
            content_type and _is_json_content_type(content_type)
        ):
            return await request.json()
        return raw
    except _json.JSONDecodeError as exc:
        raise json_invalid_error(exc, context) from exc
    except HTTPException:
        raise
    except Exception as exc:
        raise HTTPException(400, "There was an error parsing the body") from exc


async def serialize_response(
    *,
    field: ModelField | None = None,
    response_content: Any,
    include: IncEx | None = None,
    exclude: IncEx | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    is_coroutine: bool = True,
    endpoint_ctx: EndpointContext | None = None,
    dump_json: bool = False,
) -> Any:
    """Validate against the response model and dump it, or jsonable-encode without one."""
    if field is None:
        return jsonable_encoder(response_content)
    if is_coroutine:
        value, errors = field.validate(response_content, loc=("response",))
    else:
        value, errors = await run_in_threadpool(
            field.validate, response_content, None, loc=("response",)
        )
    if errors:
        raise ResponseValidationError(errors, body=response_content, endpoint_ctx=endpoint_ctx)
    dump = field.serialize_json if dump_json else field.serialize
    return dump(
        value,
        include=include,
        exclude=exclude,
        by_alias=by_alias,
        exclude_unset=exclude_unset,
        exclude_defaults=exclude_defaults,
        exclude_none=exclude_none,
    )


def get_request_handler(
    dependant: Dependant,
    body_field: ModelField | None = None,
    status_code: int | None = None,
    response_class: type[Response] | DefaultPlaceholder[type[Response]] = _DEFAULT_RESPONSE_CLASS,
    response_field: ModelField | None = None,
    response_model_include: IncEx | None = None,
    response_model_exclude: IncEx | None = None,
    response_model_by_alias: bool = True,
    response_model_exclude_unset: bool = False,
    response_model_exclude_defaults: bool = False,
    response_model_exclude_none: bool = False,
    dependency_overrides_provider: Any | None = None,
    embed_body_fields: bool = False,
    strict_content_type: bool = True,
    stream_item_field: ModelField | None = None,
    is_json_stream: bool = False,
) -> Callable[[Request], Awaitable[Response]]:
    """Build the ``request -> response`` function of one route (FastAPI's hook point)."""
    assert dependant.call is not None, "dependant.call must be a function"
    call = dependant.call
    is_coroutine = dependant.is_coroutine_callable
    is_default_class = isinstance(response_class, DefaultPlaceholder)
    actual_class: type[Response] = (
        response_class.value if isinstance(response_class, DefaultPlaceholder) else response_class
    )
    # With a response model and the default class, pydantic writes the JSON bytes itself.
    dump_json = response_field is not None and is_default_class
    context = _endpoint_context(call)
    # The response model's dump options, as the streaming, handler and lean paths use them.
    dump_options: dict[str, Any] = {
        "include": response_model_include,
        "exclude": response_model_exclude,
        "by_alias": response_model_by_alias,
        "exclude_unset": response_model_exclude_unset,
        "exclude_defaults": response_model_exclude_defaults,
        "exclude_none": response_model_exclude_none,
    }
    encode_line = line_encoder(stream_item_field, dump_options, context)

    # PERF: the error context depends only on the method and root path: built once each.
    contexts: dict[tuple[str, str], EndpointContext] = {}

    def context_for(method: str, root: str) -> EndpointContext:
        endpoint_ctx = contexts.get((method, root))
        if endpoint_ctx is None:
            endpoint_ctx = {**context}
            if dependant.path:
                endpoint_ctx["path"] = f"{method} {root.rstrip('/')}{dependant.path}"
            if len(contexts) < 64:
                contexts[(method, root)] = endpoint_ctx
        return endpoint_ctx

    def endpoint_context(request: Request) -> EndpointContext:
        return context_for(request.method, request.scope.get("root_path", ""))

    # PERF: an endpoint without parameters or dependencies has nothing to solve:
    # its (empty) solution is made directly. The dependant is final by now (the
    # route added its dependencies before building this handler).
    nothing_to_solve = not (
        dependant.dependencies
        or dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.takes_connection_objects
    )

    async def handler(request: Request) -> Response:
        endpoint_ctx = endpoint_context(request)
        body: Any = Undefined
        if body_field is not None:
            body = await _read_body(request, strict_content_type, endpoint_ctx)
        if nothing_to_solve:
            solved = SolvedDependency({}, [], None, new_sub_response(), {})
        else:
            solved = await solve_dependencies(
                request=request,
                dependant=dependant,
                body=body,
                dependency_overrides_provider=dependency_overrides_provider,
                async_exit_stack=request.scope["fastapi_inner_astack"],
                embed_body_fields=embed_body_fields,
            )
        if solved.errors:
            raise RequestValidationError(
                solved.errors, body=None if body is Undefined else body, endpoint_ctx=endpoint_ctx
            )
        if dependant.is_gen_callable or dependant.is_async_gen_callable:
            content = call(**solved.values)
            args = _response_args(status_code, solved.response)
            if is_json_stream:
                lines = (
                    async_lines(content, encode_line)
                    if dependant.is_async_gen_callable
                    else sync_lines(content, encode_line)
                )
                response: Response = StreamingResponse(
                    lines,
                    media_type="application/jsonl",
                    background=solved.background_tasks,
                    **args,
                )
            else:
                response = actual_class(content=content, background=solved.background_tasks, **args)
            response.raw_headers.extend(solved.response.raw_headers)
            return response
        if is_coroutine:
            raw = await call(**solved.values)
        else:
            raw = await run_in_threadpool(call, **solved.values)
        if isinstance(raw, Response):
            if raw.background is None:
                raw.background = solved.background_tasks
            return raw
        args = _response_args(status_code, solved.response)
        args["background"] = solved.background_tasks
        content = await serialize_response(
            field=response_field,
            response_content=raw,
            **dump_options,
            is_coroutine=is_coroutine,
            endpoint_ctx=endpoint_ctx,
            dump_json=dump_json,
        )
        if dump_json:
            response = Response(content=content, media_type="application/json", **args)
        else:
            response = actual_class(content, **args)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        response.raw_headers.extend(solved.response.raw_headers)
        return response

    # The fast path's shortcut for this handler, where one applies (fulmen._lean).
    handler._fulmen_lean = lean_route(  # type: ignore[attr-defined]
        handler=handler,
        dependant=dependant,
        body_field=body_field,
        embed_body_fields=embed_body_fields,
        strict_content_type=strict_content_type,
        response_class=actual_class,
        is_default_class=is_default_class,
        status_code=status_code,
        response_field=response_field,
        dump_json=dump_json,
        dump_kwargs=dump_options,
        context=context_for,
        is_json_content_type=_is_json_content_type,
    )
    return handler


def _response_args(status_code: int | None, sub_response: Response) -> dict[str, Any]:
    """The status: one set on the injected Response wins, then the route's, then the class's."""
    args: dict[str, Any] = {}
    if sub_response.status_code:
        args["status_code"] = sub_response.status_code
    elif status_code:
        args["status_code"] = status_code
    return args


__all__ = ["get_request_handler", "serialize_response"]
