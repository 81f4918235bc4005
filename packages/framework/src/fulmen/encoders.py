"""jsonable_encoder: any Python value to JSON-compatible data, as FastAPI does it.

The result must be byte-identical to FastAPI's once dumped, so the order of
the checks below follows FastAPI's documented behaviour: pydantic models,
dataclasses, enums, paths, scalars, dicts, sequences, then per-type encoders,
then ``dict(obj)`` and ``vars(obj)`` as last resorts.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from pathlib import Path, PurePath
from re import Pattern
from types import GeneratorType
from typing import Any
from uuid import UUID

from pydantic import AnyUrl, BaseModel, NameEmail, SecretBytes, SecretStr
from pydantic_core import PydanticUndefinedType, Url

from fulmen._types import IncEx


def decimal_encoder(value: Decimal) -> int | float:
    """Whole decimals become ints (so Numeric(x, 0) ids round-trip), others floats."""
    exponent = value.as_tuple().exponent
    return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)


def _isoformat(value: datetime.date | datetime.time) -> str:
    return value.isoformat()


ENCODERS_BY_TYPE: dict[type[Any], Callable[[Any], Any]] = {
    bytes: lambda o: o.decode(),
    datetime.date: _isoformat,
    datetime.datetime: _isoformat,
    datetime.time: _isoformat,
    datetime.timedelta: lambda td: td.total_seconds(),
    Decimal: decimal_encoder,
    Enum: lambda o: o.value,
    frozenset: list,
    deque: list,
    GeneratorType: list,
    IPv4Address: str,
    IPv4Interface: str,
    IPv4Network: str,
    IPv6Address: str,
    IPv6Interface: str,
    IPv6Network: str,
    NameEmail: str,
    Path: str,
    Pattern: lambda o: o.pattern,
    SecretBytes: str,
    SecretStr: str,
    set: list,
    UUID: str,
    Url: str,
    AnyUrl: str,
}
try:  # pydantic's deprecated Color type, when present, encodes as its name/hex
    from pydantic.color import Color

    ENCODERS_BY_TYPE[Color] = str
except ImportError:  # pragma: no cover
    pass

# For subclasses (an IntEnum, a PosixPath): isinstance checks in table order.
_BY_CLASS: list[tuple[tuple[type[Any], ...], Callable[[Any], Any]]] = []
for _type, _encoder in ENCODERS_BY_TYPE.items():
    for index, (types, encoder) in enumerate(_BY_CLASS):
        if encoder is _encoder:
            _BY_CLASS[index] = ((*types, _type), encoder)
            break
    else:
        _BY_CLASS.append(((_type,), _encoder))


def jsonable_encoder(
    obj: Any,
    include: IncEx | None = None,
    exclude: IncEx | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    custom_encoder: dict[Any, Callable[[Any], Any]] | None = None,
    sqlalchemy_safe: bool = True,
) -> Any:
    """Convert ``obj`` to data ``json.dumps`` accepts, with FastAPI's rules."""
    if custom_encoder:
        if type(obj) in custom_encoder:
            return custom_encoder[type(obj)](obj)
        for encoder_type, encoder in custom_encoder.items():
            if isinstance(obj, encoder_type):
                return encoder(obj)
    if include is not None and not isinstance(include, set | dict):
        include = set(include)  # type: ignore[unreachable]
    if exclude is not None and not isinstance(exclude, set | dict):
        exclude = set(exclude)  # type: ignore[unreachable]
    # Keyword options every recursive call passes on (include/exclude only where FastAPI does).
    options: dict[str, Any] = {
        "by_alias": by_alias,
        "exclude_unset": exclude_unset,
        "exclude_defaults": exclude_defaults,
        "exclude_none": exclude_none,
        "custom_encoder": custom_encoder,
        "sqlalchemy_safe": sqlalchemy_safe,
    }
    if isinstance(obj, BaseModel):
        dumped = obj.model_dump(
            mode="json",
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_none=exclude_none,
            exclude_defaults=exclude_defaults,
        )
        return jsonable_encoder(
            dumped,
            exclude_none=exclude_none,
            exclude_defaults=exclude_defaults,
            sqlalchemy_safe=sqlalchemy_safe,
        )
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return jsonable_encoder(
            dataclasses.asdict(obj), include=include, exclude=exclude, **options
        )
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, str | int | float | type(None)):
        return obj
    if isinstance(obj, PydanticUndefinedType):
        return None
    if isinstance(obj, dict):
        allowed = set(obj.keys())
        if include is not None:
            allowed &= set(include)
        if exclude is not None:
            allowed -= set(exclude)
        encoded: dict[Any, Any] = {}
        for key, value in obj.items():
            if sqlalchemy_safe and isinstance(key, str) and key.startswith("_sa"):
                continue
            if (value is None and exclude_none) or key not in allowed:
                continue
            encoded[jsonable_encoder(key, **options)] = jsonable_encoder(value, **options)
        return encoded
    if isinstance(obj, list | set | frozenset | GeneratorType | tuple | deque):
        return [jsonable_encoder(item, include=include, exclude=exclude, **options) for item in obj]
    if type(obj) in ENCODERS_BY_TYPE:
        return ENCODERS_BY_TYPE[type(obj)](obj)
    for classes, encoder in _BY_CLASS:
        if isinstance(obj, classes):
            return encoder(obj)
    try:
        data = dict(obj)
    except Exception as first:
        errors: list[Exception] = [first]
        try:
            data = vars(obj)
        except Exception as second:
            errors.append(second)
            raise ValueError(errors) from second
    return jsonable_encoder(data, include=include, exclude=exclude, **options)


__all__ = ["ENCODERS_BY_TYPE", "decimal_encoder", "jsonable_encoder"]
