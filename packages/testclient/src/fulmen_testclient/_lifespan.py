"""The ASGI lifespan protocol, driven from the client side.

``startup()`` sends ``lifespan.startup`` and waits for the app's answer;
``shutdown()`` does the same for shutdown. A failure raises in the test: the
app's own exception when it raised one (Starlette's router re-raises after
``lifespan.startup.failed``), otherwise a ``LifespanError`` with its message.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fulmen_testclient._asgi import ASGI_VERSIONS, ASGI3App, Message

# How long to wait, after "lifespan.*.failed", for the app to raise its exception.
_FAILED_GRACE_SECONDS = 1.0


class LifespanError(RuntimeError):
    """The app reported ``lifespan.startup.failed`` / ``lifespan.shutdown.failed``."""


class Lifespan:
    def __init__(self, app: ASGI3App, state: dict[str, Any]) -> None:
        self._app = app
        self._state = state
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._exception: BaseException | None = None
        # An app that returns without answering startup does not do lifespan
        # (allowed by the ASGI spec); its shutdown is then skipped too.
        self.supported = True

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": dict(ASGI_VERSIONS), "state": self._state}
        self._task = asyncio.get_running_loop().create_task(self._run(scope))
        await self._exchange("startup")

    async def shutdown(self) -> None:
        if self._task is None or not self.supported or self._task.done():
            return
        try:
            await self._exchange("shutdown")
        finally:
            self._task.cancel()
            await asyncio.wait([self._task])

    async def _exchange(self, phase: str) -> None:
        await self._to_app.put({"type": f"lifespan.{phase}"})
        message = await self._from_app.get()
        if message is None:  # the app returned or raised without answering
            if self._exception is not None:
                raise self._exception
            self.supported = False
            return
        if message["type"] == f"lifespan.{phase}.complete":
            return
        if message["type"] == f"lifespan.{phase}.failed":
            # Let the app finish raising: its exception says more than the message.
            assert self._task is not None
            await asyncio.wait([self._task], timeout=_FAILED_GRACE_SECONDS)
            if self._exception is not None:
                raise self._exception
            raise LifespanError(message.get("message", "") or f"lifespan {phase} failed")
        raise LifespanError(f"unexpected message {message['type']!r} during lifespan {phase}")

    async def _run(self, scope: dict[str, Any]) -> None:
        try:
            await self._app(scope, self._to_app.get, self._send)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self._exception = exc
        finally:
            self._from_app.put_nowait(None)

    async def _send(self, message: Message) -> None:
        await self._from_app.put(message)
