"""One validated field: a name, its FieldInfo and a pydantic TypeAdapter built once.

Mirrors the shape of FastAPI's ``ModelField`` (name, field_info, alias,
validate, serialize) so code written against FastAPI's internals, such as the
next wave's OpenAPI generator, finds the same attributes.
"""

from __future__ import annotations

import dataclasses
import types
import typing
import warnings
from collections import deque
from collections.abc import Mapping, Sequence
from copy import deepcopy
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AliasChoices, AliasPath, BaseModel, Field, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from fulmen._types import IncEx

Undefined: Any = PydanticUndefined

_SEQUENCE_ORIGINS = (list, set, frozenset, tuple, deque, Sequence, typing.Sequence)


def _is_union(origin: Any) -> bool:
    return origin is Union or origin is types.UnionType


def _strip_annotated(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def is_sequence_annotation(annotation: Any) -> bool:
    """list[int], set[str], tuple[...], and Optional/Union of one of those."""
    annotation = _strip_annotated(annotation)
    origin = get_origin(annotation)
    if _is_union(origin):
        return any(is_sequence_annotation(arg) for arg in get_args(annotation))
    target = origin or annotation
    return (
        isinstance(target, type)
        and issubclass(target, _SEQUENCE_ORIGINS)
        and not issubclass(target, str | bytes)
    )


def _is_complex(annotation: Any) -> bool:
    annotation = _strip_annotated(annotation)
    origin = get_origin(annotation)
    if _is_union(origin):
        return any(_is_complex(arg) for arg in get_args(annotation))
    target = origin or annotation
    if isinstance(target, type):
        if issubclass(target, BaseModel | Mapping) or dataclasses.is_dataclass(target):
            return True
        return is_sequence_annotation(target)
    return False


def is_scalar_annotation(annotation: Any) -> bool:
    """What FastAPI reads from the query string by default (not a model, dict or list)."""
    return annotation is Ellipsis or not _is_complex(annotation)


def is_scalar_sequence_annotation(annotation: Any) -> bool:
    annotation = _strip_annotated(annotation)
    origin = get_origin(annotation)
    if _is_union(origin):
        return any(is_scalar_sequence_annotation(arg) for arg in get_args(annotation))
    if not is_sequence_annotation(annotation):
        return False
    return all(is_scalar_annotation(arg) for arg in get_args(annotation) if arg is not Ellipsis)


def model_type(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model class in ``annotation`` (Annotated/Optional unwrapped), if any."""
    annotation = _strip_annotated(annotation)
    origin = get_origin(annotation)
    if _is_union(origin):
        models = [m for arg in get_args(annotation) if (m := model_type(arg)) is not None]
        return models[0] if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


@dataclasses.dataclass(eq=False)
class ModelField:
    """A parameter, body or response model with its compiled validator."""

    field_info: FieldInfo
    name: str
    mode: Literal["validation", "serialization"] = "validation"

    def __post_init__(self) -> None:
        parts = self.field_info.asdict()
        with warnings.catch_warnings():
            # Attributes such as alias/default mean nothing on a bare type; pydantic
            # warns about them, but we apply defaults and aliases ourselves.
            warnings.simplefilter("ignore")
            args = (parts["annotation"], *parts["metadata"], Field(**parts["attributes"]))
            self._adapter: TypeAdapter[Any] = TypeAdapter(Annotated[args])  # type: ignore[arg-type]
        # PERF: facts the per-request extraction needs, decided once here.
        annotation = self.field_info.annotation
        self.is_sequence = is_sequence_annotation(annotation)
        self.group_model = model_type(annotation)
        self.request_keys = self._request_keys()

    def _request_keys(self) -> list[str]:
        """Request keys to try, in order: the alias, or each of an AliasChoices' names."""
        choices = self.field_info.validation_alias
        in_path = getattr(getattr(self.field_info, "in_", None), "value", None) == "path"
        if in_path or not isinstance(choices, AliasChoices):
            return [self.validation_alias]
        if any(isinstance(choice, AliasPath) for choice in choices.choices):
            return [self.validation_alias]
        return [str(choice) for choice in choices.choices]

    @property
    def alias(self) -> str:
        return self.field_info.alias or self.name

    @property
    def validation_alias(self) -> str:
        alias = self.field_info.validation_alias
        return alias if isinstance(alias, str) and alias else self.alias

    @property
    def annotation(self) -> Any:
        return self.field_info.annotation

    @property
    def required(self) -> bool:
        return self.field_info.is_required()

    def get_default(self) -> Any:
        if self.field_info.is_required():
            return Undefined
        return self.field_info.get_default(call_default_factory=True)

    @property
    def default(self) -> Any:
        return self.get_default()

    def validate(
        self, value: Any, values: dict[str, Any] | None = None, *, loc: tuple[int | str, ...] = ()
    ) -> tuple[Any, list[dict[str, Any]]]:
        try:
            # PERF: pydantic-core's validator directly, without TypeAdapter's wrapper.
            return self._adapter.validator.validate_python(value, from_attributes=True), []
        except ValidationError as exc:
            return None, located_errors(exc, loc)

    def validate_or_default(
        self, value: Any, *, loc: tuple[int | str, ...]
    ) -> tuple[Any, list[dict[str, Any]]]:
        """A missing value takes the default (validated only if asked) or is an error."""
        if value is Undefined:
            if self.field_info.is_required():
                return None, [missing_error(loc)]
            value = deepcopy(self.get_default())
            if not self.field_info.validate_default:
                return value, []
        return self.validate(value, loc=loc)

    def serialize(
        self,
        value: Any,
        *,
        mode: Literal["json", "python"] = "json",
        include: IncEx | None = None,
        exclude: IncEx | None = None,
        by_alias: bool = True,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> Any:
        return self._adapter.serializer.to_python(
            value,
            mode=mode,
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )

    def serialize_json(
        self,
        value: Any,
        *,
        include: IncEx | None = None,
        exclude: IncEx | None = None,
        by_alias: bool = True,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> bytes:
        return self._adapter.serializer.to_json(
            value,
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )


def located_errors(exc: ValidationError, loc: tuple[int | str, ...]) -> list[dict[str, Any]]:
    """pydantic's errors as FastAPI reports them: under ``loc``, without URLs."""
    return [
        {**error, "loc": loc + tuple(error.get("loc", ()))}
        for error in exc.errors(include_url=False)
    ]


def missing_error(loc: tuple[int | str, ...]) -> dict[str, Any]:
    """FastAPI's "Field required" error: pydantic's wording, ``input`` None."""
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


def create_response_field(name: str, annotation: Any) -> ModelField:
    return ModelField(FieldInfo(annotation=annotation), name, mode="serialization")


__all__ = [
    "ModelField",
    "Undefined",
    "create_response_field",
    "located_errors",
    "missing_error",
]
