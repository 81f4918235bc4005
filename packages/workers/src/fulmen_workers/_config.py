"""The supervisor's options, validated up front so bad input fails with a
clear message before any process starts."""

from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fulmen_workers._cpus import available_cpus
from fulmen_workers._sockets import BindSpec, parse_bind

if TYPE_CHECKING:
    from fulmen_workers._context import WorkerContext

Target = Callable[["WorkerContext"], object]


class ConfigError(ValueError):
    """An option has an invalid value."""


@dataclass(kw_only=True)
class Config:
    """Every option of the supervisor; see docs/packages/workers.md for each."""

    #: The callable that serves, or its import string ``"package.module:function"``.
    #: A string is imported in each worker, never in the supervisor, so reload
    #: and fork both see fresh code.
    target: str | Target
    binds: Sequence[str] = ("127.0.0.1:8000",)
    #: Worker processes; None means `available_cpus()`.
    workers: int | None = None
    #: One SO_REUSEPORT socket per worker instead of one shared socket.
    reuse_port: bool = False
    backlog: int = 2048
    #: "fork" or "spawn"; None picks fork where the platform has it.
    start_method: str | None = None
    #: Seconds without a heartbeat before a worker is killed and replaced; 0 disables.
    timeout: float = 30.0
    #: Seconds a new worker may take to call ready() before it counts as failed.
    startup_timeout: float = 60.0
    #: Seconds a stopping worker may take to finish in-flight work before SIGKILL.
    graceful_timeout: float = 30.0
    #: Requests after which a worker retires gracefully; 0 disables.
    max_requests: int = 0
    #: Up to this many extra requests, drawn per worker, so workers do not all retire together.
    max_requests_jitter: int = 0
    #: Resident memory (bytes) above which a worker is recycled gracefully; 0 disables.
    max_memory: int = 0
    #: Seconds between two memory checks of every worker.
    memory_check_interval: float = 1.0
    #: Consecutive start-up failures (no worker ready in between) that end the
    #: supervisor with exit code 3.
    startup_failures: int = 3
    #: Crashes of one worker slot within 10 s that are replaced at once; past
    #: that, replacements wait 0.5 s, 1 s, 2 s... up to `crash_backoff_max`.
    crash_backoff_after: int = 2
    #: Ceiling of the delay before replacing a worker that keeps crashing.
    crash_backoff_max: float = 10.0
    #: Watch files and restart the workers on change (needs the `reload` extra).
    reload: bool = False
    reload_dirs: Sequence[str] = ()
    #: Hooks: in the supervisor before binding; in each worker before the target
    #: is imported and called; in each worker after the target returned.
    on_starting: Callable[[Config], object] | None = None
    post_fork: Callable[[WorkerContext], object] | None = None
    worker_exit: Callable[[WorkerContext], object] | None = None
    bind_specs: list[BindSpec] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.binds, str):
            self.binds = (self.binds,)
        if not self.binds:
            raise ConfigError("binds: at least one address is needed")
        self.bind_specs = [parse_bind(b) for b in self.binds]
        if self.workers is None:
            self.workers = available_cpus()
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, not {self.workers}")
        if self.start_method is None:
            methods = multiprocessing.get_all_start_methods()
            self.start_method = "fork" if "fork" in methods else "spawn"
        if self.start_method not in ("fork", "spawn"):
            raise ConfigError(f"start_method must be 'fork' or 'spawn', not {self.start_method!r}")
        for name in ("timeout", "graceful_timeout", "max_memory", "max_requests"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative")
        for name in ("startup_timeout", "memory_check_interval", "crash_backoff_max"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        if self.max_requests_jitter < 0:
            raise ConfigError("max_requests_jitter must not be negative")
        if self.crash_backoff_after < 0:
            raise ConfigError("crash_backoff_after must not be negative")
        if self.startup_failures < 1:
            raise ConfigError("startup_failures must be at least 1")
        if self.backlog < 1:
            raise ConfigError("backlog must be at least 1")
        if isinstance(self.target, str):
            module, sep, attr = self.target.partition(":")
            if not sep or not module or not attr:
                raise ConfigError(
                    f"target {self.target!r}: expected 'module:callable', e.g. 'myapp.server:serve'"
                )
        elif not callable(self.target):
            raise ConfigError("target must be a callable or a 'module:callable' string")

    @property
    def heartbeat_interval(self) -> float:
        """How often workers should call notify(): well inside `timeout`."""
        if self.timeout == 0:
            return 5.0
        return min(5.0, max(0.05, self.timeout / 6))


def resolve_target(target: str | Target) -> Target:
    """Import ``"module:attr"`` (dots in attr walk attributes)."""
    if not isinstance(target, str):
        return target
    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"target {target!r} is not callable")
    return obj  # type: ignore[no-any-return]
