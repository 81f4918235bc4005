"""The command line: serve an ASGI app (or a direct handler) like uvicorn does."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Any

from fulmen_http._limits import DEFAULT_MAX_BODY, Limits
from fulmen_http._server import Config, Server


def load(target: str) -> Any:
    """Import ``module:attribute`` (dotted attributes allowed)."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise SystemExit(f"app must look like module:attribute, not {target!r}")
    obj: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return obj


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m fulmen_http", description=__doc__)
    p.add_argument("app", help="module:attribute of an ASGI 3 app (or a direct handler)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--direct", action="store_true", help="app is a direct handler, not ASGI")
    p.add_argument(
        "--no-fast-path",
        action="store_true",
        help="serve over ASGI even when the app offers a direct handler (__fulmen_http__)",
    )
    p.add_argument("--factory", action="store_true", help="app is a callable returning the app")
    p.add_argument("--app-dir", default=".", help="added to sys.path first (default: .)")
    p.add_argument("--lifespan", choices=("auto", "on", "off"), default="auto")
    p.add_argument("--access-log", action="store_true")
    p.add_argument("--limit-concurrency", type=int, default=None)
    p.add_argument("--timeout-keep-alive", type=float, default=5.0)
    p.add_argument("--timeout-request-head", type=float, default=10.0)
    p.add_argument("--timeout-graceful-shutdown", type=float, default=30.0)
    p.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY, help="-1: no limit")
    p.add_argument("--log-level", default="info")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s: %(message)s")
    sys.path.insert(0, args.app_dir)
    app = load(args.app)
    if args.factory:
        app = app()
    config = Config(
        host=args.host,
        port=args.port,
        limits=Limits(max_body=None if args.max_body < 0 else args.max_body),
        timeout_keep_alive=args.timeout_keep_alive,
        timeout_request_head=args.timeout_request_head,
        timeout_graceful_shutdown=args.timeout_graceful_shutdown,
        limit_concurrency=args.limit_concurrency,
        access_log=args.access_log,
        lifespan=args.lifespan,
        fast_path=not args.no_fast_path,
    )
    server = Server(handler=app, config=config) if args.direct else Server(app, config=config)
    logging.getLogger("fulmen_http.error").info(
        "fulmen_http serving on http://%s:%d", args.host, args.port
    )
    server.run()
    return 0
