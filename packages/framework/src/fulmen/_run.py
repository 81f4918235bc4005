"""Serving an app: in this process on fulmen_http, or under fulmen_workers.

One worker and no reload: this process binds the socket and serves. More
workers or reload: this process becomes the fulmen_workers supervisor (it gets
the signals; the workers are its direct children), and each worker serves on
the sockets it inherits. The app is imported once here and inherited by fork;
with reload the workers import it themselves (spawn) so they see the changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import random
import signal
import socket
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fulmen import _logs
from fulmen._discover import Target, TargetError, load_app, parse_target
from fulmen_http import Config, Limits, Server
from fulmen_workers import Config as WorkersConfig
from fulmen_workers import Supervisor, WorkerContext
from fulmen_workers._sockets import bind_socket, parse_bind

logger = logging.getLogger("fulmen.cli")

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_STARTUP = 3


@dataclass
class RunOptions:
    """Every ``fulmen run`` option, resolved; picklable (spawned workers get a copy)."""

    target: Target
    factory: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    uds: str | None = None
    fd: int | None = None
    workers: int = 1
    reload: bool = False
    reload_dirs: list[str] = field(default_factory=list)
    log_level: str = "info"
    access_log: bool = True
    log_format: str = "text"
    log_config: str | None = None
    proxy_headers: bool = True
    forwarded_allow_ips: str = "127.0.0.1"
    root_path: str = ""
    timeout_keep_alive: float = 5.0
    timeout_graceful_shutdown: float | None = None
    limit_concurrency: int | None = None
    limit_max_requests: int | None = None
    limit_max_requests_jitter: int = 0
    backlog: int = 2048
    lifespan: str = "auto"
    threadpool_size: int | None = None
    ssl_keyfile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile_password: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def supervised(self) -> bool:
        return self.workers > 1 or self.reload

    @property
    def bind(self) -> str:
        if self.uds:
            return f"unix:{self.uds}"
        if self.fd is not None:
            return f"fd://{self.fd}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        if self.uds or self.fd is not None:
            return self.bind
        scheme = "https" if self.ssl_certfile else "http"
        return f"{scheme}://{self.bind}"


def ssl_context(options: RunOptions) -> ssl.SSLContext | None:
    """TLS through the standard ssl module; None without a certificate."""
    if not options.ssl_certfile:
        if options.ssl_keyfile:
            raise ValueError("--ssl-keyfile needs --ssl-certfile")
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(
            options.ssl_certfile, options.ssl_keyfile, password=options.ssl_keyfile_password
        )
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cannot load the TLS certificate/key: {exc}") from exc
    context.set_alpn_protocols(["http/1.1"])
    return context


def server_config(options: RunOptions, on_response: Callable[[], None] | None) -> Config:
    graceful = options.timeout_graceful_shutdown
    return Config(
        limits=Limits(),
        timeout_keep_alive=options.timeout_keep_alive,
        timeout_graceful_shutdown=math.inf if graceful is None else graceful,
        limit_concurrency=options.limit_concurrency,
        backlog=options.backlog,
        access_log=options.access_log,
        lifespan=options.lifespan,
        root_path=options.root_path,
        ssl=ssl_context(options),
        proxy_headers=options.proxy_headers,
        forwarded_allow_ips=options.forwarded_allow_ips,
        request_id=options.log_format == "json",
        headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in options.headers],
        on_response=on_response,
    )


def _apply_threadpool(options: RunOptions) -> None:
    if options.threadpool_size is not None:
        from fulmen import concurrency

        concurrency.THREADPOOL_SIZE = options.threadpool_size


def _run_loop(coro: Any) -> None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on CPython/POSIX
        asyncio.run(coro)
        return
    uvloop.run(coro)


# ---- one process ----------------------------------------------------------------


def serve_single(options: RunOptions, app: Any) -> int:
    """Serve in this process until SIGINT/SIGTERM; the exit code."""
    _apply_threadpool(options)
    sock = bind_socket(parse_bind(options.bind), backlog=options.backlog)
    server: Server | None = None
    limit = options.limit_max_requests
    on_response: Callable[[], None] | None = None
    if limit:
        limit += random.randint(0, options.limit_max_requests_jitter)
        served = 0

        def count() -> None:
            nonlocal served
            served += 1
            if served == limit and server is not None:
                logger.info("maximum number of requests (%d) reached: shutting down", limit)
                server.request_shutdown()

        on_response = count
    server = Server(app, config=server_config(options, on_response))
    logger.info("fulmen %d serving on %s (press CTRL+C to quit)", os.getpid(), options.url)
    try:
        _run_loop(_single_main(server, sock))
    finally:
        sock.close()
        if options.uds:
            with contextlib.suppress(OSError):
                os.unlink(options.uds)
    logger.info("fulmen %d stopped", os.getpid())
    return EXIT_OK


async def _single_main(server: Server, sock: socket.socket) -> None:
    """Serve until SIGINT/SIGTERM (graceful); a second one stops at once, as in uvicorn."""
    loop = asyncio.get_running_loop()
    serving = loop.create_task(server.serve([sock]))
    received: list[str] = []

    def on_signal(name: str) -> None:
        received.append(name)
        if len(received) == 1:
            logger.info("received %s: finishing the requests in flight", name)
            server.request_shutdown()
        else:
            logger.warning("received %s again: stopping at once", name)
            serving.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig.name)
    try:
        await serving
    except asyncio.CancelledError:
        if not received:
            raise


# ---- the supervisor and its workers -----------------------------------------------


def serve_supervised(options: RunOptions, app: Any | None) -> int:
    """This process becomes the supervisor; `app` None: each worker imports it."""
    graceful = options.timeout_graceful_shutdown
    config = WorkersConfig(
        target=functools.partial(serve_worker, options, app),
        binds=[options.bind],
        workers=options.workers,
        backlog=options.backlog,
        # The server drains within its own timeout; the supervisor's is the backstop.
        graceful_timeout=math.inf if graceful is None else graceful + 5,
        max_requests=options.limit_max_requests or 0,
        max_requests_jitter=options.limit_max_requests_jitter,
        reload=options.reload,
        reload_dirs=options.reload_dirs,
    )
    logger.info(
        "fulmen supervisor %d: %d worker(s)%s on %s",
        os.getpid(),
        options.workers,
        ", reload on" if options.reload else "",
        options.url,
    )
    supervisor = Supervisor(config)
    code = supervisor.run()
    if supervisor.failure:  # the traceback is in the log above; end with its last line
        cause = supervisor.failure.strip().splitlines()[-1]
        print(f"fulmen: error: the app failed to start: {cause}", file=sys.stderr)
    return code


def serve_worker(options: RunOptions, app: Any | None, ctx: WorkerContext) -> None:
    """A worker's target: serve `app` (or import it) on the inherited sockets."""
    if app is None:  # spawned for reload: a fresh interpreter
        _logs.configure(
            level=options.log_level,
            log_format=options.log_format,
            log_config=options.log_config,
            workers=True,
        )
        app = load_app(options.target, factory=options.factory)
    _apply_threadpool(options)
    # Counting requests only matters with a limit; without one the front door may stay off.
    counter = ctx.request_served if options.limit_max_requests else None
    server = Server(app, config=server_config(options, counter))
    _run_loop(_worker_main(server, ctx))


async def _worker_main(server: Server, ctx: WorkerContext) -> None:
    loop = asyncio.get_running_loop()
    # On the loop, so that SIGTERM wakes an idle worker at once.
    loop.add_signal_handler(signal.SIGTERM, ctx.request_stop, "SIGTERM")
    serving = loop.create_task(server.serve(list(ctx.sockets)))
    while not server.started.is_set():  # lifespan start-up, then listening
        if serving.done():
            await serving  # raises the start-up error: the supervisor reports it
            return
        await asyncio.sleep(0.002)
    ctx.add_stop_callback(server.request_shutdown)
    ctx.ready()

    async def heartbeat() -> None:
        while True:
            ctx.notify()
            await asyncio.sleep(ctx.heartbeat_interval / 2)

    beat = loop.create_task(heartbeat())
    try:
        await serving
    finally:
        beat.cancel()


# ---- app.run() --------------------------------------------------------------------


def _target_of(app: object) -> Target:
    """The import path of `app`, for workers that must import it (reload)."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or name.startswith("fulmen"):
            continue
        for attr, value in list(vars(module).items()):
            if value is app and attr.isidentifier():
                return parse_target(f"{file}:{attr}")
    raise TargetError("reload needs the app at module level in a .py file")


def run_app(
    app: object, *, host: str, port: int, workers: int, reload: bool, **options: Any
) -> int:
    """`Fulmen.run`: serve `app` with the command line's options."""
    from fulmen.cli import serve

    target = _target_of(app) if reload else Target(type(app).__module__, None, ".", "app.run()")
    return serve(
        RunOptions(target=target, host=host, port=port, workers=workers, reload=reload, **options),
        app,
    )
