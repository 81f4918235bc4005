"""One HTTP request/response between the client and the app, on the app's loop.

The app runs as a task. The client side asks for the response head, then for
body chunks, then closes; the app side's ``send`` buffers chunks up to a high-water
mark and then waits for the client to read, as a server's socket buffer would — so a
stream is read incrementally (an endless one included) while a small response costs
one hand-off. Nothing here knows httpx: the sync and async transports wrap it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from fulmen_testclient._asgi import ASGI3App, Message, ProtocolError, Scope

# Body bytes the app may send ahead of the reader before its ``send`` waits.
DEFAULT_STREAM_BUFFER = 64 * 1024


class HTTPExchange:
    def __init__(
        self,
        app: ASGI3App,
        scope: Scope,
        request_body: AsyncIterator[bytes],
        *,
        drop_body: bool = False,
        stream_buffer: int = DEFAULT_STREAM_BUFFER,
    ) -> None:
        self._app = app
        self._scope = scope
        self._request_body: AsyncIterator[bytes] | None = request_body
        self._lookahead: bytes | None = None
        self._drop_body = drop_body  # HEAD: the app sends a body, the client never sees it
        self._stream_buffer = stream_buffer

        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.trailers: list[tuple[bytes, bytes]] = []
        self.trailers_expected = False
        self.debug_info: dict[str, Any] | None = None
        self.app_finished = False
        self.app_exception: BaseException | None = None

        self._chunks: list[bytes] = []
        self._buffered = 0
        self._body_complete = False
        self._response_complete = False
        self._cancelling = False
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()  # the reader has something new to look at
        self._drained = asyncio.Event()  # the reader took the buffered chunks
        self._disconnect = asyncio.Event()  # the response is over: receive() says so

    # -- client side -------------------------------------------------------------

    async def begin(self, timeout: float | None = None) -> tuple[list[bytes], bool]:
        """Start the app; return once it started the response or finished.

        Returns the body chunks already sent and whether the body is over, so a
        small response needs no further round trip. Raises ``TimeoutError`` if
        the app has not started its response within ``timeout`` seconds.
        """
        self._task = asyncio.get_running_loop().create_task(self._run())
        await self._wait_for(lambda: self.status is not None or self.app_finished, timeout)
        return self._take()

    async def read(self, timeout: float | None = None) -> tuple[list[bytes], bool]:
        """Wait for more body; return the chunks and whether the body is over."""
        await self._wait_for(lambda: bool(self._chunks) or self._body_over(), timeout)
        return self._take()

    async def finish(self) -> BaseException | None:
        """End the exchange and return the app's exception, if it raised one.

        A complete response lets the app run to its end (Starlette's background
        tasks run after the body); a response closed early cancels the app, as a
        client going away does.
        """
        if self._task is not None and not self.app_finished:
            if not self._response_complete:
                self._cancelling = True
                self._task.cancel()
            await asyncio.wait([self._task])
        return self.app_exception

    def _take(self) -> tuple[list[bytes], bool]:
        chunks, self._chunks = self._chunks, []
        self._buffered = 0
        self._drained.set()
        return chunks, self._body_over()

    def _body_over(self) -> bool:
        return self._body_complete or self.app_finished

    async def _wait_for(self, ready: Callable[[], bool], timeout: float | None) -> None:
        async with asyncio.timeout(timeout):
            while not ready():
                self._changed.clear()
                await self._changed.wait()

    # -- app side ----------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self._app(self._scope, self._receive, self._send)
        except BaseException as exc:  # kept for the client side, which decides
            if not (self._cancelling and isinstance(exc, asyncio.CancelledError)):
                self.app_exception = exc
        finally:
            self.app_finished = True
            self._disconnect.set()
            self._drained.set()
            self._changed.set()

    async def _receive(self) -> Message:
        if self._request_body is None:
            # After the request body, the next event is the client going away,
            # once the response is over (ASGI spec: http.disconnect).
            await self._disconnect.wait()
            return {"type": "http.disconnect"}
        if self._lookahead is None:
            self._lookahead = await anext(self._request_body, b"")
        chunk = self._lookahead
        following = await anext(self._request_body, None)
        self._lookahead = following
        if following is None:
            self._request_body = None
        return {"type": "http.request", "body": chunk, "more_body": following is not None}

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.status is not None:
                raise ProtocolError('the app sent "http.response.start" twice')
            self.status = int(message["status"])
            self.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", ())]
            self.trailers_expected = bool(message.get("trailers", False))
        elif kind == "http.response.body":
            if self.status is None:
                raise ProtocolError('the app sent "http.response.body" before its start')
            if self._body_complete:
                raise ProtocolError('the app sent "http.response.body" after the body ended')
            body = bytes(message.get("body", b""))
            if body and not self._drop_body:
                self._chunks.append(body)
                self._buffered += len(body)
            if not message.get("more_body", False):
                self._body_complete = True
                if not self.trailers_expected:
                    self._complete()
        elif kind == "http.response.trailers":
            if not (self.trailers_expected and self._body_complete):
                raise ProtocolError('"http.response.trailers" unannounced or before the body end')
            self.trailers.extend((bytes(k), bytes(v)) for k, v in message.get("headers", ()))
            if not message.get("more_trailers", False):
                self._complete()
        elif kind == "http.response.debug":
            self.debug_info = dict(message.get("info", {}))
        else:
            raise ProtocolError(f"unexpected ASGI message type {kind!r} in an HTTP exchange")
        self._changed.set()
        # PERF: wait for the reader only past the high-water mark, so the common
        # small response flows through without a thread hand-off per chunk.
        while self._buffered > self._stream_buffer and not self.app_finished:
            self._drained.clear()
            await self._drained.wait()

    def _complete(self) -> None:
        self._response_complete = True
        self._disconnect.set()


async def iterate(chunks: list[bytes]) -> AsyncIterator[bytes]:
    """An async iterator over an already read request body."""
    for chunk in chunks:
        yield chunk
