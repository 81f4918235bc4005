"""TestClient and AsyncTestClient: httpx's client APIs in front of an ASGI app."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Self

from fulmen_testclient._asgi import ASGIApp, as_asgi3
from fulmen_testclient._httpx import httpx
from fulmen_testclient._lifespan import Lifespan
from fulmen_testclient._live import (
    LiveModeUnavailable,
    LiveServer,
    ServerFactory,
    live_from_environment,
)
from fulmen_testclient._live_transport import AsyncLiveTransport, LiveTransport
from fulmen_testclient._portal import LoopThread, loop_factory
from fulmen_testclient._transport import DEFAULT_CLIENT, ASGITransport, AsyncASGITransport
from fulmen_testclient._websocket import AsyncWebSocketTestSession, WebSocketTestSession


def _default_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(headers or {})  # never mutate the caller's dict
    if not any(key.lower() == "user-agent" for key in merged):
        merged["user-agent"] = "testclient"
    return merged


def _websocket_request(
    client: httpx.Client | httpx.AsyncClient,
    url: str,
    subprotocols: Sequence[str] | None,
    kwargs: dict[str, Any],
) -> httpx.Request:
    """The handshake request: base URL, default headers and cookies as for HTTP."""
    headers = httpx.Headers(kwargs.pop("headers", None))
    headers.setdefault("connection", "upgrade")
    headers.setdefault("upgrade", "websocket")
    headers.setdefault("sec-websocket-key", "testserver==")
    headers.setdefault("sec-websocket-version", "13")
    if subprotocols is not None:
        headers.setdefault("sec-websocket-protocol", ", ".join(subprotocols))
    request = client.build_request("GET", url, headers=headers, **kwargs)
    scheme = {"http": "ws", "https": "wss"}.get(request.url.scheme, request.url.scheme)
    request.url = request.url.copy_with(scheme=scheme)
    return request


def _server_maker(
    app: Any, live: bool | ServerFactory | None, root_path: str, app_state: dict[str, Any]
) -> Callable[[bool], LiveServer] | None:
    """How a live client makes its server, or None for an in-process client.

    ``live=None`` defers to FULMEN_TESTCLIENT_LIVE; a callable is a server factory.
    """
    if live is None:
        live = live_from_environment()
    if live is False:
        return None
    factory = None if live is True else live

    def make_server(lifespan: bool) -> LiveServer:
        return LiveServer(
            app,
            lifespan=lifespan,
            root_path=root_path,
            server_factory=factory,
            app_state=app_state,
        )

    return make_server


def _subprotocols(request: httpx.Request) -> list[str]:
    offered = request.headers.get("sec-websocket-protocol")
    return [] if offered is None else [p.strip() for p in offered.split(",") if p.strip()]


class TestClient(httpx.Client):
    """Send requests to an ASGI app in-process, with the ``httpx.Client`` API.

    Defaults and behaviour match Starlette's TestClient: ``http://testserver``,
    redirects followed, app exceptions re-raised in the test, lifespan run by
    ``with TestClient(app) as client:``.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        backend: Literal["asyncio", "trio"] = "asyncio",
        backend_options: dict[str, Any] | None = None,
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = DEFAULT_CLIENT,
        timeout: float | None = None,
        live: bool | ServerFactory | None = None,
    ) -> None:
        self.app = as_asgi3(app)
        # Filled by lifespan start-up; every request's scope["state"] is a copy.
        self.app_state: dict[str, Any] = {}
        self._asgi = ASGITransport(
            self.app,
            raise_server_exceptions=raise_server_exceptions,
            root_path=root_path,
            client=client,
            app_state=self.app_state,
            new_loop=loop_factory(backend, backend_options),
        )
        self._lifespan: Lifespan | None = None
        if live is None:
            live = live_from_environment()
        self._live: LiveTransport | None = None
        if live is not False:
            factory = None if live is True else live

            def make_server(lifespan: bool) -> LiveServer:
                return LiveServer(
                    self.app,
                    lifespan=lifespan,
                    root_path=root_path,
                    server_factory=factory,
                    app_state=self.app_state,
                )

            self._live = LiveTransport(make_server, raise_server_exceptions=raise_server_exceptions)
        super().__init__(
            base_url=base_url,
            transport=self._asgi if self._live is None else self._live,
            follow_redirects=follow_redirects,
            cookies=cookies,
            headers=_default_headers(headers),
            # No limit unless asked: a test may well step through the app in a
            # debugger. With one, an app that keeps the client waiting longer
            # raises httpx.ReadTimeout instead of hanging the test.
            timeout=timeout,
        )

    def websocket_connect(
        self, url: str, subprotocols: Sequence[str] | None = None, **kwargs: Any
    ) -> WebSocketTestSession:
        """Open a WebSocket to ``url``; use the session as a context manager.

        ``kwargs`` are ``headers=``, ``params=``, ``cookies=`` as for a request.
        """
        if self._live is not None:
            raise LiveModeUnavailable("WebSockets are not available in live mode yet")
        request = _websocket_request(self, url, subprotocols, kwargs)
        return self._asgi.websocket_session(request, _subprotocols(request))

    @property
    def live(self) -> bool:
        """Whether requests go to a real server over sockets."""
        return self._live is not None

    # Unlike httpx's, entering does not close the client for good on exit:
    # Starlette's can be entered again, and module-level clients rely on it.
    def __enter__(self) -> Self:
        if self._asgi.loop is not None or (self._live and self._live.server):
            raise RuntimeError("this TestClient is already in a `with` block")
        if self._live is not None:
            self._live.start()  # lifespan runs in the server; a failure raises here
            return self
        loop = LoopThread(self._asgi.new_loop)
        lifespan = Lifespan(self.app, self.app_state)
        try:
            loop.run(lifespan.startup())
        except BaseException:
            loop.close()
            raise
        self._asgi.loop = loop
        self._lifespan = lifespan
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
            return
        loop, self._asgi.loop = self._asgi.loop, None
        lifespan, self._lifespan = self._lifespan, None
        if loop is None:
            return
        try:
            self._asgi.close()
            if lifespan is not None:
                loop.run(lifespan.shutdown())
        finally:
            loop.close()


class AsyncTestClient(httpx.AsyncClient):
    """The ``httpx.AsyncClient`` API in front of an ASGI app, for async tests.

    The app runs on the test's own event loop. ``async with`` runs lifespan.
    """

    __test__ = False

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = DEFAULT_CLIENT,
        timeout: float | None = None,
        live: bool | ServerFactory | None = None,
    ) -> None:
        self.app = as_asgi3(app)
        self.app_state: dict[str, Any] = {}
        self._asgi = AsyncASGITransport(
            self.app,
            raise_server_exceptions=raise_server_exceptions,
            root_path=root_path,
            client=client,
            app_state=self.app_state,
        )
        self._lifespan: Lifespan | None = None
        make_server = _server_maker(self.app, live, root_path, self.app_state)
        self._live: AsyncLiveTransport | None = None
        if make_server is not None:
            self._live = AsyncLiveTransport(
                make_server, raise_server_exceptions=raise_server_exceptions
            )
        self._live_entered = False
        super().__init__(
            base_url=base_url,
            transport=self._asgi if self._live is None else self._live,
            follow_redirects=follow_redirects,
            cookies=cookies,
            headers=_default_headers(headers),
            # No limit unless asked: a test may well step through the app in a
            # debugger. With one, an app that keeps the client waiting longer
            # raises httpx.ReadTimeout instead of hanging the test.
            timeout=timeout,
        )

    def websocket_connect(
        self, url: str, subprotocols: Sequence[str] | None = None, **kwargs: Any
    ) -> AsyncWebSocketTestSession:
        """Open a WebSocket to ``url``; use the session as an async context manager."""
        if self._live is not None:
            raise LiveModeUnavailable("WebSockets are not available in live mode yet")
        request = _websocket_request(self, url, subprotocols, kwargs)
        return self._asgi.websocket_session(request, _subprotocols(request))

    @property
    def live(self) -> bool:
        """Whether requests go to a real server over sockets."""
        return self._live is not None

    async def __aenter__(self) -> Self:
        if self._lifespan is not None or self._live_entered:
            raise RuntimeError("this AsyncTestClient is already in an `async with` block")
        if self._live is not None:
            await self._live.start()  # lifespan runs in the server; a failure raises here
            self._live_entered = True
            return self
        lifespan = Lifespan(self.app, self.app_state)
        await lifespan.startup()
        self._lifespan = lifespan
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        if self._live is not None:
            self._live_entered = False
            await self._live.stop()
            return
        lifespan, self._lifespan = self._lifespan, None
        try:
            await self._asgi.aclose()
        finally:
            if lifespan is not None:
                await lifespan.shutdown()
