"""Live mode: the app served by a real HTTP server on 127.0.0.1, in a background thread.

``LiveServer`` starts a server through a small protocol (``ServerBackend``) that
fulmen_http's ``Server`` implements; ``_live_transport`` sends the client's
requests to it over real sockets. A wrapper around the app (``_Recorder``) sees each call
in the server's thread, so app exceptions still re-raise in the test and lifespan
state is still visible, as in-process.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

from fulmen_testclient._asgi import ASGI3App, Message, Receive, Scope, Send
from fulmen_testclient._lifespan import LifespanError

LIVE_ENV_VAR = "FULMEN_TESTCLIENT_LIVE"
# The header that ties a request to the app call serving it (removed before the app).
REQUEST_ID_HEADER = b"x-fulmen-testclient-request"


class LiveModeUnavailable(RuntimeError):
    """The live mode cannot run: fulmen_http (or its server) is not installed."""


class ServerBackend(Protocol):
    """What LiveServer needs of a server; ``fulmen_http.Server`` provides it."""

    @property
    def url(self) -> str:
        """``http://host:port`` it listens on, once started."""
        ...

    def start_in_thread(self, *, timeout: float) -> None:
        """Serve in a daemon thread; return once listening, raise if it cannot."""
        ...

    def stop(self, timeout: float | None = None) -> None:
        """Shut down gracefully and join the thread."""
        ...


# (app, *, host, port, lifespan "on"/"off", root_path) -> a server not yet started
ServerFactory = Callable[..., ServerBackend]


def fulmen_http_server(
    app: ASGI3App, *, host: str, port: int, lifespan: str, root_path: str
) -> ServerBackend:
    """The default backend: fulmen_http's server."""
    try:
        module = importlib.import_module("fulmen_http")
    except ImportError as exc:
        raise LiveModeUnavailable(
            "the live mode needs fulmen_http: pip install 'fulmen-testclient[live]'"
        ) from exc
    server_class = getattr(module, "Server", None)
    if server_class is None:
        version = getattr(module, "__version__", "?")
        raise LiveModeUnavailable(
            f"fulmen_http {version} has no Server yet: the live mode needs a fulmen_http "
            "that serves ASGI apps (Server.start_in_thread / stop / url)"
        )
    server: ServerBackend = server_class(
        app, host=host, port=port, lifespan=lifespan, root_path=root_path, access_log=False
    )
    return server


def live_from_environment() -> bool:
    """Whether FULMEN_TESTCLIENT_LIVE asks every TestClient to be live."""
    return os.environ.get(LIVE_ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


class _Call:
    __slots__ = ("cancelled", "debug_info", "done", "exception", "loop", "task")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.exception: BaseException | None = None
        self.debug_info: dict[str, Any] | None = None
        self.task: asyncio.Future[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.cancelled = False


class _Recorder:
    """Wraps the app in the server's thread: records how each call ended."""

    def __init__(self, app: ASGI3App, app_state: dict[str, Any], *, lend_state: bool) -> None:
        self.app = app
        self.app_state = app_state
        # A server without lifespan has no state of its own: each request then
        # gets a copy of the client's app_state, as in-process requests do.
        self.lend_state = lend_state
        self.lifespan_error: BaseException | None = None
        self._calls: dict[bytes, _Call] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def lifespan_failure(self) -> BaseException | None:
        return self.lifespan_error

    def expect(self) -> bytes:
        """A new request id; the call serving it will be recorded under it."""
        with self._lock:
            request_id = str(next(self._ids)).encode()
            self._calls[request_id] = _Call()
        return request_id

    def wait(
        self, request_id: bytes, timeout: float
    ) -> tuple[BaseException | None, dict[str, Any] | None]:
        """Wait for the app call behind ``request_id``; return its exception, if
        any, and the ``http.response.debug`` info it sent, if any."""
        with self._lock:
            call = self._calls.get(request_id)
        if call is None:
            return None, None
        if not call.done.wait(timeout):
            error = TimeoutError(f"the app had not returned {timeout} s after the response")
            return error, None
        with self._lock:
            self._calls.pop(request_id, None)
        return call.exception, call.debug_info

    def cancel(self, request_id: bytes) -> None:
        """The client closed the response early: cancel the app, as in-process."""
        with self._lock:
            call = self._calls.get(request_id)
        if call is not None and call.task is not None and call.loop is not None:
            call.cancelled = True
            call.loop.call_soon_threadsafe(call.task.cancel)

    def forget(self, request_id: bytes) -> None:
        with self._lock:
            self._calls.pop(request_id, None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if self.lend_state:
            scope["state"] = self.app_state.copy()
        call = None
        headers = scope.get("headers", [])
        for index, (name, value) in enumerate(headers):
            if name == REQUEST_ID_HEADER:
                scope["headers"] = [*headers[:index], *headers[index + 1 :]]
                with self._lock:
                    call = self._calls.get(bytes(value))
                break
        if call is None:
            await self.app(scope, receive, send)
            return
        # Offer the debug extension and keep its message (Starlette's templates
        # report themselves this way) instead of passing it to the server.
        scope["extensions"] = {**(scope.get("extensions") or {}), "http.response.debug": {}}

        async def keep_debug(message: Message) -> None:
            if message["type"] == "http.response.debug":
                call.debug_info = dict(message.get("info", {}))
                return
            await send(message)

        # The app runs as a task of its own so that the client can cancel it
        # without cancelling the server's task around it.
        call.loop = asyncio.get_running_loop()
        call.task = asyncio.ensure_future(self.app(scope, receive, keep_debug))
        try:
            await call.task
        except BaseException as exc:
            if call.cancelled and isinstance(exc, asyncio.CancelledError):
                return  # the server sees an app that ended; nothing to report
            call.exception = exc
            raise
        finally:
            call.done.set()

    def __fulmen_http__(self, *, state: dict[str, Any], root_path: str = "") -> Any:
        """Offer the app's direct handler (fulmen_http's fast path) when it has
        one, recorded as the ASGI calls are: live tests then run the fast path."""
        hook = getattr(self.app, "__fulmen_http__", None)
        if hook is None:
            return None
        inner = hook(state=self.app_state if self.lend_state else state, root_path=root_path)
        if inner is None:
            return None
        return _RecordedHandler(self, inner).handle

    def find_call(self, request_id: bytes) -> _Call | None:
        with self._lock:
            return self._calls.get(request_id)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The server owns the lifespan state it copies into each request; the
        # client's app_state gets a snapshot of it once start-up completes.
        state = scope.get("state")

        async def watch_send(message: Message) -> None:
            if message["type"].endswith(".failed"):
                self.lifespan_error = LifespanError(message.get("message", "") or message["type"])
            elif message["type"] == "lifespan.startup.complete" and isinstance(state, dict):
                self.app_state.clear()
                self.app_state.update(state)
            await send(message)

        try:
            await self.app(scope, receive, watch_send)
        except BaseException as exc:
            self.lifespan_error = exc
            raise


class _RecordedHandler:
    """The app's direct handler, seen as ``_Recorder`` sees ASGI calls: the id
    header removed, the call's end (or exception) recorded, cancellable."""

    def __init__(self, recorder: _Recorder, inner: Callable[[Any], Any]) -> None:
        self.recorder = recorder
        self.inner = inner

    async def handle(self, request: Any) -> Any:
        headers = request.headers
        call = None
        for index, (name, value) in enumerate(headers):
            if name == REQUEST_ID_HEADER:
                request.headers = [*headers[:index], *headers[index + 1 :]]
                call = self.recorder.find_call(bytes(value))
                break
        if call is None:
            return await self.inner(request)
        call.loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(self.inner(request))
        call.task = task
        try:
            result = await task
        except BaseException as exc:
            if call.cancelled and isinstance(exc, asyncio.CancelledError):
                call.done.set()
                return None  # the server sees a handler that ended; nothing to report
            call.exception = exc
            call.done.set()
            raise
        if result is NotImplemented:
            # Declined: the server serves it over ASGI, and the recorder's ASGI
            # face records that call under the same id.
            request.headers = headers
            call.task = None
            return result
        call.done.set()
        return result


class LiveServer:
    """Serve ``app`` with a real server on a free 127.0.0.1 port while in ``with``.

    ``url`` is where it listens. ``server_factory`` defaults to fulmen_http's
    server; any ``ServerBackend`` works.
    """

    def __init__(
        self,
        app: ASGI3App,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        lifespan: bool = True,
        root_path: str = "",
        startup_timeout: float = 10.0,
        shutdown_timeout: float = 10.0,
        server_factory: ServerFactory | None = None,
        app_state: dict[str, Any] | None = None,
    ) -> None:
        self.recorder = _Recorder(
            app, {} if app_state is None else app_state, lend_state=not lifespan
        )
        self._host = host
        self._port = port
        self._lifespan = "on" if lifespan else "off"
        self._root_path = root_path
        self._startup_timeout = startup_timeout
        self._shutdown_timeout = shutdown_timeout
        self._factory = server_factory or fulmen_http_server
        self._server: ServerBackend | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the LiveServer is not running (use it in a with block)")
        return self._server.url

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the LiveServer is already running")
        server = self._factory(
            self.recorder,
            host=self._host,
            port=self._port,
            lifespan=self._lifespan,
            root_path=self._root_path,
        )
        self.recorder.lifespan_error = None
        try:
            server.start_in_thread(timeout=self._startup_timeout)
        except BaseException as exc:
            # The app's own start-up exception says more than "failed to start".
            cause = self.recorder.lifespan_failure()
            if cause is not None and cause is not exc:
                raise cause from exc
            raise
        self._server = server

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop(self._shutdown_timeout)
            error = self.recorder.lifespan_failure()
            if error is not None:
                raise error

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
