"""A deliberately naive router: Starlette's algorithm, written out in a few lines.

Each template becomes the regex Starlette's ``compile_path`` would build, and a
lookup tries the routes one by one in registration order: the first whose regex
matches and whose methods allow the request wins; failing that, the first whose
regex matches decides a 405. The differential tests hold the native router to
exactly these answers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")

CONVERTERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "str": ("[^/]+", str),
    "path": (".*", str),
    "int": ("[0-9]+", int),
    "float": (r"[0-9]+(\.[0-9]+)?", float),
    "uuid": (
        "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
        uuid.UUID,
    ),
}


class ReferenceRouter:
    def __init__(self) -> None:
        self.routes: list[
            tuple[re.Pattern[str], dict[str, Callable[[str], Any]], list[str], Any]
        ] = []

    def add(self, template: str, handle: Any, methods: list[str] | None = None) -> None:
        regex, convert, pos = "^", {}, 0
        for m in _PARAM.finditer(template):
            name, conv = m.group(1), m.group(2) or "str"
            pattern, convert[name] = CONVERTERS[conv]
            regex += re.escape(template[pos : m.start()]) + f"(?P<{name}>{pattern})"
            pos = m.end()
        regex += re.escape(template[pos:]) + "$"
        self.routes.append((re.compile(regex), convert, list(dict.fromkeys(methods or [])), handle))

    def mount(self, prefix: str, handle: Any) -> None:
        self.add(prefix.rstrip("/") + "/{path:path}", handle)

    def match(self, method: str, path: str) -> tuple[int, Any, dict[str, Any] | None]:
        partial: tuple[str, ...] | None = None
        for regex, convert, methods, handle in self.routes:
            m = regex.match(path)
            if m is None:
                continue
            if methods and method not in methods:
                if partial is None:
                    partial = tuple(methods)
                continue
            return 0, handle, {k: convert[k](v) for k, v in m.groupdict().items()}
        if partial is not None:
            return 2, partial, None
        return 1, None, None

    def path_matches(self, path: str) -> bool:
        return any(regex.match(path) for regex, *_ in self.routes)
