"""Command line: ``python -m fulmen_workers MODULE:CALLABLE --bind ... --workers N``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from fulmen_workers._config import Config, ConfigError
from fulmen_workers._reload import ReloadUnavailableError
from fulmen_workers._sockets import BindError
from fulmen_workers._supervisor import Supervisor

LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m fulmen_workers",
        description="Run N worker processes of MODULE:CALLABLE on shared listening sockets.",
    )
    p.add_argument("target", help="the callable that serves, as module:callable")
    p.add_argument(
        "--bind",
        "-b",
        action="append",
        dest="binds",
        metavar="ADDR",
        help="HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N (repeatable; default 127.0.0.1:8000)",
    )
    p.add_argument("--workers", "-w", type=int, help="worker processes (default: usable CPUs)")
    p.add_argument("--reuse-port", action="store_true", help="one SO_REUSEPORT socket per worker")
    p.add_argument("--backlog", type=int, default=2048)
    p.add_argument("--start-method", choices=["fork", "spawn"])
    p.add_argument("--timeout", type=float, default=30.0, help="heartbeat timeout, 0 disables")
    p.add_argument("--startup-timeout", type=float, default=60.0)
    p.add_argument("--graceful-timeout", type=float, default=30.0)
    p.add_argument("--max-requests", type=int, default=0)
    p.add_argument("--max-requests-jitter", type=int, default=0)
    p.add_argument("--max-memory", type=float, default=0, help="RSS ceiling in MiB, 0 disables")
    p.add_argument("--memory-check-interval", type=float, default=1.0)
    p.add_argument("--startup-failures", type=int, default=3)
    p.add_argument("--crash-backoff-after", type=int, default=2)
    p.add_argument("--crash-backoff-max", type=float, default=10.0)
    p.add_argument("--reload", action="store_true", help="restart workers when .py files change")
    p.add_argument("--reload-dir", action="append", dest="reload_dirs", default=[])
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT, stream=sys.stderr)
    try:
        config = Config(
            target=args.target,
            binds=args.binds or ["127.0.0.1:8000"],
            workers=args.workers,
            reuse_port=args.reuse_port,
            backlog=args.backlog,
            start_method=args.start_method,
            timeout=args.timeout,
            startup_timeout=args.startup_timeout,
            graceful_timeout=args.graceful_timeout,
            max_requests=args.max_requests,
            max_requests_jitter=args.max_requests_jitter,
            max_memory=int(args.max_memory * 2**20),
            memory_check_interval=args.memory_check_interval,
            startup_failures=args.startup_failures,
            crash_backoff_after=args.crash_backoff_after,
            crash_backoff_max=args.crash_backoff_max,
            reload=args.reload,
            reload_dirs=args.reload_dirs,
        )
        return Supervisor(config).run()
    except (ConfigError, BindError, ReloadUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
