"""The expected cost of a classifier's decisions under a full 2x2 cost matrix.

:mod:`labs.modeling.error_costs` prices the two errors. A cost matrix also prices the two
right answers: a true positive may cost something too (the retention offer given to a
churner who then stays), and a true negative is usually free. With the matrix

    ``[[cost of TN, cost of FP], [cost of FN, cost of TP]]``  (rows: actual 0, 1)

the cost at a threshold is the sum of the four counts times their costs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["break_even_probability", "cost_curve"]


def _matrix(cost_matrix: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    matrix = np.asarray(cost_matrix, dtype=float)
    if matrix.shape != (2, 2):
        raise ValueError(
            "the cost matrix is 2x2: [[cost TN, cost FP], [cost FN, cost TP]], "
            f"not shape {matrix.shape}"
        )
    return matrix


def cost_curve(
    y_true: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    cost_matrix: Sequence[Sequence[float]] | np.ndarray,
    thresholds: Sequence[float] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Counts ``tn``, ``fp``, ``fn``, ``tp`` and the total ``cost`` at each threshold.

    A row is predicted positive when its score is at or above the threshold. The default
    thresholds are 0.00, 0.01, ..., 1.00.
    """
    matrix = _matrix(cost_matrix)
    y = np.asarray(y_true).astype(int)
    s = np.asarray(scores, dtype=float)
    if y.shape != s.shape:
        raise ValueError(f"{y.size} labels but {s.size} scores: give one score per row")
    grid = np.round(np.linspace(0, 1, 101), 2) if thresholds is None else np.asarray(thresholds)
    rows = []
    for threshold in grid.astype(float):
        flagged = s >= threshold
        tp = int(np.sum(flagged & (y == 1)))
        fp = int(np.sum(flagged & (y == 0)))
        fn = int(np.sum(~flagged & (y == 1)))
        tn = int(np.sum(~flagged & (y == 0)))
        cost = tn * matrix[0, 0] + fp * matrix[0, 1] + fn * matrix[1, 0] + tp * matrix[1, 1]
        rows.append({"threshold": threshold, "tn": tn, "fp": fp, "fn": fn, "tp": tp, "cost": cost})
    return pd.DataFrame(rows).set_index("threshold")


def break_even_probability(cost_matrix: Sequence[Sequence[float]] | np.ndarray) -> float:
    """The probability of being positive above which flagging a row costs less on average.

    Flagging costs ``p*C_TP + (1-p)*C_FP``, not flagging ``p*C_FN + (1-p)*C_TN``; they are
    equal at ``p = (C_FP - C_TN) / ((C_FP - C_TN) + (C_FN - C_TP))``. Valid when the scores
    are calibrated probabilities.
    """
    matrix = _matrix(cost_matrix)
    extra_fp = matrix[0, 1] - matrix[0, 0]
    extra_fn = matrix[1, 0] - matrix[1, 1]
    if extra_fp < 0 or extra_fn < 0 or extra_fp + extra_fn == 0:
        raise ValueError("an error must cost at least as much as the right answer it replaces")
    return float(extra_fp / (extra_fp + extra_fn))
