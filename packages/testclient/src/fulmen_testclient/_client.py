"""TestClient and AsyncTestClient: httpx's client APIs in front of an ASGI app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from fulmen_testclient._asgi import ASGIApp, as_asgi3
from fulmen_testclient._httpx import httpx
from fulmen_testclient._lifespan import Lifespan
from fulmen_testclient._portal import LoopThread
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
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = DEFAULT_CLIENT,
        timeout: float | None = None,
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
        )
        self._lifespan: Lifespan | None = None
        super().__init__(
            base_url=base_url,
            transport=self._asgi,
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
        request = _websocket_request(self, url, subprotocols, kwargs)
        return self._asgi.websocket_session(request, _subprotocols(request))

    # Unlike httpx's, entering does not close the client for good on exit:
    # Starlette's can be entered again, and module-level clients rely on it.
    def __enter__(self) -> Self:
        if self._asgi.loop is not None:
            raise RuntimeError("this TestClient is already in a `with` block")
        loop = LoopThread()
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
        super().__init__(
            base_url=base_url,
            transport=self._asgi,
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
        request = _websocket_request(self, url, subprotocols, kwargs)
        return self._asgi.websocket_session(request, _subprotocols(request))

    async def __aenter__(self) -> Self:
        if self._lifespan is not None:
            raise RuntimeError("this AsyncTestClient is already in an `async with` block")
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
        lifespan, self._lifespan = self._lifespan, None
        try:
            await self._asgi.aclose()
        finally:
            if lifespan is not None:
                await lifespan.shutdown()
