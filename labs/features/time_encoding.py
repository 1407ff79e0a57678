"""Cyclical encodings of time parts (hour of day, day of week, month)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def cyclical_pairs(values: Sequence[float] | np.ndarray, period: float) -> np.ndarray:
    """Each value as the point ``(sin 2πv/period, cos 2πv/period)`` on a circle.

    Values one period apart map to the same point, so 23:30 and 00:30 (period 24) are
    neighbours: what a linear or distance-based model needs to see the wrap-around.
    Returns an array of shape ``(len(values), 2)``.
    """
    if period <= 0:
        raise ValueError(f"period must be positive, got {period}")
    angle = 2 * np.pi * np.asarray(values, dtype=float) / period
    return np.column_stack([np.sin(angle), np.cos(angle)])
