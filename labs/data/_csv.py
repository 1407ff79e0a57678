"""Deterministic CSV writing: the same DataFrame always gives the same bytes."""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd


def _format_floats(values: pd.Series, decimals: int) -> pd.Series:
    """Format a float column with a fixed number of decimals; NaN becomes an empty field."""
    arr = values.to_numpy(dtype="float64")
    out = np.char.mod(f"%.{decimals}f", np.where(np.isnan(arr), 0.0, arr)).astype(object)
    out[np.isnan(arr)] = ""
    # "-0.00" and "0.00" must not depend on the sign of a rounding residue.
    out[out == f"-{0:.{decimals}f}"] = f"{0:.{decimals}f}"
    return pd.Series(out, index=values.index, dtype=object)


def to_csv_bytes(df: pd.DataFrame, decimals: Mapping[str, int]) -> bytes:
    """Render ``df`` as UTF-8 CSV bytes with a header, no index and ``\\n`` line endings.

    Every float column must be listed in ``decimals``; it is written with exactly that many
    decimals (fixed, so regeneration is byte-identical).
    """
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            if col not in decimals:
                raise ValueError(f"float column {col!r} has no entry in DECIMALS")
            out[col] = _format_floats(out[col], decimals[col])
        elif pd.api.types.is_datetime64_any_dtype(out[col]):
            raise ValueError(f"column {col!r}: format datetimes as strings before writing")
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")
