"""Book-keeping of the supervisor: worker slots and the workers in them."""

from __future__ import annotations

import contextlib
import enum
import math
import os
import signal
import socket
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from fulmen_workers._context import parse_messages

CRASH_WINDOW = 10.0  # seconds over which crashes count as "repeated"
FIRST_BACKOFF = 0.5


class WorkerState(enum.Enum):
    STARTING = "starting"  # spawned, has not called ready() yet
    READY = "ready"  # serving
    DRAINING = "draining"  # told to stop (or killed); its exit is expected


@dataclass(eq=False)
class Slot:
    """A place for one worker. Rolling restarts and recycling swap the worker
    in a slot; in SO_REUSEPORT mode the slot owns its sockets, so the
    replacement accepts the connections queued for its predecessor."""

    index: int
    own_sockets: list[socket.socket] = field(default_factory=list)
    worker: Worker | None = None
    respawn_at: float | None = None
    crashes: deque[float] = field(default_factory=deque)

    def crash_delay(self, now: float, *, after: int, ceiling: float) -> float:
        """0 for the first `after` crashes within CRASH_WINDOW; then
        exponential backoff up to `ceiling`."""
        self.crashes.append(now)
        while self.crashes and now - self.crashes[0] > CRASH_WINDOW:
            self.crashes.popleft()
        excess = len(self.crashes) - after
        if excess <= 0:
            return 0.0
        return float(min(ceiling, FIRST_BACKOFF * 2 ** (excess - 1)))

    def close_sockets(self) -> None:
        for sock in self.own_sockets:
            sock.close()
        self.own_sockets = []


@dataclass(eq=False)
class Worker:
    process: Any  # multiprocessing BaseProcess of the chosen context
    slot: Slot
    channel: Connection
    started: float
    last_beat: float
    state: WorkerState = WorkerState.STARTING
    drain_deadline: float = math.inf
    error: str = ""
    reaped: bool = False
    buffer: bytearray = field(default_factory=bytearray)

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def feed(self, data: bytes) -> list[tuple[bytes, str]]:
        self.buffer += data
        return parse_messages(self.buffer)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def describe_exit(self) -> str:
        code = self.process.exitcode
        if code is None:
            return "exit status unknown"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
            return f"killed by signal {-code}"
        return f"exit code {code}"
