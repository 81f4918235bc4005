"""Reading an endpoint's (or dependency's) signature into a Dependant, once, at
registration: which parameters come from where, which are sub-dependencies,
and a compiled validator per field."""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from fulmen import params
from fulmen._fields import (
    ModelField,
    Undefined,
    is_scalar_annotation,
    is_scalar_sequence_annotation,
    model_type,
)
from fulmen.background import BackgroundTasks
from fulmen.exceptions import DependencyScopeError
from fulmen.requests import HTTPConnection, Request
from fulmen.responses import Response
from fulmen.security import SecurityScopes


@dataclasses.dataclass(eq=False)
class Dependant:
    """Everything needed to call ``call`` for a request (FastAPI's field names)."""

    path_params: list[ModelField] = dataclasses.field(default_factory=list)
    query_params: list[ModelField] = dataclasses.field(default_factory=list)
    header_params: list[ModelField] = dataclasses.field(default_factory=list)
    cookie_params: list[ModelField] = dataclasses.field(default_factory=list)
    body_params: list[ModelField] = dataclasses.field(default_factory=list)
    dependencies: list[Dependant] = dataclasses.field(default_factory=list)
    name: str | None = None
    call: Callable[..., Any] | None = None
    request_param_name: str | None = None
    websocket_param_name: str | None = None
    http_connection_param_name: str | None = None
    response_param_name: str | None = None
    background_tasks_param_name: str | None = None
    security_scopes_param_name: str | None = None
    own_oauth_scopes: list[str] | None = None
    parent_oauth_scopes: list[str] | None = None
    use_cache: bool = True
    path: str | None = None
    scope: Literal["function", "request"] | None = None

    def __post_init__(self) -> None:
        call = self.call
        self.is_gen_callable = _is_gen(call, inspect.isgeneratorfunction)
        self.is_async_gen_callable = _is_gen(call, inspect.isasyncgenfunction)
        self.is_coroutine_callable = _is_coroutine(call)

    @property
    def oauth_scopes(self) -> list[str]:
        scopes = list(self.parent_oauth_scopes or [])
        for scope in self.own_oauth_scopes or []:
            if scope not in scopes:
                scopes.append(scope)
        return scopes

    @property
    def computed_scope(self) -> str | None:
        if self.scope:
            return self.scope
        if self.is_gen_callable or self.is_async_gen_callable:
            return "request"
        return None

    @property
    def takes_connection_objects(self) -> bool:
        """Whether ``call`` itself takes the request, connection, response,
        background tasks or security scopes (what a handler must build first)."""
        return bool(
            self.request_param_name
            or self.websocket_param_name
            or self.http_connection_param_name
            or self.response_param_name
            or self.background_tasks_param_name
            or self.security_scopes_param_name
        )

    def uses_scopes(self) -> bool:
        if self.own_oauth_scopes or self.security_scopes_param_name is not None:
            return True
        return any(sub.uses_scopes() for sub in self.dependencies)

    @property
    def cache_key(self) -> tuple[Any, ...]:
        scopes = tuple(sorted(set(self.oauth_scopes))) if self.uses_scopes() else ()
        return (self.call, scopes, self.computed_scope or "")


def _unwrap(call: Any) -> Any:
    while isinstance(call, functools.partial):
        call = call.func
    return call


def _is_gen(call: Any, check: Callable[[Any], bool]) -> bool:
    call = _unwrap(call)
    if check(call):
        return True
    dunder = getattr(call, "__call__", None)  # noqa: B004 - callable instances
    return not inspect.isclass(call) and dunder is not None and check(dunder)


def _is_coroutine(call: Any) -> bool:
    call = _unwrap(call)
    if inspect.isroutine(call):
        return inspect.iscoroutinefunction(call)
    if inspect.isclass(call):
        return False
    return inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004


_PATH_PARAM = re.compile(r"{(.*?)}")


def path_param_names(path: str) -> set[str]:
    return {name.split(":")[0] for name in _PATH_PARAM.findall(path)}


def _signature(call: Callable[..., Any]) -> inspect.Signature:
    try:
        return inspect.signature(call, eval_str=True)
    except NameError:
        return inspect.signature(call)


_SPECIAL: tuple[tuple[type[Any], str], ...] = (
    (Request, "request_param_name"),
    (HTTPConnection, "http_connection_param_name"),
    (Response, "response_param_name"),
    (BackgroundTasks, "background_tasks_param_name"),
    (SecurityScopes, "security_scopes_param_name"),
)


def _special_slot(annotation: Any) -> str | None:
    if not isinstance(annotation, type):
        return None
    for cls, slot in _SPECIAL:
        if issubclass(annotation, cls):
            return slot
    return None


def _split_annotated(annotation: Any) -> tuple[Any, FieldInfo | params.Depends | None]:
    """(annotation for validation, the last fulmen marker found in Annotated)."""
    if get_origin(annotation) is not Annotated:
        return annotation, None
    markers = [
        arg
        for arg in get_args(annotation)[1:]
        if isinstance(arg, params.Param | params.Body | params.Depends)
    ]
    return annotation, (markers[-1] if markers else None)


def _field_for(
    name: str, annotation: Any, default: Any, in_path: bool
) -> ModelField | params.Depends | str | None:
    """Classify one signature parameter: a field, a dependency, or a special slot name."""
    annotation = Any if annotation is inspect.Signature.empty else annotation
    inner = get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation
    full, marker = _split_annotated(annotation)
    field_info: FieldInfo | None = None
    depends: params.Depends | None = None
    if isinstance(marker, params.Depends):
        depends = marker
    elif marker is not None:
        if marker.default not in (Undefined, Ellipsis):
            raise AssertionError(
                f"`{type(marker).__name__}` default value cannot be set in `Annotated` for "
                f"{name!r}. Set the default value with `=` instead."
            )
        field_info = copy.copy(marker)
        if default is not inspect.Signature.empty:
            if in_path:
                raise AssertionError("Path parameters cannot have default values")
            field_info.default = default
        else:
            field_info.default = Undefined
    if isinstance(default, params.Depends):
        if marker is not None:
            raise AssertionError(f"Cannot combine Annotated markers and Depends for {name!r}")
        depends = default
    elif isinstance(default, FieldInfo):
        if marker is not None:
            raise AssertionError(
                "Cannot specify FastAPI annotations in `Annotated` and default value"
                f" together for {name!r}"
            )
        field_info = copy.copy(default)
    if depends is not None:
        if depends.dependency is None:
            depends = dataclasses.replace(depends, dependency=inner)
        return depends
    if field_info is None and (slot := _special_slot(inner)) is not None:
        return slot
    if field_info is None:
        required = default is inspect.Signature.empty
        value = Undefined if required else default
        if in_path:
            field_info = params.Path()
        elif not is_scalar_annotation(inner):
            field_info = params.Body(value)
        else:
            field_info = params.Query(value)
    if in_path and not isinstance(field_info, params.Path):
        raise AssertionError(f"Cannot use `{type(field_info).__name__}` for path param {name!r}")
    # Validate against the full annotation so pydantic metadata inside Annotated applies.
    field_info.annotation = _without_markers(full)
    if not field_info.alias and getattr(field_info, "convert_underscores", False):
        field_info.alias = name.replace("_", "-")
    elif not field_info.alias:
        field_info.alias = name
    field = ModelField(field_info, name)
    if isinstance(field_info, params.Query) and not (
        is_scalar_annotation(inner)
        or is_scalar_sequence_annotation(inner)
        or model_type(inner) is not None
    ):
        raise AssertionError(f"Query parameter {name!r} must be one of the supported types")
    return field


def _without_markers(annotation: Any) -> Any:
    """Drop fulmen markers from Annotated (their constraints live on the FieldInfo)."""
    if get_origin(annotation) is not Annotated:
        return annotation
    inner, *meta = get_args(annotation)
    kept = [m for m in meta if not isinstance(m, params.Param | params.Body | params.Depends)]
    return Annotated[(inner, *kept)] if kept else inner


def get_dependant(
    *,
    path: str,
    call: Callable[..., Any],
    name: str | None = None,
    own_oauth_scopes: list[str] | None = None,
    parent_oauth_scopes: list[str] | None = None,
    use_cache: bool = True,
    scope: Literal["function", "request"] | None = None,
) -> Dependant:
    """Analyse ``call`` (recursively through its Depends) for the route ``path``."""
    dependant = Dependant(
        call=call,
        name=name,
        path=path,
        use_cache=use_cache,
        scope=scope,
        own_oauth_scopes=own_oauth_scopes,
        parent_oauth_scopes=parent_oauth_scopes,
    )
    current_scopes = (parent_oauth_scopes or []) + (own_oauth_scopes or [])
    in_path = path_param_names(path)
    for param_name, param in _signature(call).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        found = _field_for(param_name, param.annotation, param.default, param_name in in_path)
        if isinstance(found, params.Depends):
            assert found.dependency is not None
            if (
                dependant.computed_scope == "request"
                and (dependant.is_gen_callable or dependant.is_async_gen_callable)
                and found.scope == "function"
            ):
                call_name = getattr(call, "__name__", "<unnamed_callable>")
                raise DependencyScopeError(
                    f'The dependency "{call_name}" has a scope of "request", it cannot '
                    'depend on dependencies with scope "function".'
                )
            own = list(found.scopes or []) if isinstance(found, params.Security) else []
            dependant.dependencies.append(
                get_dependant(
                    path=path,
                    call=found.dependency,
                    name=param_name,
                    own_oauth_scopes=own,
                    parent_oauth_scopes=current_scopes,
                    use_cache=found.use_cache,
                    scope=found.scope,
                )
            )
        elif isinstance(found, str):
            setattr(dependant, found, param_name)
        elif found is not None:
            _add_field(dependant, found)
    return dependant


def _add_field(dependant: Dependant, field: ModelField) -> None:
    info = field.field_info
    if isinstance(info, params.Body):
        dependant.body_params.append(field)
        return
    assert isinstance(info, params.Param)
    target = {
        params.ParamTypes.path: dependant.path_params,
        params.ParamTypes.query: dependant.query_params,
        params.ParamTypes.header: dependant.header_params,
        params.ParamTypes.cookie: dependant.cookie_params,
    }[info.in_]
    target.append(field)


def get_parameterless_sub_dependant(*, depends: params.Depends, path: str) -> Dependant:
    assert callable(depends.dependency), "A parameter-less dependency must have a callable"
    own = list(depends.scopes or []) if isinstance(depends, params.Security) else []
    return get_dependant(
        path=path,
        call=depends.dependency,
        own_oauth_scopes=own,
        use_cache=depends.use_cache,
        scope=depends.scope,
    )


def flat_fields(dependant: Dependant, attr: str) -> list[ModelField]:
    """All fields of one kind, across the whole dependency tree (deduplicated by name)."""
    seen: dict[str, ModelField] = {}
    stack = [dependant]
    while stack:
        current = stack.pop(0)
        for field in getattr(current, attr):
            seen.setdefault(field.name, field)
        stack.extend(current.dependencies)
    return list(seen.values())


def should_embed_body(fields: list[ModelField]) -> bool:
    """FastAPI's rule: one plain body param is the whole body, otherwise keys of it."""
    if not fields:
        return False
    if len({field.name for field in fields}) > 1:
        return True
    return bool(getattr(fields[0].field_info, "embed", None))


__all__ = ["Dependant", "flat_fields", "get_dependant", "get_parameterless_sub_dependant"]
