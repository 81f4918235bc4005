"""ns per lookup for fulmen_router and Starlette's Router, measured in the same run.

Run through tools/bench_router. For each route set, many short rounds (about 2 ms each) of
(fulmen, starlette, bare loop) are interleaved, so machine noise hits every side
alike, and each round is timed in thread CPU time (time spent descheduled by
other processes does not count); the table
gives the median of the rounds and, in brackets, the fastest round (the best
estimate of the uncontended cost on a busy machine). Every
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


def calibrate(run: Callable[[Any], None], rs: Any, window: float) -> int:
    """How many passes over the lookups fill about `window` seconds."""
    reps = 1
    while True:
        start = time.perf_counter()
        for _ in range(reps):
            run(rs)
        if time.perf_counter() - start >= window or reps >= 1 << 20:
            return reps
        reps *= 2


def per_lookup_ns(run: Callable[[Any], None], rs: Any, reps: int) -> float:
    # The thread's CPU time, not wall time: on a shared machine the time this
    # process spends descheduled would otherwise land in random rounds.
    start = time.thread_time_ns()
    for _ in range(reps):
        run(rs)
    return (time.thread_time_ns() - start) / reps / len(rs.lookups)


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
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--window", type=float, default=0.002, help="seconds per measurement")
    parser.add_argument("--data", type=Path, default=HERE.parents[2].parent / "shared" / "data")
    args = parser.parse_args()

    columns = ["route set", "lookups", "fulmen_router ns/lookup: median (min)"]
    columns += [
        "Starlette ns/lookup: median (min)",
        "ratio of medians",
        "bare loop ns: median (min)",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in rsets.SETS:
        rs = rsets.load(args.data, name)
        if not rsets.same_answers(rs):
            raise SystemExit(f"{name}: fulmen_router and Starlette disagree")
        sides = (rsets.fulmen_lookup_loop, rsets.starlette_lookup_loop, rsets.bare_loop)
        reps = [calibrate(run, rs, args.window) for run in sides]
        ours, theirs, bare = [], [], []
        for _ in range(args.rounds):
            ours.append(per_lookup_ns(sides[0], rs, reps[0]))
            theirs.append(per_lookup_ns(sides[1], rs, reps[1]))
            bare.append(per_lookup_ns(sides[2], rs, reps[2]))
        o, t, b = statistics.median(ours), statistics.median(theirs), statistics.median(bare)
        print(
            f"| {name} | {len(rs.lookups)} | {o:,.0f} ({min(ours):,.0f}) "
            f"| {t:,.0f} ({min(theirs):,.0f}) | {t / o:,.0f}x | {b:,.0f} ({min(bare):,.0f}) |"
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
