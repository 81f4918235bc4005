"""fulmen_workers: a multi-process supervisor for Python servers.

This release provides the worker-count policy; the supervisor follows.
"""

from fulmen_workers._cpus import available_cpus, cgroup_cpu_limit

__version__ = "0.1.0"

__all__ = ["__version__", "available_cpus", "cgroup_cpu_limit"]
