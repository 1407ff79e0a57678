"""Exercises of notebook 03-1-numeric-features: write a robust scaler, and say which
columns the Box-Cox transform can take."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise

# ---------------------------------------------------------------- q1: robust scaling


def _as_array(values: Iterable[float]) -> np.ndarray:
    return np.asarray(list(values), dtype=float)


def _reference_robust(values: Iterable[float]) -> list[float]:
    data = _as_array(values)
    q1, median, q3 = np.quantile(data, [0.25, 0.5, 0.75])
    return [float(v) for v in (data - median) / (q3 - q1)]


def _standard(values: Iterable[float]) -> list[float]:
    """Standard scaling (mean and standard deviation): not robust, one outlier moves both."""
    data = _as_array(values)
    return [float(v) for v in (data - data.mean()) / data.std()]


def _min_max(values: Iterable[float]) -> list[float]:
    """Min-max scaling to [0, 1]: an outlier becomes 1 and squeezes every other value near 0."""
    data = _as_array(values)
    return [float(v) for v in (data - data.min()) / (data.max() - data.min())]


def _median_over_std(values: Iterable[float]) -> list[float]:
    """The median is centred but the scale is the standard deviation, which the outlier inflates:
    divide by the IQR.
    """
    data = _as_array(values)
    return [float(v) for v in (data - np.median(data)) / data.std()]


def _mean_over_iqr(values: Iterable[float]) -> list[float]:
    """Divides by the IQR but centres on the mean, which the outlier pulls: centre on the median."""
    data = _as_array(values)
    q1, q3 = np.quantile(data, [0.25, 0.75])
    return [float(v) for v in (data - data.mean()) / (q3 - q1)]


q1 = FunctionExercise(
    title="A robust scaler",
    prompt=(
        "Write robust_scale(values) that returns a list: each value minus the median, divided "
        "by the interquartile range (Q3 - Q1), as scikit-learn's RobustScaler does. Use the "
        "default (linear) quantiles of numpy or pandas."
    ),
    cases=[
        Case(([1.0, 2.0, 3.0, 4.0, 5.0],), label="robust_scale([1, 2, 3, 4, 5])"),
        Case(([10.0, 12.0, 11.0, 13.0, 12.0, 950.0],), label="robust_scale([10, ..., 950])"),
        Case(([0.0, 0.0, 5.0, 20.0, 80.0, 400.0, 3000.0],), label="robust_scale(a long tail)"),
    ],
    reference_function=_reference_robust,
    hints=[
        "Centre on the median, not the mean; divide by the IQR, not the standard deviation.",
        "np.quantile(values, [0.25, 0.5, 0.75]) gives Q1, the median and Q3 at once.",
        "q1, med, q3 = np.quantile(values, [0.25, 0.5, 0.75]); then (x - med) / (q3 - q1).",
    ],
    solution=(
        "def robust_scale(values):\n"
        "    data = np.asarray(values, dtype=float)\n"
        "    q1, median, q3 = np.quantile(data, [0.25, 0.5, 0.75])\n"
        "    return list((data - median) / (q3 - q1))\n"
    ),
    typical_wrong=[_standard, _min_max, _median_over_std, _mean_over_iqr, "RobustScaler"],
)


# ---------------------------------------------------------- q2: what Box-Cox can take


def _positive_columns() -> set[str]:
    from labs.features.churn_numeric import churn_numeric

    X, _ = churn_numeric()
    return {str(c) for c in X.columns if X[c].min(skipna=True) > 0}


def _check_box_cox(answer: Any) -> CheckResult:
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return CheckResult.fail(
            "Give the column names as a set (or list) of strings, like {'age', ...}."
        )
    try:
        chosen = {str(c) for c in answer}
    except Exception:
        return CheckResult.fail("Give the column names as a set (or list) of strings.")
    from labs.features.churn_numeric import churn_numeric

    X, _ = churn_numeric()
    unknown = sorted(chosen - set(X.columns))
    if unknown:
        return CheckResult.fail(
            f"{unknown[0]!r} is not one of the numeric columns of X: {', '.join(X.columns)}."
        )
    expected = _positive_columns()
    with_zero = sorted(c for c in chosen - expected)
    if with_zero:
        column = with_zero[0]
        low = X[column].min()
        return CheckResult.fail(
            f"{column} has a smallest value of {low:g}: Box-Cox needs every value strictly "
            "above 0 (it takes the logarithm). Use Yeo-Johnson, or log(1 + x), for it."
        )
    left_out = sorted(expected - chosen)
    if left_out:
        return CheckResult.fail(
            f"{left_out[0]} is strictly positive too (its smallest value is "
            f"{X[left_out[0]].min():g}): Box-Cox can take it. Check X.min() for every column."
        )
    return CheckResult.ok(
        "Box-Cox takes strictly positive values only; Yeo-Johnson extends it to zero and "
        "negative values, which is why PowerTransformer uses Yeo-Johnson by default."
    )


def _box_cox_wrong() -> list[Any]:
    from labs.features.churn_numeric import NUMERIC_COLUMNS

    positive = _positive_columns()
    return [
        set(NUMERIC_COLUMNS),
        positive | {"data_usage_gb"},
        positive | {"tenure_months", "total_charges"},
        positive - {"age"},
        {"data_usage_gb", "total_charges"},
        "age, monthly_charges",
        {"churn"},
    ]


q2 = CustomExercise(
    title="Which columns can Box-Cox take?",
    prompt=(
        "Box-Cox is defined for strictly positive values only. Give the set of columns of X "
        "(the cleaned numeric churn features) whose every non-missing value is above 0."
    ),
    check=_check_box_cox,
    hints=[
        "X.min() gives each column's smallest value; missing values are skipped.",
        "A column with a single 0 is out: no internet means 0 GB, a new customer has 0 months.",
        "set(X.columns[X.min() > 0])",
    ],
    solution="box_cox_ok = set(X.columns[X.min() > 0])\n",
    reference=_positive_columns,
    typical_wrong=_box_cox_wrong,
)
