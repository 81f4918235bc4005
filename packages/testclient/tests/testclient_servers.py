"""A ServerBackend over uvicorn (a test-only dependency) for the live-mode tests.

The live mode's own machinery — free port, background thread, requests over
real sockets, exceptions and lifespan state carried back to the test — is
tested against a real server here, independently of fulmen_http's progress.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn


class UvicornServer:
    def __init__(self, app: Any, *, host: str, port: int, lifespan: str, root_path: str) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan=lifespan,
            root_path=root_path,
            ws="none",
            log_level="critical",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._host = host
        self._port = port
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}"

    def start_in_thread(self, *, timeout: float) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        self._port = sock.getsockname()[1]

        def serve() -> None:
            try:
                self._server.run(sockets=[sock])
            except BaseException as exc:  # uvicorn exits on a start-up failure
                self.error = exc

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                sock.close()
                raise RuntimeError("uvicorn did not start") from self.error
            if time.monotonic() > deadline:
                self.stop(timeout)
                raise TimeoutError("uvicorn did not start in time")
            time.sleep(0.002)

    def stop(self, timeout: float | None = None) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError("uvicorn did not stop in time")
        self._thread = None
