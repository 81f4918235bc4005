"""APIRoute: one path operation, analysed once at registration.

Names and shapes follow FastAPI (``APIRoute.dependant``, ``get_request_handler``,
``router.routes``) so tools written for FastAPI find their hook points.
Dispatch: the first route whose path and method match wins; a path match with
the wrong method gives 405 with ``Allow``; nothing gives 404, after trying the
path with its trailing slash toggled (``redirect_slashes``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from enum import Enum, IntEnum
from typing import Any

from fulmen import params
from fulmen._body_limit import BodyLimit, validate_max_body_size
from fulmen._dependant import (
    flat_fields,
    get_dependant,
    get_parameterless_sub_dependant,
    should_embed_body,
)
from fulmen._errors import wrap_app_handling_exceptions
from fulmen._fast_mark import mark_fast
from fulmen._fields import ModelField, create_response_field
from fulmen._routing_table import CompiledPath, NoMatchFound, compile_path, url_path
from fulmen._streams import stream_item_type
from fulmen._types import ASGIApp, IncEx, Receive, Scope, Send
from fulmen.concurrency import run_in_threadpool
from fulmen.datastructures import Default, DefaultPlaceholder, URLPath
from fulmen.exception_handlers import is_body_allowed_for_status_code
from fulmen.exceptions import FastAPIError, HTTPException
from fulmen.requests import Request
from fulmen.responses import JSONResponse, PlainTextResponse, Response

NOT_AWAITED = (
    "Response not awaited. There's a high chance that the application code is "
    "raising an exception and a dependency with yield has a block with a bare "
    "except, or a block with except Exception, and is not raising the exception "
    "again. Read more about it in the docs: https://fastapi.tiangolo.com/tutorial/"
    "dependencies/dependencies-with-yield/#dependencies-with-yield-and-except"
)


class RequestExitStack(AsyncExitStack):
    """The per-request exit stacks: as AsyncExitStack, minus the cost of leaving
    an empty one (the usual case: no yield dependencies)."""

    async def __aexit__(self, *exc_details: Any) -> bool:
        # PERF: AsyncExitStack.__aexit__ walks exception context even with nothing
        # to close; with no callbacks it would return False anyway.
        if not self._exit_callbacks:  # type: ignore[attr-defined]
            return False
        return bool(await super().__aexit__(*exc_details))


def request_response(func: Callable[[Request], Any]) -> ASGIApp:
    """ASGI app around ``func(request) -> response`` with FastAPI's two exit
    stacks: ``function``-scoped yield dependencies close right after the
    endpoint, ``request``-scoped ones after the response is sent."""

    is_coroutine = inspect.iscoroutinefunction(func)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)

        async def inner(scope: Scope, receive: Receive, send: Send) -> None:
            awaited = False
            async with RequestExitStack() as request_stack:
                scope["fastapi_inner_astack"] = request_stack
                async with RequestExitStack() as function_stack:
                    scope["fastapi_function_astack"] = function_stack
                    if is_coroutine:
                        response = await func(request)
                    else:
                        response = await run_in_threadpool(func, request)
                await response(scope, receive, send)
                awaited = True
            if not awaited:
                raise FastAPIError(NOT_AWAITED)

        await wrap_app_handling_exceptions(inner, request)(scope, receive, send)

    return app


class Match(IntEnum):
    """How a route fits a request (Starlette's names and values)."""

    NONE = 0
    PARTIAL = 1
    FULL = 2


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root) :] if path[len(root)] == "/" else path


def _return_annotation(endpoint: Callable[..., Any]) -> Any:
    try:
        annotation = inspect.signature(endpoint, eval_str=True).return_annotation
    except NameError:
        annotation = inspect.signature(endpoint).return_annotation
    return None if annotation is inspect.Signature.empty else annotation


def _is_generator(endpoint: Callable[..., Any]) -> bool:
    call = getattr(endpoint, "__call__", None)  # noqa: B004 - callable instances
    return any(
        inspect.isgeneratorfunction(c) or inspect.isasyncgenfunction(c) for c in (endpoint, call)
    )


def _is_response_class(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Response)


def generate_unique_id(route: APIRoute) -> str:
    method = sorted(route.methods)[0].lower() if route.methods else ""
    name = "".join(ch if ch.isalnum() else "_" for ch in f"{route.name}{route.path_format}")
    return f"{name}_{method}"


class APIRoute:
    """One path operation: path, methods, endpoint and everything analysed from it."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        response_model: Any = Default(None),  # noqa: B008 - FastAPI signature
        status_code: int | None = None,
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        summary: str | None = None,
        description: str | None = None,
        response_description: str = "Successful Response",
        responses: dict[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        name: str | None = None,
        methods: set[str] | list[str] | None = None,
        operation_id: str | None = None,
        response_model_include: IncEx | None = None,
        response_model_exclude: IncEx | None = None,
        response_model_by_alias: bool = True,
        response_model_exclude_unset: bool = False,
        response_model_exclude_defaults: bool = False,
        response_model_exclude_none: bool = False,
        include_in_schema: bool = True,
        response_class: type[Response] | DefaultPlaceholder[type[Response]] = Default(JSONResponse),  # noqa: B008 - FastAPI signature
        dependency_overrides_provider: Any | None = None,
        callbacks: list[Any] | None = None,
        openapi_extra: dict[str, Any] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | DefaultPlaceholder[Any] = Default(  # noqa: B008
            generate_unique_id
        ),
        strict_content_type: bool | DefaultPlaceholder[bool] = Default(True),  # noqa: B008 - FastAPI signature
        max_body_size: int | None = None,
    ) -> None:
        self.path = path
        self.endpoint = endpoint
        is_generator = _is_generator(endpoint)
        self.is_json_stream = is_generator and isinstance(response_class, DefaultPlaceholder)
        self.stream_item_type: Any | None = None
        if isinstance(response_model, DefaultPlaceholder):
            annotation = _return_annotation(endpoint)
            item_type = stream_item_type(annotation)
            if _is_response_class(annotation):
                response_model = None
            elif item_type is not None and is_generator:
                if isinstance(response_class, DefaultPlaceholder):
                    self.stream_item_type = item_type
                response_model = None
            else:
                response_model = annotation
        self.response_model = response_model
        self.summary = summary
        self.response_description = response_description
        self.deprecated = deprecated
        self.operation_id = operation_id
        self.response_model_include = response_model_include
        self.response_model_exclude = response_model_exclude
        self.response_model_by_alias = response_model_by_alias
        self.response_model_exclude_unset = response_model_exclude_unset
        self.response_model_exclude_defaults = response_model_exclude_defaults
        self.response_model_exclude_none = response_model_exclude_none
        self.include_in_schema = include_in_schema
        self.response_class = response_class
        self.dependency_overrides_provider = dependency_overrides_provider
        self.callbacks = callbacks
        self.openapi_extra = openapi_extra
        self.generate_unique_id_function = generate_unique_id_function
        self.tags = list(tags or [])
        self.responses = dict(responses or {})
        self.name = (
            name if name is not None else getattr(endpoint, "__name__", type(endpoint).__name__)
        )
        self.methods: set[str] = {m.upper() for m in (methods or ["GET"])}
        self.compiled: CompiledPath = compile_path(path)
        self.path_regex = self.compiled.regex
        self.path_format = self.compiled.format
        self.param_convertors = self.compiled.converters
        self.status_code = status_code
        self.description = description or inspect.cleandoc(endpoint.__doc__ or "")
        self.description = self.description.split("\f")[0].strip()
        unique = self.generate_unique_id_function
        self.unique_id = self.operation_id or (
            unique.value(self) if isinstance(unique, DefaultPlaceholder) else unique(self)
        )
        if self.response_model:
            assert is_body_allowed_for_status_code(status_code), (
                f"Status code {status_code} must not have a response body"
            )
            try:
                self.response_field: ModelField | None = create_response_field(
                    "Response_" + self.unique_id, self.response_model
                )
            except Exception as exc:
                raise FastAPIError(
                    "Invalid args for response field! Hint: check that "
                    f"{self.response_model} is a valid Pydantic field type. If you are using a "
                    "return type annotation that is not a valid Pydantic field (e.g. "
                    "Union[Response, dict, None]) you can disable generating the response model "
                    "from the type annotation with the path operation decorator parameter "
                    "response_model=None."
                ) from exc
        else:
            self.response_field = None
        self.stream_item_field: ModelField | None = (
            create_response_field("StreamItem_" + self.unique_id, self.stream_item_type)
            if self.stream_item_type
            else None
        )
        self.dependencies = list(dependencies or [])
        self.dependant = get_dependant(path=self.path_format, call=self.endpoint)
        for depends in self.dependencies[::-1]:
            self.dependant.dependencies.insert(
                0, get_parameterless_sub_dependant(depends=depends, path=self.path_format)
            )
        body_params = flat_fields(self.dependant, "body_params")
        self._flat_body = body_params
        self._embed_body_fields = should_embed_body(body_params)
        self.body_field: ModelField | None = body_params[0] if body_params else None
        strict = strict_content_type
        # Kept as given (maybe a Default) so include_router can tell set from inherited.
        self.strict_content_type_setting = strict
        self.strict_content_type = (
            strict.value if isinstance(strict, DefaultPlaceholder) else strict
        )
        from fulmen import routing

        validate_max_body_size(max_body_size)
        self.max_body_size = max_body_size
        handler = self.get_route_handler()
        self.app = routing.request_response(handler)
        mark_fast(self, handler)
        if max_body_size is not None:
            self.app = BodyLimit(self.app, max_body_size)

    def get_route_handler(self) -> Callable[[Request], Any]:
        # Looked up on fulmen.routing at call time, so integrations that replace
        # routing.get_request_handler (as Sentry's does for FastAPI) take effect.
        from fulmen import routing

        return routing.get_request_handler(
            dependant=self.dependant,
            body_field=self.body_field,
            status_code=self.status_code,
            response_class=self.response_class,
            response_field=self.response_field,
            response_model_include=self.response_model_include,
            response_model_exclude=self.response_model_exclude,
            response_model_by_alias=self.response_model_by_alias,
            response_model_exclude_unset=self.response_model_exclude_unset,
            response_model_exclude_defaults=self.response_model_exclude_defaults,
            response_model_exclude_none=self.response_model_exclude_none,
            dependency_overrides_provider=self.dependency_overrides_provider,
            embed_body_fields=self._embed_body_fields,
            strict_content_type=self.strict_content_type,
            stream_item_field=self.stream_item_field,
            is_json_stream=self.is_json_stream,
        )

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        path = url_path(self.compiled, path_params) if name == self.name else None
        if path is None:
            raise NoMatchFound(name, path_params)
        return URLPath(path, protocol="http")

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Starlette's route protocol (used by instrumentation to find the route
        template): FULL, PARTIAL (path fits, method does not) or NONE, and the
        child scope to merge."""
        if scope.get("type") != "http":
            return Match.NONE, {}
        found = self.path_regex.match(_route_path(scope))
        if found is None:
            return Match.NONE, {}
        converters = self.param_convertors
        params = {k: converters[k].convert(v) for k, v in found.groupdict().items()}
        child = {
            "endpoint": self.endpoint,
            "path_params": {**scope.get("path_params", {}), **params},
            "route": self,
        }
        return (Match.FULL if scope["method"] in self.methods else Match.PARTIAL), child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            headers = {"Allow": ", ".join(sorted(self.methods))}
            if "app" in scope:
                raise HTTPException(status_code=405, headers=headers)
            await PlainTextResponse("Method Not Allowed", status_code=405, headers=headers)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)

    def __repr__(self) -> str:
        return f"APIRoute(path={self.path!r}, name={self.name!r}, methods={sorted(self.methods)!r})"


__all__ = ["APIRoute", "Match", "RequestExitStack", "generate_unique_id", "request_response"]
