"""ns per lookup for fulmen_router and Starlette's Router, measured in the same run.

Run through tools/bench_router. For each route set, rounds of (fulmen, starlette,
bare loop) are interleaved, so machine noise hits every side alike; the table
gives the median of the rounds (and the spread of fulmen's rounds). Every
route's path is looked up with its method, the result tuple and params dict
included. Also times registering 1,000 routes.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("router_routing_sets", HERE / "routing_sets.py")
assert _spec is not None
assert _spec.loader is not None
rsets = importlib.util.module_from_spec(_spec)
sys.modules["router_routing_sets"] = rsets
_spec.loader.exec_module(rsets)


def per_lookup_ns(run: Callable[[Any], None], rs: Any, min_seconds: float) -> float:
    reps, elapsed = 0, 0.0
    start = time.perf_counter()
    while elapsed < min_seconds:
        run(rs)
        reps += 1
        elapsed = time.perf_counter() - start
    return elapsed * 1e9 / reps / len(rs.lookups)


def register_1000(kind: str) -> float:
    from starlette.routing import Route
    from starlette.routing import Router as StarletteRouter

    from fulmen_router import Router

    templates = [
        f"/r{i}/{{id:int}}/items/{{name}}" if i % 2 else f"/r{i}/static" for i in range(1000)
    ]
    start = time.perf_counter()
    if kind == "fulmen_router":
        r: Router[int] = Router()
        for i, t in enumerate(templates):
            r.add(t, i, methods=["GET"])
        r.freeze()
    else:
        StarletteRouter(routes=[Route(t, rsets._endpoint, methods=["GET"]) for t in templates])
    return (time.perf_counter() - start) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.2, help="minimum time per measurement")
    parser.add_argument("--data", type=Path, default=HERE.parents[2].parent / "shared" / "data")
    args = parser.parse_args()

    columns = ["route set", "lookups", "fulmen_router ns/lookup (spread)"]
    columns += ["Starlette ns/lookup", "ratio", "bare loop ns"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in rsets.SETS:
        rs = rsets.load(args.data, name)
        if not rsets.same_answers(rs):
            raise SystemExit(f"{name}: fulmen_router and Starlette disagree")
        ours, theirs, bare = [], [], []
        for _ in range(args.rounds):
            ours.append(per_lookup_ns(rsets.fulmen_lookup_loop, rs, args.seconds))
            theirs.append(per_lookup_ns(rsets.starlette_lookup_loop, rs, args.seconds))
            bare.append(per_lookup_ns(rsets.bare_loop, rs, args.seconds))
        o, t, b = statistics.median(ours), statistics.median(theirs), statistics.median(bare)
        print(
            f"| {name} | {len(rs.lookups)} | {o:,.0f} ({min(ours):,.0f}-{max(ours):,.0f}) "
            f"| {t:,.0f} | {t / o:,.0f}x | {b:,.0f} |"
        )
    reg = {
        k: statistics.median(register_1000(k) for _ in range(5))
        for k in ("fulmen_router", "starlette")
    }
    print()
    print("| registering 1,000 routes | ms |")
    print("|---|---:|")
    for k, v in reg.items():
        print(f"| {k} | {v:,.1f} |")


if __name__ == "__main__":
    main()
