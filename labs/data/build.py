"""Regenerate the kit's synthetic data files, byte for byte: ``python -m labs.data.build``.

Usage::

    python -m labs.data.build                  # all datasets into data/ (or $LABS_DATA_DIR)
    python -m labs.data.build churn retail     # only these
    python -m labs.data.build --out /tmp/d     # somewhere else (the cards are copied too)
    python -m labs.data.build --check          # exit 1 if a file differs from a fresh build
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from labs.data import DEFAULT_DATA_DIR, REGISTRY, data_dir, info
from labs.data._csv import to_csv_bytes
from labs.errors import DatasetError


def generated_names() -> list[str]:
    """The datasets that have a generator (all but digits)."""
    return [n for n, e in REGISTRY.items() if e.generator is not None]


def generate(name: str) -> pd.DataFrame:
    """Run the seeded generator of ``name`` and return its DataFrame (columns in file order)."""
    entry = info(name)
    if entry.generator is None:
        raise DatasetError(f'Dataset "{name}" is not generated: it comes from {entry.source}.')
    module = importlib.import_module(entry.generator)
    df = module.generate(entry.seed)
    return df[list(entry.columns)]


def render(name: str) -> bytes:
    """The exact bytes of the file of ``name`` (gzip with mtime=0 for a ``.gz`` name)."""
    df = generate(name)
    entry = info(name)
    module = importlib.import_module(str(entry.generator))
    data = to_csv_bytes(df, module.DECIMALS)
    if str(entry.file).endswith(".gz"):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    return data


def build(out_dir: Path | None = None, names: Iterable[str] | None = None) -> dict[str, Path]:
    """Write the files of ``names`` (default: all generated ones) into ``out_dir``.

    ``out_dir`` defaults to :func:`labs.data.data_dir`. When it is another folder than the
    repository's data/, the data cards are copied along so the folder stands on its own.
    Returns name -> written path.
    """
    out = Path(out_dir) if out_dir is not None else data_dir()
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in names if names is not None else generated_names():
        entry = info(name)
        target = out / str(entry.file)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(render(name))
        tmp.replace(target)
        written[name] = target
    if out.resolve() != DEFAULT_DATA_DIR.resolve():
        for name in names if names is not None else list(REGISTRY):
            src = DEFAULT_DATA_DIR / f"{name}.md"
            if src.is_file():
                shutil.copyfile(src, out / src.name)
    return written


def check(out_dir: Path | None = None, names: Iterable[str] | None = None) -> list[str]:
    """The names whose file in ``out_dir`` is missing or differs from a fresh build."""
    folder = Path(out_dir) if out_dir is not None else data_dir()
    stale = []
    for name in names if names is not None else generated_names():
        file = folder / str(info(name).file)
        if not file.is_file() or file.read_bytes() != render(name):
            stale.append(name)
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m labs.data.build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="*", help=f"datasets (default: all): {generated_names()}")
    parser.add_argument("--out", type=Path, help="output folder (default: data/)")
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args(argv)
    chosen = args.names or generated_names()
    try:
        for name in chosen:
            if info(name).generator is None:
                raise DatasetError(f'"{name}" has no generator: it is loaded from scikit-learn.')
        if args.check:
            stale = check(args.out, chosen)
            for name in stale:
                print(f"{name}: differs from a fresh build")
            print("all files match" if not stale else f"{len(stale)} file(s) differ")
            return 1 if stale else 0
        for name in chosen:
            start = time.perf_counter()
            (file,) = build(args.out, [name]).values()
            seconds = time.perf_counter() - start
            print(f"{name:8s} {file}  {file.stat().st_size / 1e6:6.2f} MB  {seconds:5.2f} s")
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
