"""fulmen_workers: a multi-process supervisor for Python servers.

The supervisor binds the listening sockets once, runs N workers as its direct
children, keeps them healthy (heartbeats, crash replacement, recycling) and
answers gunicorn's signals. Any server can be supervised: the target is a
callable that serves on the sockets of the `WorkerContext` it receives::

    from fulmen_workers import run

    def serve(ctx):
        ...  # accept on ctx.sockets, call ctx.ready(), ctx.notify(), stop on ctx.should_stop

    raise SystemExit(run(serve, binds=["127.0.0.1:8000"], workers=4))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fulmen_workers._config import Config, ConfigError, Target
from fulmen_workers._context import WorkerContext
from fulmen_workers._cpus import available_cpus, cgroup_cpu_limit
from fulmen_workers._reload import ReloadUnavailableError
from fulmen_workers._sockets import BindError
from fulmen_workers._supervisor import Supervisor

__version__ = "0.1.0"


def run(target: str | Target | Callable[[WorkerContext], Any], /, **options: Any) -> int:
    """Supervise `target` with the `Config` options given as keywords; block
    until the supervisor stops and return its exit code (0, or 3 after
    repeated start-up failures)."""
    return Supervisor(Config(target=target, **options)).run()


__all__ = [
    "BindError",
    "Config",
    "ConfigError",
    "ReloadUnavailableError",
    "Supervisor",
    "WorkerContext",
    "__version__",
    "available_cpus",
    "cgroup_cpu_limit",
    "run",
]
