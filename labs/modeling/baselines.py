"""Baselines a model must beat: majority class, mean, naive and seasonal naive forecasts.

A baseline is the answer you get without machine learning. Lab 04-1 measures one for each
kind of problem before any model is trained; a model that does not beat it clearly is not
worth deploying.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["majority_class", "mean_forecast", "naive_forecast", "seasonal_naive"]


def majority_class(y_train: Sequence[int] | pd.Series, n: int) -> np.ndarray:
    """Predict the most common training label for ``n`` rows (ties go to the smaller label)."""
    labels = pd.Series(np.asarray(y_train))
    if labels.empty:
        raise ValueError("majority_class needs at least one training label")
    return np.full(n, labels.value_counts().sort_index().idxmax())


def _history(history: Sequence[float] | pd.Series) -> np.ndarray:
    values = np.asarray(history, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("a forecast baseline needs a non-empty one-dimensional history")
    return values


def mean_forecast(history: Sequence[float] | pd.Series, horizon: int) -> np.ndarray:
    """Forecast every future step as the mean of the history."""
    return np.full(horizon, _history(history).mean())


def naive_forecast(history: Sequence[float] | pd.Series, horizon: int) -> np.ndarray:
    """Forecast every future step as the last observed value."""
    return np.full(horizon, _history(history)[-1])


def seasonal_naive(history: Sequence[float] | pd.Series, season: int, horizon: int) -> np.ndarray:
    """Repeat the last full season: step ``h`` gets the value one season before it.

    With daily data and ``season=7``, next Monday is forecast as last Monday.
    """
    values = _history(history)
    if season < 1 or season > values.size:
        raise ValueError(f"season must be between 1 and the history length ({values.size})")
    last = values[-season:]
    return np.array([last[h % season] for h in range(horizon)], dtype=float)
