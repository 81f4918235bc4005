"""APIRouter: collects routes (decorators, include_router) and dispatches to them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from enum import Enum
from typing import Any

from fulmen import params
from fulmen._body_limit import validate_max_body_size
from fulmen._lifespan import DefaultLifespan, Lifespan, handle_lifespan, merge_lifespans
from fulmen._plain_route import Mount, Route
from fulmen._route import APIRoute, _route_path, generate_unique_id
from fulmen._routing_table import NoMatchFound, RoutingTable
from fulmen._types import DecoratedCallable, Receive, Scope, Send
from fulmen.datastructures import URL, Default, DefaultPlaceholder, URLPath
from fulmen.exceptions import HTTPException
from fulmen.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response


def _first_set(*values: Any) -> Any:
    """The first value the user set explicitly, else the first default."""
    for value in values:
        if not isinstance(value, DefaultPlaceholder):
            return value
    return values[0]


class APIRouter:
    """A group of path operations with shared prefix, tags, dependencies and defaults."""

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] = Default(JSONResponse),  # noqa: B008 - FastAPI signature
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[Any] | None = None,
        routes: list[Any] | None = None,
        redirect_slashes: bool = True,
        default: Any = None,
        dependency_overrides_provider: Any | None = None,
        route_class: type[APIRoute] = APIRoute,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Lifespan | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Callable[[APIRoute], str] = Default(generate_unique_id),  # noqa: B008 - FastAPI signature
        strict_content_type: bool = Default(True),
        max_body_size: int | None = None,
    ) -> None:
        if prefix:
            assert prefix.startswith("/"), "A path prefix must start with '/'"
            assert not prefix.endswith("/"), (
                "A path prefix must not end with '/', as the routes will start with '/'"
            )
        self.prefix = prefix
        self.tags: list[str | Enum] = list(tags or [])
        self.dependencies = list(dependencies or [])
        self.default_response_class = default_response_class
        self.responses = dict(responses or {})
        self.callbacks = callbacks or []
        self.routes: list[Any] = list(routes or [])
        self.redirect_slashes = redirect_slashes
        self.default = default
        self.dependency_overrides_provider = dependency_overrides_provider
        self.route_class = route_class
        self.on_startup: list[Callable[[], Any]] = list(on_startup or [])
        self.on_shutdown: list[Callable[[], Any]] = list(on_shutdown or [])
        self._own_lifespan = lifespan
        self.lifespan_context: Lifespan = (
            lifespan if lifespan is not None else DefaultLifespan(self)
        )
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.generate_unique_id_function = generate_unique_id_function
        self.strict_content_type = strict_content_type
        validate_max_body_size(max_body_size)
        self.max_body_size = max_body_size
        self._table: RoutingTable[Any] = RoutingTable()
        self._table_size = -1

    # -- declaring routes ---------------------------------------------------------

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        """Register ``endpoint`` at ``self.prefix + path`` with the router's defaults applied."""
        route_class = kwargs.pop("route_class_override", None) or self.route_class
        kwargs["response_class"] = _first_set(
            kwargs.get("response_class", Default(JSONResponse)), self.default_response_class
        )
        kwargs["tags"] = [*self.tags, *(kwargs.get("tags") or [])]
        kwargs["dependencies"] = [*self.dependencies, *(kwargs.get("dependencies") or [])]
        kwargs["responses"] = {**self.responses, **(kwargs.get("responses") or {})}
        kwargs["callbacks"] = [*self.callbacks, *(kwargs.get("callbacks") or [])]
        if kwargs.get("deprecated") is None:
            kwargs["deprecated"] = self.deprecated
        kwargs["include_in_schema"] = (
            kwargs.get("include_in_schema", True) and self.include_in_schema
        )
        kwargs["generate_unique_id_function"] = _first_set(
            kwargs.get("generate_unique_id_function", Default(generate_unique_id)),
            self.generate_unique_id_function,
        )
        kwargs["strict_content_type"] = _first_set(
            kwargs.get("strict_content_type", Default(True)), self.strict_content_type
        )
        kwargs.setdefault("dependency_overrides_provider", self.dependency_overrides_provider)
        if kwargs.get("max_body_size") is None:
            kwargs["max_body_size"] = self.max_body_size
        self.routes.append(route_class(self.prefix + path, endpoint, **kwargs))

    def add_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Collection[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> None:
        """A plain route: ``endpoint(request)`` returns the Response itself."""
        self.routes.append(
            Route(
                self.prefix + path,
                endpoint,
                methods=methods,
                name=name,
                include_in_schema=include_in_schema,
            )
        )

    def route(
        self,
        path: str,
        methods: Collection[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_route(
                path, func, methods=methods, name=name, include_in_schema=include_in_schema
            )
            return func

        return decorator

    def mount(self, path: str, app: Any, name: str | None = None) -> None:
        """Serve the ASGI app ``app`` under the prefix ``path``."""
        self.routes.append(Mount(path, app, name=name))

    def api_route(
        self, path: str, **kwargs: Any
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_api_route(path, func, **kwargs)
            return func

        return decorator

    def _method(
        self, method: str, path: str, **kwargs: Any
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.api_route(path, methods=[method], **kwargs)

    def get(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("GET", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("PUT", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("DELETE", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("OPTIONS", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("HEAD", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("PATCH", path, **kwargs)

    def trace(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("TRACE", path, **kwargs)

    def include_router(
        self,
        router: APIRouter,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] = Default(JSONResponse),  # noqa: B008 - FastAPI signature
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[Any] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Callable[[APIRoute], str] = Default(generate_unique_id),  # noqa: B008 - FastAPI signature
        max_body_size: int | None = None,
    ) -> None:
        """Copy ``router``'s routes in, under ``prefix``, adding tags/dependencies/responses."""
        if prefix:
            assert prefix.startswith("/"), "A path prefix must start with '/'"
            assert not prefix.endswith("/"), (
                "A path prefix must not end with '/', as the routes will start with '/'"
            )
        for route in router.routes:
            if isinstance(route, Route):
                self.add_route(
                    prefix + route.path,
                    route.endpoint,
                    methods=route.methods,
                    name=route.name,
                    include_in_schema=route.include_in_schema,
                )
                continue
            if not isinstance(route, APIRoute):
                self.routes.append(route)
                continue
            self.add_api_route(
                prefix + route.path,
                route.endpoint,
                response_model=route.response_model,
                status_code=route.status_code,
                tags=[*(tags or []), *route.tags],
                dependencies=[*(dependencies or []), *route.dependencies],
                summary=route.summary,
                description=route.description,
                response_description=route.response_description,
                responses={**(responses or {}), **route.responses},
                deprecated=route.deprecated or deprecated or self.deprecated,
                methods=route.methods,
                operation_id=route.operation_id,
                response_model_include=route.response_model_include,
                response_model_exclude=route.response_model_exclude,
                response_model_by_alias=route.response_model_by_alias,
                response_model_exclude_unset=route.response_model_exclude_unset,
                response_model_exclude_defaults=route.response_model_exclude_defaults,
                response_model_exclude_none=route.response_model_exclude_none,
                include_in_schema=route.include_in_schema and include_in_schema,
                response_class=_first_set(
                    route.response_class, router.default_response_class, default_response_class
                ),
                name=route.name,
                route_class_override=type(route),
                callbacks=[*(callbacks or []), *(route.callbacks or [])],
                openapi_extra=route.openapi_extra,
                generate_unique_id_function=_first_set(
                    route.generate_unique_id_function,
                    router.generate_unique_id_function,
                    generate_unique_id_function,
                ),
                strict_content_type=route.strict_content_type_setting,
                # The most specific limit wins: the route's (or its router's), then
                # the one given here, then this router's.
                max_body_size=next(
                    (m for m in (route.max_body_size, max_body_size) if m is not None), None
                ),
            )
        self.on_startup.extend(router.on_startup)
        self.on_shutdown.extend(router.on_shutdown)
        if router._own_lifespan is not None:
            merged = merge_lifespans(self._own_lifespan, router._own_lifespan)
            self._own_lifespan = merged
            assert merged is not None
            self.lifespan_context = merged

    def add_event_handler(self, event_type: str, func: Callable[[], Any]) -> None:
        assert event_type in ("startup", "shutdown")
        (self.on_startup if event_type == "startup" else self.on_shutdown).append(func)

    def on_event(self, event_type: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_event_handler(event_type, func)
            return func

        return decorator

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                found: URLPath = route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
            return found
        raise NoMatchFound(name, path_params)

    # -- dispatching ----------------------------------------------------------------

    def _routing_table(self) -> RoutingTable[Any]:
        # Rebuilt when routes were added (also by code appending to .routes directly).
        if self._table_size != len(self.routes):
            table: RoutingTable[Any] = RoutingTable()
            for route in self.routes:
                if isinstance(route, APIRoute | Route):
                    table.add(route.path, frozenset(route.methods), route)
                elif isinstance(route, Mount):
                    table.add(route.path + "/{path:path}", None, route)
            self._table, self._table_size = table, len(self.routes)
        return self._table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await handle_lifespan(self.lifespan_context, scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        path = _route_path(scope)
        table = self._routing_table()
        match = table.match(path, scope["method"]) if scope["type"] == "http" else None
        if match is not None and isinstance(match.target, Mount):
            scope.update(match.target.child_scope(scope, match.params))
            await match.target.app(scope, receive, send)
            return
        if match is not None and match.full:
            route: APIRoute = match.target  # type: ignore[assignment]
            scope["path_params"] = {**scope.get("path_params", {}), **match.params}
            scope["endpoint"] = route.endpoint
            scope["route"] = route
            await route.app(scope, receive, send)
            return
        if match is not None:
            # The path exists with other methods (RFC 9110 §15.5.6: list them in Allow).
            headers = {"Allow": ", ".join(sorted(match.allowed))}
            if "app" in scope:
                raise HTTPException(status_code=405, headers=headers)
            response = PlainTextResponse("Method Not Allowed", status_code=405, headers=headers)
            await response(scope, receive, send)
            return
        if scope["type"] == "http" and self.redirect_slashes and path != "/":
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            if table.has_path(other):
                redirect_scope = {
                    **scope,
                    "path": scope["path"].rstrip("/")
                    if path.endswith("/")
                    else scope["path"] + "/",
                }
                await RedirectResponse(URL.from_scope(redirect_scope))(scope, receive, send)
                return
        await self.not_found(scope, receive, send)

    async def not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.default is not None:
            await self.default(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # No WebSocket routes in this release: refuse the handshake cleanly,
            # as Starlette does for an unknown path (RFC 6455 §7.4.1 code 1000).
            await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        if "app" in scope:
            raise HTTPException(status_code=404)
        await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)


__all__ = ["APIRouter"]
