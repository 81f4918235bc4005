"""httpx transports that hand each request to an ASGI app in-process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from fulmen_testclient._asgi import ASGI3App, ProtocolError
from fulmen_testclient._exchange import DEFAULT_STREAM_BUFFER, HTTPExchange, iterate
from fulmen_testclient._httpx import httpx
from fulmen_testclient._portal import LoopFactory, LoopThread
from fulmen_testclient._scope import http_scope, websocket_scope
from fulmen_testclient._websocket import (
    AsyncWebSocketTestSession,
    WebSocketExchange,
    WebSocketTestSession,
)

DEFAULT_CLIENT = ("testclient", 50000)


class _Options:
    """What both transports share: the app and how to present requests to it."""

    def __init__(
        self,
        app: ASGI3App,
        *,
        raise_server_exceptions: bool,
        root_path: str,
        client: tuple[str, int],
        app_state: dict[str, Any],
        stream_buffer: int,
    ) -> None:
        if stream_buffer < 1:
            raise ValueError("stream_buffer must be at least 1 byte")
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.client = client
        self.app_state = app_state
        self.stream_buffer = stream_buffer

    def exchange(self, request: httpx.Request, body: AsyncIterator[bytes]) -> HTTPExchange:
        scope = http_scope(
            request, root_path=self.root_path, client=self.client, state=self.app_state
        )
        return HTTPExchange(
            self.app,
            scope,
            body,
            drop_body=request.method == "HEAD",
            stream_buffer=self.stream_buffer,
        )

    def websocket(self, request: httpx.Request, subprotocols: Sequence[str]) -> WebSocketExchange:
        scope = websocket_scope(
            request,
            root_path=self.root_path,
            client=self.client,
            state=self.app_state,
            subprotocols=subprotocols,
        )
        return WebSocketExchange(self.app, scope)

    def read_timeout(self, request: httpx.Request) -> float | None:
        """The request's read timeout: how long the app may keep the client waiting."""
        timeout = request.extensions.get("timeout") or {}
        value = timeout.get("read")
        return None if value is None else float(value)

    def timed_out(self, request: httpx.Request, timeout: float | None) -> httpx.ReadTimeout:
        return httpx.ReadTimeout(f"the app sent nothing for {timeout} s", request=request)

    def no_response(self, exchange: HTTPExchange, request: httpx.Request) -> httpx.Response:
        """The app finished without starting a response: raise, or answer 500."""
        if self.raise_server_exceptions:
            if exchange.app_exception is not None:
                raise exchange.app_exception
            raise ProtocolError("the app returned without sending a response")
        return httpx.Response(500, headers=[], content=b"", request=request)

    def make_response(
        self, exchange: HTTPExchange, request: httpx.Request, stream: Any
    ) -> httpx.Response:
        assert exchange.status is not None
        response = httpx.Response(
            exchange.status, headers=exchange.headers, stream=stream, request=request
        )
        if exchange.trailers_expected:
            # The same list fills up as the trailers arrive, after the body.
            response.extensions["http.response.trailers"] = exchange.trailers
        return response

    def after_close(self, exchange: HTTPExchange, response: httpx.Response) -> None:
        info = exchange.debug_info
        if info is not None:  # Starlette's TemplateResponse reports its template this way
            response.extensions["http.response.debug"] = info
            if "template" in info:
                response.template = info["template"]  # type: ignore[attr-defined]
            if "context" in info:
                response.context = info["context"]  # type: ignore[attr-defined]


class _SyncResponseStream(httpx.SyncByteStream):
    def __init__(
        self,
        loop: LoopThread,
        exchange: HTTPExchange,
        first: list[bytes],
        over: bool,
        on_close: Callable[[_SyncResponseStream], BaseException | None],
        on_timeout: Callable[[], Exception],
        timeout: float | None,
    ) -> None:
        self._on_timeout = on_timeout
        self._timeout = timeout
        self._loop = loop
        self._exchange = exchange
        self._first = first
        self._over = over
        self._on_close = on_close
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        chunks, self._first = self._first, []
        yield from chunks
        while not self._over:
            try:
                chunks, self._over = self._loop.run(self._exchange.read(self._timeout))
            except TimeoutError:
                raise self._on_timeout() from None
            yield from chunks

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        exc = self._on_close(self)
        if exc is not None:
            raise exc


class ASGITransport(httpx.BaseTransport):
    """Runs the app on a background loop: the shared one, or one per request."""

    def __init__(
        self,
        app: ASGI3App,
        *,
        raise_server_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = DEFAULT_CLIENT,
        app_state: dict[str, Any] | None = None,
        stream_buffer: int = DEFAULT_STREAM_BUFFER,
        new_loop: LoopFactory = asyncio.new_event_loop,
    ) -> None:
        self.new_loop = new_loop
        self.options = _Options(
            app,
            raise_server_exceptions=raise_server_exceptions,
            root_path=root_path,
            client=client,
            app_state={} if app_state is None else app_state,
            stream_buffer=stream_buffer,
        )
        # Set while the client is used as a context manager: one loop serves
        # every request. Otherwise each request gets a loop of its own, closed
        # with its response, so a client that is never closed leaks nothing.
        self.loop: LoopThread | None = None
        self._open: set[_SyncResponseStream] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = list(request.stream)  # type: ignore[arg-type]
        options = self.options
        shared = self.loop
        loop = shared if shared is not None else LoopThread(self.new_loop)
        exchange = options.exchange(request, iterate(body))
        timeout = options.read_timeout(request)
        try:
            first, over = loop.run(exchange.begin(timeout))
        except TimeoutError:
            loop.run(exchange.finish())
            raise options.timed_out(request, timeout) from None
        finally:
            if shared is None and exchange.status is None:
                loop.close()
        if exchange.status is None:
            return options.no_response(exchange, request)

        response: httpx.Response | None = None

        def close(stream: _SyncResponseStream) -> BaseException | None:
            self._open.discard(stream)
            try:
                exc = exchange.app_exception if exchange.app_finished else None
                if not exchange.app_finished:
                    exc = loop.run(exchange.finish())
            finally:
                if shared is None:
                    loop.close()
            if response is not None:
                options.after_close(exchange, response)
            return exc if options.raise_server_exceptions else None

        stream = _SyncResponseStream(
            loop,
            exchange,
            first,
            over,
            close,
            on_timeout=lambda: options.timed_out(request, timeout),
            timeout=timeout,
        )
        self._open.add(stream)
        response = options.make_response(exchange, request, stream)
        return response

    def websocket_session(
        self, request: httpx.Request, subprotocols: Sequence[str]
    ) -> WebSocketTestSession:
        exchange = self.options.websocket(request, subprotocols)
        return WebSocketTestSession(exchange, self.loop, self.new_loop)

    def close(self) -> None:
        """Close responses still being streamed (their apps are cancelled)."""
        errors: list[BaseException] = []
        while self._open:
            try:
                self._open.pop().close()
            except Exception as exc:  # close them all, then report the first
                errors.append(exc)
        if errors:
            raise errors[0]


class _AsyncResponseStream(httpx.AsyncByteStream):
    def __init__(
        self,
        exchange: HTTPExchange,
        first: list[bytes],
        over: bool,
        on_close: Callable[[], Any],
        *,
        raise_errors: bool,
        on_timeout: Callable[[], Exception],
        timeout: float | None,
    ) -> None:
        self._on_timeout = on_timeout
        self._timeout = timeout
        self._exchange = exchange
        self._raise_errors = raise_errors
        self._first = first
        self._over = over
        self._on_close = on_close
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks, self._first = self._first, []
        for chunk in chunks:
            yield chunk
        while not self._over:
            try:
                chunks, self._over = await self._exchange.read(self._timeout)
            except TimeoutError:
                raise self._on_timeout() from None
            for chunk in chunks:
                yield chunk

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        exc = await self._exchange.finish()
        self._on_close()
        if exc is not None and self._raise_errors:
            raise exc


class AsyncASGITransport(httpx.AsyncBaseTransport):
    """Runs the app as a task on the test's own event loop."""

    def __init__(
        self,
        app: ASGI3App,
        *,
        raise_server_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = DEFAULT_CLIENT,
        app_state: dict[str, Any] | None = None,
        stream_buffer: int = DEFAULT_STREAM_BUFFER,
    ) -> None:
        self.options = _Options(
            app,
            raise_server_exceptions=raise_server_exceptions,
            root_path=root_path,
            client=client,
            app_state={} if app_state is None else app_state,
            stream_buffer=stream_buffer,
        )
        self._open: set[_AsyncResponseStream] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        options = self.options
        exchange = options.exchange(request, aiter(request.stream))  # type: ignore[arg-type]
        timeout = options.read_timeout(request)
        try:
            first, over = await exchange.begin(timeout)
        except TimeoutError:
            await exchange.finish()
            raise options.timed_out(request, timeout) from None
        if exchange.status is None:
            return options.no_response(exchange, request)
        response: httpx.Response | None = None

        def closed() -> None:
            self._open.discard(stream)
            if response is not None:
                options.after_close(exchange, response)

        stream = _AsyncResponseStream(
            exchange,
            first,
            over,
            closed,
            raise_errors=options.raise_server_exceptions,
            on_timeout=lambda: options.timed_out(request, timeout),
            timeout=timeout,
        )
        self._open.add(stream)
        response = options.make_response(exchange, request, stream)
        return response

    def websocket_session(
        self, request: httpx.Request, subprotocols: Sequence[str]
    ) -> AsyncWebSocketTestSession:
        return AsyncWebSocketTestSession(self.options.websocket(request, subprotocols))

    async def aclose(self) -> None:
        errors: list[BaseException] = []
        while self._open:
            try:
                await self._open.pop().aclose()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
