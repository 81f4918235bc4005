"""The routing engine adapter: first match wins, as FastAPI routes.

``RoutingTable`` runs on fulmen_router (the native trie). ``RegexRoutingTable``
is the same interface done the simple way -- each route an anchored regex built
with Starlette's converter patterns, tried in registration order -- kept as the
reference the tests compare the native table against. ``compile_path`` and
``url_path`` serve ``APIRoute.matches`` and ``url_path_for``.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import fulmen_router

T = TypeVar("T")


@dataclass(frozen=True)
class Converter:
    """How a ``{name:kind}`` segment matches (regex), parses and prints."""

    regex: str
    convert: Callable[[str], Any]
    to_string: Callable[[Any], str]


def _float_to_string(value: float) -> str:
    if value < 0 or math.isnan(value) or math.isinf(value):
        raise ValueError("Negative, NaN and infinite floats are not supported")
    return (f"{value:0.20f}").rstrip("0").rstrip(".")


def _int_to_string(value: int) -> str:
    if int(value) < 0:
        raise ValueError("Negative integers are not supported")
    return str(value)


def _str_to_string(value: Any) -> str:
    text = str(value)
    if "/" in text:
        raise ValueError("May not contain path separators")
    if not text:
        raise ValueError("Must not be empty")
    return text


CONVERTERS: dict[str, Converter] = {
    "str": Converter("[^/]+", str, _str_to_string),
    "path": Converter(".*", str, lambda v: str(v)),
    "int": Converter("[0-9]+", int, _int_to_string),
    "float": Converter(r"[0-9]+(\.[0-9]+)?", float, _float_to_string),
    "uuid": Converter(
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", uuid.UUID, str
    ),
}

_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}")


@dataclass(frozen=True)
class CompiledPath:
    regex: re.Pattern[str]
    format: str
    converters: dict[str, Converter]


def compile_path(path: str) -> CompiledPath:
    """``/items/{id:int}`` -> anchored regex, printf-style format, converters."""
    pattern, fmt, index = "^", "", 0
    converters: dict[str, Converter] = {}
    duplicated: set[str] = set()
    for match in _PARAM.finditer(path):
        name, kind = match.group(1), (match.group(2) or ":str")[1:]
        if kind not in CONVERTERS:
            raise AssertionError(f"Unknown path convertor '{kind}'")
        converter = CONVERTERS[kind]
        pattern += re.escape(path[index : match.start()]) + f"(?P<{name}>{converter.regex})"
        fmt += path[index : match.start()] + "{" + name + "}"
        if name in converters:
            duplicated.add(name)
        converters[name] = converter
        index = match.end()
    if duplicated:
        names = ", ".join(sorted(duplicated))
        raise ValueError(
            f"Duplicated param name{'s' if len(duplicated) > 1 else ''} {names} at path {path}"
        )
    pattern += re.escape(path[index:]) + "$"
    fmt += path[index:]
    return CompiledPath(re.compile(pattern), fmt, converters)


class NoMatchFound(Exception):
    """``url_path_for`` found no route with that name and those parameters."""

    def __init__(self, name: str, path_params: dict[str, Any]) -> None:
        params = ", ".join(list(path_params.keys()))
        super().__init__(f'No route exists for name "{name}" and params "{params}".')


@dataclass(frozen=True)
class Match(Generic[T]):
    """A route for the path. ``full`` is False when the path matched but not the
    method: then ``allowed`` holds the methods of the first such route (405)."""

    target: T | None
    params: dict[str, Any]
    full: bool
    allowed: frozenset[str] = frozenset()


@dataclass
class _Entry(Generic[T]):
    compiled: CompiledPath
    methods: frozenset[str] | None
    target: T


class RegexRoutingTable(Generic[T]):
    """Routes in registration order; the first whose path and method fit wins."""

    def __init__(self) -> None:
        self._entries: list[_Entry[T]] = []

    def add(self, path: str, methods: frozenset[str] | None, target: T) -> None:
        self._entries.append(_Entry(compile_path(path), methods, target))

    def match(self, path: str, method: str) -> Match[T] | None:
        """The first full match, else the first path-only match, else None."""
        partial: Match[T] | None = None
        for entry in self._entries:
            found = entry.compiled.regex.match(path)
            if found is None:
                continue
            if entry.methods is None or method in entry.methods:
                params = {
                    name: entry.compiled.converters[name].convert(value)
                    for name, value in found.groupdict().items()
                }
                return Match(entry.target, params, True)
            if partial is None:
                partial = Match(None, {}, False, entry.methods)
        return partial

    def has_path(self, path: str) -> bool:
        return any(entry.compiled.regex.match(path) for entry in self._entries)


class RoutingTable(Generic[T]):
    """The native table: same answers as ``RegexRoutingTable``, one C++ lookup."""

    def __init__(self) -> None:
        # The native table holds indices into _targets, not the routes themselves:
        # routes refer back to their app, and a cycle through a native object that
        # the garbage collector cannot traverse would never be freed.
        self._router: fulmen_router.Router[int] = fulmen_router.Router()
        self._targets: list[T] = []
        # PERF: bound native methods, so a lookup is one call.
        self._match = self._router.match
        self.has_path = self._router.path_matches

    def add(self, path: str, methods: frozenset[str] | None, target: T) -> None:
        methods_list = sorted(methods) if methods else None
        self._router.add(path, len(self._targets), methods=methods_list)
        self._targets.append(target)

    def match(self, path: str, method: str) -> Match[T] | None:
        """The first full match, else the first path-only match (405), else None."""
        status, found, params = self._match(method, path)
        if status == fulmen_router.FOUND:
            return Match(self._targets[found], params or {}, True)
        if status == fulmen_router.METHOD_NOT_ALLOWED:
            return Match(None, {}, False, frozenset(found))
        return None


def url_path(compiled: CompiledPath, path_params: dict[str, Any]) -> str | None:
    """Fill ``compiled``'s template; None if the parameter names do not fit exactly."""
    if set(path_params) != set(compiled.converters):
        return None
    values = {name: compiled.converters[name].to_string(v) for name, v in path_params.items()}
    return compiled.format.format(**values)


__all__ = [
    "CONVERTERS",
    "CompiledPath",
    "Match",
    "NoMatchFound",
    "RegexRoutingTable",
    "RoutingTable",
    "compile_path",
    "url_path",
]
