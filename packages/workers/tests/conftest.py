"""Fixtures of the supervisor tests; the harness itself is workers_harness.py."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# importlib import mode: make the harness and the test server importable by name
# here and (through PYTHONPATH, set by the harness) in the worker processes.
sys.path.insert(0, str(Path(__file__).parent))

from workers_harness import Supervised


@pytest.fixture
def supervise(tmp_path: Path) -> Iterator[Callable[..., Supervised]]:
    started: list[Supervised] = []

    def start(*args: str, extra_path: list[Path] | None = None, **popen: object) -> Supervised:
        running = Supervised(list(args), extra_path=[tmp_path, *(extra_path or [])], **popen)
        started.append(running)
        return running

    yield start
    for running in started:
        running.kill_group()
