"""The supervisor: one process, one thread, one loop.

It binds the sockets, starts the workers as its direct children, and then
waits in a single `selectors` loop on three kinds of event: a signal (through
`signal.set_wakeup_fd`), a message from a worker (its pipe: ready, heartbeat,
retiring, start-up error) and a worker's exit (its `multiprocessing`
sentinel). Deadlines (heartbeat timeout, start-up timeout, graceful timeout,
memory checks, crash backoff) are checked on every turn of the loop, which
wakes at least every `TICK` seconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import multiprocessing
import os
import random
import selectors
import signal
import socket
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import Any

from fulmen_workers._config import Config
from fulmen_workers._memory import rss_reader
from fulmen_workers._reload import FileWatcher, compile_errors
from fulmen_workers._sockets import BindSpec, bind_socket, close_socket, describe
from fulmen_workers._worker import SUPERVISOR_SIGNALS, WorkerSpec, worker_main
from fulmen_workers._workerstate import Slot, Worker, WorkerState

logger = logging.getLogger("fulmen.workers")

TICK = 0.1  # seconds: the coarsest resolution of every deadline
EXIT_OK = 0
EXIT_STARTUP_FAILED = 3


class Supervisor:
    """Runs `config.workers` copies of `config.target`; `run()` blocks until
    the supervisor stops and returns its exit code (0, or 3 when workers
    repeatedly fail to start; `failure` then holds the cause)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.failure: str | None = None
        assert config.start_method is not None
        self._mp: Any = multiprocessing.get_context(config.start_method)
        self._selector = selectors.DefaultSelector()
        self._workers: dict[int, Worker] = {}
        self._slots: list[Slot] = []
        self._shared: list[tuple[BindSpec, socket.socket]] = []
        self._per_slot_specs: list[BindSpec] = []
        self._first_slot_sockets: list[socket.socket] = []
        self._stopping = False
        self._exit_code = EXIT_OK
        self._startup_failures = 0
        self._roll_queue: deque[Slot] = deque()
        self._roll_incoming: Worker | None = None
        self._watcher: FileWatcher | None = None
        self._waiting_for_change = False
        self._rss: Callable[[int], int | None] | None = None
        self._next_memory_check = 0.0
        self._wake_r, self._wake_w = os.pipe()
        self._reload_r, self._reload_w = os.pipe()
        for fd in (self._wake_r, self._wake_w, self._reload_r, self._reload_w):
            os.set_blocking(fd, False)

    # ---- life cycle -------------------------------------------------------

    def run(self) -> int:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("the supervisor must run in the main thread (it handles signals)")
        config = self.config
        previous: dict[int, Any] = {}
        try:
            if config.on_starting is not None:
                config.on_starting(config)
            if config.reload:  # fail fast, before binding, when watchfiles is missing
                self._watcher = FileWatcher(config.reload_dirs, self._reload_w)
                if not isinstance(config.target, str) and config.start_method == "fork":
                    # A forked worker runs the code the supervisor imported: stale after a change.
                    logger.info("reload with a callable target: using spawn to import fresh code")
                    config.start_method = "spawn"
                    self._mp = multiprocessing.get_context("spawn")
            if config.max_memory:
                self._rss = rss_reader()
                if self._rss is None:
                    logger.warning("max_memory is ignored: no /proc and no psutil here")
            self._bind()
            previous = self._install_signals()
            if self._watcher is not None:
                self._watcher.start()
                logger.info("reload: watching %s", ", ".join(self._watcher.dirs))
            self._selector.register(self._wake_r, selectors.EVENT_READ, "signal")
            self._selector.register(self._reload_r, selectors.EVENT_READ, "reload")
            logger.info(
                "supervisor %d starting %d workers (%s)",
                os.getpid(),
                config.workers,
                config.start_method,
            )
            for _ in range(config.workers or 1):
                self._spawn(self._add_slot())
            self._loop()
        finally:
            self._kill_all()
            if self._watcher is not None:
                self._watcher.stop()
            self._close_sockets()
            for sock in self._first_slot_sockets:
                sock.close()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            if previous:
                signal.set_wakeup_fd(-1)
            self._selector.close()
            for fd in (self._wake_r, self._wake_w, self._reload_r, self._reload_w):
                os.close(fd)
        logger.info("supervisor %d exiting with code %d", os.getpid(), self._exit_code)
        return self._exit_code

    def _loop(self) -> None:
        while not (self._stopping and not self._workers):
            for key, _events in self._selector.select(TICK):
                data = key.data
                if data == "signal":
                    self._on_signals()
                elif data == "reload":
                    self._on_reload()
                elif data[1].reaped:
                    continue  # handled earlier in this round (e.g. by SIGQUIT's kill)
                elif data[0] == "channel":
                    self._on_channel(data[1])
                else:
                    self._on_exit(data[1])
            self._check_deadlines(time.monotonic())

    # ---- sockets ----------------------------------------------------------

    def _bind(self) -> None:
        config = self.config
        for spec in config.bind_specs:
            per_slot = config.reuse_port and spec.kind == "tcp"
            sock = bind_socket(spec, backlog=config.backlog, reuse_port=per_slot)
            if per_slot:
                # Later slots must bind the port the kernel chose for port 0.
                spec = dataclasses.replace(spec, port=sock.getsockname()[1])
                self._per_slot_specs.append(spec)
                self._first_slot_sockets.append(sock)
                mode = "SO_REUSEPORT, one socket per worker"
            else:
                self._shared.append((spec, sock))
                mode = "shared by all workers"
            logger.info("listening on %s (%s)", describe(spec, sock), mode)

    def _add_slot(self) -> Slot:
        index = max((s.index for s in self._slots), default=-1) + 1
        own: list[socket.socket] = []
        for position, spec in enumerate(self._per_slot_specs):
            if not self._slots and self._first_slot_sockets:  # bound by _bind() for port 0
                own.append(self._first_slot_sockets[position])
            else:
                own.append(bind_socket(spec, backlog=self.config.backlog, reuse_port=True))
        slot = Slot(index=index, own_sockets=own)
        self._slots.append(slot)
        return slot

    def _close_sockets(self) -> None:
        for spec, sock in self._shared:
            close_socket(spec, sock)
        self._shared.clear()
        for slot in self._slots:
            slot.close_sockets()

    # ---- spawning ---------------------------------------------------------

    def _spawn(self, slot: Slot, *, incoming: bool = False) -> Worker:
        config = self.config
        reader, writer = self._mp.Pipe(duplex=False)
        sockets = [sock for _spec, sock in self._shared] + slot.own_sockets
        limit = 0
        if config.max_requests:
            limit = config.max_requests + random.randint(0, config.max_requests_jitter)
        spec = WorkerSpec(
            target=config.target,
            index=slot.index,
            sockets=sockets,
            channel=writer,
            heartbeat_interval=config.heartbeat_interval,
            max_requests=limit,
            parent_pid=os.getpid(),
            close_fds=self._private_fds(keep=sockets) if config.start_method == "fork" else [],
            post_fork=config.post_fork,
            worker_exit=config.worker_exit,
            log_level=logger.getEffectiveLevel(),
            log_format=_root_log_format(),
        )
        process = self._mp.Process(
            target=worker_main, args=(spec,), name=f"fulmen-worker-{slot.index}"
        )
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, SUPERVISOR_SIGNALS)
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns when forking with threads alive. The only
                # thread here is the reload watcher, which holds no lock a
                # worker could need; the child never touches it.
                warnings.filterwarnings("ignore", "This process .* is multi-threaded")
                process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        writer.close()
        now = time.monotonic()
        worker = Worker(process=process, slot=slot, channel=reader, started=now, last_beat=now)
        self._workers[worker.pid] = worker
        os.set_blocking(reader.fileno(), False)
        self._selector.register(reader.fileno(), selectors.EVENT_READ, ("channel", worker))
        self._selector.register(process.sentinel, selectors.EVENT_READ, ("sentinel", worker))
        if not incoming:
            slot.worker = worker
            slot.respawn_at = None
        logger.info("worker %d started (slot %d)", worker.pid, slot.index)
        return worker

    def _private_fds(self, keep: list[socket.socket]) -> list[int]:
        """Descriptors a forked worker must close: the supervisor's pipes, the
        other workers' channels, other slots' sockets (so a removed slot's
        socket really closes)."""
        kept = {sock.fileno() for sock in keep}
        fds = [self._wake_r, self._wake_w, self._reload_r, self._reload_w]
        with contextlib.suppress(NotImplementedError, ValueError):
            fds.append(self._selector.fileno())
        for worker in self._workers.values():
            fds += [worker.channel.fileno(), worker.process.sentinel]
        for slot in self._slots:
            fds += [s.fileno() for s in slot.own_sockets if s.fileno() not in kept]
        return fds

    # ---- events -----------------------------------------------------------

    def _install_signals(self) -> dict[int, Any]:
        previous: dict[int, Any] = {}

        def note(_signum: int, _frame: FrameType | None) -> None:
            pass  # the C-level handler already wrote the number to the wake-up fd

        for signum in SUPERVISOR_SIGNALS:
            previous[signum] = signal.signal(signum, note)
        signal.set_wakeup_fd(self._wake_w, warn_on_full_buffer=False)
        return previous

    def _on_signals(self) -> None:
        try:
            data = os.read(self._wake_r, 256)
        except BlockingIOError:
            return
        for signum in data:
            if signum in (signal.SIGTERM, signal.SIGINT):
                name = signal.Signals(signum).name
                if self._stopping:
                    logger.warning("received %s again: stopping at once", name)
                    self._kill_all()
                else:
                    self.stop(f"received {name}")
            elif signum == signal.SIGQUIT:
                logger.info("received SIGQUIT: stopping at once")
                self._stopping = True
                self._kill_all()
            elif signum == signal.SIGHUP:
                logger.info("received SIGHUP: restarting the workers one by one")
                self.restart()
            elif signum == signal.SIGTTIN:
                self.add_worker()
            elif signum == signal.SIGTTOU:
                self.remove_worker()

    def stop(self, reason: str) -> None:
        """Drain: every worker stops accepting and finishes in-flight work."""
        if self._stopping:
            return
        self._stopping = True
        self._roll_queue.clear()
        logger.info("%s: draining %d workers", reason, len(self._workers))
        for worker in list(self._workers.values()):
            self._drain(worker)
        # The workers hold their own copies; ours only kept the queue alive across restarts.
        self._close_sockets()

    def restart(self) -> None:
        """Rolling restart: a new worker per slot, the old one drained once the new is ready."""
        if self._stopping:
            return
        self._roll_queue = deque(self._slots)
        self._advance_roll()

    def add_worker(self) -> None:
        if self._stopping:
            return
        slot = self._add_slot()
        logger.info("workers: %d -> %d", len(self._slots) - 1, len(self._slots))
        self._spawn(slot)

    def remove_worker(self) -> None:
        if self._stopping or len(self._slots) <= 1:
            logger.info("workers: keeping the last worker")
            return
        slot = self._slots.pop()
        logger.info("workers: %d -> %d", len(self._slots) + 1, len(self._slots))
        for worker in list(self._workers.values()):
            if worker.slot is slot:
                self._drain(worker)
        slot.close_sockets()  # SO_REUSEPORT mode: queued connections of this socket are reset
        self._advance_roll()  # in case the removed slot's new worker was being started

    def _on_channel(self, worker: Worker) -> None:
        data = b""
        while True:  # an error report can be larger than one read
            try:
                chunk = os.read(worker.channel.fileno(), 65536)
            except OSError:  # BlockingIOError: all read
                break
            if not chunk:
                break
            data += chunk
        for kind, text in worker.feed(data):
            if kind == b"R":
                self._on_ready(worker)
            elif kind == b"H":
                worker.last_beat = time.monotonic()
            elif kind == b"Q" and worker.state is WorkerState.READY:
                self._retire(worker, "max_requests reached")
            elif kind == b"E":
                worker.error = text

    def _on_ready(self, worker: Worker) -> None:
        worker.state = WorkerState.READY
        worker.last_beat = time.monotonic()
        self._startup_failures = 0
        self._waiting_for_change = False
        logger.info(
            "worker %d ready (slot %d, %.0f ms)",
            worker.pid,
            worker.slot.index,
            (worker.last_beat - worker.started) * 1000,
        )
        if worker is self._roll_incoming:
            old = worker.slot.worker
            worker.slot.worker = worker
            self._roll_incoming = None
            if old is not None:
                self._drain(old)
            self._advance_roll()

    def _on_exit(self, worker: Worker) -> None:
        self._on_channel(worker)  # messages written just before exiting
        worker.process.join(timeout=5)
        worker.reaped = True
        self._selector.unregister(worker.channel.fileno())
        self._selector.unregister(worker.process.sentinel)
        worker.channel.close()
        del self._workers[worker.pid]
        status = worker.describe_exit()
        slot = worker.slot
        if worker.state is WorkerState.DRAINING:
            logger.info("worker %d exited (%s)", worker.pid, status)
        elif worker is self._roll_incoming:
            self._roll_incoming = None
            self._roll_queue.clear()
            logger.error(
                "worker %d failed to start (%s); restart aborted, the old workers keep serving%s",
                worker.pid,
                status,
                ":\n" + worker.error.rstrip() if worker.error else "",
            )
        elif worker.state is WorkerState.STARTING:
            self._on_startup_failure(worker, status)
        else:
            delay = slot.crash_delay(
                time.monotonic(),
                after=self.config.crash_backoff_after,
                ceiling=self.config.crash_backoff_max,
            )
            logger.error(
                "worker %d died (%s); replacing it%s",
                worker.pid,
                status,
                f" in {delay:.1f}s (repeated crashes)" if delay else "",
            )
            self._schedule(slot, delay)
        with contextlib.suppress(ValueError):  # still running after join(5): leave it be
            worker.process.close()

    def _on_startup_failure(self, worker: Worker, status: str) -> None:
        self._startup_failures += 1
        cause = worker.error.rstrip() or f"it exited before calling ready() ({status})"
        logger.error("worker %d failed to start:\n%s", worker.pid, cause)
        if self.config.reload:
            self._waiting_for_change = True
            worker.slot.worker = None
            logger.error("reload: waiting for a file change")
            return
        if self._startup_failures >= self.config.startup_failures:
            self.failure = cause
            logger.error(
                "workers failed to start %d times in a row: giving up (exit code 3)",
                self._startup_failures,
            )
            self._exit_code = EXIT_STARTUP_FAILED
            self.stop("start-up failure")
            return
        self._schedule(worker.slot, 0.1 * 2 ** (self._startup_failures - 1))

    def _schedule(self, slot: Slot, delay: float) -> None:
        if slot.worker is not None and slot.worker.pid not in self._workers:
            slot.worker = None
        if slot in self._slots:
            slot.respawn_at = time.monotonic() + delay

    def _on_reload(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.read(self._reload_r, 4096)
        if self._watcher is None or self._stopping:
            return
        changed = self._watcher.take_changes()
        if not changed:
            return
        errors = compile_errors(changed)
        if errors:
            logger.error(
                "reload: not restarting, the old workers keep serving:\n%s", "\n".join(errors)
            )
            return
        logger.info("reload: %s changed, restarting the workers", ", ".join(changed))
        if self._waiting_for_change:
            self._waiting_for_change = False
            self._startup_failures = 0
            for slot in self._slots:
                if slot.worker is None:
                    self._spawn(slot)
        self.restart()

    # ---- transitions ------------------------------------------------------

    def _advance_roll(self) -> None:
        while self._roll_incoming is None and self._roll_queue:
            slot = self._roll_queue.popleft()
            if slot in self._slots:
                self._roll_incoming = self._spawn(slot, incoming=True)

    def _drain(self, worker: Worker) -> None:
        if worker.state is WorkerState.DRAINING:
            return
        worker.state = WorkerState.DRAINING
        worker.drain_deadline = time.monotonic() + self.config.graceful_timeout
        if worker.slot.worker is worker:
            worker.slot.worker = None
        if worker is self._roll_incoming:
            self._roll_incoming = None
        logger.info("worker %d stopping gracefully", worker.pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGTERM)

    def _retire(self, worker: Worker, reason: str) -> None:
        """Recycle gracefully: the old worker drains while its replacement starts."""
        logger.info("worker %d recycled: %s", worker.pid, reason)
        slot = worker.slot
        self._drain(worker)
        if not self._stopping and slot in self._slots and slot.worker is None:
            self._spawn(slot)

    def _kill_and_replace(self, worker: Worker) -> None:
        worker.state = WorkerState.DRAINING
        worker.drain_deadline = math.inf
        worker.kill()
        if worker.slot.worker is worker:
            worker.slot.worker = None
        self._schedule(worker.slot, 0.0)

    def _kill_all(self) -> None:
        for worker in list(self._workers.values()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            worker.state = WorkerState.DRAINING
            worker.drain_deadline = -math.inf
        for worker in list(self._workers.values()):
            worker.process.join(timeout=5)
            self._on_exit(worker)

    def _check_deadlines(self, now: float) -> None:
        config = self.config
        for worker in list(self._workers.values()):
            if worker.state is WorkerState.STARTING:
                if now - worker.started > config.startup_timeout:
                    worker.error = f"it did not call ready() within {config.startup_timeout:g}s"
                    logger.error("worker %d killed: %s", worker.pid, worker.error)
                    worker.kill()
            elif worker.state is WorkerState.READY:
                if config.timeout and now - worker.last_beat > config.timeout:
                    logger.error(
                        "worker %d killed: no heartbeat for %.1fs (timeout %gs)",
                        worker.pid,
                        now - worker.last_beat,
                        config.timeout,
                    )
                    self._kill_and_replace(worker)
            elif now > worker.drain_deadline:
                logger.warning(
                    "worker %d killed: still busy after graceful_timeout %gs",
                    worker.pid,
                    config.graceful_timeout,
                )
                worker.drain_deadline = math.inf
                worker.kill()
        if self._rss is not None and now >= self._next_memory_check:
            self._next_memory_check = now + config.memory_check_interval
            self._check_memory()
        if not self._stopping:
            for slot in self._slots:
                if slot.worker is None and slot.respawn_at is not None and now >= slot.respawn_at:
                    self._spawn(slot)

    def _check_memory(self) -> None:
        assert self._rss is not None
        for worker in list(self._workers.values()):
            if worker.state is not WorkerState.READY:
                continue
            rss = self._rss(worker.pid)
            if rss is not None and rss > self.config.max_memory:
                self._retire(
                    worker,
                    f"resident memory {rss / 2**20:.1f} MiB above max_memory "
                    f"{self.config.max_memory / 2**20:.1f} MiB",
                )


def _root_log_format() -> str | None:
    """The format of the root logger's first handler, for spawned workers."""
    for handler in logging.getLogger().handlers:
        if handler.formatter is not None and handler.formatter._fmt:
            return handler.formatter._fmt
    return None
