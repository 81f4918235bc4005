"""The public `Router`: registration and reverse routing in Python, matching in C++."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final, Generic, TypeAlias, TypeVar

from fulmen_router._core import RouteTable
from fulmen_router._errors import RouteTemplateError
from fulmen_router._reverse import build_path

H = TypeVar("H")

FOUND: Final = 0
NOT_FOUND: Final = 1
METHOD_NOT_ALLOWED: Final = 2

#: ``(FOUND, handle, params)``, ``(NOT_FOUND, None, None)`` or
#: ``(METHOD_NOT_ALLOWED, allowed_methods, None)``.
RouteMatch: TypeAlias = tuple[int, Any, dict[str, Any] | None]

DEFAULT_MAX_BACKTRACK_STEPS: Final = 100_000


class _RouteInfo:
    __slots__ = ("atoms", "is_mount", "name", "param_names")

    def __init__(self, name: str | None, atoms: list[tuple[bool, str, str]], *, is_mount: bool):
        self.name = name
        self.atoms = atoms
        self.is_mount = is_mount
        self.param_names = frozenset(text for is_param, text, _conv in atoms if is_param)


class Router(Generic[H]):
    """Routes decoded request paths to the handles registered for them.

    The answer is always the one trying every route in registration order would
    give (FastAPI's "first registered route that matches wins"), found with a
    native segment trie. See docs/packages/router.md for the full semantics.
    """

    __slots__ = ("_infos", "_table", "match", "path_matches")

    #: ``match(method, path, /)``: look up a **decoded** path (Starlette matches
    #: ``scope["path"]``, already percent-decoded). Returns
    #: ``(FOUND, handle, params)``, ``(NOT_FOUND, None, None)`` or
    #: ``(METHOD_NOT_ALLOWED, allowed_methods, None)``; ``params`` is a new dict
    #: of converted values (int, float, uuid.UUID, str).
    match: Callable[[str, str], RouteMatch]
    #: ``path_matches(path, /)``: whether any route matches, whatever its methods.
    path_matches: Callable[[str], bool]

    def __init__(self, *, max_backtrack_steps: int = DEFAULT_MAX_BACKTRACK_STEPS) -> None:
        if max_backtrack_steps < 1:
            raise ValueError("max_backtrack_steps must be at least 1")
        self._table = RouteTable(max_backtrack_steps=max_backtrack_steps)
        self._infos: list[_RouteInfo] = []
        # PERF: the bound native methods themselves, so a lookup is one C call.
        self.match = self._table.match
        self.path_matches = self._table.path_matches

    def add(
        self,
        path: str,
        handle: H,
        /,
        *,
        methods: Iterable[str] | None = None,
        name: str | None = None,
    ) -> int:
        """Register ``handle`` for the template ``path``; returns the route id.

        ``methods`` (upper-cased, duplicates dropped, order kept) restricts the
        route; ``None`` or empty accepts every method (as a Starlette route with
        ``methods=None``). HEAD is not added for GET: callers decide.
        """
        if isinstance(methods, str):
            raise TypeError("methods must be an iterable of method names, not a str")
        method_list = [m.upper() for m in methods] if methods is not None else []
        route_id = self._table.add(path, handle, method_list)
        self._infos.append(_RouteInfo(name, self._table.atoms(route_id), is_mount=False))
        return route_id

    def mount(self, path: str, handle: H, /, *, name: str | None = None) -> int:
        """Register a prefix route, as Starlette's ``Mount``: any method, and the
        template ``path.rstrip("/") + "/{path:path}"``. On a match, ``params["path"]``
        holds the remainder without its leading ``/`` (the sub-application's path
        is ``"/" + params.pop("path")``)."""
        prefix = path.rstrip("/")
        if prefix and not prefix.startswith("/"):
            raise RouteTemplateError(f"mount path must be empty or start with '/': {path!r}")
        route_id = self._table.add(prefix + "/{path:path}", handle, [])
        self._infos.append(_RouteInfo(name, self._table.atoms(route_id), is_mount=True))
        return route_id

    def redirect_slashes_path(self, path: str, /) -> str | None:
        """The path with its trailing ``/`` removed (or one added) when some route,
        of any method, matches that path and not this one is assumed to — the hint
        Starlette's ``redirect_slashes`` follows. ``None`` for ``/`` or no match."""
        if path == "/" or not path:
            return None
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        return other if self._table.path_matches(other) else None

    def url_path_for(self, name: str, /, **params: Any) -> str:
        """The path of the first route named ``name`` whose parameters are exactly
        ``params``, formatted by the converters and percent-encoded (so that
        decoding it gives a path this router matches to that route).

        Raises `NoMatchFound` (a ``LookupError``) naming the missing or unexpected
        parameters, and ``ValueError`` for a value its converter cannot format.
        """
        for info in self._infos:
            if info.name == name and info.param_names == params.keys():
                if info.is_mount:
                    params["path"] = str(params["path"]).lstrip("/")
                return build_path(info.atoms, params)
        raise _no_match(name, params, [i.param_names for i in self._infos if i.name == name])

    def freeze(self) -> None:
        """Make the table read-only: later ``add``/``mount`` raise, lookups stay
        allocation-free (except the returned params) and safe to share across fork()."""
        self._table.freeze()

    @property
    def frozen(self) -> bool:
        return self._table.frozen

    def handle(self, route_id: int, /) -> H:
        """The handle registered as route ``route_id``."""
        handle: H = self._table.handle(route_id)
        return handle

    def __len__(self) -> int:
        return len(self._table)


def _no_match(name: str, params: dict[str, Any], candidates: list[frozenset[str]]) -> Exception:
    from fulmen_router._errors import NoMatchFound

    given = set(params)
    if not candidates:
        return NoMatchFound(f"no route is named {name!r}")
    details = []
    for expected in candidates:
        missing = ", ".join(sorted(expected - given)) or "-"
        extra = ", ".join(sorted(given - expected)) or "-"
        details.append(
            f"expects ({', '.join(sorted(expected))}): missing {missing}; unexpected {extra}"
        )
    return NoMatchFound(f"no route named {name!r} takes these params; " + " | ".join(details))
