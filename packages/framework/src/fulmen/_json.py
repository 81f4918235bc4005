"""The one place fulmen turns Python data into JSON text.

Today this is the stdlib codec with exactly the settings FastAPI's default
JSONResponse uses (compact separators, non-ASCII kept, NaN refused). It is an
adapter so fulmen_json can replace it without touching the callers.
"""

from __future__ import annotations

import json
from typing import Any

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))

JSONDecodeError = json.JSONDecodeError


def dumps(content: Any) -> bytes:
    """Encode already JSON-compatible data (see encoders.jsonable_encoder)."""
    return _ENCODER.encode(content).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """Decode a request body; raises JSONDecodeError with .pos and .msg."""
    return json.loads(data)
