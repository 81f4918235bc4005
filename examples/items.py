"""A small inventory API: CRUD on an in-memory store.

Serve it with ``uv run fulmen run examples/items.py`` (or ``fulmen dev``), then
try ``curl http://127.0.0.1:8000/items``. It shows pydantic models, a
dependency, an exception handler and a background task; the tests in
packages/framework/tests/test_cli_example.py exercise every route through the
``fulmen`` command.
"""

from __future__ import annotations

import itertools
import threading
from typing import Annotated

from pydantic import BaseModel, Field

from fulmen import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Request, status
from fulmen.responses import JSONResponse


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    tags: list[str] = []


class Item(ItemIn):
    id: int


class OutOfStock(Exception):
    """Raised when an item is bought that the store no longer has."""

    def __init__(self, item_id: int) -> None:
        self.item_id = item_id


class Store:
    """The in-memory store; a lock because `def` endpoints run in threads."""

    def __init__(self) -> None:
        self.items: dict[int, Item] = {}
        self.audit: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, data: ItemIn) -> Item:
        with self._lock:
            item = Item(id=next(self._ids), **data.model_dump())
            self.items[item.id] = item
            return item


store = Store()
app = FastAPI(title="Items")


def get_store() -> Store:
    return store


def caller(x_user: Annotated[str | None, Header()] = None) -> str:
    """Who is asking: the X-User header, or "anonymous"."""
    return x_user or "anonymous"


StoreDep = Annotated[Store, Depends(get_store)]
UserDep = Annotated[str, Depends(caller)]


def record(store: Store, line: str) -> None:
    """Runs after the response has been sent (a background task)."""
    store.audit.append(line)


@app.exception_handler(OutOfStock)
async def out_of_stock(request: Request, exc: OutOfStock) -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={"detail": f"item {exc.item_id} is out of stock"},
    )


@app.get("/")
async def index() -> dict[str, str]:
    return {"app": "items", "docs": "see examples/items.py"}


@app.get("/items")
async def list_items(store: StoreDep, tag: str | None = None, limit: int = 100) -> list[Item]:
    items = [i for i in store.items.values() if tag is None or tag in i.tags]
    return items[:limit]


@app.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(
    data: ItemIn, store: StoreDep, user: UserDep, background: BackgroundTasks
) -> Item:
    item = store.add(data)
    background.add_task(record, store, f"{user} created {item.id}")
    return item


@app.get("/items/{item_id}")
def read_item(item_id: int, store: StoreDep) -> Item:
    if item_id not in store.items:
        raise HTTPException(status_code=404, detail=f"item {item_id} not found")
    return store.items[item_id]


@app.put("/items/{item_id}")
async def replace_item(item_id: int, data: ItemIn, store: StoreDep, user: UserDep) -> Item:
    if item_id not in store.items:
        raise HTTPException(status_code=404, detail=f"item {item_id} not found")
    item = Item(id=item_id, **data.model_dump())
    store.items[item_id] = item
    return item


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(
    item_id: int, store: StoreDep, user: UserDep, background: BackgroundTasks
) -> None:
    if store.items.pop(item_id, None) is None:
        raise HTTPException(status_code=404, detail=f"item {item_id} not found")
    background.add_task(record, store, f"{user} deleted {item_id}")


@app.post("/items/{item_id}/buy")
async def buy_item(item_id: int, store: StoreDep, user: UserDep) -> dict[str, str]:
    """Each item is unique: the first buyer gets it, later ones get a 409."""
    if item_id not in store.items:
        raise OutOfStock(item_id)
    del store.items[item_id]
    return {"bought": str(item_id), "by": user}


@app.get("/audit")
async def audit(store: StoreDep) -> list[str]:
    return store.audit


if __name__ == "__main__":
    app.run()
