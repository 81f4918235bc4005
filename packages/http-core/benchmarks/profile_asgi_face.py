"""The ASGI face's own cost per request, without sockets: for profilers.

Drives HttpProtocol with an in-memory transport (writes collected, nothing
sent) through the standard raw ASGI app, so that `callgrind` or `py-spy` see
only the server's Python and native work, not the kernel's or uvloop's.

    uv run python packages/http-core/benchmarks/profile_asgi_face.py [--n N] [--url /json]
    valgrind --tool=callgrind uv run python ... --n 20000   # instructions per request

Prints the time per request; under callgrind divide total Ir (minus a run
with --n 0) by N.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "e2e_apps"))

from raw_asgi import app

from fulmen_http._asgi import AsgiRequest, make_dispatch
from fulmen_http._protocol import HttpProtocol
from fulmen_http._server import Config, ServerState

_BODY = b'{"name": "Widget", "price": 9.99, "tags": ["a", "b", "c"]}'
REQUESTS = {
    "/plaintext": b"GET /plaintext HTTP/1.1\r\nHost: localhost:8000\r\n\r\n",
    "/json": b"GET /json HTTP/1.1\r\nHost: localhost:8000\r\n\r\n",
    "/users": b"GET /users/42?q=hello HTTP/1.1\r\nHost: localhost:8000\r\n\r\n",
    "/items": b"POST /items HTTP/1.1\r\nHost: localhost:8000\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_BODY), _BODY),
}


class MemoryTransport:
    """Just enough of a transport for HttpProtocol."""

    def __init__(self) -> None:
        self.written = 0
        self.last = b""

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def write(self, data: bytes) -> None:
        self.written += 1
        self.last = data

    def is_closing(self) -> bool:
        return False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        raise AssertionError("the benchmark connection must stay open")


async def run(url: str, n: int) -> float:
    loop = asyncio.get_running_loop()
    state = ServerState(Config(), loop)
    dispatch = make_dispatch(app, {}, state.tasks)
    protocol = HttpProtocol(state, dispatch, AsgiRequest)
    transport = MemoryTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    raw = REQUESTS[url]
    protocol.data_received(raw)
    for _ in range(3):
        await asyncio.sleep(0)
    assert transport.last.startswith(b"HTTP/1.1 200"), transport.last
    start = time.perf_counter()
    for _ in range(n):
        protocol.data_received(raw)
        # One loop turn per request, as under load: the request's task (and, if
        # the app suspended, the rest of it) runs there.
        await asyncio.sleep(0)
        if state.tasks:
            await asyncio.sleep(0)
    elapsed = time.perf_counter() - start
    assert transport.written == n + 1, (transport.written, n)
    return elapsed


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=200_000)
    p.add_argument("--url", default="/plaintext", choices=REQUESTS)
    args = p.parse_args()
    import uvloop

    elapsed = uvloop.run(run(args.url, args.n))
    if args.n:
        print(f"{args.url}: {elapsed / args.n * 1e9:.0f} ns per request")


if __name__ == "__main__":
    main()
