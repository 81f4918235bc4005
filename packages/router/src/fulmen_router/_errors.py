"""The exceptions of fulmen_router (the native module raises these too)."""

from __future__ import annotations


class RouteTemplateError(ValueError):
    """A route template that cannot be registered (raised at registration)."""


class NoMatchFound(LookupError):
    """`url_path_for` found no route with that name and exactly those params."""
