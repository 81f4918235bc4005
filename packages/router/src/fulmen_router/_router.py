"""The public `Router`: registration in Python, matching in C++."""

from __future__ import annotations

from typing import Generic, TypeVar

from fulmen_router._core import StaticTable

H = TypeVar("H")


class RouteTemplateError(ValueError):
    """A route template that the router cannot register."""


class Router(Generic[H]):
    """Maps request paths to the handles registered for them.

    Paths are compared exactly and case-sensitively, as Starlette compares them;
    the first route registered for a path wins, as in FastAPI.
    """

    __slots__ = ("_handles", "_table")

    def __init__(self) -> None:
        self._table = StaticTable()
        self._handles: list[H] = []

    def add(self, path: str, handle: H, /) -> None:
        """Register ``handle`` for ``path``. A later duplicate is shadowed."""
        if not path.startswith("/"):
            raise RouteTemplateError(f"route path must start with '/': {path!r}")
        if "{" in path or "}" in path:
            raise RouteTemplateError(
                f"path parameters are not supported by this release yet: {path!r}"
            )
        if self._table.add(path, len(self._handles)):
            self._handles.append(handle)

    def match(self, path: str, /) -> H | None:
        """The handle registered for ``path`` (already percent-decoded), or None."""
        route_id = self._table.match(path)
        return None if route_id is None else self._handles[route_id]

    def __len__(self) -> int:
        return len(self._handles)
