"""The one place fulmen turns Python data into JSON text and back.

fulmen_json (the native codec) does the work. Its output for JSON-compatible
data is byte-identical to FastAPI's settings (compact separators, non-ASCII
kept, NaN refused); where it refuses a value (NaN, a lone surrogate, nesting
past its depth limit) or an input (a UTF-8 BOM, ``NaN`` literals, UTF-16), the
stdlib codec runs instead, so the result or the exception is exactly the one
FastAPI gives: the fallback only ever runs on the rare inputs the fast path
declines.
"""

from __future__ import annotations

import json
from typing import Any

import fulmen_json

_STDLIB_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
)
_native_dumps = fulmen_json.dumps
_native_loads = fulmen_json.loads

JSONDecodeError = json.JSONDecodeError


def dumps(content: Any) -> bytes:
    """Encode already JSON-compatible data (see encoders.jsonable_encoder)."""
    try:
        # PERF: the native encoder; non_str_keys writes int/float/None keys as json does.
        return _native_dumps(content, non_str_keys=True)
    except (fulmen_json.JSONEncodeError, RecursionError, ValueError):
        return _STDLIB_ENCODER.encode(content).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """Decode a request body; raises json.JSONDecodeError (with .pos and .msg) as FastAPI."""
    try:
        return _native_loads(data)
    except (fulmen_json.JSONDecodeError, RecursionError, ValueError, TypeError):
        return json.loads(data)
