"""Print a ratio table from a pytest-benchmark JSON file.

For each benchmark group, the row of the Fulmen implementation (its parameter
names "fulmen") is the reference; every other row gets ratio = its median / our
median, so 2.0 means Fulmen took half the time.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def ratio_rows(data: dict[str, Any]) -> list[tuple[str, str, float, float | None]]:
    groups: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for bench in data["benchmarks"]:
        param = bench.get("param") or bench["name"]
        groups[bench.get("group") or bench["name"]].append((str(param), bench["stats"]["median"]))
    rows = []
    for group, entries in sorted(groups.items()):
        ours = [median for name, median in entries if "fulmen" in name]
        for name, median in sorted(entries, key=lambda e: e[1]):
            ratio = median / ours[0] if ours else None
            rows.append((group, name, median, ratio))
    return rows


def main(path: str) -> None:
    rows = ratio_rows(json.loads(Path(path).read_text()))
    print(f"\n{'group':<44} {'implementation':<32} {'median':>12} {'vs fulmen':>10}")
    for group, name, median, ratio in rows:
        shown = f"{ratio:.2f}x" if ratio is not None else "-"
        print(f"{group:<44} {name:<32} {median * 1e6:>10.2f}µs {shown:>10}")


if __name__ == "__main__":
    main(sys.argv[1])
