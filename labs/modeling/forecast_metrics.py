"""Accuracy of a probabilistic forecast: RMSE, WAPE, weighted quantile loss, coverage.

The DeepAR definitions ("Input/Output Interface for the DeepAR Algorithm" and "Tune a
DeepAR Model" in the SageMaker AI developer guide):

- **RMSE** of the mean forecast over every series and step of the horizon;
- **wQuantileLoss[τ]** = 2 · Σ (τ · max(y − q, 0) + (1 − τ) · max(q − y, 0)) / Σ |y|, where
  ``q`` is the forecast τ-quantile: 0 is perfect, and at τ = 0.5 it equals the WAPE of
  the median forecast;
- **mean_wQuantileLoss**: the mean of wQuantileLoss over the ``test_quantiles``.

**Coverage** of an interval (say 0.1 to 0.9) is the share of actual values inside it; a
calibrated 80% interval covers about 80%. Missing actuals (NaN) are left out everywhere.

>>> round(weighted_quantile_loss([10, 20], [12, 18], 0.5), 4)
0.1333
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "coverage",
    "mean_weighted_quantile_loss",
    "rmse",
    "wape",
    "weighted_quantile_loss",
]

ArrayLike = Sequence[float] | np.ndarray


def _pair(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if y.shape != f.shape:
        raise ValueError(f"actuals {y.shape} and forecasts {f.shape} must have the same shape")
    keep = ~np.isnan(y)
    if not keep.any():
        raise ValueError("no actual values to score (all are missing)")
    return y[keep], f[keep]


def rmse(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Root mean squared error of ``forecast`` (usually the mean forecast)."""
    y, f = _pair(actual, forecast)
    return float(np.sqrt(np.mean((y - f) ** 2)))


def wape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Weighted absolute percentage error: Σ |y − f| / Σ |y| (a share, not percent)."""
    y, f = _pair(actual, forecast)
    total = np.sum(np.abs(y))
    if total == 0:
        raise ValueError("WAPE is undefined when every actual value is 0")
    return float(np.sum(np.abs(y - f)) / total)


def weighted_quantile_loss(actual: ArrayLike, quantile_forecast: ArrayLike, tau: float) -> float:
    """DeepAR's wQuantileLoss[τ] of the τ-quantile forecast."""
    if not 0 < tau < 1:
        raise ValueError(f"the quantile level must be between 0 and 1, got {tau}")
    y, q = _pair(actual, quantile_forecast)
    total = np.sum(np.abs(y))
    if total == 0:
        raise ValueError("the weighted quantile loss is undefined when every actual is 0")
    loss = tau * np.maximum(y - q, 0) + (1 - tau) * np.maximum(q - y, 0)
    return float(2 * np.sum(loss) / total)


def mean_weighted_quantile_loss(
    actual: ArrayLike, quantiles: Mapping[float | str, ArrayLike]
) -> float:
    """The mean of :func:`weighted_quantile_loss` over ``{tau: quantile forecast}``."""
    if not quantiles:
        raise ValueError("give at least one quantile forecast")
    losses = [weighted_quantile_loss(actual, q, float(tau)) for tau, q in quantiles.items()]
    return float(np.mean(losses))


def coverage(actual: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """The share of actual values inside ``[lower, upper]``."""
    y, lo = _pair(actual, lower)
    _, hi = _pair(actual, upper)
    return float(np.mean((y >= lo) & (y <= hi)))
