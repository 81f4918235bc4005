"""Building a JSONResponse: fulmen against FastAPI (Starlette), same bytes out."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.responses import JSONResponse as FastAPIJSONResponse

from fulmen.responses import JSONResponse

PAYLOAD = {"id": 42, "name": "Widget", "price": 9.99, "tags": ["a", "b", "c"], "active": True}

CLASSES: dict[str, Any] = {"fulmen": JSONResponse, "fastapi": FastAPIJSONResponse}


@pytest.mark.parametrize("framework", CLASSES)
def test_json_response(benchmark: Any, framework: str) -> None:
    ours, theirs = JSONResponse(PAYLOAD), FastAPIJSONResponse(PAYLOAD)
    assert (ours.body, ours.raw_headers) == (theirs.body, theirs.raw_headers)
    benchmark.group = "JSONResponse(small dict)"
    benchmark(CLASSES[framework], PAYLOAD)
