"""RMSE, MAE, R² and MAPE for a regression model, with MAPE's zero problem made explicit.

MAPE divides each error by the actual value, so it is undefined when an actual is 0 (a
day with no sales). :func:`mape` leaves those rows out and says how many it left out,
rather than returning infinity or silently dropping them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["mape", "regression_metrics"]


def _arrays(
    y_true: Sequence[float] | np.ndarray, y_pred: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    if y.shape != p.shape or y.size == 0:
        raise ValueError(f"need as many predictions as actuals (got {p.size} and {y.size})")
    return y, p


def mape(
    y_true: Sequence[float] | np.ndarray, y_pred: Sequence[float] | np.ndarray
) -> tuple[float, int]:
    """Mean absolute percentage error in percent over rows whose actual is not 0.

    Returns ``(mape, rows_left_out)``; raises ``ValueError`` when every actual is 0.
    """
    y, p = _arrays(y_true, y_pred)
    keep = y != 0
    if not keep.any():
        raise ValueError("MAPE is undefined: every actual value is 0")
    return float(np.mean(np.abs((y[keep] - p[keep]) / y[keep])) * 100), int((~keep).sum())


def regression_metrics(
    y_true: Sequence[float] | np.ndarray, y_pred: Sequence[float] | np.ndarray
) -> dict[str, float]:
    """``rmse``, ``mae``, ``r2``, ``mape`` (percent, non-zero actuals) and ``mape_left_out``."""
    y, p = _arrays(y_true, y_pred)
    errors = y - p
    total = float(np.sum((y - y.mean()) ** 2))
    pct, left_out = mape(y, p)
    return {
        "rmse": float(np.sqrt(np.mean(errors**2))),
        "mae": float(np.mean(np.abs(errors))),
        "r2": 1.0 - float(np.sum(errors**2)) / total if total else float("nan"),
        "mape": pct,
        "mape_left_out": float(left_out),
    }
