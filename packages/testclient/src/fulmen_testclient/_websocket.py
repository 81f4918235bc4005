"""WebSocket sessions against an ASGI app, in-process.

``WebSocketExchange`` runs the app on its loop with two queues; the session
classes turn it into Starlette's ``WebSocketTestSession`` API, sync and async.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any, Literal, Self

from fulmen_testclient._asgi import ASGI3App, Message, ProtocolError, Scope
from fulmen_testclient._httpx import httpx
from fulmen_testclient._portal import LoopFactory, LoopThread

# RFC 6455 §7.4.1: 1000 is a normal closure; 1006 means the connection ended
# without a Close frame — what a client sees when the app returns without closing.
NORMAL_CLOSURE = 1000
ABNORMAL_CLOSURE = 1006


class WebSocketDisconnect(Exception):
    """The WebSocket was closed (by the app, or before it was accepted).

    Same shape as Starlette's: ``code`` and ``reason``.
    """

    def __init__(self, code: int = NORMAL_CLOSURE, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""
        super().__init__(code, self.reason)


class WebSocketDenialResponse(httpx.Response, WebSocketDisconnect):  # type: ignore[misc]
    """The app denied the handshake with an HTTP response (ASGI ``websocket.http.response``).

    Both the response (status, headers, body) and a ``WebSocketDisconnect``.
    """


class WebSocketExchange:
    def __init__(self, app: ASGI3App, scope: Scope) -> None:
        self._app = app
        self._scope = scope
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.app_exception: BaseException | None = None
        self.app_finished = False
        self._reported = False

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())
        self._to_app.put_nowait({"type": "websocket.connect"})

    def send_nowait(self, message: Message) -> None:
        self._to_app.put_nowait(message)

    async def receive(self) -> Message:
        """The app's next message; raises what the app raised if it ended instead."""
        message = await self._from_app.get()
        if message is None:
            self._from_app.put_nowait(None)  # every later receive ends the same way
            if self.app_exception is not None:
                self._reported = True  # raised once, here; not again when the session ends
                raise self.app_exception
            return {
                "type": "websocket.close",
                "code": ABNORMAL_CLOSURE,
                "reason": "the app returned without closing the WebSocket",
            }
        return message

    async def finish(self) -> BaseException | None:
        """Tell the app the client left, give it a moment, cancel it if it stays."""
        if self._task is not None and not self.app_finished:
            self._to_app.put_nowait({"type": "websocket.disconnect", "code": NORMAL_CLOSURE})
            for _ in range(3):  # let a well-behaved app see the disconnect and return
                await asyncio.sleep(0)
            if not self.app_finished:
                self._task.cancel()
            await asyncio.wait([self._task])
        return None if self._reported else self.app_exception

    async def _run(self) -> None:
        try:
            await self._app(self._scope, self._to_app.get, self._send)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:
            self.app_exception = exc
        finally:
            self.app_finished = True
            self._from_app.put_nowait(None)

    async def _send(self, message: Message) -> None:
        self._from_app.put_nowait(message)


def _raise_on_close(message: Message) -> None:
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(message.get("code", NORMAL_CLOSURE), message.get("reason"))


def _check_handshake(message: Message, rest: list[Message]) -> None:
    """Raise if the first message denies the connection; ``rest`` holds a denial's body."""
    _raise_on_close(message)
    if message["type"] == "websocket.http.response.start":
        body = b"".join(bytes(m.get("body", b"")) for m in rest)
        raise WebSocketDenialResponse(
            message["status"], headers=message.get("headers", []), content=body
        )
    if message["type"] != "websocket.accept":
        raise ProtocolError(f"expected websocket.accept, got {message['type']!r}")


def _text(message: Message) -> str:
    _raise_on_close(message)
    return str(message["text"])


def _bytes(message: Message) -> bytes:
    _raise_on_close(message)
    return bytes(message["bytes"])


def _json(message: Message, mode: str) -> Any:
    _raise_on_close(message)
    return json.loads(message["text"] if mode == "text" else message["bytes"].decode("utf-8"))


def _dump_json(data: Any, mode: str) -> Message:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if mode == "text":
        return {"type": "websocket.receive", "text": text}
    return {"type": "websocket.receive", "bytes": text.encode("utf-8")}


class WebSocketTestSession:
    """A WebSocket to the app, for sync tests. Use it as a context manager."""

    __test__ = False

    def __init__(
        self,
        exchange: WebSocketExchange,
        loop: LoopThread | None,
        new_loop: LoopFactory = asyncio.new_event_loop,
    ) -> None:
        """``loop`` is the client's shared loop, or None: then the session runs on
        a loop of its own (from ``new_loop``), started on entering, closed on leaving."""
        self._exchange = exchange
        self._new_loop = new_loop
        self._shared_loop = loop
        self._loop: LoopThread | None = None
        self._finished = False
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[bytes, bytes]] | None = None

    def __enter__(self) -> Self:
        if self._loop is not None or self._finished:
            raise RuntimeError("a WebSocket session can be entered once")
        self._loop = self._shared_loop or LoopThread(self._new_loop)
        try:
            self._loop.run(self._exchange.start())
            first = self.receive()
            rest: list[Message] = []
            if first["type"] == "websocket.http.response.start":
                while True:
                    rest.append(self.receive())
                    if not rest[-1].get("more_body", False):
                        break
            _check_handshake(first, rest)
        except BaseException:
            self._finish(raise_app_error=False)
            raise
        self.accepted_subprotocol = first.get("subprotocol")
        self.extra_headers = first.get("headers")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._finish(raise_app_error=exc_type is None)

    def _finish(self, *, raise_app_error: bool) -> None:
        if self._finished:
            return
        self._finished = True
        loop = self._running()
        try:
            error = loop.run(self._exchange.finish())
        finally:
            if self._shared_loop is None:
                loop.close()
        if error is not None and raise_app_error:
            raise error

    def send(self, message: Message) -> None:
        # PERF: no round trip: the message is queued and the app reads it when it will.
        self._running().call_soon(self._exchange.send_nowait, message)

    def send_text(self, data: str) -> None:
        self.send({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        self.send({"type": "websocket.receive", "bytes": bytes(data)})

    def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        self.send(_dump_json(data, mode))

    def close(self, code: int = NORMAL_CLOSURE, reason: str | None = None) -> None:
        self.send({"type": "websocket.disconnect", "code": code, "reason": reason})

    def receive(self) -> Message:
        return self._running().run(self._exchange.receive())

    def _running(self) -> LoopThread:
        if self._loop is None:
            raise RuntimeError(
                "use the WebSocket session as a context manager: "
                "`with client.websocket_connect(...) as ws:`"
            )
        return self._loop

    def receive_text(self) -> str:
        return _text(self.receive())

    def receive_bytes(self) -> bytes:
        return _bytes(self.receive())

    def receive_json(self, mode: Literal["text", "binary"] = "text") -> Any:
        return _json(self.receive(), mode)


class AsyncWebSocketTestSession:
    """A WebSocket to the app, for async tests. Use it as an async context manager."""

    __test__ = False

    def __init__(self, exchange: WebSocketExchange) -> None:
        self._exchange = exchange
        self._started = False
        self._finished = False
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[bytes, bytes]] | None = None

    async def __aenter__(self) -> Self:
        if self._started:
            raise RuntimeError("a WebSocket session can be entered once")
        self._started = True
        try:
            await self._exchange.start()
            first = await self.receive()
            rest: list[Message] = []
            if first["type"] == "websocket.http.response.start":
                while True:
                    rest.append(await self.receive())
                    if not rest[-1].get("more_body", False):
                        break
            _check_handshake(first, rest)
        except BaseException:
            await self._finish(raise_app_error=False)
            raise
        self.accepted_subprotocol = first.get("subprotocol")
        self.extra_headers = first.get("headers")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._finish(raise_app_error=exc_type is None)

    async def _finish(self, *, raise_app_error: bool) -> None:
        if self._finished:
            return
        self._finished = True
        error = await self._exchange.finish()
        if error is not None and raise_app_error:
            raise error

    async def send(self, message: Message) -> None:
        self._check_started()
        self._exchange.send_nowait(message)

    async def send_text(self, data: str) -> None:
        await self.send({"type": "websocket.receive", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        await self.send({"type": "websocket.receive", "bytes": bytes(data)})

    async def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        await self.send(_dump_json(data, mode))

    async def close(self, code: int = NORMAL_CLOSURE, reason: str | None = None) -> None:
        await self.send({"type": "websocket.disconnect", "code": code, "reason": reason})

    async def receive(self) -> Message:
        self._check_started()
        return await self._exchange.receive()

    def _check_started(self) -> None:
        if not self._started:
            raise RuntimeError(
                "use the WebSocket session as an async context manager: "
                "`async with client.websocket_connect(...) as ws:`"
            )

    async def receive_text(self) -> str:
        return _text(await self.receive())

    async def receive_bytes(self) -> bytes:
        return _bytes(await self.receive())

    async def receive_json(self, mode: Literal["text", "binary"] = "text") -> Any:
        return _json(await self.receive(), mode)
