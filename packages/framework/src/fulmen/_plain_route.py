"""Route: a plain ``endpoint(request) -> Response`` route (Starlette's), for
``app.add_route`` — what metrics exporters and health checks register."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

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


__all__ = ["Route"]
