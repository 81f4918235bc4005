"""The go-http-routing-benchmark route sets, registered in fulmen_router and in
Starlette's Router, with their lookups and a way to run each side's matching.

Shared by the pytest-benchmark suite (test_bench_routing.py) and
tools/bench_router (the ns-per-lookup table)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.routing import Match, Route
from starlette.routing import Router as StarletteRouter

from fulmen_router import Router

SETS = ("github", "parse", "static")


async def _endpoint(scope: Any, receive: Any, send: Any) -> None:  # never called
    raise AssertionError


@dataclass
class RoutingSet:
    name: str
    routes: list[tuple[str, str]]  # (method, FastAPI-syntax template)
    lookups: list[tuple[str, str]]  # (method, path)
    fulmen: Router[int]
    starlette: StarletteRouter
    scopes: list[dict[str, Any]]  # one prepared Starlette scope per lookup


def load(shared_data: Path, name: str) -> RoutingSet:
    data = json.loads((shared_data / "routing/go_http_routing_benchmark_routes.json").read_text())[
        name
    ]
    routes = [(m, p) for m, p in data["routes_fastapi_syntax"]]
    # XxxAll requests every route's path literally ("/repos/:owner/:repo"), with its method.
    lookups = [(m, p) for m, p in data["routes"]]
    fulmen: Router[int] = Router()
    for i, (method, template) in enumerate(routes):
        fulmen.add(template, i, methods=[method])
    fulmen.freeze()
    # An ASGI-class endpoint keeps Starlette from adding HEAD to GET routes.
    starlette = StarletteRouter(routes=[Route(t, _endpoint, methods=[m]) for m, t in routes])
    scopes = [{"type": "http", "method": m, "path": p, "root_path": ""} for m, p in lookups]
    return RoutingSet(name, routes, lookups, fulmen, starlette, scopes)


def fulmen_lookup(rs: RoutingSet) -> list[Any]:
    match = rs.fulmen.match
    return [match(m, p) for m, p in rs.lookups]


def fulmen_lookup_loop(rs: RoutingSet) -> None:
    """What is timed: the lookups alone (results are built, then dropped)."""
    match = rs.fulmen.match
    for m, p in rs.lookups:
        match(m, p)


def bare_loop(rs: RoutingSet) -> None:
    """The timing loop's own cost, to subtract mentally."""
    for _m, _p in rs.lookups:
        pass


def starlette_lookup(rs: RoutingSet) -> list[Any]:
    """Starlette's Router.app matching loop: the first FULL match wins, else the first PARTIAL."""
    found: list[Any] = []
    for scope in rs.scopes:
        partial = None
        for i, route in enumerate(rs.starlette.routes):
            match, child = route.matches(scope)
            if match is Match.FULL:
                found.append((0, i, child["path_params"]))
                break
            if match is Match.PARTIAL and partial is None:
                partial = (2, i, None)
        else:
            found.append(partial or (1, None, None))
    return found


def starlette_lookup_loop(rs: RoutingSet) -> None:
    routes = rs.starlette.routes
    for scope in rs.scopes:
        for route in routes:
            match, _child = route.matches(scope)
            if match is Match.FULL:
                break


def same_answers(rs: RoutingSet) -> bool:
    ours = [(s, h, p) for s, h, p in fulmen_lookup(rs)]
    theirs = starlette_lookup(rs)
    return len(ours) == len(theirs) and all(
        a[0] == b[0] and (a[0] != 0 or (a[1] == b[1] and a[2] == b[2]))
        for a, b in zip(ours, theirs, strict=True)
    )
