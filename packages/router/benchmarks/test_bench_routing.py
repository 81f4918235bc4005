"""Route lookups: fulmen_router against Starlette's Router on the same routes.

The go-http-routing-benchmark sets (GitHub API 203 routes, Parse 26, static 157)
from ../shared/data; every route's path is looked up once per round, with its
method. Both sides must give the same answers before anything is timed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

_spec = importlib.util.spec_from_file_location(
    "router_routing_sets", Path(__file__).with_name("routing_sets.py")
)
assert _spec is not None
assert _spec.loader is not None
rsets = importlib.util.module_from_spec(_spec)
sys.modules["router_routing_sets"] = rsets
_spec.loader.exec_module(rsets)


@pytest.fixture(scope="module", params=rsets.SETS)
def routing_set(request: pytest.FixtureRequest, shared_data: Path) -> Any:
    rs = rsets.load(shared_data, request.param)
    assert rsets.same_answers(rs)
    return rs


@pytest.mark.parametrize("library", ["fulmen_router", "starlette", "bare_loop"])
def test_lookup_all_routes(benchmark: Any, library: str, routing_set: Any) -> None:
    benchmark.group = f"{routing_set.name}: {len(routing_set.lookups)} lookups"
    run = {
        "fulmen_router": rsets.fulmen_lookup_loop,
        "starlette": rsets.starlette_lookup_loop,
        "bare_loop": rsets.bare_loop,
    }[library]
    benchmark(run, routing_set)


def test_register_1000_routes(benchmark: Any) -> None:
    from fulmen_router import Router

    templates = [
        f"/r{i}/{{id:int}}/items/{{name}}" if i % 2 else f"/r{i}/static" for i in range(1000)
    ]

    def register() -> int:
        r: Router[int] = Router()
        for i, t in enumerate(templates):
            r.add(t, i, methods=["GET"])
        r.freeze()
        return len(r)

    assert register() == 1000
    benchmark(register)
