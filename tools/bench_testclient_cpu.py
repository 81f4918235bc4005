"""CPU seconds per call through each test client, interleaved rounds, median ratio.

Reuses the calls and the app of packages/testclient/benchmarks (which check that
both clients return the same thing); prints one row per call with our CPU time per
call, Starlette's, and their ratio (above 1.0: ours costs less).
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROUNDS = 5


def _load_bench() -> Any:
    path = Path(__file__).parents[1] / "packages/testclient/benchmarks/test_bench_client.py"
    spec = importlib.util.spec_from_file_location("testclient_bench", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu_per_call(client: Any, call: Any, calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        call(client)
    return (time.process_time() - start) / calls


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    bench = _load_bench()
    print(f"{'call':<16} {'fulmen µs':>10} {'starlette µs':>13} {'ratio':>7}   ({ROUNDS} rounds)")
    for name, call in bench.CALLS.items():
        per_client: dict[str, list[float]] = {"fulmen_testclient": [], "starlette": []}
        for _ in range(ROUNDS):  # interleaved: A B A B ...
            for client_name, make in bench.CLIENTS.items():
                with make(bench.app) as client:
                    assert call(client) == bench.EXPECTED[name]
                    n = calls if name != "stream 64 KiB" else max(calls // 10, 1)
                    per_client[client_name].append(cpu_per_call(client, call, n))
        ours = statistics.median(per_client["fulmen_testclient"])
        theirs = statistics.median(per_client["starlette"])
        print(f"{name:<16} {ours * 1e6:>10.1f} {theirs * 1e6:>13.1f} {theirs / ours:>6.2f}x")


if __name__ == "__main__":
    main()
