"""Solving a Dependant for one request: sub-dependencies (cached, overridden,
with their exit stacks), then path/query/header/cookie/body values, collecting
every validation error instead of stopping at the first (as FastAPI does)."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from fulmen import params
from fulmen._dependant import Dependant, get_dependant, should_embed_body
from fulmen._fields import ModelField, Undefined, missing_error
from fulmen.background import BackgroundTasks
from fulmen.concurrency import contextmanager_in_threadpool, run_in_threadpool
from fulmen.datastructures import Headers, MultiDict
from fulmen.requests import Request
from fulmen.responses import Response
from fulmen.security import SecurityScopes


@dataclass
class SolvedDependency:
    values: dict[str, Any]
    errors: list[Any]
    background_tasks: BackgroundTasks | None
    response: Response
    dependency_cache: dict[tuple[Any, ...], Any]


def new_sub_response() -> Response:
    """The Response an endpoint can take to set headers/cookies/status: no
    content-length, no status until someone sets one."""
    # PERF: built directly; equivalent to Response() minus its content-length header.
    response = Response.__new__(Response)
    response.status_code = None  # type: ignore[assignment]
    response.background = None
    response.body = b""
    response.raw_headers = []
    return response


# Analysed override dependants: original dependant -> {override callable: dependant}.
# Weak keys, so routes that go away take their entries with them.
_override_cache: weakref.WeakKeyDictionary[Dependant, dict[Any, Dependant]] = (
    weakref.WeakKeyDictionary()
)


def _overridden(sub: Dependant, provider: Any) -> Dependant:
    overrides = getattr(provider, "dependency_overrides", None) if provider else None
    if not overrides or sub.call not in overrides:
        return sub
    call = overrides[sub.call]
    per_original = _override_cache.setdefault(sub, {})
    cached = per_original.get(call)
    if cached is None:
        cached = get_dependant(
            path=sub.path or "",
            call=call,
            name=sub.name,
            parent_oauth_scopes=sub.oauth_scopes,
            scope=sub.scope,
        )
        per_original[call] = cached
    return cached


async def _enter_generator(
    dependant: Dependant, stack: AsyncExitStack, values: dict[str, Any]
) -> Any:
    assert dependant.call is not None
    if dependant.is_async_gen_callable:
        cm: contextlib.AbstractAsyncContextManager[Any] = contextlib.asynccontextmanager(
            dependant.call
        )(**values)
    else:
        cm = contextmanager_in_threadpool(contextlib.contextmanager(dependant.call)(**values))
    return await stack.enter_async_context(cm)


async def solve_dependencies(
    *,
    request: Request,
    dependant: Dependant,
    body: Any = Undefined,
    background_tasks: BackgroundTasks | None = None,
    response: Response | None = None,
    dependency_overrides_provider: Any | None = None,
    dependency_cache: dict[tuple[Any, ...], Any] | None = None,
    async_exit_stack: AsyncExitStack,
    embed_body_fields: bool,
) -> SolvedDependency:
    request_stack: AsyncExitStack = request.scope["fastapi_inner_astack"]
    function_stack: AsyncExitStack = request.scope["fastapi_function_astack"]
    values: dict[str, Any] = {}
    errors: list[Any] = []
    if response is None:
        response = new_sub_response()
    if dependency_cache is None:
        dependency_cache = {}
    for sub in dependant.dependencies:
        use_sub = _overridden(sub, dependency_overrides_provider)
        solved_sub = await solve_dependencies(
            request=request,
            dependant=use_sub,
            body=body,
            background_tasks=background_tasks,
            response=response,
            dependency_overrides_provider=dependency_overrides_provider,
            dependency_cache=dependency_cache,
            async_exit_stack=async_exit_stack,
            embed_body_fields=embed_body_fields,
        )
        background_tasks = solved_sub.background_tasks
        if solved_sub.errors:
            errors.extend(solved_sub.errors)
            continue
        key = sub.cache_key
        call = use_sub.call
        assert call is not None
        if sub.use_cache and key in dependency_cache:
            solved = dependency_cache[key]
        elif use_sub.is_gen_callable or use_sub.is_async_gen_callable:
            stack = function_stack if sub.scope == "function" else request_stack
            solved = await _enter_generator(use_sub, stack, solved_sub.values)
        elif use_sub.is_coroutine_callable:
            solved = await call(**solved_sub.values)
        else:
            solved = await run_in_threadpool(call, **solved_sub.values)
        if sub.name is not None:
            values[sub.name] = solved
        dependency_cache.setdefault(key, solved)
    # PERF: each source (query string, headers, cookies) is parsed only if asked for.
    if dependant.path_params:
        _add_params(dependant.path_params, request.path_params, values, errors)
    if dependant.query_params:
        _add_params(dependant.query_params, request.query_params, values, errors)
    if dependant.header_params:
        _add_params(dependant.header_params, request.headers, values, errors)
    if dependant.cookie_params:
        _add_params(dependant.cookie_params, request.cookies, values, errors)
    if dependant.body_params:
        body_values, body_errors = request_body_to_args(
            dependant.body_params, body, embed_body_fields
        )
        values.update(body_values)
        errors.extend(body_errors)
    if dependant.http_connection_param_name:
        values[dependant.http_connection_param_name] = request
    if dependant.request_param_name:
        values[dependant.request_param_name] = request
    if dependant.background_tasks_param_name:
        if background_tasks is None:
            background_tasks = BackgroundTasks()
        values[dependant.background_tasks_param_name] = background_tasks
    if dependant.response_param_name:
        values[dependant.response_param_name] = response
    if dependant.security_scopes_param_name:
        values[dependant.security_scopes_param_name] = SecurityScopes(dependant.oauth_scopes)
    return SolvedDependency(values, errors, background_tasks, response, dependency_cache)


def _lookup(field: ModelField, source: Mapping[str, Any], key: str) -> Any:
    """The raw value for ``key``: a list for sequence fields, Undefined when absent/empty."""
    is_sequence = field.is_sequence
    if is_sequence and isinstance(source, MultiDict | Headers):
        value: Any = source.getlist(key)
    else:
        value = source.get(key, None)
    if value is None or (is_sequence and len(value) == 0):
        return Undefined
    return value


def _add_params(
    fields: list[ModelField], source: Mapping[str, Any], values: dict[str, Any], errors: list[Any]
) -> None:
    field_values, field_errors = request_params_to_args(fields, source)
    values.update(field_values)
    errors.extend(field_errors)


def request_params_to_args(
    fields: list[ModelField], source: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Any]]:
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for field in fields:
        info = field.field_info
        assert isinstance(info, params.Param)
        if (group := field.group_model) is not None:
            value, field_errors = _param_model_to_args(field, group, source)
        else:
            keys = field.request_keys
            key = keys[0] if len(keys) == 1 else next((k for k in keys if k in source), keys[0])
            value, field_errors = field.validate_or_default(
                _lookup(field, source, key), loc=(info.in_.value, key)
            )
        if field_errors:
            errors.extend(field_errors)
        else:
            values[field.name] = value
    return values, errors


def _param_model_to_args(
    field: ModelField, group: type[Any], source: Mapping[str, Any]
) -> tuple[Any, list[Any]]:
    """A pydantic model whose fields are separate query/header/cookie parameters."""
    info = field.field_info
    assert isinstance(info, params.Param)
    is_header = isinstance(source, Headers)
    convert = getattr(info, "convert_underscores", True)
    collected: dict[str, Any] = {}
    used: set[str] = set()
    header_aliases: dict[str, str] = {}
    for name, model_field_info in group.model_fields.items():
        sub = _model_member(name, model_field_info)
        alias = sub.validation_alias
        request_alias = (
            alias.replace("_", "-") if is_header and convert and alias == name else alias
        )
        raw = _lookup(sub, source, request_alias)
        if raw is not Undefined:
            collected[alias] = raw
        used.add(request_alias.lower() if is_header else request_alias)
        if is_header and alias != request_alias:
            used.add(alias.lower())
            header_aliases[name] = request_alias
    extras: dict[str, list[Any]] = {}
    items = source.multi_items() if isinstance(source, MultiDict) else list(source.items())
    for key, raw_value in items:
        if key not in used:
            extras.setdefault(key, []).append(raw_value)
    for key, grouped in extras.items():
        collected[key] = grouped[0] if len(grouped) == 1 else grouped
    value, errors = field.validate_or_default(collected, loc=(info.in_.value,))
    if header_aliases:
        for error in errors:
            loc = error["loc"]
            if len(loc) > 1 and loc[1] in header_aliases:
                error["loc"] = (loc[0], header_aliases[loc[1]], *loc[2:])
    return value, errors


_member_cache: dict[tuple[str, int], ModelField] = {}


def _model_member(name: str, info: Any) -> ModelField:
    key = (name, id(info))
    if key not in _member_cache:
        _member_cache[key] = ModelField(info, name)
    return _member_cache[key]


def request_body_to_args(
    body_fields: list[ModelField], received_body: Any, embed_body_fields: bool
) -> tuple[dict[str, Any], list[Any]]:
    values: dict[str, Any] = {}
    errors: list[Any] = []
    first = body_fields[0]
    if len(body_fields) == 1 and not embed_body_fields and not should_embed_body(body_fields):
        value, field_errors = first.validate_or_default(received_body, loc=("body",))
        return {first.name: value}, field_errors
    for field in body_fields:
        alias = field.validation_alias
        loc: tuple[str, ...] = ("body", alias)
        value = Undefined
        if received_body is not Undefined and not isinstance(received_body, bytes):
            try:
                value = received_body.get(alias, Undefined)
            except AttributeError:  # an embedded field needs an object, not a list or scalar
                errors.append(missing_error(loc))
                continue
        result, field_errors = field.validate_or_default(value, loc=loc)
        if field_errors:
            errors.extend(field_errors)
        else:
            values[field.name] = result
    return values, errors


__all__ = [
    "SolvedDependency",
    "request_body_to_args",
    "request_params_to_args",
    "solve_dependencies",
]
