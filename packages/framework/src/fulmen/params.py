"""Parameter markers: where a value comes from (path, query, header, cookie,
body) and how it is checked, as pydantic FieldInfo subclasses like FastAPI's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

_Unset: Any = PydanticUndefined


class ParamTypes(Enum):
    query = "query"
    header = "header"
    path = "path"
    cookie = "cookie"


def _field_kwargs(**kwargs: Any) -> dict[str, Any]:
    """Only what the user set, so pydantic's own defaults stay in charge."""
    return {key: value for key, value in kwargs.items() if value is not _Unset}


class Param(FieldInfo):  # type: ignore[misc]
    """A request parameter read from outside the body."""

    in_: ParamTypes

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        default_factory: Callable[[], Any] | None = _Unset,
        annotation: Any | None = None,
        alias: str | None = None,
        alias_priority: int | None = _Unset,
        validation_alias: Any = None,
        serialization_alias: str | None = None,
        title: str | None = None,
        description: str | None = None,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        regex: str | None = None,
        discriminator: str | None = None,
        strict: bool | None = _Unset,
        multiple_of: float | None = _Unset,
        allow_inf_nan: bool | None = _Unset,
        max_digits: int | None = _Unset,
        decimal_places: int | None = _Unset,
        examples: list[Any] | None = None,
        example: Any = _Unset,
        openapi_examples: dict[str, Any] | None = None,
        deprecated: Any = None,
        include_in_schema: bool = True,
        json_schema_extra: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        self.example = example
        self.include_in_schema = include_in_schema
        self.openapi_examples = openapi_examples
        kwargs = _field_kwargs(
            default=default,
            default_factory=default_factory,
            alias=alias,
            title=title,
            description=description,
            gt=gt,
            ge=ge,
            lt=lt,
            le=le,
            min_length=min_length,
            max_length=max_length,
            discriminator=discriminator,
            multiple_of=multiple_of,
            allow_inf_nan=allow_inf_nan,
            max_digits=max_digits,
            decimal_places=decimal_places,
            strict=strict,
            alias_priority=alias_priority,
            validation_alias=validation_alias,
            serialization_alias=serialization_alias,
            examples=examples,
            deprecated=deprecated,
            json_schema_extra=json_schema_extra or extra or None,
        )
        kwargs = {k: v for k, v in kwargs.items() if v is not None or k == "default"}
        if pattern or regex:
            kwargs["pattern"] = pattern or regex
        if default_factory is not _Unset and default is PydanticUndefined:
            kwargs.pop("default", None)
        super().__init__(**kwargs)
        if annotation is not None:
            self.annotation = annotation

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default})"


class Path(Param):  # type: ignore[misc]
    in_ = ParamTypes.path

    def __init__(self, default: Any = ..., **kwargs: Any) -> None:
        if default is not ...:
            raise AssertionError("Path parameters cannot have a default value")
        super().__init__(default, **kwargs)


class Query(Param):  # type: ignore[misc]
    in_ = ParamTypes.query


class Header(Param):  # type: ignore[misc]
    in_ = ParamTypes.header

    def __init__(
        self, default: Any = PydanticUndefined, *, convert_underscores: bool = True, **kwargs: Any
    ) -> None:
        self.convert_underscores = convert_underscores
        super().__init__(default, **kwargs)


class Cookie(Param):  # type: ignore[misc]
    in_ = ParamTypes.cookie


class Body(FieldInfo):  # type: ignore[misc]
    """The request body, or (``embed=True`` / several bodies) one key of it."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        embed: bool | None = None,
        media_type: str = "application/json",
        include_in_schema: bool = True,
        example: Any = _Unset,
        openapi_examples: dict[str, Any] | None = None,
        annotation: Any | None = None,
        **kwargs: Any,
    ) -> None:
        self.embed = embed
        self.media_type = media_type
        self.include_in_schema = include_in_schema
        self.example = example
        self.openapi_examples = openapi_examples
        regex = kwargs.pop("regex", None)
        if regex and "pattern" not in kwargs:
            kwargs["pattern"] = regex
        kwargs = {k: v for k, v in kwargs.items() if v is not None and v is not _Unset}
        if kwargs.get("default_factory") is not None and default is PydanticUndefined:
            super().__init__(**kwargs)
        else:
            super().__init__(default=default, **kwargs)
        if annotation is not None:
            self.annotation = annotation

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default})"


@dataclass(frozen=True)
class Depends:
    """Ask for the result of ``dependency`` (its own parameters resolved too)."""

    dependency: Callable[..., Any] | None = None
    use_cache: bool = True
    scope: Literal["function", "request"] | None = None


@dataclass(frozen=True)
class Security(Depends):
    """A dependency that also declares the OAuth2 ``scopes`` it requires."""

    scopes: Sequence[str] | None = None


__all__ = [
    "Body",
    "Cookie",
    "Depends",
    "Header",
    "Param",
    "ParamTypes",
    "Path",
    "Query",
    "Security",
]
