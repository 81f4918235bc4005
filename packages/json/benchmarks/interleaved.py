"""Interleaved A/B benchmark of fulmen_json vs orjson, msgspec and json.

Run through ``tools/bench_json_interleaved``. Each round times every codec once
on each row, in turn, so machine noise hits all of them alike; the reported
ratio is the median over rounds of (peer time / fulmen time): above 1.0 means
fulmen_json is faster.

Samples are measured in this thread's CPU time (``time.thread_time``), not wall
time: the machine is shared, and CPU time does not count the moments another
process held the core, which wall time does (and which then lands on whichever
codec happened to be running). Set ``FULMEN_BENCH_CLOCK=wall`` for wall time.
The cyclic GC is paused during each sample and run between samples: a full
collection, triggered by whichever codec's allocations cross the threshold,
would otherwise land on one sample at random (loads of citm_catalog swung from
0.5x to 2x with it on).
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import orjson

import fulmen_json

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_bench_json import DOC_NAMES, DUMPS, LOADS, doc_bytes, doc_value

BUDGET = 0.02  # seconds of work per sample
clock = time.perf_counter if os.environ.get("FULMEN_BENCH_CLOCK") == "wall" else time.thread_time


def calls_for(fn: Callable[[Any], Any], arg: Any) -> int:
    start = time.perf_counter()
    for _ in range(3):  # the first calls warm caches and buffers
        fn(arg)
    once = max((time.perf_counter() - start) / 3, 1e-7)
    return max(1, int(BUDGET / once))


def sample(fn: Callable[[Any], Any], arg: Any, n: int) -> float:
    gc.collect()
    gc.disable()
    try:
        start = clock()
        for _ in range(n):
            fn(arg)
        return (clock() - start) / n
    finally:
        gc.enable()


def main(rounds: int, only: str = "") -> None:
    _ = (msgspec, orjson)
    print(f"clock: {clock.__name__}, {rounds} interleaved rounds, ratio = peer time / fulmen time")
    print(f"{'row':<24} {'orjson':>8} {'msgspec':>8} {'json':>8}   fulmen µs (median)")
    for direction, codecs in (("dumps", DUMPS), ("loads", LOADS)):
        for doc in DOC_NAMES:
            if only not in f"{direction} {doc}":
                continue
            arg = doc_value(doc) if direction == "dumps" else doc_bytes(doc)
            if direction == "dumps":
                assert fulmen_json.dumps(arg) == DUMPS["json"](arg)
            else:
                assert fulmen_json.loads(arg) == json.loads(arg)
            counts = {name: calls_for(fn, arg) for name, fn in codecs.items()}
            times: dict[str, list[float]] = {name: [] for name in codecs}
            for _ in range(rounds):
                for name, fn in codecs.items():
                    times[name].append(sample(fn, arg, counts[name]))
            ours = times["fulmen_json"]
            ratios = {
                name: statistics.median(t / o for t, o in zip(times[name], ours, strict=True))
                for name in codecs
                if name != "fulmen_json"
            }
            print(
                f"{direction + ' ' + doc:<24} {ratios['orjson']:>7.2f}x {ratios['msgspec']:>7.2f}x"
                f" {ratios['json']:>7.2f}x   {statistics.median(ours) * 1e6:10.2f}"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15, sys.argv[2] if len(sys.argv) > 2 else "")
