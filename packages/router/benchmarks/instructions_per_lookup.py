"""Instructions per lookup (callgrind), a figure machine load does not move.

Run through `tools/bench_router --instructions`. For each route set the lookup
loop (the same one tools/bench_router times) runs under
`valgrind --tool=callgrind` twice, with 10 and with 30 passes over the lookups;
the difference divided by 20 passes is the cost of one pass, so start-up,
imports and registration cancel out. PYTHONHASHSEED is fixed so that both runs
build the same dicts. Also prints the bare loop's own count.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import gc, sys
from pathlib import Path
sys.path.insert(0, {here!r})
import routing_sets as rsets
rs = rsets.load(Path({data!r}), {name!r})
lookups, match = rs.lookups, rs.fulmen.match
for _m, _p in lookups:
    match(_m, _p)
gc.collect()
gc.disable()
def run(lookups, match):  # locals, as in the timed loop
    if {bare!r}:
        for _ in range({passes}):
            for _m, _p in lookups:
                pass
    else:
        for _ in range({passes}):
            for _m, _p in lookups:
                match(_m, _p)
run(lookups, match)
"""


def instructions(name: str, data: Path, passes: int, *, bare: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "child.py"
        script.write_text(
            CHILD.format(here=str(HERE), data=str(data), name=name, passes=passes, bare=bare)
        )
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/cg.out",
                sys.executable,
                str(script),
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            timeout=600,
        )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=HERE.parents[2].parent / "shared" / "data")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    import routing_sets as rsets

    print("| route set | lookups | fulmen_router instructions/lookup | bare loop instructions |")
    print("|---|---:|---:|---:|")
    for name in rsets.SETS:
        n = len(rsets.load(args.data, name).lookups)
        per = [
            (instructions(name, args.data, 30, bare=b) - instructions(name, args.data, 10, bare=b))
            / (20 * n)
            for b in (False, True)
        ]
        print(f"| {name} | {n} | {per[0]:,.0f} | {per[1]:,.0f} |")


if __name__ == "__main__":
    main()
