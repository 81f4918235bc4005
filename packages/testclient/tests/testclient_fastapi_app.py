"""A FastAPI app and the scenarios the parity tests run through each client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import (
    BackgroundTasks,
    Cookie,
    FastAPI,
    HTTPException,
    Request,
    Response,
    WebSocket,
    WebSocketException,
    status,
)
from fastapi.responses import PlainTextResponse, RedirectResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

# Headers a real server adds by itself: left out when comparing with a live run.
SERVER_HEADERS = {"date", "server", "transfer-encoding"}

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


class Boom(Exception):
    pass


def make_app() -> tuple[FastAPI, list[str]]:
    """A fresh app per client, so that both runs start from the same state."""
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        events.append("startup")
        yield {"db": "connected"}
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/items/{item_id}")
    async def read_item(item_id: int, q: str | None = None) -> dict[str, Any]:
        return {"id": item_id, "q": q}

    @app.post("/items")
    async def create_item(item: Item) -> Item:
        return item

    @app.get("/state")
    async def state(request: Request) -> dict[str, Any]:
        return {"db": getattr(request.state, "db", None), "root_path": request.scope["root_path"]}

    @app.get("/login")
    async def login(response: Response) -> dict[str, str]:
        response.set_cookie("session", "s3cr3t", httponly=True)
        return {"ok": "yes"}

    @app.get("/me")
    async def me(session: str | None = Cookie(default=None)) -> dict[str, str | None]:
        return {"session": session}

    @app.get("/old")
    async def old() -> RedirectResponse:
        return RedirectResponse("/items/1?q=moved")

    @app.get("/missing")
    async def missing() -> None:
        raise HTTPException(status_code=404, detail="nope", headers={"x-why": "gone"})

    @app.get("/boom")
    async def boom() -> None:
        raise Boom("kaboom")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def numbers() -> AsyncIterator[bytes]:
            for i in range(5):
                await asyncio.sleep(0)
                yield f"{i}\n".encode()

        return StreamingResponse(numbers(), media_type="text/plain")

    @app.get("/text", response_class=PlainTextResponse)
    async def text() -> str:
        return "plain"

    @app.post("/later")
    async def later(tasks: BackgroundTasks) -> dict[str, bool]:
        tasks.add_task(events.append, "background")
        return {"queued": True}

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, Any]:
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        boundary = content_type.partition("boundary=")[2]
        if boundary:  # random per request: take it out to compare the rest
            body = body.replace(boundary.encode(), b"BOUNDARY")
            content_type = content_type.replace(boundary, "BOUNDARY")
        return {"content_type": content_type, "body": body.decode("latin-1")}

    @app.get("/page")
    async def page(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(request, "hello.html", {"name": "Ada"})

    @app.websocket("/ws")
    async def ws_echo(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="chat")
        while True:
            data = await websocket.receive_json()
            if data == "bye":
                await websocket.close(code=4001, reason="client said bye")
                return
            await websocket.send_json({"echo": data, "state": websocket.state.db})

    @app.websocket("/ws-private")
    async def ws_private(websocket: WebSocket) -> None:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="token")

    return app, events


def http_view(response: Any) -> tuple[int, list[tuple[str, str]], bytes, list[int]]:
    """What a test sees of a response."""
    return (
        response.status_code,
        sorted(kv for kv in response.headers.multi_items() if kv[0] not in SERVER_HEADERS),
        response.content,
        [r.status_code for r in response.history],
    )


def scenario_requests(client: Any) -> list[Any]:
    return [
        http_view(client.get("/items/3", params={"q": "x y"})),
        http_view(client.get("/items/not-a-number")),
        http_view(client.post("/items", json={"name": "Widget", "price": 9.99, "tags": ["a"]})),
        http_view(client.post("/items", json={"name": "Widget"})),
        http_view(client.get("/text")),
        http_view(client.delete("/text")),
        http_view(client.head("/text")),
        http_view(client.options("/items/1")),
        http_view(client.get("/missing")),
        http_view(client.get("/old")),
        http_view(client.get("/old", follow_redirects=False)),
        http_view(client.post("/raw", content=b"\x00raw")),
        http_view(client.post("/raw", data={"a": "1", "b": "two words"})),
        http_view(client.post("/raw", files={"f": ("x.bin", b"\x01\x02", "app/x")})),
    ]


def scenario_cookies(client: Any) -> list[Any]:
    before = client.get("/me").json()
    login = http_view(client.get("/login"))
    after = client.get("/me").json()
    jar = sorted((c.name, c.value, c.domain, c.path) for c in client.cookies.jar)
    client.cookies.clear()
    cleared = client.get("/me").json()
    return [before, login, after, jar, cleared]


def scenario_lifespan(client: Any) -> list[Any]:
    with client:
        inside = client.get("/state").json()
    return [inside, client.get("/state").json()]


def scenario_background(client: Any) -> list[Any]:
    return [http_view(client.post("/later"))]


def scenario_streaming(client: Any) -> list[Any]:
    with client.stream("GET", "/stream") as response:
        chunks = list(response.iter_bytes())
        head = (
            response.status_code,
            sorted(kv for kv in response.headers.multi_items() if kv[0] not in SERVER_HEADERS),
        )
    return [head, b"".join(chunks), http_view(client.get("/stream"))]


def scenario_template(client: Any) -> list[Any]:
    response = client.get("/page")
    return [http_view(response), response.template.name, sorted(response.context)]


def scenario_websocket(client: Any) -> list[Any]:
    seen: list[Any] = []
    with client, client.websocket_connect("/ws", subprotocols=["x", "chat"]) as ws:
        seen.append(ws.accepted_subprotocol)
        ws.send_json({"n": 1})
        seen.append(ws.receive_json())
        ws.send_json("bye")
        try:
            ws.receive_json()
        except Exception as exc:
            seen.append((type(exc).__name__, exc.code, exc.reason))  # type: ignore[attr-defined]
    try:
        with client.websocket_connect("/ws-private"):
            pass
    except Exception as exc:
        seen.append((type(exc).__name__, exc.code, exc.reason))  # type: ignore[attr-defined]
    return seen


SCENARIOS: dict[str, Callable[[Any], list[Any]]] = {
    "requests": scenario_requests,
    "cookies": scenario_cookies,
    "lifespan": scenario_lifespan,
    "background": scenario_background,
    "streaming": scenario_streaming,
    "template": scenario_template,
    "websocket": scenario_websocket,
}
