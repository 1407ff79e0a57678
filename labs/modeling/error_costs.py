"""The business cost of a classifier's errors, and the threshold that makes it smallest.

A false positive (an alarm for a customer who would have stayed) and a false negative (a
churner nobody noticed) rarely cost the same. Counting both at each threshold turns
"which metric?" into "which threshold costs least?", the question lab 04-1 asks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from labs.modeling.cost_matrix import break_even_probability

__all__ = ["break_even_threshold", "cheapest_threshold", "cost_by_threshold"]


def cost_by_threshold(
    y_true: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    *,
    cost_fp: float,
    cost_fn: float,
    thresholds: Sequence[float] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Errors and their total cost when rows scoring at or above each threshold are flagged.

    Returns one row per threshold with ``false_positives``, ``false_negatives``,
    ``precision``, ``recall`` and ``cost`` (``cost_fp * FP + cost_fn * FN``).
    """
    y = np.asarray(y_true).astype(int)
    s = np.asarray(scores, dtype=float)
    if y.shape != s.shape:
        raise ValueError(f"{y.size} labels but {s.size} scores: give one score per row")
    grid = np.round(np.linspace(0.0, 1.0, 101), 2) if thresholds is None else thresholds
    rows = []
    for threshold in np.asarray(grid, dtype=float):
        flagged = s >= threshold
        tp = int(np.sum(flagged & (y == 1)))
        fp = int(np.sum(flagged & (y == 0)))
        fn = int(np.sum(~flagged & (y == 1)))
        rows.append(
            {
                "threshold": float(threshold),
                "flagged": int(flagged.sum()),
                "false_positives": fp,
                "false_negatives": fn,
                "precision": tp / (tp + fp) if tp + fp else float("nan"),
                "recall": tp / (tp + fn) if tp + fn else float("nan"),
                "cost": cost_fp * fp + cost_fn * fn,
            }
        )
    return pd.DataFrame(rows).set_index("threshold")


def cheapest_threshold(table: pd.DataFrame) -> float:
    """The threshold of a :func:`cost_by_threshold` table with the lowest cost (first on ties)."""
    return float(table["cost"].idxmin())


def break_even_threshold(cost_fp: float, cost_fn: float) -> float:
    """Flag a row when its probability of being positive exceeds ``cost_fp / (cost_fp + cost_fn)``.

    At that probability flagging and not flagging cost the same on average; it is the best
    threshold when the model's scores are calibrated probabilities.
    """
    # The two-error case of the full cost matrix (right answers free): one formula in the kit.
    return break_even_probability([[0.0, cost_fp], [cost_fn, 0.0]])
