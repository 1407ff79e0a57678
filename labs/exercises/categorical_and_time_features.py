"""Exercises of notebook 03-2-categorical-and-time-features: out-of-fold target encoding
with the folds given, and a cyclical (sin, cos) encoding of a periodic value."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from labs.exercises.core import Case, FunctionExercise

# ------------------------------------------------------ q1: out-of-fold target encoding


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _reference_oof(
    categories: Sequence[Any], target: Sequence[float], folds: Sequence[int]
) -> list[float]:
    encoded = []
    for category, fold in zip(categories, folds, strict=True):
        others = [(c, t) for c, t, f in zip(categories, target, folds, strict=True) if f != fold]
        same = [t for c, t in others if c == category]
        encoded.append(_mean(same) if same else _mean([t for _, t in others]))
    return encoded


def _in_sample(categories: Sequence[Any], target: Sequence[float], folds: Sequence[int]):
    """The leak: every row's own target is in its category's mean."""
    return [
        _mean([t for c, t in zip(categories, target, strict=True) if c == category])
        for category in categories
    ]


def _within_fold(categories: Sequence[Any], target: Sequence[float], folds: Sequence[int]):
    """The fold's own rows used instead of the other folds' rows."""
    rows = list(zip(categories, target, folds, strict=True))
    return [
        _mean([t for c, t, f in rows if f == fold and c == category]) for category, _, fold in rows
    ]


def _unseen_as_zero(categories: Sequence[Any], target: Sequence[float], folds: Sequence[int]):
    """A category absent from the other folds gets 0 instead of the other folds' mean."""
    encoded = []
    for category, fold in zip(categories, folds, strict=True):
        same = [
            t
            for c, t, f in zip(categories, target, folds, strict=True)
            if f != fold and c == category
        ]
        encoded.append(_mean(same) if same else 0.0)
    return encoded


def _unseen_as_global_mean(
    categories: Sequence[Any], target: Sequence[float], folds: Sequence[int]
):
    """A category absent from the other folds gets the mean of *all* rows (its own included)."""
    overall = _mean(list(target))
    encoded = []
    for category, fold in zip(categories, folds, strict=True):
        same = [
            t
            for c, t, f in zip(categories, target, folds, strict=True)
            if f != fold and c == category
        ]
        encoded.append(_mean(same) if same else overall)
    return encoded


q1 = FunctionExercise(
    title="Out-of-fold target encoding",
    prompt=(
        "Write oof_target_encode(categories, target, folds) that returns a list with one number "
        "per row: the mean target of the rows of the same category in the OTHER folds (folds "
        "gives each row's fold number). When the other folds hold no row of that category, use "
        "the mean target of all the rows of the other folds. Plain means, no smoothing."
    ),
    cases=[
        Case(
            (["a", "a", "b", "b", "a", "b"], [1, 0, 1, 1, 1, 0], [0, 1, 2, 0, 1, 2]),
            label="oof_target_encode(6 rows, 2 categories, 3 folds)",
        ),
        Case(
            (["x", "y", "x", "y", "z"], [1, 0, 0, 0, 1], [0, 0, 1, 1, 1]),
            label="oof_target_encode(... 'z' only in fold 1 ...)",
        ),
        Case(
            (["id1", "id2", "id3", "id4"], [1, 0, 1, 0], [0, 1, 0, 1]),
            label="oof_target_encode(one row per category: an id column)",
        ),
    ],
    reference_function=_reference_oof,
    hints=[
        "For a row in fold k, look only at the rows whose fold is not k: its own target, and "
        "its fold's, must not shape its encoding.",
        "Among those rows, average the target of the ones with the same category; if there are "
        "none, average the target of all of them.",
        "others = [(c, t) for c, t, f in zip(categories, target, folds) if f != fold]",
    ],
    solution=(
        "def oof_target_encode(categories, target, folds):\n"
        "    encoded = []\n"
        "    for category, fold in zip(categories, folds):\n"
        "        others = [(c, t) for c, t, f in zip(categories, target, folds) if f != fold]\n"
        "        same = [t for c, t in others if c == category]\n"
        "        pool = same if same else [t for _, t in others]\n"
        "        encoded.append(sum(pool) / len(pool))\n"
        "    return encoded\n"
    ),
    typical_wrong=[_in_sample, _within_fold, _unseen_as_zero, _unseen_as_global_mean],
)


# ------------------------------------------------------------- q2: cyclical encoding


def _reference_cyclical(values: Sequence[float], period: float) -> list[list[float]]:
    return [
        [math.sin(2 * math.pi * v / period), math.cos(2 * math.pi * v / period)] for v in values
    ]


def _period_minus_one(values: Sequence[float], period: float) -> list[list[float]]:
    """Divides by the largest value (23 for hours) instead of the period: 0 and 23 collide."""
    return _reference_cyclical(values, period - 1)


def _degrees(values: Sequence[float], period: float) -> list[list[float]]:
    """Angles in degrees given to functions that take radians."""
    return [[math.sin(360 * v / period), math.cos(360 * v / period)] for v in values]


def _sine_only(values: Sequence[float], period: float) -> list[list[float]]:
    """The sine alone: 3 h and 9 h get the same value (both 45 degrees from the top)."""
    return [[math.sin(2 * math.pi * v / period)] for v in values]


def _fraction(values: Sequence[float], period: float) -> list[list[float]]:
    """The position in the cycle as a fraction: still far apart across the wrap."""
    return [[v / period, v / period] for v in values]


q2 = FunctionExercise(
    title="A cyclical encoding",
    prompt=(
        "Write cyclical(values, period) that returns, for each value, the pair "
        "[sin(2 * pi * value / period), cos(2 * pi * value / period)] as a list of pairs. "
        "For hours of the day the period is 24; for days of the week, 7."
    ),
    cases=[
        Case(([0, 6, 12, 18, 23], 24), label="cyclical([0, 6, 12, 18, 23], 24)"),
        Case(([0, 1, 5, 6], 7), label="cyclical([0, 1, 5, 6], 7)"),
        Case(([1, 4, 7, 12], 12), label="cyclical([1, 4, 7, 12], 12): months 1-12"),
    ],
    reference_function=_reference_cyclical,
    rel_tol=1e-6,
    abs_tol=1e-9,
    hints=[
        "Turn each value into an angle: a full turn (2 * pi radians) is one period.",
        "Divide by the period (24 for hours), not by the largest value (23): 0 h and 24 h are "
        "the same time, 0 h and 23 h are not.",
        "angle = 2 * math.pi * v / period; then [math.sin(angle), math.cos(angle)].",
    ],
    solution=(
        "import math\n\n\n"
        "def cyclical(values, period):\n"
        "    pairs = []\n"
        "    for v in values:\n"
        "        angle = 2 * math.pi * v / period\n"
        "        pairs.append([math.sin(angle), math.cos(angle)])\n"
        "    return pairs\n"
    ),
    typical_wrong=[_period_minus_one, _degrees, _sine_only, _fraction],
)
