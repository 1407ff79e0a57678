"""Benchmark: the Spark ETL job of lab 01-4 under PySpark against its pandas twin.

A benchmark, not a test: it prints figures measured in one run and asserts nothing. The kit
does not depend on PySpark (lab 01-4 explains why, with these figures); this script is how
the figures were measured and how to check them again. It needs PySpark and a Java runtime,
which the kit does not install, for example::

    pip install --target /tmp/pyspark pyspark==3.5.6 py4j==0.10.9.7   # Glue 5.1's Spark
    PYTHONPATH=/tmp/pyspark .venv/bin/python bench/bench_pyspark_etl.py

It takes both scripts from the notebook's ``%%writefile`` cells (so it measures exactly the
code the lab shows), runs each on ``data/events.csv`` in its own process, and prints:

- the size of the installed ``pyspark`` package and of its Java archives;
- the time to start the JVM and a local Spark session (``local[2]``);
- the wall time of each script, start to exit, and the JVM's peak memory (Linux only);
- whether the two Parquet outputs hold the same table.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = (
    ROOT / "notebooks" / "01-data-engineering" / "01-4-transformation-and-orchestration.ipynb"
)
EVENTS = ROOT / "data" / "events.csv"
SCRIPTS = {"spark": "%%writefile $spark_script", "pandas": "%%writefile $pandas_script"}


def scripts_from_notebook(path: Path) -> dict[str, str]:
    """The Spark and pandas scripts of the notebook, from its ``%%writefile`` cells."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found: dict[str, str] = {}
    for cell in cells:
        source = "".join(cell["source"])
        for name, magic in SCRIPTS.items():
            if source.startswith(magic):
                found[name] = source.split("\n", 1)[1]
    missing = set(SCRIPTS) - set(found)
    if missing:
        raise SystemExit(f"{path.name} has no %%writefile cell for {', '.join(sorted(missing))}")
    return found


def folder_mb(path: Path) -> float:
    """Megabytes of the files below ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def jvm_peak_mb(stop: threading.Event, peak: list[float]) -> None:
    """Sample the resident memory of Spark's JVM processes until ``stop`` is set (Linux)."""
    while not stop.is_set():
        total = 0
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
                cmdline = (status.parent / "cmdline").read_bytes()
            except OSError:
                continue
            if b"java" in cmdline and b"spark" in cmdline:
                for line in text.splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        peak[0] = max(peak[0], total / 1024)
        time.sleep(0.2)


def run(command: list[str], env: dict[str, str], watch_jvm: bool = False) -> tuple[float, float]:
    """Run ``command``; return its wall seconds and (if watched) the JVM's peak MB."""
    stop, peak = threading.Event(), [0.0]
    watcher = threading.Thread(target=jvm_peak_mb, args=(stop, peak), daemon=True)
    if watch_jvm and Path("/proc").is_dir():
        watcher.start()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    stop.set()
    if done.returncode:
        raise SystemExit(f"{Path(command[1]).name} failed:\n{done.stderr[-3000:]}")
    return seconds, peak[0]


def script_args(folder: Path, name: str) -> list[str]:
    """The command that runs script ``name`` on the events data into ``<name>-out``."""
    script, out = folder / f"etl_{name}.py", folder / f"{name}-out"
    return [sys.executable, str(script), "--input_path", str(EVENTS), "--output_path", str(out)]


def session_start_seconds(env: dict[str, str]) -> float:
    """Seconds from ``import pyspark`` to a ready local SparkSession, in a fresh process."""
    code = (
        "import time; t = time.perf_counter()\n"
        "from pyspark.sql import SparkSession\n"
        "s = SparkSession.builder.master('local[2]').getOrCreate()\n"
        "print(time.perf_counter() - t); s.stop()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def same_table(spark_out: Path, pandas_out: Path) -> str:
    """Compare the two Parquet outputs; describe the result in one line."""
    keys = ["device_id", "hour"]
    left = pd.read_parquet(spark_out).sort_values(keys).reset_index(drop=True)
    right = pd.read_parquet(pandas_out).sort_values(keys).reset_index(drop=True)
    if len(left) != len(right) or set(left.columns) != set(right.columns):
        return f"DIFFERENT: {len(left)} rows / {sorted(left.columns)} vs {len(right)} rows"
    for column in left.columns:
        a, b = left[column], right[column]
        if column == "hour":
            equal = (a.astype("datetime64[us]") == b.astype("datetime64[us]")).all()
        elif column in ("device_id", "date"):
            equal = (a.astype(str) == b.astype(str)).all()
        else:
            equal = np.allclose(a.astype(float), b.astype(float), rtol=1e-9, equal_nan=True)
        if not equal:
            return f"DIFFERENT in column {column!r}"
    return f"same table: {len(left):,} rows, {len(left.columns)} columns, every value equal"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK)
    args = parser.parse_args()

    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        raise SystemExit("PySpark is not importable: see this script's docstring.")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SystemExit("No Java runtime (java on PATH or JAVA_HOME): PySpark needs one.")
    package = Path(spec.origin).parent
    scripts = scripts_from_notebook(args.notebook)

    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": "--master local[2] pyspark-shell"}
    env["PYSPARK_PYTHON"] = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-pyspark-") as tmp:
        folder = Path(tmp)
        for name, source in scripts.items():
            (folder / f"etl_{name}.py").write_text(source, encoding="utf-8")
        start = session_start_seconds(env)
        spark_s, jvm_mb = run(
            [*script_args(folder, "spark")],
            env,
            watch_jvm=True,
        )
        pandas_s, _ = run(
            [*script_args(folder, "pandas")],
            env,
        )
        verdict = same_table(folder / "spark-out", folder / "pandas-out")

    import pyspark

    print(f"pyspark {pyspark.__version__} at {package}")
    jars = folder_mb(package / "jars")
    print(f"  installed: {folder_mb(package):.0f} MB, of which jars {jars:.0f} MB")
    print(f"  JVM + local SparkSession start: {start:.1f} s")
    jvm = f", JVM peak {jvm_mb:.0f} MB" if jvm_mb else ""
    print(f"  Spark script, start to exit: {spark_s:.1f} s{jvm}")
    print(f"pandas script, start to exit: {pandas_s:.1f} s")
    print(f"ratio Spark / pandas: {spark_s / pandas_s:.0f}x")
    print(verdict)


if __name__ == "__main__":
    main()
