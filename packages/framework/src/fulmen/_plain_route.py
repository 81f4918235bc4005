"""Route: a plain ``endpoint(request) -> Response`` route (Starlette's), for
``app.add_route`` — what metrics exporters and health checks register."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from fulmen._fast_mark import mark_fast
from fulmen._route import Match, _route_path, request_response
from fulmen._routing_table import NoMatchFound, compile_path, url_path
from fulmen._types import Scope
from fulmen.datastructures import URLPath


class Route:
    """``endpoint`` gets the Request and returns a Response; no parameter parsing."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Collection[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> None:
        assert path.startswith("/"), "Routed paths must start with '/'"
        self.path = path
        self.endpoint = endpoint
        self.name = name if name is not None else getattr(endpoint, "__name__", "endpoint")
        self.include_in_schema = include_in_schema
        self.methods: set[str] = {m.upper() for m in (methods or ["GET"])}
        if "GET" in self.methods:  # as Starlette's Route: HEAD comes with GET
            self.methods.add("HEAD")
        self.compiled = compile_path(path)
        self.path_regex = self.compiled.regex
        self.path_format = self.compiled.format
        self.param_convertors = self.compiled.converters
        self.app = request_response(endpoint)
        mark_fast(self, endpoint)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
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
        }
        return (Match.FULL if scope["method"] in self.methods else Match.PARTIAL), child

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        path = url_path(self.compiled, path_params) if name == self.name else None
        if path is None:
            raise NoMatchFound(name, path_params)
        return URLPath(path, protocol="http")

    def __repr__(self) -> str:
        return f"Route(path={self.path!r}, name={self.name!r}, methods={sorted(self.methods)!r})"


__all__ = ["Route"]  # and Mount, below


class Mount:
    """A sub-application under a path prefix (``app.mount("/v1", subapi)``).

    As Starlette's: any method; the sub-app sees the same ``path`` with
    ``root_path`` extended by the prefix, and routes on what follows it.
    """

    def __init__(self, path: str, app: Any, name: str | None = None) -> None:
        assert path == "" or path.startswith("/"), "Routed paths must start with '/'"
        self.path = path.rstrip("/")
        self.app = app
        self.name = name
        self.compiled = compile_path(self.path + "/{path:path}")
        self.path_regex = self.compiled.regex
        self.path_format = self.compiled.format
        self.param_convertors = self.compiled.converters
        self.methods: set[str] | None = None

    @property
    def routes(self) -> list[Any]:
        return list(getattr(self.app, "routes", []))

    def child_scope(self, scope: Scope, params: dict[str, Any]) -> Scope:
        root_path = scope.get("root_path", "")
        route_path = _route_path(scope)
        params = dict(params)
        remaining = "/" + params.pop("path")
        matched = route_path[: -len(remaining)]
        return {
            "path_params": {**scope.get("path_params", {}), **params},
            "app_root_path": scope.get("app_root_path", root_path),
            "root_path": root_path + matched,
            "endpoint": self.app,
        }

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("type") not in ("http", "websocket"):
            return Match.NONE, {}
        found = self.path_regex.match(_route_path(scope))
        if found is None:
            return Match.NONE, {}
        converters = self.param_convertors
        params = {k: converters[k].convert(v) for k, v in found.groupdict().items()}
        return Match.FULL, self.child_scope(scope, params)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        if self.name is not None and name == self.name and "path" in path_params:
            path_params["path"] = str(path_params["path"]).lstrip("/")
            path = url_path(self.compiled, path_params)
            if path is not None:
                return URLPath(path)
        elif self.name is None or name.startswith(self.name + ":"):
            inner = name if self.name is None else name[len(self.name) + 1 :]
            if hasattr(self.app, "url_path_for"):
                try:
                    found: URLPath = self.app.url_path_for(inner, **path_params)
                except NoMatchFound:
                    pass
                else:
                    return URLPath(self.path + str(found), found.protocol)
        raise NoMatchFound(name, path_params)

    def __repr__(self) -> str:
        return f"Mount(path={self.path!r}, name={self.name!r}, app={self.app!r})"


__all__ += ["Mount"]
