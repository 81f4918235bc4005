"""A tiny threaded HTTP/1.1 server for the supervisor tests and benchmarks.

Not a real server: it reads one request per connection (Connection: close),
answers with the worker's pid, and knows a few test routes. It follows the
`WorkerContext` contract exactly as a real server must: accept on every
socket, ready(), notify() from its loop, request_served() per response, and
on should_stop close its listening sockets and finish in-flight requests.
"""

from __future__ import annotations

import os
import selectors
import socket
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

from fulmen_workers import WorkerContext

HELD_MEMORY: list[bytes] = []
HUNG = threading.Event()


def serve(ctx: WorkerContext, message: str = "") -> None:
    stop = threading.Event()
    ctx.add_stop_callback(stop.set)
    selector = selectors.DefaultSelector()
    for sock in ctx.sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    handlers: list[threading.Thread] = []
    ctx.ready()
    while not stop.is_set():
        if HUNG.is_set():  # simulate a stuck event loop: no more heartbeats
            time.sleep(3600)
        ctx.notify()
        for key, _ in selector.select(0.05):
            if stop.is_set():
                break
            try:
                conn, _addr = key.fileobj.accept()  # type: ignore[union-attr]
            except BlockingIOError:
                continue  # another worker took it
            thread = threading.Thread(target=handle, args=(ctx, conn, message))
            thread.start()
            handlers.append(thread)
        handlers = [t for t in handlers if t.is_alive()]
    selector.close()
    for sock in ctx.sockets:  # stop accepting: the supervisor's copy keeps the queue
        sock.close()
    for thread in handlers:
        thread.join(timeout=30)


def handle(ctx: WorkerContext, conn: socket.socket, message: str) -> None:
    with conn:
        conn.setblocking(True)
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        target = data.split(b" ", 2)[1].decode()
        url = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/slow":
            # Tests wait for this line to know the request is in flight here.
            print(f"request {target} in flight in {os.getpid()}", file=sys.stderr, flush=True)
            time.sleep(float(query.get("s", "1")))
        elif url.path == "/grow":
            HELD_MEMORY.append(b"x" * (int(query.get("mb", "10")) * 2**20))
        elif url.path == "/hang":
            HUNG.set()
        body = f"{os.getpid()} {message}".strip().encode()
        # Counted before the response leaves, so that a client's next request
        # already finds this worker stopping.
        ctx.request_served()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )


def serve_hello(ctx: WorkerContext) -> None:
    serve(ctx, message="hello")
