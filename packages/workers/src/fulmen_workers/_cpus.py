"""How many CPUs this process can really use: the default worker count.

``os.cpu_count()`` reports the machine's CPUs, which over-counts in two common
cases: a CPU affinity mask (``taskset``, Kubernetes' static CPU manager) and a
cgroup CPU quota (``docker run --cpus 2``, Kubernetes CPU limits). Starting more
workers than the quota allows only adds context switches and memory.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_SELF_CGROUP = Path("/proc/self/cgroup")


def available_cpus() -> int:
    """CPUs available to this process: the affinity mask, capped by the cgroup
    CPU quota (rounded up). Always at least 1."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: no affinity API
        count = os.cpu_count() or 1
    limit = cgroup_cpu_limit()
    if limit is not None:
        count = min(count, math.ceil(limit))
    return max(1, count)


def cgroup_cpu_limit(
    *, cgroup_root: Path = CGROUP_ROOT, proc_self_cgroup: Path = PROC_SELF_CGROUP
) -> float | None:
    """The CPU quota of this process's cgroup in CPUs (``1.5`` = 150 ms per 100 ms),
    or None when there is none. Both cgroup v2 (``cpu.max``) and v1
    (``cpu.cfs_quota_us``) are read; the tightest limit of the cgroup and its
    ancestors applies, as the kernel applies it."""
    try:
        membership = proc_self_cgroup.read_text()
    except OSError:
        return None
    limits: list[float] = []
    for line in membership.splitlines():
        _hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if controllers == "":  # cgroup v2 unified hierarchy: "0::/path"
            limits += _v2_limits(cgroup_root, path)
        elif "cpu" in controllers.split(","):
            limits += _v1_limits(cgroup_root / controllers, path)
    return min(limits, default=None)


def _ancestors(base: Path, cgroup_path: str) -> list[Path]:
    parts = [p for p in cgroup_path.split("/") if p]
    return [base.joinpath(*parts[:n]) for n in range(len(parts), -1, -1)]


def _v2_limits(root: Path, cgroup_path: str) -> list[float]:
    found = []
    for directory in _ancestors(root, cgroup_path):
        try:
            quota, period = (directory / "cpu.max").read_text().split()
        except (OSError, ValueError):
            continue
        if quota != "max" and int(period) > 0:
            found.append(int(quota) / int(period))
    return found


def _v1_limits(controller_root: Path, cgroup_path: str) -> list[float]:
    found = []
    for directory in _ancestors(controller_root, cgroup_path):
        try:
            quota = int((directory / "cpu.cfs_quota_us").read_text())
            period = int((directory / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        if quota > 0 and period > 0:  # -1 means no quota
            found.append(quota / period)
    return found
