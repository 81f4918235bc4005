"""Static-route lookups: fulmen_router against Starlette's Router on the same routes.

Starlette is what a FastAPI user's lookups go through today. The route set is the
static set of go-http-routing-benchmark (157 routes), from ../shared/data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Match, Route
from starlette.routing import Router as StarletteRouter

from fulmen_router import Router


def load_static_routes(shared_data: Path) -> list[str]:
    data = json.loads((shared_data / "routing/go_http_routing_benchmark_routes.json").read_text())
    return [path for _method, path in data["static"]["routes_fastapi_syntax"]]


async def endpoint(scope: Any, receive: Any, send: Any) -> None:  # never called
    raise AssertionError


def starlette_lookup(router: StarletteRouter, paths: list[str]) -> list[str | None]:
    found: list[str | None] = []
    for path in paths:
        scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
        for route in router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                found.append(route.path)  # type: ignore[attr-defined]
                break
        else:
            found.append(None)
    return found


def fulmen_lookup(router: Router[str], paths: list[str]) -> list[str | None]:
    return [router.match(p) for p in paths]


@pytest.fixture(scope="module")
def static_paths(shared_data: Path) -> list[str]:
    return load_static_routes(shared_data)


@pytest.mark.parametrize("library", ["fulmen_router", "starlette"])
def test_static_lookup(benchmark: Any, library: str, static_paths: list[str]) -> None:
    ours: Router[str] = Router()
    for p in static_paths:
        ours.add(p, p)
    theirs = StarletteRouter(routes=[Route(p, endpoint) for p in static_paths])
    lookups = [*static_paths, "/does/not/exist"]
    assert fulmen_lookup(ours, lookups) == starlette_lookup(theirs, lookups)
    benchmark.group = "static lookup (157 routes, all paths)"
    if library == "fulmen_router":
        benchmark(fulmen_lookup, ours, lookups)
    else:
        benchmark(starlette_lookup, theirs, lookups)
