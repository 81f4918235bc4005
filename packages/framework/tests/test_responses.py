"""Responses render byte-identical bodies and headers to FastAPI's (Starlette's)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import responses as fastapi_responses

from fulmen import responses

PAYLOADS: list[Any] = [
    {"message": "Hello, World!"},
    {"id": 1, "q": None, "tags": ["a", "b"], "price": 9.99, "ok": True},
    {"name": "caf\u00e9 \u20ac \U0001f600", "nested": {"list": [1, 2.5, -3, 1e-07, 1e16]}},
    [],
    "just a string",
    None,
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_json_response_matches_fastapi(payload: Any) -> None:
    ours = responses.JSONResponse(payload)
    theirs = fastapi_responses.JSONResponse(payload)
    assert ours.body == theirs.body
    assert ours.raw_headers == theirs.raw_headers


@pytest.mark.parametrize(
    ("cls_name", "content", "status", "headers"),
    [
        ("PlainTextResponse", "Hello, World!", 200, None),
        ("HTMLResponse", "<h1>caf\u00e9</h1>", 201, {"X-Custom": "1"}),
        ("Response", b"raw", 200, {"Content-Type": "application/octet-stream"}),
        ("PlainTextResponse", "", 204, None),
        ("Response", None, 304, None),
    ],
)
def test_other_responses_match_fastapi(
    cls_name: str, content: Any, status: int, headers: dict[str, str] | None
) -> None:
    ours = getattr(responses, cls_name)(content, status_code=status, headers=headers)
    theirs = getattr(fastapi_responses, cls_name)(content, status_code=status, headers=headers)
    assert (ours.status_code, ours.body, ours.raw_headers) == (
        theirs.status_code,
        theirs.body,
        theirs.raw_headers,
    )


def test_nan_is_refused_like_fastapi() -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        responses.JSONResponse({"x": float("nan")})
