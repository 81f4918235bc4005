"""Generator endpoints with the default response class stream JSON Lines, as FastAPI does.

Each yielded item becomes one line: validated and dumped by pydantic when the
return annotation names the item type (``AsyncIterator[Item]``), otherwise
jsonable-encoded and written by ``json.dumps`` with its default separators,
non-finite floats as ``null``.
"""

from __future__ import annotations

import collections.abc
import json
import math
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, get_args, get_origin

from fulmen._fields import ModelField
from fulmen.encoders import jsonable_encoder
from fulmen.exceptions import EndpointContext, ResponseValidationError

_STREAM_ORIGINS = {
    collections.abc.AsyncIterable,
    collections.abc.AsyncIterator,
    collections.abc.AsyncGenerator,
    collections.abc.Iterable,
    collections.abc.Iterator,
    collections.abc.Generator,
}


def stream_item_type(annotation: Any) -> Any | None:
    """``Iterator[X]`` / ``AsyncIterator[X]``... -> X (Any if bare); None for other types."""
    if get_origin(annotation) in _STREAM_ORIGINS:
        args = get_args(annotation)
        return args[0] if args else Any
    return None


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_finite(value) for value in data]
    return data


def line_encoder(
    item_field: ModelField | None, dump_options: dict[str, Any], context: EndpointContext
) -> Callable[[Any], bytes]:
    def encode(item: Any) -> bytes:
        if item_field is None:
            return json.dumps(_finite(jsonable_encoder(item))).encode("utf-8") + b"\n"
        value, errors = item_field.validate(item, loc=("response",))
        if errors:
            raise ResponseValidationError(errors, body=item, endpoint_ctx=context)
        return item_field.serialize_json(value, **dump_options) + b"\n"

    return encode


async def async_lines(items: Any, encode: Callable[[Any], bytes]) -> AsyncIterator[bytes]:
    async for item in items:
        yield encode(item)


def sync_lines(items: Any, encode: Callable[[Any], bytes]) -> Iterator[bytes]:
    for item in items:
        yield encode(item)


__all__ = ["async_lines", "line_encoder", "stream_item_type", "sync_lines"]
