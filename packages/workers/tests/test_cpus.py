"""The default worker count honours affinity masks and cgroup quotas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import fulmen_workers
from fulmen_workers import available_cpus, cgroup_cpu_limit


def test_public_api() -> None:
    assert fulmen_workers.__all__ == sorted(fulmen_workers.__all__)


def test_available_cpus_is_within_the_machine() -> None:
    assert 1 <= available_cpus() <= (os.cpu_count() or 1)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux affinity")
def test_affinity_mask_is_respected() -> None:
    """A real child process pinned to one CPU sees exactly one."""
    code = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
        "from fulmen_workers import available_cpus; print(available_cpus())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"proc": "0::/kubepods/pod1\n", "cg/kubepods/pod1/cpu.max": "150000 100000\n"},
            1.5,
            id="v2-quota",
        ),
        pytest.param(
            {
                "proc": "0::/a/b\n",
                "cg/a/b/cpu.max": "max 100000\n",
                "cg/a/cpu.max": "200000 100000",
            },
            2.0,
            id="v2-ancestor-limit",
        ),
        pytest.param(
            {"proc": "0::/a\n", "cg/a/cpu.max": "300000 100000\n", "cg/cpu.max": "100000 100000"},
            1.0,
            id="v2-tightest-wins",
        ),
        pytest.param({"proc": "0::/\n", "cg/cpu.max": "max 100000\n"}, None, id="v2-unlimited"),
        pytest.param(
            {
                "proc": "4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n",
                "cg/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "50000\n",
                "cg/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
            },
            0.5,
            id="v1-quota",
        ),
        pytest.param(
            {
                "proc": "4:cpu,cpuacct:/\n",
                "cg/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
                "cg/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
            },
            None,
            id="v1-unlimited",
        ),
        pytest.param({"proc": "0::/gone\n"}, None, id="no-cpu-controller-files"),
    ],
)
def test_cgroup_cpu_limit(tmp_path: Path, files: dict[str, str], expected: float | None) -> None:
    write_tree(tmp_path, files)
    limit = cgroup_cpu_limit(cgroup_root=tmp_path / "cg", proc_self_cgroup=tmp_path / "proc")
    assert limit == expected


def test_missing_proc_file_means_no_limit(tmp_path: Path) -> None:
    assert cgroup_cpu_limit(cgroup_root=tmp_path, proc_self_cgroup=tmp_path / "nope") is None
