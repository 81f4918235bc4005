"""The exceptions of fulmen_json. The native core raises these very classes."""

from __future__ import annotations


class JSONEncodeError(TypeError):
    """An object that cannot be encoded as JSON (a TypeError, as in orjson)."""
