"""The standard benchmark app (../shared/BENCHMARKING.md), written once for FastAPI
and Fulmen: ``FULMEN_BENCH_FRAMEWORK=fastapi|fulmen`` picks the imports.

``async def`` endpoints at the standard paths, the same four as ``def`` under
``/sync``. Every endpoint call is counted so the benchmark can check that each
request really ran the endpoint (no caching anywhere).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from pydantic import BaseModel

FRAMEWORK = os.environ.get("FULMEN_BENCH_FRAMEWORK", "fulmen")
fw = importlib.import_module(FRAMEWORK)
responses = importlib.import_module(f"{FRAMEWORK}.responses")

calls = 0


class Item(BaseModel):
    name: str
    price: float
    tags: list[str]


app = fw.FastAPI()


def counted() -> None:
    global calls
    calls += 1


@app.get("/plaintext", response_class=responses.PlainTextResponse)
async def plaintext() -> str:
    counted()
    return "Hello, World!"


@app.get("/json")
async def json_endpoint() -> dict[str, str]:
    counted()
    return {"message": "Hello, World!"}


@app.get("/users/{user_id}")
async def user(user_id: int, q: str | None = None) -> dict[str, Any]:
    counted()
    return {"id": user_id, "q": q}


@app.post("/items")
async def items(item: Item) -> Item:
    counted()
    return item


@app.get("/sync/plaintext", response_class=responses.PlainTextResponse)
def sync_plaintext() -> str:
    counted()
    return "Hello, World!"


@app.get("/sync/json")
def sync_json() -> dict[str, str]:
    counted()
    return {"message": "Hello, World!"}


@app.get("/sync/users/{user_id}")
def sync_user(user_id: int, q: str | None = None) -> dict[str, Any]:
    counted()
    return {"id": user_id, "q": q}


@app.post("/sync/items")
def sync_items(item: Item) -> Item:
    counted()
    return item


@app.get("/__calls")
async def read_calls() -> int:
    return calls


@app.post("/__reset")
async def reset() -> int:
    global calls
    calls = 0
    return 0
