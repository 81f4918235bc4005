"""A lean route's parameters of one source (path, query, headers, cookies),
solved as ``fulmen._solve.request_params_to_args`` does, with what it decides per
field (request key, error location, validator) decided once per route."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from fulmen._fields import ModelField, Undefined, located_errors
from fulmen._solve import _add_params
from fulmen.datastructures import QueryParams


class ParamPlan:
    """Fields of one source. ``multi``: the source has ``getlist`` (query
    parameters, headers), which sequence fields read all values from."""

    __slots__ = ("fields", "generic", "lists", "multi")

    def __init__(self, fields: list[ModelField], *, multi: bool) -> None:
        self.multi = multi
        self.lists = any(f.is_sequence for f in fields)
        simple = all(f.group_model is None and len(f.request_keys) == 1 for f in fields)
        # Parameter models and AliasChoices go through the general code.
        self.generic: list[ModelField] | None = None if simple else fields
        self.fields: tuple[tuple[str, str, tuple[str, str], bool, Any, ModelField], ...] = ()
        if simple:
            self.fields = tuple(
                (
                    f.name,
                    f.request_keys[0],
                    (f.field_info.in_.value, f.request_keys[0]),  # type: ignore[attr-defined]
                    f.is_sequence,
                    f._adapter.validator.validate_python,
                    f,
                )
                for f in fields
            )

    def solve(self, source: Mapping[str, Any], values: dict[str, Any], errors: list[Any]) -> None:
        if self.generic is not None:
            _add_params(self.generic, source, values, errors)
            return
        multi = self.multi
        for name, key, loc, is_sequence, validate, field in self.fields:
            # As fulmen._solve._lookup, then ModelField.validate_or_default.
            if is_sequence and multi:
                value: Any = source.getlist(key)  # type: ignore[attr-defined]
            else:
                value = source.get(key, None)
            if value is None or (is_sequence and len(value) == 0):
                result, field_errors = field.validate_or_default(Undefined, loc=loc)
                if field_errors:
                    errors.extend(field_errors)
                else:
                    values[name] = result
                continue
            try:
                values[name] = validate(value, from_attributes=True)
            except ValidationError as exc:
                errors.extend(located_errors(exc, loc))


def query_source(query_string: bytes, plan: ParamPlan) -> Mapping[str, Any]:
    """The query parameters ``plan`` reads: a plain dict when none of its fields
    wants every value of a key (a dict keeps the last, as ``QueryParams[key]``)."""
    if plan.lists or plan.generic is not None:
        return QueryParams(query_string)
    if not query_string:
        return {}
    query = query_string.decode("latin-1")
    if "%" in query or "+" in query:
        return QueryParams(query)
    # PERF: QueryParams' own split for this case, without the pair list.
    found: dict[str, str] = {}
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            found[name] = value
    return found


__all__ = ["ParamPlan", "query_source"]
