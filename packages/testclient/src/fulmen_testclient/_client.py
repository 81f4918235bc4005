"""TestClient: httpx's Client API in front of an ASGI app."""

from __future__ import annotations

from types import TracebackType

import httpx

from fulmen_testclient._portal import LoopThread
from fulmen_testclient._transport import ASGIApp, ASGITransport


class TestClient(httpx.Client):
    """Send requests to an ASGI app in-process, with the ``httpx.Client`` API.

    Defaults match Starlette's TestClient (``http://testserver``, redirects
    followed, app exceptions re-raised in the test).
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        follow_redirects: bool = True,
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self._asgi_transport = ASGITransport(
            app, raise_server_exceptions=raise_server_exceptions, root_path=root_path
        )
        super().__init__(
            base_url=base_url,
            transport=self._asgi_transport,
            follow_redirects=follow_redirects,
            cookies=cookies,
            headers={"user-agent": "testclient", **(headers or {})},
        )

    def __enter__(self) -> TestClient:
        super().__enter__()
        self._asgi_transport.loop = LoopThread()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        loop, self._asgi_transport.loop = self._asgi_transport.loop, None
        try:
            super().__exit__(exc_type, exc_value, traceback)
        finally:
            if loop is not None:
                loop.close()
