"""The server: configuration, listening sockets, timeouts, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from fulmen_http._asgi import ASGIApp, AsgiRequest, Lifespan
from fulmen_http._asgi import make_dispatch as make_asgi_dispatch
from fulmen_http._direct import Handler
from fulmen_http._direct import make_dispatch as make_direct_dispatch
from fulmen_http._frontdoor import FrontDoor
from fulmen_http._limits import Limits
from fulmen_http._protocol import HttpProtocol
from fulmen_http._request import Request

logger = logging.getLogger("fulmen_http.error")


@dataclass(kw_only=True)
class Config:
    """Server settings; every limit has a finite default (docs/packages/http.md)."""

    host: str = "127.0.0.1"
    port: int = 8000
    limits: Limits = field(default_factory=Limits)
    timeout_keep_alive: float = 5.0
    """Seconds an idle keep-alive connection is kept open."""
    timeout_request_head: float = 10.0
    """Seconds a client may take to send a whole request head (slowloris); 408 after."""
    timeout_graceful_shutdown: float = 30.0
    """Seconds in-flight requests get to finish at shutdown before connections are cut."""
    limit_concurrency: int | None = None
    """Requests handled at once; more are answered 503. None: no limit."""
    backlog: int = 2048
    access_log: bool = False
    lifespan: str = "auto"
    root_path: str = ""
    # The front door (fulmen_http/_frontdoor.py); all off by default, and free when off.
    ssl: ssl.SSLContext | None = None
    """Serve TLS with this context (the scheme becomes ``https``)."""
    proxy_headers: bool = False
    """Believe Forwarded / X-Forwarded-For/-Proto/-Host from `forwarded_allow_ips`."""
    forwarded_allow_ips: str | Sequence[str] = "127.0.0.1"
    """Trusted proxies: IPs, networks, ``"unix"`` (Unix-socket peers) or ``"*"``."""
    request_id: bool = False
    """Give every request an id (X-Request-ID from a trusted proxy, else a new one),
    return it in the response and put it in the access log."""
    headers: Sequence[tuple[bytes, bytes]] = ()
    """Headers added to every response."""
    on_response: Callable[[], None] | None = None
    """Called after every response (counting requests)."""
    fast_path: bool = True
    """Serve an app that offers ``__fulmen_http__`` through the direct handler it
    returns (docs/packages/http.md). False: always ASGI."""


class ServerState:
    """What every connection of one server shares."""

    __slots__ = ("active", "config", "connections", "loop", "tasks")

    def __init__(self, config: Config, loop: asyncio.AbstractEventLoop) -> None:
        self.config = config
        self.loop = loop
        self.connections: set[HttpProtocol] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.active = 0  # requests being handled


class Server:
    """Serves an ASGI 3 app (``app=``) or a direct handler (``handler=``).

    ``await serve()`` runs until :meth:`shutdown` (or :meth:`request_shutdown`
    from any thread); :meth:`start_in_thread` / :meth:`stop` run it on a uvloop
    of its own in a background thread.
    """

    def __init__(
        self,
        app: ASGIApp | None = None,
        *,
        handler: Handler | None = None,
        config: Config | None = None,
        **options: Any,
    ) -> None:
        if (app is None) == (handler is None):
            raise ValueError("give exactly one of app= (ASGI) or handler= (direct)")
        self.app = app
        self.handler = handler
        self.config = config if config is not None else Config(**options)
        if config is not None and options:
            raise ValueError("give either config= or keyword options, not both")
        self.fast_path = False
        """True while an app is served through its ``__fulmen_http__`` direct handler."""
        self.started = threading.Event()
        self.addresses: list[tuple[str, int]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._exit: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """``http(s)://host:port`` of the first listening socket."""
        host, port = self.addresses[0]
        scheme = "https" if self.config.ssl is not None else "http"
        return f"{scheme}://{host}:{port}"

    async def serve(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Listen (on ``sockets``, or on config.host/port) and serve until shut down."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._exit = asyncio.Event()
        state = ServerState(self.config, loop)
        lifespan: Lifespan | None = None
        dispatch: Callable[[Request], None]
        request_class: type[Request]
        if self.app is not None:
            lifespan = Lifespan(self.app, self.config.lifespan)
            await lifespan.startup()
            dispatch = make_asgi_dispatch(
                self.app, lifespan.state, state.tasks, self.config.root_path
            )
            request_class = AsgiRequest
            hook = getattr(self.app, "__fulmen_http__", None) if self.config.fast_path else None
            direct = None
            if hook is not None:
                # The app's own direct handler (the framework's fast path). It gets
                # the lifespan state its requests copy, and may decline requests
                # (NotImplemented): those go through ``dispatch``, over ASGI.
                try:
                    direct = hook(state=lifespan.state, root_path=self.config.root_path)
                except BaseException:
                    await lifespan.shutdown()  # started above: end it before failing
                    raise
            if direct is not None:
                dispatch = make_direct_dispatch(direct, state.tasks, fallback=dispatch)
                self.fast_path = True
                logger.info("serving the app through its direct handler (fast path)")
        else:
            assert self.handler is not None
            dispatch = make_direct_dispatch(self.handler, state.tasks)
            request_class = Request

        front = FrontDoor(self.config)
        if front.active:  # it also writes the access log (timed), when asked
            dispatch, request_class = front.wrap(dispatch, request_class)

        def factory() -> HttpProtocol:
            return HttpProtocol(state, dispatch, request_class)

        servers: list[asyncio.AbstractServer] = []
        try:
            if sockets:
                for sock in sockets:
                    servers.append(
                        await loop.create_server(
                            factory, sock=sock, backlog=self.config.backlog, ssl=self.config.ssl
                        )
                    )
            else:
                servers.append(
                    await loop.create_server(
                        factory,
                        self.config.host,
                        self.config.port,
                        backlog=self.config.backlog,
                        ssl=self.config.ssl,
                    )
                )
            self.addresses = [
                (str(s.getsockname()[0]), int(s.getsockname()[1]))
                for server in servers
                for s in cast(asyncio.Server, server).sockets
                if s.family in (socket.AF_INET, socket.AF_INET6)
            ]
            sweeper = loop.create_task(self._sweep(state))
            self.started.set()
            await self._exit.wait()
        finally:
            await _stop_accepting(loop, servers)
            await self._drain(state)
            if "sweeper" in locals():
                sweeper.cancel()
            if lifespan is not None:
                await lifespan.shutdown()
            self.fast_path = False

    async def _sweep(self, state: ServerState) -> None:
        # PERF: one timer for all connections, instead of a timer per request.
        while True:
            await asyncio.sleep(0.5)
            now = state.loop.time()
            for connection in list(state.connections):
                connection.check_timeouts(now)

    async def _drain(self, state: ServerState) -> None:
        """Graceful shutdown: idle connections close now, busy ones after their
        response; past the timeout the rest are cut and their handlers cancelled."""
        for connection in list(state.connections):
            connection.shutdown()
        deadline = state.loop.time() + self.config.timeout_graceful_shutdown
        while (state.connections or state.tasks) and state.loop.time() < deadline:
            await asyncio.sleep(0.05)
        for connection in list(state.connections):
            connection.abort()
        for task in list(state.tasks):
            task.cancel()
        if state.tasks:
            await asyncio.wait(list(state.tasks), timeout=1.0)

    def request_shutdown(self) -> None:
        """Ask a running server to shut down gracefully (safe from any thread)."""
        loop, event = self._loop, self._exit
        if loop is None or event is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(event.set)

    async def shutdown(self) -> None:
        """From inside the server's loop: ask it to stop (serve() then drains)."""
        if self._exit is not None:
            self._exit.set()

    # ---- running it ---------------------------------------------------------------

    def run(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Serve in this thread until SIGINT/SIGTERM (the CLI's entry point)."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.request_shutdown)
            await self.serve(sockets)

        _new_loop_run(main())

    def start_in_thread(
        self, sockets: Sequence[socket.socket] | None = None, *, timeout: float = 10.0
    ) -> None:
        """Serve on a uvloop in a daemon thread; return once it is listening."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")

        def target() -> None:
            try:
                _new_loop_run(self.serve(sockets))
            except BaseException as exc:
                self._error = exc
                self.started.set()

        self._thread = threading.Thread(target=target, name="fulmen-http", daemon=True)
        self._thread.start()
        if not self.started.wait(timeout):
            raise TimeoutError("the server did not start in time")
        if self._error is not None:
            raise RuntimeError("the server failed to start") from self._error

    def stop(self, timeout: float | None = None) -> None:
        """Shut a :meth:`start_in_thread` server down gracefully and join its thread."""
        thread = self._thread
        if thread is None:
            return
        self.request_shutdown()
        limit = timeout if timeout is not None else self.config.timeout_graceful_shutdown + 5
        thread.join(limit)
        if thread.is_alive():
            raise TimeoutError("the server did not stop in time")
        self._thread = None


def _new_loop_run(coro: Any) -> None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on POSIX
        asyncio.run(coro)
        return
    uvloop.run(coro)


async def _stop_accepting(
    loop: asyncio.AbstractEventLoop, servers: list[asyncio.AbstractServer]
) -> None:
    """Close the listening servers without dropping connections already accepted.

    asyncio's selector loop accepts a batch of connections per wake-up and
    builds each one's transport in a task one loop turn later; on Python 3.11 a
    transport built after ``Server.close()`` fails an assertion in
    ``Server._attach`` and its connection is dropped silently (then reset when
    the process exits — seen as resets during a supervisor's rolling restart).
    So stop accepting first, give those tasks their turn, then close. uvloop
    builds transports at accept time and has no such window.
    """
    if isinstance(loop, asyncio.selector_events.BaseSelectorEventLoop):
        for server in servers:
            for sock in cast(asyncio.Server, server).sockets:
                loop.remove_reader(sock.fileno())
        for _ in range(3):
            await asyncio.sleep(0)
    for server in servers:
        server.close()
