"""examples/items.py, served by the real ``fulmen run`` in a subprocess."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from cli_helpers import serve

pytestmark = pytest.mark.timeout(90)


def test_items_crud_over_fulmen_run(tmp_path: Path) -> None:
    with (
        serve(["examples/items.py"], tmp_path=tmp_path) as served,
        httpx.Client(base_url=served.url, timeout=10) as client,
    ):
        assert client.get("/").json() == {"app": "items", "docs": "see examples/items.py"}
        assert client.get("/items").json() == []

        created = client.post(
            "/items",
            json={"name": "pen", "price": 1.5, "tags": ["office"]},
            headers={"x-user": "ada"},
        )
        assert created.status_code == 201
        assert created.json() == {"name": "pen", "price": 1.5, "tags": ["office"], "id": 1}
        client.post("/items", json={"name": "mug", "price": 7})

        assert [i["name"] for i in client.get("/items").json()] == ["pen", "mug"]
        assert [i["name"] for i in client.get("/items", params={"tag": "office"}).json()] == ["pen"]
        assert client.get("/items/1").json()["name"] == "pen"  # a `def` endpoint, in a thread

        replaced = client.put("/items/2", json={"name": "cup", "price": 6.5})
        assert replaced.json() == {"name": "cup", "price": 6.5, "tags": [], "id": 2}

        invalid = client.post("/items", json={"name": "", "price": -1})
        assert invalid.status_code == 422
        assert {e["loc"][-1] for e in invalid.json()["detail"]} == {"name", "price"}

        assert client.get("/items/99").status_code == 404
        assert client.get("/items/abc").status_code == 422

        bought = client.post("/items/1/buy", headers={"x-user": "bob"})
        assert bought.json() == {"bought": "1", "by": "bob"}
        again = client.post("/items/1/buy")  # the custom exception handler
        assert again.status_code == 409
        assert again.json() == {"detail": "item 1 is out of stock"}

        deleted = client.delete("/items/2", headers={"x-user": "cy"})
        assert deleted.status_code == 204
        assert deleted.content == b""
        assert client.delete("/items/2").status_code == 404

        # Background tasks ran after their responses were sent.
        deadline = time.monotonic() + 5
        while len(audit := client.get("/audit").json()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert audit == ["ada created 1", "anonymous created 2", "cy deleted 2"]
    assert served.process.returncode == 0
    assert '"POST /items HTTP/1.1" 201' in served.log  # the access log is on by default
