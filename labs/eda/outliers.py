"""Flag outliers three ways: Tukey's IQR fences, the z-score, and a domain rule.

Each function takes a numeric pandas Series and returns a boolean Series (True = flagged)
with the same index; missing values are never flagged.

- IQR (Tukey): below Q1 - k * IQR or above Q3 + k * IQR, with IQR = Q3 - Q1 and k = 1.5
  (3 for "far out"). The quartiles barely move when a few values are extreme, so the rule
  is robust; on a skewed column it flags much of the natural long tail.
- z-score: more than ``threshold`` standard deviations from the mean (3 by convention).
  The mean and standard deviation are pulled by the very outliers they should find
  (masking), and it assumes a roughly normal shape.
- domain rule: outside the range that is possible for the quantity (an age of 18-100).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = ["iqr_fences", "iqr_outliers", "range_outliers", "zscore_outliers"]


def _series(values: pd.Series) -> pd.Series:
    if not isinstance(values, pd.Series) or not pd.api.types.is_numeric_dtype(values):
        raise LabsError("Pass one numeric column, a pandas Series such as churn['age'].")
    return values.astype(float)


def iqr_fences(values: pd.Series, k: float = 1.5) -> tuple[float, float]:
    """``(Q1 - k * IQR, Q3 + k * IQR)`` of the non-missing values (linear quantiles)."""
    series = _series(values).dropna()
    if series.empty:
        raise LabsError("The column has no values to compute quartiles from.")
    q1, q3 = np.quantile(series.to_numpy(), [0.25, 0.75])
    iqr = q3 - q1
    return float(q1 - k * iqr), float(q3 + k * iqr)


def iqr_outliers(values: pd.Series, k: float = 1.5) -> pd.Series:
    """True where a value lies outside :func:`iqr_fences`."""
    low, high = iqr_fences(values, k)
    series = _series(values)
    return (series < low) | (series > high)


def zscore_outliers(values: pd.Series, threshold: float = 3.0) -> pd.Series:
    """True where ``|value - mean| / std`` exceeds ``threshold`` (sample std, ddof=1)."""
    series = _series(values)
    std = series.std()
    if not np.isfinite(std) or std == 0:
        return pd.Series(False, index=series.index)
    return ((series - series.mean()).abs() / std) > threshold


def range_outliers(values: pd.Series, low: float, high: float) -> pd.Series:
    """True where a value is outside the possible range ``[low, high]`` (a domain rule)."""
    if low > high:
        raise LabsError(f"low ({low}) must not be above high ({high}).")
    series = _series(values)
    return (series < low) | (series > high)
