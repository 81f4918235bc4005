"""How fast a supervisor heals, against uvicorn's `--workers` supervisor.

Two measurements on 2 workers, each stack serving the same answer (its pid):

* respawn: SIGKILL one worker, then time until a *new* worker answers a
  request. fulmen_workers notices the exit at once (the process sentinel is in
  its select loop) and forks; uvicorn polls its children every 0.5 s and
  spawns. The `spawn` row isolates the detection from the start method.
* rolling restart: SIGHUP, then time until every worker has been replaced,
  with a client sending requests throughout; failed requests are counted
  (``extra_info["failed_requests"]``) and must be 0 for fulmen_workers.

Both stacks listen on a socket inherited as a file descriptor, bound here.
The workers are different servers (our threaded test server, uvicorn's
asyncio server), so the figures include each worker's start-up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = Path(__file__).parent.parent / "tests"
sys.path.insert(0, str(TESTS_DIR))

from workers_harness import http_get  # noqa: E402

STACKS = ["fulmen_workers-fork", "fulmen_workers-spawn", "uvicorn"]
WORKERS = 2
ROUNDS = 5


class Stack:
    def __init__(self, name: str) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.address = self.listener.getsockname()
        fd = self.listener.fileno()
        if name.startswith("fulmen_workers"):
            method = name.rsplit("-", 1)[1]
            command = [
                *(sys.executable, "-m", "fulmen_workers", "workers_testserver:serve"),
                *("-b", f"fd://{fd}", "-w", str(WORKERS), "--start-method", method),
                *("--graceful-timeout", "5", "--log-level", "warning"),
                # The benchmark kills workers in a row on purpose: no crash backoff
                # (uvicorn has none).
                *("--crash-backoff-after", "1000"),
            ]
        else:
            command = [
                *(sys.executable, "-m", "uvicorn", "bench_asgi_app:app", "--fd", str(fd)),
                *("--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"),
            ]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), str(Path(__file__).parent)]),
        }
        self.proc = subprocess.Popen(
            command,
            pass_fds=(fd,),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.wait_serving(self.workers(), timeout=20)

    def workers(self) -> set[int]:
        """Workers answering requests now (a few requests reach each)."""
        seen: set[int] = set()
        for _ in range(20):
            seen.add(self.get())
        return seen

    def get(self) -> int:
        return int(http_get(self.address, timeout=10).split()[0])

    def children(self) -> set[int]:
        """The supervisor's worker children; the spawn start method also gives
        it multiprocessing's resource tracker, which is not a worker."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        pids = set()
        for pid in map(int, path.read_text().split()):
            with contextlib.suppress(OSError):
                if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    pids.add(pid)
        return pids

    def wait_serving(self, old: set[int], *, timeout: float = 10, new: bool = False) -> int:
        """Poll until a worker answers (a new one, not in `old`, when `new`)."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                pid = self.get()
                if not new or pid not in old:
                    return pid
            if time.monotonic() > deadline:
                raise AssertionError("no (new) worker answered in time")

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.listener.close()


@pytest.fixture(scope="module")
def stacks() -> Iterator[dict[str, Stack]]:
    started: dict[str, Stack] = {}
    yield started
    for stack in started.values():
        stack.close()


def _stack(stacks: dict[str, Stack], name: str) -> Stack:
    if name not in stacks:
        stacks[name] = Stack(name)
    stack = stacks[name]
    # Same answer from every stack: the pid of one of the supervisor's children.
    assert stack.get() in stack.children()
    return stack


@pytest.mark.timeout(120)
@pytest.mark.parametrize("stack_name", STACKS)
def test_respawn_after_kill_9(benchmark: Any, stacks: dict[str, Stack], stack_name: str) -> None:
    stack = _stack(stacks, stack_name)
    benchmark.group = f"kill -9 one of {WORKERS} workers -> a new worker answers"

    def respawn() -> None:
        serving = stack.children()
        victim = stack.get()
        os.kill(victim, signal.SIGKILL)
        stack.wait_serving(serving, new=True)

    benchmark.pedantic(respawn, rounds=ROUNDS, iterations=1)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("stack_name", STACKS)
def test_rolling_restart(benchmark: Any, stacks: dict[str, Stack], stack_name: str) -> None:
    stack = _stack(stacks, stack_name)
    benchmark.group = f"SIGHUP rolling restart of {WORKERS} workers, under load"
    failures: list[str] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            try:
                stack.get()
            except OSError as exc:
                failures.append(repr(exc))

    def restart() -> None:
        old = stack.children()
        os.kill(stack.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 20
        while True:  # every old worker gone, a full set of new ones serving
            now = stack.children()
            if not now & old and len(now) >= WORKERS:
                break
            assert time.monotonic() < deadline, "the rolling restart did not finish"
            time.sleep(0.002)

    client = threading.Thread(target=load)
    client.start()
    try:
        benchmark.pedantic(restart, rounds=ROUNDS, iterations=1)
    finally:
        stop.set()
        client.join(timeout=15)
    benchmark.extra_info["failed_requests"] = len(failures)
    if stack_name.startswith("fulmen_workers"):
        assert failures == []
    # uvicorn's restart can reset a connection its old worker accepted while
    # stopping; that is a finding to report, not a reason to stop the run.
