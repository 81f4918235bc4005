"""The asyncio wiring shown in docs/packages/workers.md, as a runnable server:
the shape fulmen_http's server takes under the supervisor. One request per
connection (Connection: close), answering with the worker's pid."""

from __future__ import annotations

import asyncio
import os
import sys

from fulmen_workers import WorkerContext


def serve(ctx: WorkerContext) -> None:
    asyncio.run(main(ctx))


async def main(ctx: WorkerContext) -> None:
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    # Called from the SIGTERM handler or from request_served(): hop onto the loop.
    ctx.add_stop_callback(lambda: loop.call_soon_threadsafe(stopped.set))
    in_flight: set[asyncio.Task[None]] = set()

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        in_flight.add(task)
        try:
            await handle(ctx, reader, writer)
        finally:
            in_flight.discard(task)

    servers = [await asyncio.start_server(on_connection, sock=sock) for sock in ctx.sockets]
    ctx.ready()

    async def heartbeat() -> None:
        while True:  # stops beating if the loop is blocked: that is the point
            ctx.notify()
            await asyncio.sleep(ctx.heartbeat_interval / 2)

    beat = asyncio.create_task(heartbeat())
    await stopped.wait()
    # Stop accepting without closing yet; the supervisor's copy of each
    # listening socket keeps the queue. asyncio accepts a batch of connections
    # per wake-up and gives each a transport in a task of its own, one loop
    # turn later; on Python 3.11 a connection whose task runs after
    # `server.close()` fails an assertion in `Server._attach`, is dropped
    # silently and reset at exit. So: stop the accepting first, let those
    # tasks run, then close (and let the handlers' own tasks start).
    for sock in ctx.sockets:
        loop.remove_reader(sock.fileno())
    for _ in range(5):
        await asyncio.sleep(0)
    for server in servers:
        server.close()
    for _ in range(5):
        await asyncio.sleep(0)
    # Every accepted connection gets its answer, even one whose request has
    # not arrived yet; the supervisor kills us after graceful_timeout anyway.
    while in_flight:
        await asyncio.wait(set(in_flight))
    beat.cancel()


async def handle(
    ctx: WorkerContext, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
        writer.close()
        return
    path = head.split(b" ", 2)[1]
    if path.startswith(b"/slow"):
        print(f"request {path.decode()} in flight in {os.getpid()}", file=sys.stderr, flush=True)
        await asyncio.sleep(float(path.partition(b"s=")[2] or b"1"))
    body = str(os.getpid()).encode()
    ctx.request_served()
    writer.write(
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()
