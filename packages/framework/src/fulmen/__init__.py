"""fulmen: a FastAPI-compatible web framework on a native (C++) fast path.

``from fastapi import X`` becomes ``from fulmen import X``. Importing fulmen
checks that the installed components (fulmen-http, fulmen-router,
fulmen-json, fulmen-workers) are within the supported ranges.
"""

from fulmen._components import ComponentVersionError, check_components

check_components()

from fulmen import status  # noqa: E402
from fulmen.applications import FastAPI, Fulmen  # noqa: E402
from fulmen.background import BackgroundTasks  # noqa: E402
from fulmen.exceptions import HTTPException  # noqa: E402
from fulmen.param_functions import (  # noqa: E402
    Body,
    Cookie,
    Depends,
    Header,
    Path,
    Query,
    Security,
)
from fulmen.requests import Request  # noqa: E402
from fulmen.responses import Response  # noqa: E402
from fulmen.routing import APIRouter  # noqa: E402

__version__ = "0.1.0"

# FastAPI names this release does not provide yet, and what they wait for.
_NOT_YET = {
    "File": "forms and uploads",
    "Form": "forms and uploads",
    "UploadFile": "forms and uploads",
    "WebSocket": "WebSockets",
    "WebSocketDisconnect": "WebSockets",
    "WebSocketException": "WebSockets",
}


def __getattr__(name: str) -> object:
    if name in _NOT_YET:
        raise ImportError(
            f"fulmen {__version__} does not provide {name!r} yet: {_NOT_YET[name]} come in a "
            "later release (see docs/framework/compatibility.md)"
        )
    raise AttributeError(f"module 'fulmen' has no attribute {name!r}")


__all__ = [
    "APIRouter",
    "BackgroundTasks",
    "Body",
    "ComponentVersionError",
    "Cookie",
    "Depends",
    "FastAPI",
    "Fulmen",
    "HTTPException",
    "Header",
    "Path",
    "Query",
    "Request",
    "Response",
    "Security",
    "__version__",
    "status",
]
