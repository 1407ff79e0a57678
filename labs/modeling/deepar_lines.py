"""A long table of observations as DeepAR's JSON Lines: one series per line.

DeepAR wants one record per series, not one row per day: ``start`` (the first timestamp),
``target`` (every value in time order, ``"NaN"`` for a missing one), and optionally
``cat`` (integer codes of the series' categories) and ``dynamic_feat`` (time-varying
features, one array per feature, as long as ``target``):

>>> import pandas as pd
>>> table = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
...                       "store": ["a", "a"], "units": [3, 5]})
>>> series_records(table, "units", keys=["store"], cat_columns=["store"])
[{'start': '2024-01-01 00:00:00', 'target': [3.0, 5.0], 'cat': [0]}]

The test channel holds the same series ``prediction_length`` steps longer than the train
channel (DeepAR scores the last ``prediction_length`` values): :func:`train_test_records`
cuts both from the full records.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = ["category_codes", "series_records", "to_jsonlines", "train_test_records", "truncate"]


def category_codes(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, dict[Any, int]]:
    """For each column, its sorted distinct values numbered 0, 1, 2... (DeepAR's ``cat``)."""
    return {c: {v: i for i, v in enumerate(sorted(frame[c].unique()))} for c in columns}


def _value(v: Any) -> float | str:
    number = float(v)
    return "NaN" if math.isnan(number) else number


def series_records(
    frame: pd.DataFrame,
    target: str,
    *,
    keys: Sequence[str],
    time: str = "date",
    cat_columns: Sequence[str] = (),
    dynamic_columns: Sequence[str] = (),
    freq: str = "D",
) -> list[dict[str, Any]]:
    """One DeepAR record per combination of ``keys``, in key order.

    Each series is put on a regular ``freq`` grid from its first to its last timestamp: a
    missing step becomes ``"NaN"`` in ``target`` (and 0 in a dynamic feature).
    """
    missing = [c for c in (time, target, *keys, *cat_columns, *dynamic_columns) if c not in frame]
    if missing:
        raise KeyError(f"the table has no column(s) {missing}")
    codes = category_codes(frame, cat_columns)
    records = []
    for _, group in frame.groupby(list(keys), sort=True):
        group = group.sort_values(time).set_index(time)
        grid = pd.date_range(group.index.min(), group.index.max(), freq=freq)
        group = group[~group.index.duplicated()].reindex(grid)
        record: dict[str, Any] = {
            "start": str(grid[0]),
            "target": [_value(v) for v in group[target]],
        }
        if cat_columns:
            first = group.dropna(subset=[cat_columns[0]]).iloc[0]
            record["cat"] = [codes[c][first[c]] for c in cat_columns]
        if dynamic_columns:
            record["dynamic_feat"] = [
                group[c].fillna(0).astype(float).tolist() for c in dynamic_columns
            ]
        records.append(record)
    return records


def truncate(record: dict[str, Any], length: int) -> dict[str, Any]:
    """The record with only its first ``length`` values (``dynamic_feat`` cut to match)."""
    cut = dict(record, target=record["target"][:length])
    if "dynamic_feat" in record:
        cut["dynamic_feat"] = [row[:length] for row in record["dynamic_feat"]]
    return cut


def train_test_records(
    records: Iterable[dict[str, Any]], prediction_length: int, test_end: int | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(train, test)``: the test channel ends at ``test_end`` values (default: all), the
    train channel ``prediction_length`` values earlier, so training never sees the values
    the test metrics are computed on."""
    train, test = [], []
    for record in records:
        end = len(record["target"]) if test_end is None else test_end
        if end <= prediction_length:
            raise ValueError(
                f"a series of {end} values is too short to hold back {prediction_length}"
            )
        test.append(truncate(record, end))
        train.append(truncate(record, end - prediction_length))
    return train, test


def to_jsonlines(records: Iterable[dict[str, Any]]) -> str:
    """The records as JSON Lines text: one compact JSON object per line."""
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
