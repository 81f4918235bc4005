"""Finding the app to serve: ``module:attr``, a file path, or pyproject.toml.

A file path is imported the way the ``fastapi`` CLI does it: its module name is
built from the package folders (those with ``__init__.py``) above it, the
folder above the top package goes on ``sys.path``, and in the module the app is
``app``, else ``api``, else the first FastAPI/Fulmen instance.
"""

from __future__ import annotations

import importlib
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Files looked for, in order, when no target is given and pyproject.toml names none.
DEFAULT_FILES = ("main.py", "app.py", "api.py", "app/main.py", "app/app.py", "app/api.py")
_APP_NAMES = ("app", "api")


class TargetError(ValueError):
    """The target names nothing servable (the CLI exits with code 2)."""


class AppImportError(RuntimeError):
    """The target's module failed while being imported (the CLI exits with code 3)."""


@dataclass(frozen=True)
class Target:
    """Where the app is: ``module`` importable once ``path_entry`` is on sys.path;
    ``attr`` None means "find it in the module"."""

    module: str
    attr: str | None
    path_entry: str
    text: str

    def describe(self) -> str:
        return f"{self.module}:{self.attr or '<discovered>'}"


def _module_of_file(path: Path) -> tuple[str, str]:
    """(dotted module name, sys.path entry) for a Python file."""
    path = path.resolve()
    parts = [path.stem] if path.name != "__init__.py" else []
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    if not parts:
        raise TargetError(f"{path}: cannot serve a package's __init__.py outside a package")
    return ".".join(parts), str(folder)


def _looks_like_module(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))


def parse_target(text: str | None, *, app_dir: str = ".", cwd: Path | None = None) -> Target:
    """Turn the command line's TARGET into a `Target`, without importing it."""
    here = cwd or Path.cwd()
    if not text:
        return _from_project(here, app_dir)
    module_part, sep, attr = text.partition(":")
    if sep and not attr:
        raise TargetError(f"target {text!r}: nothing after ':' (expected module:attribute)")
    if sep and not all(p.isidentifier() for p in attr.split(".")):
        raise TargetError(f"target {text!r}: {attr!r} is not an attribute name")
    candidate = here / module_part
    if module_part.endswith(".py") or candidate.is_dir() or "/" in module_part:
        if candidate.is_dir():
            candidate = (
                candidate / "__init__.py"
                if (candidate / "__init__.py").is_file()
                else (candidate / "main.py")
            )
        if not candidate.is_file():
            raise TargetError(f"target {text!r}: no such file {str(candidate)!r}")
        module, entry = _module_of_file(candidate)
        return Target(module, attr or None, entry, text)
    if not _looks_like_module(module_part):
        raise TargetError(f"target {text!r}: expected module:attribute, a .py file or a folder")
    return Target(module_part, attr or None, str((here / app_dir).resolve()), text)


def _from_project(here: Path, app_dir: str) -> Target:
    pyproject = here / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise TargetError(f"{pyproject}: {exc}") from exc
        tool = data.get("tool", {})
        entry = tool.get("fulmen", {}).get("app") or tool.get("fastapi", {}).get("entrypoint")
        if entry:
            if not isinstance(entry, str):
                raise TargetError(f"{pyproject}: the app entry must be a 'module:attr' string")
            return parse_target(entry, app_dir=app_dir, cwd=here)
    for name in DEFAULT_FILES:
        if (here / name).is_file():
            return parse_target(name, app_dir=app_dir, cwd=here)
    raise TargetError(
        'no app given: pass module:attr or a file, set [tool.fulmen] app = "pkg.module:app" '
        f"in pyproject.toml, or add one of {', '.join(DEFAULT_FILES)}"
    )


def _is_app(obj: object) -> bool:
    from fulmen.applications import Fulmen

    if isinstance(obj, Fulmen):
        return True
    # A real FastAPI app is servable too (fulmen_http is an ASGI server).
    return any(
        cls.__name__ == "FastAPI" and cls.__module__.startswith("fastapi")
        for cls in type(obj).__mro__
    )


def load_app(target: Target, *, factory: bool = False) -> Any:
    """Import the target and return the app. Raises `TargetError` when the
    module or attribute does not exist, `AppImportError` when importing fails."""
    if target.path_entry not in sys.path:
        sys.path.insert(0, target.path_entry)
    try:
        module = importlib.import_module(target.module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (
            target.module == exc.name or target.module.startswith(exc.name + ".")
        ):
            raise TargetError(f"target {target.text!r}: no module named {exc.name!r}") from exc
        raise AppImportError(f"importing {target.module!r} failed: {exc!r}") from exc
    except Exception as exc:
        raise AppImportError(f"importing {target.module!r} failed: {exc!r}") from exc
    if target.attr is not None:
        obj: Any = module
        for part in target.attr.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                raise TargetError(
                    f"target {target.text!r}: module {target.module!r} has no attribute "
                    f"{target.attr!r}"
                ) from None
    else:
        obj = _find_app(module, target)
    if factory:
        if not callable(obj):
            raise TargetError(f"target {target.text!r}: --factory given but it is not callable")
        try:
            obj = obj()
        except Exception as exc:
            raise AppImportError(f"the app factory {target.describe()} failed: {exc!r}") from exc
    elif not callable(obj):
        raise TargetError(f"target {target.text!r} is not an ASGI app (not callable)")
    return obj


def _find_app(module: Any, target: Target) -> Any:
    for name in _APP_NAMES:
        obj = getattr(module, name, None)
        if obj is not None and _is_app(obj):
            return obj
    for value in vars(module).values():
        if _is_app(value):
            return value
    raise TargetError(
        f"target {target.text!r}: no FastAPI/Fulmen app in module {target.module!r} "
        "(looked for 'app', 'api', then any instance); name it with FILE:ATTR"
    )
