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
    typical_wrong=[
        # precision and recall swapped
        lambda tn, fp, fn, tp: {
            "precision": _metrics(tn, fp, fn, tp)["recall"],
            "recall": _metrics(tn, fp, fn, tp)["precision"],
            "f1": _metrics(tn, fp, fn, tp)["f1"],
        },
        # F1 as the arithmetic mean
        lambda tn, fp, fn, tp: {
            **_metrics(tn, fp, fn, tp),
            "f1": (_metrics(tn, fp, fn, tp)["precision"] + _metrics(tn, fp, fn, tp)["recall"]) / 2,
        },
        # no guard against empty denominators
        lambda tn, fp, fn, tp: {
            "precision": tp / (tp + fp),
            "recall": tp / (tp + fn),
            "f1": 2 * tp / (2 * tp + fp + fn),
        },
    ],
)


def _mape(actual: Sequence[float], predicted: Sequence[float]) -> float:
    pairs = [(a, p) for a, p in zip(actual, predicted, strict=True) if a != 0]
    if not pairs:
        return math.nan
    return 100 * sum(abs((a - p) / a) for a, p in pairs) / len(pairs)


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
    typical_wrong=[
        # divides by the prediction
        lambda actual, predicted: (
            100
            * sum(abs((a - p) / p) for a, p in zip(actual, predicted, strict=True) if a != 0)
            / sum(1 for a in actual if a != 0)
        ),
        # a fraction, not percent
        lambda actual, predicted: _mape(actual, predicted) / 100,
        # keeps the zero rows in the count
        lambda actual, predicted: (
            100
            * sum(abs((a - p) / a) for a, p in zip(actual, predicted, strict=True) if a != 0)
            / len(actual)
        ),
        # signed errors cancel out
        lambda actual, predicted: (
            100
            * abs(sum((a - p) / a for a, p in zip(actual, predicted, strict=True) if a != 0))
            / sum(1 for a in actual if a != 0)
        ),
    ],
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
