"""Benchmark: ``labs.start()`` cold and warm, and each notebook's headless wall time.

A benchmark, not a test: it prints a table and asserts nothing. Run it with
``.venv/bin/python bench/bench_start_and_notebooks.py`` (``--repeat N`` for more start
samples, ``--skip-notebooks`` for the start figures alone).

- cold: a fresh Python process from interpreter start through ``import labs`` and the
  first ``labs.start()`` (moto server, role, key, bucket), as a learner's first cell pays it.
- warm: a second ``labs.start()`` in the same process (returns the running lab).
- notebooks: ``labs.runner.run_notebook`` on every notebook of the curriculum, each in a
  fresh kernel with the network guard on; the target is about a minute each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

PROBE = """
import json, time, io, contextlib
t0 = time.perf_counter()
import labs
with contextlib.redirect_stdout(io.StringIO()):
    labs.start(mode="local")
    t1 = time.perf_counter()
    labs.start(mode="local")
    t2 = time.perf_counter()
print(json.dumps({"cold": t1 - t0, "warm": t2 - t1}))
"""


def time_start(repeat: int) -> tuple[list[float], list[float]]:
    """Cold and warm ``labs.start()`` seconds, one fresh process per sample."""
    cold, warm = [], []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
        )
        sample = json.loads(out.stdout.strip().splitlines()[-1])
        cold.append(sample["cold"])
        warm.append(sample["warm"])
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-notebooks", action="store_true")
    args = parser.parse_args()

    cold, warm = time_start(args.repeat)
    print(f"labs.start() over {args.repeat} fresh processes")
    print(f"  cold  median {statistics.median(cold):7.3f} s   min {min(cold):7.3f} s")
    print(f"  warm  median {statistics.median(warm) * 1e6:7.1f} µs  max {max(warm) * 1e6:7.1f} µs")
    if args.skip_notebooks:
        return

    from labs import curriculum, runner

    print(f"\n{'notebook':<40} {'result':<6} {'seconds':>8}")
    for info in curriculum.notebooks():
        started = time.perf_counter()
        result = runner.run_notebook(info.path)
        wall = time.perf_counter() - started
        print(f"{info.id:<40} {'PASS' if result.passed else 'FAIL':<6} {wall:8.1f}")


if __name__ == "__main__":
    main()
