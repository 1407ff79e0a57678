"""Find rows of one table that also sit in another: the trace resampling leaves when it
runs before the split.

Random over-sampling copies minority rows. Done on the whole data set before the
train/test split, the copies land on both sides, and the test set then scores the model
on rows it was trained on. :func:`shared_rows` counts them; a correct pipeline (split
first, resample the training split only) gives 0.

Rows are compared by value over the columns both tables have, NaN equal to NaN (rows are
hashed with ``pandas.util.hash_pandas_object``), whatever their index.

>>> import pandas as pd
>>> shared_rows(pd.DataFrame({"a": [1.0, 2.0]}), pd.DataFrame({"a": [2.0, 2.0, 3.0]}))
2
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = ["row_hashes", "shared_rows"]


def _frame(table: Any, columns: pd.Index | None, name: str) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        frame = table
    elif isinstance(table, np.ndarray) and table.ndim == 2:
        if columns is None or table.shape[1] != len(columns):
            raise LabsError(f"{name} is an array of {table.shape[1]} columns; give a DataFrame.")
        frame = pd.DataFrame(table, columns=columns)
    else:
        raise LabsError(f"{name} must be a pandas DataFrame (or a 2-D array), not {type(table)}.")
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise LabsError(f"{name} lacks the columns {missing[:5]}.")
        frame = frame[list(columns)]
    return frame.astype(float)


def row_hashes(table: Any, columns: pd.Index | None = None) -> pd.Series:
    """One 64-bit hash per row of ``table`` (over ``columns``, in that order), index kept."""
    return pd.util.hash_pandas_object(_frame(table, columns, "the table"), index=False)


def shared_rows(reference: pd.DataFrame, other: Any) -> int:
    """How many rows of ``other`` have an exact copy among the rows of ``reference``.

    ``other`` is compared over ``reference``'s columns; a 2-D array is read with them.
    """
    if not isinstance(reference, pd.DataFrame):
        raise LabsError("The reference table must be a pandas DataFrame.")
    known = set(row_hashes(reference, reference.columns))
    return int(row_hashes(other, reference.columns).isin(known).sum())
