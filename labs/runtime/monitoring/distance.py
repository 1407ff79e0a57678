"""Distances between a baseline distribution and the current one (``baseline_drift_check``).

Model Monitor's documented distance is the L-infinity distance between the two cumulative
distribution functions, ``linf_simple = max_x |F_baseline(x) - F_current(x)|`` (the
two-sample Kolmogorov-Smirnov statistic). ``comparison_method: "Robust"`` (``linf_robust``)
subtracts the sampling noise expected from sample sizes ``n`` and ``m``:
``max(0, linf_simple - c * sqrt((n + m) / (n * m)))`` with ``c = 1.8``, the KS critical
value for a 0.3 % false-alarm rate; that is the formula of Deequ, the open-source library
the service's analyzer builds on. For a categorical feature the distance is the largest
difference between the two frequency tables, with the same robust correction.

The real service reads ``F_baseline`` from a KLL sketch and so is approximate; the kit
compares exact values against the baseline summary of :mod:`.statistics` (exact up to
2048 values, within 1/2048 beyond).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

#: The KS constant c(alpha) of the robust correction (alpha = 0.003).
C_ALPHA = 1.8


def numeric_linf(baseline: np.ndarray, baseline_weights: np.ndarray, current: np.ndarray) -> float:
    """``max |F_baseline - F_current|`` over every observed value (sorted baseline points)."""
    current = np.sort(current)
    points = np.union1d(baseline, current)
    cumulative = np.concatenate([[0.0], np.cumsum(baseline_weights)])
    f_baseline = cumulative[np.searchsorted(baseline, points, side="right")] / cumulative[-1]
    f_current = np.searchsorted(current, points, side="right") / len(current)
    return float(np.max(np.abs(f_baseline - f_current)))


def categorical_linf(baseline: Mapping[str, int], current: Mapping[str, int]) -> float:
    """The largest difference in any category's share between the two frequency tables."""
    n, m = sum(baseline.values()), sum(current.values())
    return max(
        abs(baseline.get(key, 0) / n - current.get(key, 0) / m)
        for key in set(baseline) | set(current)
    )


def robust(linf: float, n: int, m: int) -> float:
    """``linf_robust``: ``linf`` less the KS noise margin for sample sizes ``n`` and ``m``."""
    return max(0.0, linf - C_ALPHA * math.sqrt((n + m) / (n * m)))


def distance(linf: float, n: int, m: int, method: str) -> float:
    """The distance ``method`` ("Simple" or "Robust") reports for an L-infinity value."""
    return robust(linf, n, m) if method == "Robust" else linf
