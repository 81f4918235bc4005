"""The ``fulmen`` command: ``fulmen run`` (production) and ``fulmen dev`` (development).

Exit codes: 0 after a clean stop, 2 for a wrong target or invalid options,
3 when the app fails to start (import error, lifespan failure).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence

from fulmen import _logs
from fulmen._discover import AppImportError, TargetError, parse_target
from fulmen._envfile import load_env_file
from fulmen._run import (
    EXIT_STARTUP,
    EXIT_USAGE,
    RunOptions,
    serve_single,
    serve_supervised,
    ssl_context,
)
from fulmen_http import LifespanStartupError
from fulmen_workers import BindError, ConfigError, ReloadUnavailableError

logger = logging.getLogger("fulmen.cli")

DESCRIPTION = """\
Serve a FastAPI/Fulmen app on fulmen's native HTTP server.

  fulmen dev [TARGET]   development: 127.0.0.1, reload on
  fulmen run [TARGET]   production:  0.0.0.0 (reachable in a container), no reload

TARGET is module:attr (myapp.main:app), a file (main.py, or main.py:api) or a
folder; without it, [tool.fulmen] app = "pkg.module:app" (or [tool.fastapi]
entrypoint) in ./pyproject.toml, else main.py, app.py, api.py, app/main.py...
In a file the app is `app`, else `api`, else the first FastAPI/Fulmen instance.
"""

EPILOG = """\
exit codes: 0 stopped, 2 bad target or option, 3 the app failed to start.
With --workers > 1 or --reload this process is the supervisor: it takes the
signals (TERM/INT drain, HUP rolling restart, TTIN/TTOU add/remove a worker).
"""


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() else default


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def _add_options(p: argparse.ArgumentParser, *, dev: bool) -> None:
    p.add_argument("target", nargs="?", metavar="TARGET", help="module:attr, file or folder")
    g = p.add_argument_group("server")
    g.add_argument(
        "--host",
        default="127.0.0.1" if dev else "0.0.0.0",
        help=f"address to bind (default: {'127.0.0.1' if dev else '0.0.0.0, all interfaces'})",
    )
    g.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
    g.add_argument("--uds", metavar="PATH", help="bind a Unix domain socket instead")
    g.add_argument("--fd", type=int, metavar="N", help="serve on an inherited listening socket")
    g.add_argument("--backlog", type=int, default=2048, help="listen() queue (default: 2048)")
    g.add_argument(
        "--root-path", default="", help="ASGI root_path, when mounted below a path by a proxy"
    )
    g.add_argument(
        "--header",
        dest="headers",
        action="append",
        type=_header,
        default=[],
        metavar="'NAME: VALUE'",
        help="add a header to every response (repeatable)",
    )
    g = p.add_argument_group("processes")
    g.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: $WEB_CONCURRENCY or 1); more than 1 runs the supervisor",
    )
    g.add_argument(
        "--reload",
        action=argparse.BooleanOptionalAction,
        default=dev,
        help=f"restart when .py files change (default: {'on' if dev else 'off'})",
    )
    g.add_argument(
        "--reload-dir",
        dest="reload_dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="directory to watch (repeatable; default: the current directory)",
    )
    g = p.add_argument_group("app")
    g.add_argument("--factory", action="store_true", help="TARGET is a callable returning the app")
    g.add_argument("--app-dir", default=".", help="put this folder on sys.path (default: .)")
    g.add_argument("--env-file", metavar="PATH", help="load KEY=value lines into the environment")
    g.add_argument(
        "--lifespan", choices=("auto", "on", "off"), default="auto", help="(default: auto)"
    )
    g.add_argument(
        "--threadpool-size",
        type=int,
        default=None,
        metavar="N",
        help="threads for `def` endpoints and dependencies (default: 40)",
    )
    g = p.add_argument_group("logging")
    g.add_argument("--log-level", choices=_logs.LEVELS, default="info", help="(default: info)")
    g.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="log one line per response (default: on)",
    )
    g.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="json: one object per line; access lines carry method, path, status, "
        "duration_ms, client and request_id (returned as X-Request-ID)",
    )
    g.add_argument("--log-config", metavar="PATH", help="logging config file (.json, .yaml, .ini)")
    g = p.add_argument_group("proxies")
    g.add_argument(
        "--proxy-headers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="honour Forwarded / X-Forwarded-For/-Proto/-Host from trusted addresses (default: on)",
    )
    g.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        metavar="IPS",
        help="comma-separated trusted proxy IPs or networks, 'unix', or '*' "
        "(default: $FORWARDED_ALLOW_IPS or 127.0.0.1)",
    )
    g = p.add_argument_group("limits and timeouts")
    g.add_argument("--timeout-keep-alive", type=float, default=5.0, help="seconds (default: 5)")
    g.add_argument(
        "--timeout-graceful-shutdown",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time in-flight requests get at shutdown (default: no limit)",
    )
    g.add_argument(
        "--limit-concurrency", type=int, default=None, help="requests at once, then 503s"
    )
    g.add_argument(
        "--limit-max-requests", type=int, default=None, help="requests before a process restarts"
    )
    g.add_argument(
        "--limit-max-requests-jitter",
        type=int,
        default=0,
        metavar="N",
        help="up to N more, random per process",
    )
    g = p.add_argument_group("TLS")
    g.add_argument("--ssl-keyfile", metavar="PATH")
    g.add_argument("--ssl-certfile", metavar="PATH")
    g.add_argument("--ssl-keyfile-password", metavar="PASSWORD")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fulmen",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fulmen {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, dev, summary in (
        ("dev", True, "serve for development: 127.0.0.1, reload on"),
        ("run", False, "serve for production: 0.0.0.0, no reload"),
    ):
        sub = commands.add_parser(
            name,
            help=summary,
            description=f"{summary}.\n\n" + DESCRIPTION.split("\n\n", 2)[2],
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_options(sub, dev=dev)
    return parser


def _version() -> str:
    from fulmen import __version__

    return __version__


def options_from(args: argparse.Namespace) -> RunOptions:
    """Validate the parsed arguments into `RunOptions` (ValueError/TargetError: exit 2)."""
    workers = args.workers if args.workers is not None else _env_int("WEB_CONCURRENCY", 1)
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, not {workers}")
    if args.uds and args.fd is not None:
        raise ValueError("give --uds or --fd, not both")
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port {args.port} is not a port number")
    for name in ("limit_concurrency", "limit_max_requests", "threadpool_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
    target = parse_target(args.target, app_dir=args.app_dir)
    return RunOptions(
        target=target,
        factory=args.factory,
        host=args.host,
        port=args.port,
        uds=args.uds,
        fd=args.fd,
        workers=workers,
        reload=args.reload,
        reload_dirs=args.reload_dirs,
        log_level=args.log_level,
        access_log=args.access_log,
        log_format=args.log_format,
        log_config=args.log_config,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        root_path=args.root_path,
        timeout_keep_alive=args.timeout_keep_alive,
        timeout_graceful_shutdown=args.timeout_graceful_shutdown,
        limit_concurrency=args.limit_concurrency,
        limit_max_requests=args.limit_max_requests,
        limit_max_requests_jitter=args.limit_max_requests_jitter,
        backlog=args.backlog,
        lifespan=args.lifespan,
        threadpool_size=args.threadpool_size,
        ssl_keyfile=args.ssl_keyfile,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile_password=args.ssl_keyfile_password,
        headers=args.headers,
    )


def _fail(code: int, message: str) -> int:
    print(f"fulmen: error: {message}", file=sys.stderr)
    return code


def serve(options: RunOptions, app: object | None = None) -> int:
    """Serve with `options`; `app` given: serve that object instead of importing
    the target (except under reload, where workers import it fresh)."""
    try:
        _logs.configure(
            level=options.log_level,
            log_format=options.log_format,
            log_config=options.log_config,
            workers=options.supervised,
        )
        ssl_context(options)  # a bad certificate is an option error, before anything starts
    except (ValueError, OSError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    try:
        if options.reload:
            app = None  # the workers import it, so that they see the edits
        elif app is None:
            from fulmen._discover import load_app

            app = load_app(options.target, factory=options.factory)
        if options.supervised:
            return serve_supervised(options, app)
        return serve_single(options, app)
    except TargetError as exc:
        return _fail(EXIT_USAGE, str(exc))
    except AppImportError as exc:
        cause = exc.__cause__
        if cause is not None:
            traceback.print_exception(cause, file=sys.stderr)
        return _fail(EXIT_STARTUP, str(exc))
    except (BindError, ConfigError, ReloadUnavailableError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    except LifespanStartupError as exc:
        # Its traceback is in the log above; end with its last line.
        last_line = str(exc).strip().splitlines()[-1]
        return _fail(EXIT_STARTUP, f"the app failed to start: {last_line}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.env_file:
            load_env_file(args.env_file)
        options = options_from(args)
    except (ValueError, TargetError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    return serve(options)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
