"""Starting the real ``fulmen`` command in a subprocess, on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[3]
FULMEN = str(Path(sys.executable).parent / "fulmen")  # the console script under test


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """A running ``fulmen`` process and where it listens."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log_path = log

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise AssertionError(f"fulmen did not stop in {timeout}s:\n{self.log}") from None


def run_cli(
    args: Sequence[str],
    *,
    cwd: Path | str = REPO,
    timeout: float = 30.0,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the command to completion (for the failing cases)."""
    return subprocess.run(
        [FULMEN, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def wait_until_serving(
    served: Served, path: str = "/", timeout: float = 30.0, **kw: object
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"fulmen exited with {served.process.returncode}:\n{served.log}")
        try:
            httpx.get(served.url + path, timeout=2.0, **kw)  # type: ignore[arg-type]
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"fulmen did not serve within {timeout}s:\n{served.log}")


@contextmanager
def serve(
    args: Sequence[str],
    *,
    cwd: Path | str = REPO,
    tmp_path: Path,
    command: str = "run",
    env: dict[str, str] | None = None,
    scheme: str = "http",
    wait_path: str = "/",
    wait_kw: dict[str, object] | None = None,
) -> Iterator[Served]:
    """``fulmen COMMAND ARGS --host 127.0.0.1 --port <free>``, stopped (SIGTERM) at the end."""
    port = free_port()
    log = tmp_path / f"fulmen-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [FULMEN, command, *args, "--host", "127.0.0.1", "--port", str(port)],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    served = Served(process, f"{scheme}://127.0.0.1:{port}", log)
    try:
        wait_until_serving(served, wait_path, **(wait_kw or {}))
        yield served
    finally:
        if process.poll() is None:
            served.stop()
