"""APIRoute and APIRouter: declaring path operations and dispatching requests.

Names and shapes follow FastAPI (``APIRoute.dependant``, ``get_request_handler``,
``router.routes``) so tools written for FastAPI find their hook points.
"""

from __future__ import annotations

from fulmen._handler import get_request_handler, serialize_response
from fulmen._plain_route import Mount, Route
from fulmen._route import APIRoute, Match, generate_unique_id, request_response
from fulmen._router import APIRouter
from fulmen._routing_table import NoMatchFound

__all__ = [
    "APIRoute",
    "APIRouter",
    "Match",
    "Mount",
    "NoMatchFound",
    "Route",
    "generate_unique_id",
    "get_request_handler",
    "request_response",
    "serialize_response",
]
