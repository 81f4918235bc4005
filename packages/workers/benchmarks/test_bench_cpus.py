"""The worker-count probe against what gunicorn/uvicorn users get (`os.cpu_count`).

This runs once per supervisor start, so the point is only that reading the
cgroup files costs microseconds, not that it beats a bare syscall.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from fulmen_workers import available_cpus

PROBES: dict[str, Callable[[], int | None]] = {
    "fulmen_workers.available_cpus": available_cpus,
    "os.cpu_count": os.cpu_count,
}


@pytest.mark.parametrize("probe", PROBES)
def test_cpu_probe(benchmark: Any, probe: str) -> None:
    assert available_cpus() <= (os.cpu_count() or 1)
    benchmark.group = "default worker count"
    benchmark(PROBES[probe])
