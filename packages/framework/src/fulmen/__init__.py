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
