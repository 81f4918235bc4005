"""jsonable_encoder gives exactly FastAPI's results."""

import dataclasses
import datetime
import enum
import uuid
from collections import deque
from decimal import Decimal
from ipaddress import IPv4Address
from pathlib import PurePosixPath
from typing import Any

import pytest
from fastapi.encoders import jsonable_encoder as fastapi_encoder
from pydantic import BaseModel, Field, SecretStr

from fulmen.encoders import jsonable_encoder


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Model(BaseModel):
    name: str = Field(alias="Name")
    when: datetime.datetime
    tags: set[str] = set()
    secret: SecretStr = SecretStr("x")
    child: "Model | None" = None


@dataclasses.dataclass
class Point:
    x: int
    y: float | None = None


class Plain:
    def __init__(self) -> None:
        self.a = 1
        self._sa_instance_state = "hidden"


VALUES: list[Any] = [
    {"a": 1, "b": [1, 2.5, None, True], "c": "caf\u00e9"},
    Model(Name="m", when=datetime.datetime(2024, 1, 2, 3, 4, 5), tags={"t"}),
    Point(1),
    [Color.RED, Level.HIGH, PurePosixPath("/a/b"), uuid.UUID(int=5), IPv4Address("10.0.0.1")],
    (Decimal("1"), Decimal("1.5"), datetime.date(2020, 1, 1), datetime.timedelta(seconds=90)),
    {b"bytes": frozenset([1]), "d": deque([1, 2]), "gen": (i for i in range(3))},
    {"_sa_key": 1, "keep": None},
    Plain(),
    datetime.time(1, 2, 3),
]


@pytest.mark.parametrize("value", VALUES)
def test_same_as_fastapi(value: Any) -> None:
    if isinstance(value, dict) and "gen" in value:  # a generator is consumed once
        value_again = {**value, "gen": (i for i in range(3))}
        assert jsonable_encoder(value) == fastapi_encoder(value_again)
        return
    assert jsonable_encoder(value) == fastapi_encoder(value)


@pytest.mark.parametrize(
    "options",
    [
        {"exclude_none": True},
        {"by_alias": False},
        {"include": {"name"}},
        {"exclude": {"when"}},
        {"exclude_unset": True},
        {"exclude_defaults": True},
        {"custom_encoder": {datetime.datetime: lambda d: "custom"}},
        {"sqlalchemy_safe": False},
    ],
)
def test_options_same_as_fastapi(options: dict[str, Any]) -> None:
    model = Model(Name="m", when=datetime.datetime(2024, 1, 2))
    for value in (model, {"name": None, "when": 1, "_sa_x": 2}):
        assert jsonable_encoder(value, **options) == fastapi_encoder(value, **options)


def test_unencodable_raises_value_error() -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - FastAPI raises a bare ValueError(errors)
        jsonable_encoder(object())
