"""Variance inflation factors: how much of each feature the other features already explain.

For feature j, regress it on all the other features (with an intercept) and take the R²
of that fit: ``VIF_j = 1 / (1 - R²_j)``. A VIF of 1 means no linear relation with the
rest; above 5 (some say 10) is the usual warning sign of multicollinearity; a feature that
is an exact linear combination of others (a sum of them, or every one-hot column of a
category) has R² = 1 and an infinite VIF.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["vif"]


def vif(frame: pd.DataFrame) -> pd.Series:
    """The VIF of every column of ``frame`` (numeric, no missing values), highest first."""
    if frame.shape[1] < 2:
        raise ValueError("VIF needs at least two features: one to explain, one to explain it")
    if frame.isna().any().any():
        missing = ", ".join(frame.columns[frame.isna().any()].astype(str))
        raise ValueError(f"fill or drop missing values first (missing in: {missing})")
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"every column must be numeric: encode categories first ({error})"
        ) from None
    result = {}
    for j, column in enumerate(frame.columns):
        target = values[:, j]
        others = np.column_stack([np.ones(len(values)), np.delete(values, j, axis=1)])
        beta, *_ = np.linalg.lstsq(others, target, rcond=None)
        residual = target - others @ beta
        total = np.sum((target - target.mean()) ** 2)
        if total == 0:
            result[column] = np.inf  # a constant column: explained by the intercept alone
            continue
        unexplained = np.sum(residual**2) / total
        result[column] = np.inf if unexplained < 1e-10 else 1.0 / unexplained
    return pd.Series(result, name="VIF").sort_values(ascending=False)
