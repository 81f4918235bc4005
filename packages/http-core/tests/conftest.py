"""Fixtures of the fulmen_http tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

StartCli = Callable[..., tuple[subprocess.Popen[bytes], int]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(proc: subprocess.Popen[bytes], port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert proc.poll() is None, f"the CLI server exited with {proc.returncode}"
            assert time.monotonic() < deadline, "the CLI server did not start"
            time.sleep(0.05)


@pytest.fixture
def start_cli(tmp_path: Path) -> Iterator[StartCli]:
    """``start_cli("module:app", *options)``: ``python -m fulmen_http`` serving a
    module written in ``tmp_path``, on a free port, once it listens; returns
    ``(process, port)``. Every process started is stopped (SIGTERM, then kill)."""
    started: list[subprocess.Popen[bytes]] = []

    def start(target: str, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "fulmen_http", target, "--port", str(port), *extra],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(tmp_path)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        _wait_listening(proc, port)
        return proc, port

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
