"""Harness for the supervisor tests: the supervisor runs as a real process
(``python -m fulmen_workers``) in its own session, so a finalizer can kill
the whole process group and no test ever leaves a process behind."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

TESTS_DIR = Path(__file__).parent


class Supervised:
    """A running supervisor process and the lines it logged."""

    def __init__(self, args: list[str], *, extra_path: list[Path], **popen: object) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(TESTS_DIR), *map(str, extra_path), env.get("PYTHONPATH", "")]
        )
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fulmen_workers", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
            **popen,  # type: ignore[call-overload]
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def wait_for(self, pattern: str, *, count: int = 1, timeout: float = 10) -> list[re.Match[str]]:
        """Wait until `pattern` matched `count` log lines; return the matches."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in map(regex.search, self.lines) if m]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"no {count} line(s) matching {pattern!r} within {timeout}s; log:\n"
                        + "\n".join(self.lines)
                    )
                self._changed.wait(min(remaining, 0.1))

    def port(self) -> int:
        return int(self.wait_for(r"listening on [\d.]+:(\d+)")[0].group(1))

    def worker_pids(self) -> set[int]:
        """Live direct children of the supervisor."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return {int(p) for p in children.read_text().split()}
        except OSError:
            return set()

    def send(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait(self, timeout: float) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(timeout=5)
        return code

    def kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        self._reader.join(timeout=5)
        if self.proc.stderr is not None:
            self.proc.stderr.close()

    def group_is_empty(self, timeout: float = 5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(self.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)
        return False


def http_get(address: tuple[str, int] | str, path: str = "/", timeout: float = 10) -> str:
    """One request on a fresh connection; the body, or an exception."""
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    if isinstance(address, tuple) and ":" in address[0]:
        family = socket.AF_INET6
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(f"bad response: {data[:200]!r}")
    return body.decode()


class Load:
    """`clients` threads sending requests back to back until stopped."""

    def __init__(self, port: int, *, clients: int = 4, path: str = "/") -> None:
        self.port = port
        self.path = path
        self.ok: list[int] = []
        self.refused = 0
        self.failed: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run) for _ in range(clients)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                pid = int(http_get(("127.0.0.1", self.port), self.path, timeout=10).split()[0])
            except ConnectionRefusedError:
                with self._lock:
                    self.refused += 1
            except OSError as exc:
                with self._lock:
                    self.failed.append(repr(exc))
            else:
                with self._lock:
                    self.ok.append(pid)

    def wait_requests(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        start = len(self.ok)
        while len(self.ok) - start < count:
            assert time.monotonic() < deadline, "the load made no progress"
            time.sleep(0.02)
