"""The datasets that ship with the kit: list them, load them, read their cards.

>>> from labs import data
>>> data.names()
['churn', 'retail', 'events', 'reviews', 'ratings', 'digits']
>>> churn = data.load("churn")          # a pandas DataFrame
>>> print(data.card("churn"))           # what every column means, how it was made

The files live in the repository's ``data/`` folder (the kit is installed editable), or in
the folder named by the environment variable ``LABS_DATA_DIR``. ``python -m
labs.data.build`` regenerates every synthetic file there, byte for byte.

``digits`` is scikit-learn's bundled copy of the UCI digits: no file is stored for it, so
:func:`path` raises :class:`~labs.errors.DatasetError` for it (check
``REGISTRY["digits"].file is None`` first) while :func:`load` and :func:`card` work.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pandas as pd

from labs.data.registry import REGISTRY, DatasetInfo
from labs.errors import DatasetError

__all__ = [
    "DEFAULT_DATA_DIR",
    "REGISTRY",
    "DatasetInfo",
    "card",
    "data_dir",
    "info",
    "load",
    "names",
    "path",
]

#: The repository's data/ folder (the kit is always installed editable).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
REBUILD_HINT = "Rebuild the kit's data files with:  python -m labs.data.build"

_PANDAS_KIND = {"str": "str", "int": "int64", "float": "float64"}


def data_dir() -> Path:
    """The folder holding the data files and cards: ``$LABS_DATA_DIR`` or the repo's data/."""
    override = os.environ.get("LABS_DATA_DIR")
    return Path(override).expanduser() if override else DEFAULT_DATA_DIR


def names() -> list[str]:
    """The names of every dataset, in the order the labs introduce them."""
    return list(REGISTRY)


def info(name: str) -> DatasetInfo:
    """The registry entry for ``name``; an unknown name raises DatasetError with a suggestion."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        pass
    valid = ", ".join(REGISTRY)
    close = difflib.get_close_matches(str(name).lower(), list(REGISTRY), n=1, cutoff=0.5)
    hint = f' Did you mean "{close[0]}"?' if close else ""
    raise DatasetError(f"Unknown dataset {name!r}.{hint} Valid names: {valid}.") from None


def path(name: str) -> Path:
    """The file of dataset ``name`` in :func:`data_dir` (it need not exist yet).

    ``digits`` has no file (it comes from scikit-learn): it raises DatasetError saying so.
    """
    entry = info(name)
    if entry.file is None:
        raise DatasetError(
            f'Dataset "{name}" has no file in data/: it comes from {entry.source}. '
            f'Use labs.data.load("{name}") to get it as a DataFrame.'
        )
    return data_dir() / entry.file


def card(name: str) -> str:
    """The data card of ``name`` (Markdown): columns, provenance, licence, baselines.

    Read from :func:`data_dir`, falling back to the repository's data/ folder.
    """
    entry = info(name)
    for folder in dict.fromkeys([data_dir(), DEFAULT_DATA_DIR]):
        file = folder / f"{entry.name}.md"
        if file.is_file():
            return file.read_text(encoding="utf-8")
    raise DatasetError(f"The data card {entry.name}.md is missing from {data_dir()}. "
                       f"{REBUILD_HINT}")  # fmt: skip


def load(name: str) -> pd.DataFrame:
    """Load dataset ``name`` as a DataFrame with the documented columns and dtypes.

    Text and category columns are pandas strings, counts and flags int64, measurements
    float64 (NaN where missing), dates and times datetime64. A missing or damaged file
    raises DatasetError telling how to rebuild it.
    """
    entry = info(name)
    if entry.file is None:
        from labs.data.digits import load_digits

        return load_digits()
    file = path(name)
    if not file.is_file():
        raise DatasetError(f'The file for dataset "{name}" is missing: {file}. {REBUILD_HINT}')
    dates = [c for c, kind in entry.columns.items() if kind == "datetime"]
    dtypes = {c: _PANDAS_KIND[k] for c, k in entry.columns.items() if k != "datetime"}
    try:
        df = pd.read_csv(
            file,
            dtype=dtypes,
            parse_dates=dates,
            date_format="ISO8601",
            keep_default_na=False,
            na_values=[""],
        )
    except (ValueError, TypeError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DatasetError(
            f'The file for dataset "{name}" is damaged ({file}): {exc}. {REBUILD_HINT}'
        ) from None
    _validate(entry, df, file)
    return df


def _validate(entry: DatasetInfo, df: pd.DataFrame, file: Path) -> None:
    """Raise DatasetError unless ``df`` has the registry's columns and row count."""
    problem = ""
    if list(df.columns) != list(entry.columns):
        problem = f"columns {list(df.columns)} are not the expected {list(entry.columns)}"
    elif not entry.rows[0] <= len(df) <= entry.rows[1]:
        problem = f"{len(df)} rows, expected {entry.rows[0]}-{entry.rows[1]}"
    else:
        dates = [c for c, kind in entry.columns.items() if kind == "datetime"]
        unparsed = [c for c in dates if not pd.api.types.is_datetime64_any_dtype(df[c])]
        if unparsed:
            problem = f"column {unparsed[0]!r} holds values that are not dates"
    if problem:
        raise DatasetError(
            f'The file for dataset "{entry.name}" is damaged ({file}): {problem}. {REBUILD_HINT}'
        )
