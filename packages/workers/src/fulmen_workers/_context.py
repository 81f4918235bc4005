"""What a worker's target sees: its sockets, a stop request, and the channel
back to the supervisor (readiness, heartbeats, request counting).

The channel is a pipe per worker. Messages are single bytes, so each write is
atomic (POSIX guarantees that for writes up to PIPE_BUF), and the write end is
non-blocking: a heartbeat never stalls a server whose supervisor is busy; it is
simply dropped. Only the start-up error report, sent once just before the
worker exits, is written blocking and framed with its length.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
from collections.abc import Callable

MSG_READY = b"R"  # the target is accepting connections
MSG_HEARTBEAT = b"H"  # still alive
MSG_RETIRING = b"Q"  # leaving on its own (max_requests): start a replacement now
MSG_ERROR = b"E"  # followed by a 4-byte big-endian length and a UTF-8 traceback
MAX_ERROR_BYTES = 64 * 1024


class WorkerContext:
    """Handed to the target, the callable that serves. The target must:

    * serve on `sockets` (listening sockets, already bound; accept on all of them);
    * call `ready` once it accepts connections (after its own start-up, such
      as an ASGI lifespan) — a worker that exits before that is a start-up failure;
    * call `notify` from its serving loop at least every `heartbeat_interval`
      seconds (calls in between are free), or the supervisor will consider it
      hung after ``timeout`` and kill it;
    * call `request_served` after each response when ``max_requests`` matters;
    * stop accepting, finish in-flight work and return once `should_stop` is
      true; `add_stop_callback` registers a function to be told at once.
    """

    def __init__(
        self,
        *,
        sockets: list[socket.socket],
        index: int,
        channel_fd: int,
        heartbeat_interval: float,
        max_requests: int,
        parent_pid: int,
    ) -> None:
        self.sockets = sockets
        self.index = index
        self.heartbeat_interval = heartbeat_interval
        self.max_requests = max_requests
        self.requests_served = 0
        self._channel_fd = channel_fd
        self._parent_pid = parent_pid
        self._stop = threading.Event()
        self._stop_callbacks: list[Callable[[], object]] = []
        self._lock = threading.Lock()
        self._last_beat = 0.0
        self._ready = False
        self.stop_reason = ""

    @property
    def pid(self) -> int:
        return os.getpid()

    @property
    def is_ready(self) -> bool:
        return self._ready

    @property
    def should_stop(self) -> bool:
        return self._stop.is_set()

    def wait_for_stop(self, timeout: float | None = None) -> bool:
        """Block until a stop is requested (or `timeout`); True if it was."""
        return self._stop.wait(timeout)

    def add_stop_callback(self, callback: Callable[[], object]) -> None:
        """Call `callback` (once, from whichever thread or signal handler asks
        for the stop) when the worker must stop; at once if it already must.
        From a signal handler, keep it to setting a flag or `loop.call_soon_threadsafe`."""
        with self._lock:
            if not self._stop.is_set():
                self._stop_callbacks.append(callback)
                return
        callback()

    def request_stop(self, reason: str = "stop requested") -> None:
        """Ask the target to stop gracefully. Safe to call more than once."""
        with self._lock:
            if self._stop.is_set():
                return
            self.stop_reason = reason
            self._stop.set()
            callbacks, self._stop_callbacks = self._stop_callbacks, []
        for callback in callbacks:
            callback()

    def ready(self) -> None:
        """Tell the supervisor this worker accepts connections."""
        if not self._ready:
            self._ready = True
            self._send(MSG_READY)
            self._last_beat = time.monotonic()

    def notify(self) -> None:
        """Heartbeat. Cheap: writes to the supervisor at most once per
        ``heartbeat_interval / 2``. Also notices an orphaned worker (the
        supervisor died) and asks it to stop."""
        now = time.monotonic()
        if now - self._last_beat < self.heartbeat_interval / 2:
            return
        self._last_beat = now
        if os.getppid() != self._parent_pid:
            self.request_stop("the supervisor is gone")
            return
        self._send(MSG_HEARTBEAT)

    def request_served(self) -> None:
        """Count one served request; past ``max_requests`` the worker retires
        gracefully (the supervisor starts its replacement at once)."""
        self.requests_served += 1
        if self.max_requests and self.requests_served == self.max_requests:
            self._send(MSG_RETIRING)
            self.request_stop(f"max_requests ({self.max_requests}) reached")

    def _send(self, message: bytes) -> None:
        # A busy supervisor misses one heartbeat; a dead one is noticed by notify().
        with contextlib.suppress(BlockingIOError, BrokenPipeError):
            os.write(self._channel_fd, message)

    def send_error(self, text: str) -> None:
        """Report a start-up failure (blocking; the worker is about to exit)."""
        payload = text.encode("utf-8", "replace")[-MAX_ERROR_BYTES:]
        os.set_blocking(self._channel_fd, True)
        try:
            os.write(self._channel_fd, MSG_ERROR + struct.pack(">I", len(payload)))
            view = memoryview(payload)
            while view:
                view = view[os.write(self._channel_fd, view) :]
        except BrokenPipeError:
            pass


def parse_messages(buffer: bytearray) -> list[tuple[bytes, str]]:
    """Take the complete messages out of `buffer` (supervisor side); an
    incomplete error frame stays in the buffer until the rest arrives."""
    out: list[tuple[bytes, str]] = []
    while buffer:
        kind = bytes(buffer[:1])
        if kind != MSG_ERROR:
            out.append((kind, ""))
            del buffer[:1]
            continue
        if len(buffer) < 5:
            break
        (length,) = struct.unpack(">I", buffer[1:5])
        if len(buffer) < 5 + length:
            break
        out.append((kind, buffer[5 : 5 + length].decode("utf-8", "replace")))
        del buffer[: 5 + length]
    return out
