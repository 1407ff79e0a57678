"""Exercises of notebook 04-3-evaluation: metrics from a confusion matrix, MAPE, a threshold."""

from __future__ import annotations

import math
from collections.abc import Sequence

from labs.exercises.core import Case, FunctionExercise, ValueExercise


def _metrics(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _swapped(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    """Precision and recall swapped: precision divides by the flagged rows (tp + fp), recall
    by the real positives (tp + fn)."""
    right = _metrics(tn, fp, fn, tp)
    return {"precision": right["recall"], "recall": right["precision"], "f1": right["f1"]}


def _arithmetic_f1(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    """F1 as the plain average of precision and recall: F1 is their harmonic mean."""
    right = _metrics(tn, fp, fn, tp)
    return {**right, "f1": (right["precision"] + right["recall"]) / 2}


def _unguarded(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    """No guard for an empty denominator: a model that flags nobody divides by zero."""
    return {
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "f1": 2 * tp / (2 * tp + fp + fn),
    }


q1 = FunctionExercise(
    title="Precision, recall and F1 from a confusion matrix",
    prompt=(
        "Write classification_metrics(tn, fp, fn, tp) returning a dict with 'precision', "
        "'recall' and 'f1' (each 0.0 when its denominator is 0)."
    ),
    cases=[
        Case(args=(785, 30, 101, 84), label="classification_metrics(785, 30, 101, 84)"),
        Case(args=(50, 10, 5, 35)),
        Case(args=(90, 0, 10, 0), label="classification_metrics(90, 0, 10, 0): flags nobody"),
        Case(args=(0, 80, 0, 20), label="classification_metrics(0, 80, 0, 20): flags everyone"),
    ],
    reference_function=_metrics,
    rel_tol=1e-9,
    hints=[
        "Precision looks along the predicted-positive column: of the rows flagged (tp + fp), "
        "how many were right. Recall looks along the actual-positive row: of the real "
        "positives (tp + fn), how many were caught.",
        "F1 is the harmonic mean: 2 * precision * recall / (precision + recall).",
        "Guard every division: a model that flags nobody has tp + fp == 0; return 0.0 then.",
    ],
    solution=(
        "def classification_metrics(tn, fp, fn, tp):\n"
        "    precision = tp / (tp + fp) if tp + fp else 0.0\n"
        "    recall = tp / (tp + fn) if tp + fn else 0.0\n"
        "    both = precision + recall\n"
        "    f1 = 2 * precision * recall / both if both else 0.0\n"
        '    return {"precision": precision, "recall": recall, "f1": f1}\n'
    ),
    typical_wrong=[_swapped, _arithmetic_f1, _unguarded],
)


def _mape(actual: Sequence[float], predicted: Sequence[float]) -> float:
    pairs = [(a, p) for a, p in zip(actual, predicted, strict=True) if a != 0]
    if not pairs:
        return math.nan
    return 100 * sum(abs((a - p) / a) for a, p in pairs) / len(pairs)


def _nonzero(actual: Sequence[float], predicted: Sequence[float]) -> list[tuple[float, float]]:
    return [(a, p) for a, p in zip(actual, predicted, strict=True) if a != 0]


def _over_prediction(actual: Sequence[float], predicted: Sequence[float]) -> float:
    """Divides each error by the prediction: MAPE divides by the actual value."""
    pairs = _nonzero(actual, predicted)
    return 100 * sum(abs((a - p) / p) for a, p in pairs) / len(pairs)


def _as_fraction(actual: Sequence[float], predicted: Sequence[float]) -> float:
    """A fraction (0.12), not a percentage (12): multiply by 100."""
    return _mape(actual, predicted) / 100


def _zero_rows_counted(actual: Sequence[float], predicted: Sequence[float]) -> float:
    """Skips the zero-sales rows in the sum but still counts them in the mean's denominator."""
    pairs = _nonzero(actual, predicted)
    return 100 * sum(abs((a - p) / a) for a, p in pairs) / len(actual)


def _signed(actual: Sequence[float], predicted: Sequence[float]) -> float:
    """Signed errors summed before the absolute value: over- and under-forecasts cancel out."""
    pairs = _nonzero(actual, predicted)
    return 100 * abs(sum((a - p) / a for a, p in pairs)) / len(pairs)


q2 = FunctionExercise(
    title="Write MAPE that survives days without sales",
    prompt=(
        "Write mape(actual, predicted) returning the mean absolute percentage error in "
        "percent, over the rows whose actual value is not 0 (skip rows with actual 0)."
    ),
    cases=[
        Case(args=([100.0, 200.0], [110.0, 180.0])),
        Case(args=([10.0, 20.0, 40.0], [5.0, 30.0, 40.0])),
        Case(args=([50.0, 0.0, 25.0], [40.0, 3.0, 30.0]), label="mape with a day of 0 sales"),
        Case(args=([4.0], [8.0])),
    ],
    reference_function=_mape,
    rel_tol=1e-9,
    hints=[
        "For each row: abs(actual - predicted) / abs(actual); then the mean, times 100.",
        "Divide by the actual value, not by the prediction, and leave out rows where the "
        "actual is 0 (the percentage is undefined there).",
    ],
    solution=(
        "def mape(actual, predicted):\n"
        "    pairs = [(a, p) for a, p in zip(actual, predicted) if a != 0]\n"
        "    return 100 * sum(abs((a - p) / a) for a, p in pairs) / len(pairs)\n"
    ),
    typical_wrong=[_over_prediction, _as_fraction, _zero_rows_counted, _signed],
)

# Costs of Your turn 3: a true negative is free, the offer costs $30 whoever gets it,
# a churner nobody flags costs $270.
_C_TN, _C_FP, _C_FN, _C_TP = 0.0, 30.0, 270.0, 30.0
_BREAK_EVEN = (_C_FP - _C_TN) / ((_C_FP - _C_TN) + (_C_FN - _C_TP))

q3 = ValueExercise(
    title="The break-even threshold of a full cost matrix",
    prompt=(
        "Cost matrix [[TN 0, FP 30], [FN 270, TP 30]] in dollars: the $30 offer goes to "
        "every flagged customer, churner or not. Above which churn probability is flagging "
        "cheaper on average? Give a number between 0 and 1."
    ),
    expected=_BREAK_EVEN,
    rel_tol=1e-3,
    wrong_answer_reasons=[
        (
            _C_FP / (_C_FP + _C_FN),
            "That ignores the cost of a true positive: a caught churner still costs the $30 "
            "offer, so flagging saves only 270 - 30 on a churner.",
        ),
        (
            1 - _BREAK_EVEN,
            "That is the probability of staying at break-even: flag when the probability "
            "of churning is above (C_FP - C_TN) / ((C_FP - C_TN) + (C_FN - C_TP)).",
        ),
        (0.5, "0.5 is the default threshold; it is the cheapest only when both errors cost alike."),
    ],
    hints=[
        "Flagging a customer with churn probability p costs p*C_TP + (1-p)*C_FP on average; "
        "not flagging costs p*C_FN + (1-p)*C_TN.",
        "Set the two equal and solve for p: p = (C_FP - C_TN) / ((C_FP - C_TN) + (C_FN - C_TP)).",
        "labs.modeling.cost_matrix.break_even_probability([[0, 30], [270, 30]]) checks it.",
    ],
    solution="threshold = (30 - 0) / ((30 - 0) + (270 - 30))  # 0.111\n",
    reference=lambda: _BREAK_EVEN,
)
