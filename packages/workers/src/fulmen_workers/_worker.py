"""The first code a worker process runs: reset what it inherited from the
supervisor, run the hooks and the target, report a start-up failure."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection

from fulmen_workers._config import Target, resolve_target
from fulmen_workers._context import WorkerContext

logger = logging.getLogger("fulmen.workers")

EXIT_STARTUP_FAILED = 3

# Signals the supervisor handles; blocked around fork so that none reaches the
# child while it still runs the supervisor's handlers (which would write to
# the supervisor's wake-up pipe), then unblocked once the worker's are set.
SUPERVISOR_SIGNALS = frozenset(
    {
        signal.SIGTERM,
        signal.SIGINT,
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGTTIN,
        signal.SIGTTOU,
        signal.SIGCHLD,
    }
)


@dataclass
class WorkerSpec:
    """Everything a worker needs; picklable for the spawn start method."""

    target: str | Target
    index: int
    sockets: list[socket.socket]
    channel: Connection
    heartbeat_interval: float
    max_requests: int
    parent_pid: int
    close_fds: list[int]
    post_fork: object = None
    worker_exit: object = None
    log_level: int = logging.WARNING
    log_format: str | None = None


def worker_main(spec: WorkerSpec) -> None:
    """Entry point of every worker process (`multiprocessing.Process` target)."""
    signal.set_wakeup_fd(-1)
    if not logging.getLogger().handlers and spec.log_format:
        # spawn: a fresh interpreter; log like the supervisor does (fork inherits it).
        logging.basicConfig(level=spec.log_level, format=spec.log_format)
    for fd in spec.close_fds:  # the supervisor's private descriptors (fork only)
        with contextlib.suppress(OSError):
            os.close(fd)
    channel_fd = spec.channel.fileno()
    os.set_blocking(channel_fd, False)
    ctx = WorkerContext(
        sockets=spec.sockets,
        index=spec.index,
        channel_fd=channel_fd,
        heartbeat_interval=spec.heartbeat_interval,
        max_requests=spec.max_requests,
        parent_pid=spec.parent_pid,
    )
    # Ctrl-C reaches the whole process group: only the supervisor decides.
    for ignored in (signal.SIGINT, signal.SIGHUP, signal.SIGTTIN, signal.SIGTTOU):
        signal.signal(ignored, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, lambda _sig, _frame: ctx.request_stop("SIGTERM"))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SUPERVISOR_SIGNALS)

    code = _run(spec, ctx)
    if callable(spec.worker_exit):
        try:
            spec.worker_exit(ctx)
        except Exception:
            logger.exception("worker %d: worker_exit hook failed", os.getpid())
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)


def _run(spec: WorkerSpec, ctx: WorkerContext) -> int:
    pid = os.getpid()
    try:
        if callable(spec.post_fork):
            spec.post_fork(ctx)
        target = resolve_target(spec.target)
        target(ctx)
    except BaseException as exc:
        if isinstance(exc, SystemExit) and exc.code in (0, None) and ctx.is_ready:
            return 0
        text = "".join(traceback.format_exception(exc))
        if not ctx.is_ready:
            logger.error("worker %d failed to start:\n%s", pid, text.rstrip())
            ctx.send_error(text)
            return EXIT_STARTUP_FAILED
        logger.error("worker %d crashed:\n%s", pid, text.rstrip())
        return 1
    if not ctx.is_ready and not ctx.should_stop:
        message = "the target returned without calling ctx.ready()"
        logger.error("worker %d failed to start: %s", pid, message)
        ctx.send_error(message)
        return EXIT_STARTUP_FAILED
    if ctx.stop_reason:
        logger.info("worker %d stopped (%s)", pid, ctx.stop_reason)
    return 0
