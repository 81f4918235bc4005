"""The application: a router plus exception handling, state and lifespan, as one ASGI 3 callable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fulmen import params
from fulmen._body_limit import BodyLimit, validate_max_body_size
from fulmen._errors import ExceptionHandler, ExceptionMiddleware, ServerErrorMiddleware
from fulmen._lifespan import Lifespan
from fulmen._route import APIRoute, generate_unique_id
from fulmen._router import APIRouter
from fulmen._types import ASGIApp, DecoratedCallable, Receive, Scope, Send
from fulmen.datastructures import Default, State, URLPath
from fulmen.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fulmen.exceptions import HTTPException, RequestValidationError
from fulmen.responses import JSONResponse, Response


class Fulmen:
    """A FastAPI-compatible application (also importable as ``FastAPI``)."""

    def __init__(
        self,
        *,
        debug: bool = False,
        routes: list[Any] | None = None,
        title: str = "FastAPI",
        summary: str | None = None,
        description: str = "",
        version: str = "0.1.0",
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] = Default(JSONResponse),  # noqa: B008 - FastAPI signature
        redirect_slashes: bool = True,
        middleware: Sequence[Any] | None = None,
        exception_handlers: dict[Any, ExceptionHandler] | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Lifespan | None = None,
        root_path: str = "",
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[Any] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Callable[[APIRoute], str] = Default(generate_unique_id),  # noqa: B008 - FastAPI signature
        strict_content_type: bool = Default(True),
        max_body_size: int | None = None,
        **extra: Any,
    ) -> None:
        self.debug = debug
        self.title = title
        self.summary = summary
        self.description = description
        self.version = version
        self.root_path = root_path
        self.extra = extra
        self.state = State()
        validate_max_body_size(max_body_size)
        self.max_body_size = max_body_size
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
        self.router = APIRouter(
            routes=routes,
            redirect_slashes=redirect_slashes,
            dependency_overrides_provider=self,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
            lifespan=lifespan,
            default_response_class=default_response_class,
            dependencies=dependencies,
            callbacks=callbacks,
            deprecated=deprecated,
            include_in_schema=include_in_schema,
            responses=responses,
            generate_unique_id_function=generate_unique_id_function,
            strict_content_type=strict_content_type,
        )
        self.exception_handlers: dict[Any, ExceptionHandler] = {
            HTTPException: http_exception_handler,  # type: ignore[dict-item]
            RequestValidationError: request_validation_exception_handler,  # type: ignore[dict-item]
            **(exception_handlers or {}),
        }
        self.user_middleware: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = [
            (m.cls, tuple(getattr(m, "args", ())), dict(getattr(m, "kwargs", {})))
            for m in (middleware or [])
        ]
        self.middleware_stack: ASGIApp | None = None

    @property
    def routes(self) -> list[Any]:
        return self.router.routes

    def build_middleware_stack(self) -> ASGIApp:
        """500 guard -> user middleware -> exception handlers -> router (Starlette's order)."""
        error_handler = self.exception_handlers.get(500) or self.exception_handlers.get(Exception)
        other = {k: v for k, v in self.exception_handlers.items() if k not in (500, Exception)}
        app: ASGIApp = ExceptionMiddleware(self.router, other)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        if self.max_body_size is not None:
            app = BodyLimit(app, self.max_body_size)
        return ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if self.root_path:
            scope["root_path"] = self.root_path
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()
        await self.middleware_stack(scope, receive, send)

    def __fulmen_http__(
        self, *, state: dict[str, Any], root_path: str = ""
    ) -> Callable[[Any], Any] | None:
        """fulmen_http's hook: the direct handler that serves this app without
        ASGI (fulmen._fast). None for a subclass with its own ``__call__``."""
        if type(self).__call__ is not Fulmen.__call__:
            return None
        from fulmen._fast import direct_handler

        return direct_handler(self, state, root_path)

    # -- FastAPI's application API --------------------------------------------------

    def add_middleware(self, middleware_class: Any, *args: Any, **kwargs: Any) -> None:
        if self.middleware_stack is not None:
            raise RuntimeError("Cannot add middleware after an application has started")
        self.user_middleware.insert(0, (middleware_class, args, kwargs))

    def add_exception_handler(
        self, exc_class_or_status_code: Any, handler: ExceptionHandler
    ) -> None:
        self.exception_handlers[exc_class_or_status_code] = handler
        self.middleware_stack = None

    def exception_handler(
        self, exc_class_or_status_code: Any
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_exception_handler(exc_class_or_status_code, func)
            return func

        return decorator

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.router.add_api_route(path, endpoint, **kwargs)

    def mount(self, path: str, app: Any, name: str | None = None) -> None:
        self.router.mount(path, app, name=name)

    def add_route(
        self,
        path: str,
        route: Callable[..., Any],
        methods: list[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> None:
        self.router.add_route(
            path, route, methods=methods, name=name, include_in_schema=include_in_schema
        )

    def route(
        self,
        path: str,
        methods: list[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.route(
            path, methods=methods, name=name, include_in_schema=include_in_schema
        )

    def api_route(
        self, path: str, **kwargs: Any
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.api_route(path, **kwargs)

    def include_router(self, router: APIRouter, **kwargs: Any) -> None:
        self.router.include_router(router, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.get(path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.put(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.post(path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.delete(path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.options(path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.head(path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.patch(path, **kwargs)

    def trace(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.trace(path, **kwargs)

    def on_event(self, event_type: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.on_event(event_type)

    def add_event_handler(self, event_type: str, func: Callable[[], Any]) -> None:
        self.router.add_event_handler(event_type, func)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        return self.router.url_path_for(name, **path_params)

    # -- serving ----------------------------------------------------------------------

    def run(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        workers: int = 1,
        reload: bool = False,
        **options: Any,
    ) -> None:
        """Serve this app like ``fulmen run`` (blocks until SIGINT/SIGTERM).

        ``options`` are the command line's, in snake_case (``log_level="debug"``,
        ``proxy_headers=False``...). With ``workers > 1`` or ``reload`` this
        process becomes the supervisor; reload re-imports the module that
        defines the app, so call ``run()`` under ``if __name__ == "__main__":``.
        Raises ``SystemExit`` with the exit code when serving fails.
        """
        from fulmen._run import run_app

        code = run_app(self, host=host, port=port, workers=workers, reload=reload, **options)
        if code:
            raise SystemExit(code)


FastAPI = Fulmen

__all__ = ["FastAPI", "Fulmen"]
