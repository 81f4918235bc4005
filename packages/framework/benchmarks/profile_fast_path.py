"""The fast path's Python cost per request, without sockets (a profiling aid).

    taskset -c 0 uv run python packages/framework/benchmarks/profile_fast_path.py [--profile]

Feeds parsed requests of the standard benchmark app (``e2e_app.py``, ten
browser-like headers) to the app's ``__fulmen_http__`` direct handler through
fulmen_http's real dispatch, request objects and response writer; only the
connection is a stand-in that counts writes instead of sending them. Reports CPU
time per request (``time.process_time``: steadier than wall time on a shared
machine), next to a bare direct handler answering canned bytes (fulmen_http's own
share). The end-to-end figures come from ``tools/bench_framework_e2e``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

import uvloop

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("FULMEN_BENCH_FRAMEWORK", "fulmen")

import e2e_app

from fulmen_http import Response
from fulmen_http._asgi import AsgiRequest
from fulmen_http._direct import make_dispatch
from fulmen_http._limits import Limits
from fulmen_http._parser import make_native_parser

HEADERS = (
    b"Host: 127.0.0.1\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
    b"Connection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\n"
    b"Sec-Fetch-Mode: navigate\r\nCache-Control: max-age=0\r\n"
)
ITEM = b'{"name": "Widget", "price": 9.99, "tags": ["a", "b", "c"]}'
CASES = [
    ("GET /plaintext", "GET", "/plaintext"),
    ("GET /json", "GET", "/json"),
    ("GET /users/{id}?q=", "GET", "/users/42?q=hello"),
    ("POST /items", "POST", "/items"),
]


class Connection:
    """Stands in for fulmen_http's HttpProtocol: counts writes, sends nothing."""

    client = ("127.0.0.1", 50000)
    server_address = ("127.0.0.1", 8000)
    scheme = "http"
    closing = False
    write_paused = False

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.writes += 1

    def response_complete(self, request: Any, keep_alive: bool) -> None:
        pass

    def body_consumed(self, size: int) -> None:
        pass

    def body_buffered(self, size: int) -> None:
        pass


async def bare(request: Any) -> Response:
    return Response(200, [(b"content-type", b"text/plain")], b"Hello, World!")


async def measure(handler: Any, method: str, target: str, n: int, profile: Any) -> float:
    loop = asyncio.get_running_loop()
    connection = Connection(loop)
    tasks: set[asyncio.Task[None]] = set()
    dispatch = make_dispatch(handler, tasks)
    body = ITEM if method == "POST" else b""
    raw = f"{method} {target} HTTP/1.1\r\n".encode() + HEADERS
    if body:
        raw += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    raw += b"\r\n" + body
    head = make_native_parser(Limits()).feed(raw)[1]

    def one() -> None:
        request = AsgiRequest(connection, head)  # type: ignore[arg-type]
        if body:
            request._chunks.append(body)
        request.body_complete = True
        dispatch(request)

    for _ in range(2000):  # warm-up
        one()
    if profile is not None:
        profile.enable()
    start = time.process_time()
    for _ in range(n):
        one()
    elapsed = time.process_time() - start
    if profile is not None:
        profile.disable()
    assert connection.writes == n + 2000, "every request answered"
    assert not tasks, "no request waited on anything"
    return elapsed / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--profile", action="store_true", help="cProfile the fast path")
    args = parser.parse_args()
    handler = e2e_app.app.__fulmen_http__(state={}, root_path="")
    profile = cProfile.Profile() if args.profile else None

    async def run() -> None:
        floor = min([await measure(bare, "GET", "/", args.n, None) for _ in range(args.repeat)])
        print(f"{'bare direct handler':24} {floor:6.2f} µs CPU/request")
        for label, method, target in CASES:
            best = min(
                [
                    await measure(handler, method, target, args.n, profile)
                    for _ in range(args.repeat)
                ]
            )
            print(f"{label:24} {best:6.2f} µs CPU/request")

    uvloop.run(run())
    if profile is not None:
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
