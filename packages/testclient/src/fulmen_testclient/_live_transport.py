"""httpx transports that send the client's requests to a LiveServer over real sockets.

The URL the test asked for (``http://testserver/...``) is kept in the Host
header, so the app sees the same request as in-process. Without a running server
(no ``with`` block) each request gets a server of its own, without lifespan, as
each in-process request gets a loop of its own. A response closed before its end
cancels the app call behind it; closing waits for that call to return and
re-raises its exception, as in-process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from fulmen_testclient._httpx import httpx
from fulmen_testclient._live import REQUEST_ID_HEADER, LiveServer

# How long a response's close waits for the app call behind it to return.
DEFAULT_APP_WAIT_SECONDS = 30.0


def _outgoing(request: httpx.Request, server: LiveServer, request_id: bytes) -> httpx.Request:
    target = httpx.URL(server.url)
    headers = request.headers.copy()
    headers[REQUEST_ID_HEADER.decode()] = request_id.decode()
    return httpx.Request(
        request.method,
        request.url.copy_with(scheme="http", host=target.host, port=target.port),
        headers=headers,
        stream=request.stream,
        extensions=request.extensions,
    )


class _LiveResponseStream(httpx.SyncByteStream):
    def __init__(self, inner: Any, on_close: Callable[[bool], None]) -> None:
        self._inner = inner
        self._on_close = on_close
        self._closed = False
        self._complete = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner
        self._complete = True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._inner.close()
        finally:
            self._on_close(self._complete)


class LiveTransport(httpx.BaseTransport):
    def __init__(
        self,
        make_server: Callable[[bool], LiveServer],
        *,
        raise_server_exceptions: bool,
        app_wait: float = DEFAULT_APP_WAIT_SECONDS,
    ) -> None:
        self._make_server = make_server
        self.server: LiveServer | None = None
        self.raise_server_exceptions = raise_server_exceptions
        self._app_wait = app_wait
        self._http = httpx.HTTPTransport()

    def start(self) -> None:
        server = self._make_server(True)
        server.start()
        self.server = server

    def stop(self) -> None:
        server, self.server = self.server, None
        try:
            self._http.close()  # idle keep-alive connections first: shutdown is then quick
        finally:
            self._http = httpx.HTTPTransport()
            if server is not None:
                server.stop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        own = self.server is None
        server = self._make_server(False) if own else self.server
        assert server is not None
        # A request-scoped server gets a connection pool of its own, closed with it.
        http = httpx.HTTPTransport() if own else self._http
        if own:
            server.start()
        recorder = server.recorder
        request_id = recorder.expect()
        try:
            upstream = http.handle_request(_outgoing(request, server, request_id))
        except BaseException:
            recorder.forget(request_id)
            if own:
                http.close()
                server.stop()
            raise

        def finished(complete: bool) -> None:
            if not complete:
                recorder.cancel(request_id)
            try:
                error = recorder.wait(request_id, self._app_wait)
            finally:
                if own:
                    http.close()
                    server.stop()
            if error is not None and self.raise_server_exceptions:
                raise error

        return httpx.Response(
            upstream.status_code,
            headers=upstream.headers,
            stream=_LiveResponseStream(upstream.stream, finished),
            request=request,
            extensions=upstream.extensions,
        )

    def close(self) -> None:
        self._http.close()


class _AsyncLiveResponseStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any, on_close: Callable[[bool], Awaitable[None]]) -> None:
        self._inner = inner
        self._on_close = on_close
        self._closed = False
        self._complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk
        self._complete = True

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._inner.aclose()
        finally:
            await self._on_close(self._complete)


class AsyncLiveTransport(httpx.AsyncBaseTransport):
    """The async twin of LiveTransport; the server's blocking start and stop run
    in a worker thread, so the test's loop keeps turning."""

    def __init__(
        self,
        make_server: Callable[[bool], LiveServer],
        *,
        raise_server_exceptions: bool,
        app_wait: float = DEFAULT_APP_WAIT_SECONDS,
    ) -> None:
        self._make_server = make_server
        self.server: LiveServer | None = None
        self.raise_server_exceptions = raise_server_exceptions
        self._app_wait = app_wait
        self._http = httpx.AsyncHTTPTransport()

    async def start(self) -> None:
        server = self._make_server(True)
        await asyncio.to_thread(server.start)
        self.server = server

    async def stop(self) -> None:
        server, self.server = self.server, None
        try:
            await self._http.aclose()
        finally:
            self._http = httpx.AsyncHTTPTransport()
            if server is not None:
                await asyncio.to_thread(server.stop)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        own = self.server is None
        server = self._make_server(False) if own else self.server
        assert server is not None
        http = httpx.AsyncHTTPTransport() if own else self._http
        if own:
            await asyncio.to_thread(server.start)
        recorder = server.recorder
        request_id = recorder.expect()
        try:
            upstream = await http.handle_async_request(_outgoing(request, server, request_id))
        except BaseException:
            recorder.forget(request_id)
            if own:
                await http.aclose()
                await asyncio.to_thread(server.stop)
            raise

        async def finished(complete: bool) -> None:
            if not complete:
                recorder.cancel(request_id)
            try:
                error = await asyncio.to_thread(recorder.wait, request_id, self._app_wait)
            finally:
                if own:
                    await http.aclose()
                    await asyncio.to_thread(server.stop)
            if error is not None and self.raise_server_exceptions:
                raise error

        return httpx.Response(
            upstream.status_code,
            headers=upstream.headers,
            stream=_AsyncLiveResponseStream(upstream.stream, finished),
            request=request,
            extensions=upstream.extensions,
        )

    async def aclose(self) -> None:
        await self._http.aclose()
