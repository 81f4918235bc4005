"""The functions users call (``Query(...)``, ``Depends(...)``), returning params markers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic_core import PydanticUndefined

from fulmen import params


def Path(default: Any = ..., **kwargs: Any) -> Any:
    return params.Path(default, **kwargs)


def Query(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    return params.Query(default, **kwargs)


def Header(
    default: Any = PydanticUndefined, *, convert_underscores: bool = True, **kwargs: Any
) -> Any:
    return params.Header(default, convert_underscores=convert_underscores, **kwargs)


def Cookie(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    return params.Cookie(default, **kwargs)


def Body(
    default: Any = PydanticUndefined,
    *,
    embed: bool | None = None,
    media_type: str = "application/json",
    **kwargs: Any,
) -> Any:
    return params.Body(default, embed=embed, media_type=media_type, **kwargs)


def Depends(
    dependency: Callable[..., Any] | None = None,
    *,
    use_cache: bool = True,
    scope: Literal["function", "request"] | None = None,
) -> Any:
    return params.Depends(dependency=dependency, use_cache=use_cache, scope=scope)


def Security(
    dependency: Callable[..., Any] | None = None,
    *,
    scopes: Sequence[str] | None = None,
    use_cache: bool = True,
) -> Any:
    return params.Security(dependency=dependency, scopes=scopes, use_cache=use_cache)


__all__ = ["Body", "Cookie", "Depends", "Header", "Path", "Query", "Security"]
