"""Pre-training bias metrics, computed the way SageMaker Clarify defines them.

The formulas are those of the Amazon SageMaker AI documentation, "Pre-training bias
metrics" (pages "Class Imbalance (CI)", "Difference in Proportions of Labels (DPL)",
"Kullback-Leibler Divergence (KL)" and "Jensen-Shannon Divergence (JS)"):

- ``CI = (n_a - n_d) / (n_a + n_d)``
- ``DPL = q_a - q_d`` with ``q_a = n_a(1) / n_a`` and ``q_d = n_d(1) / n_d``
- ``KL(P_a || P_d) = sum_y P_a(y) * ln(P_a(y) / P_d(y))`` (natural log: nats)
- ``JS = 1/2 * [KL(P_a || P) + KL(P_d || P)]`` with ``P = 1/2 * (P_a + P_d)``

Facet *d* is the group you worry about (Clarify's ``facet`` ``value_or_threshold``: the
sensitive, possibly disadvantaged, group); facet *a* is everyone else. The "positive"
label is the label value the analysis looks at (Clarify's ``label_values_or_threshold``).

>>> from labs.eda import bias
>>> round(bias.class_imbalance(80, 20), 3)
0.6
>>> round(bias.kl_divergence([0.8, 0.2], [0.3, 0.7]), 2)   # the docs' loan example
0.53

The monitoring lab reuses these functions on captured data.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = [
    "BiasReport",
    "class_imbalance",
    "difference_in_proportions",
    "js_divergence",
    "kl_divergence",
    "label_distributions",
    "pretraining_bias",
]


def class_imbalance(n_a: int, n_d: int) -> float:
    """CI = (n_a - n_d) / (n_a + n_d), in [-1, 1]; positive when facet *d* is the smaller."""
    if n_a < 0 or n_d < 0:
        raise LabsError(f"Counts cannot be negative (n_a={n_a}, n_d={n_d}).")
    if n_a + n_d == 0:
        raise LabsError("Both facets are empty: there is nothing to compare.")
    return (n_a - n_d) / (n_a + n_d)


def difference_in_proportions(q_a: float, q_d: float) -> float:
    """DPL = q_a - q_d: the share of positive labels in facet *a* minus that in facet *d*."""
    for name, q in (("q_a", q_a), ("q_d", q_d)):
        if not 0.0 <= q <= 1.0:
            raise LabsError(f"{name} is a proportion, between 0 and 1; got {q}.")
    return q_a - q_d


def _distribution(p: Sequence[float] | np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise LabsError(f"{name} must be a non-empty list of probabilities.")
    if (arr < 0).any() or not math.isclose(arr.sum(), 1.0, abs_tol=1e-6):
        raise LabsError(f"{name} must hold probabilities that sum to 1; got {arr.tolist()}.")
    return arr


def _pair(p_a: Sequence[float], p_d: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    a, d = _distribution(p_a, "p_a"), _distribution(p_d, "p_d")
    if a.shape != d.shape:
        raise LabsError(
            f"p_a and p_d must cover the same labels, in the same order "
            f"({a.size} and {d.size} values given)."
        )
    return a, d


def _kl(a: np.ndarray, d: np.ndarray) -> float:
    mask = a > 0  # 0 * ln(0 / x) counts as 0
    if (d[mask] == 0).any():
        return math.inf  # facet d never shows a label that facet a shows
    return float(np.sum(a[mask] * np.log(a[mask] / d[mask])))


def kl_divergence(p_a: Sequence[float], p_d: Sequence[float]) -> float:
    """KL(P_a || P_d) = sum_y P_a(y) ln(P_a(y) / P_d(y)), in nats; 0 when equal, can be inf.

    ``p_a`` and ``p_d`` are the label distributions of facets *a* and *d*, over the same
    labels in the same order. Not symmetric: KL(P_a || P_d) != KL(P_d || P_a) in general.
    """
    a, d = _pair(p_a, p_d)
    return _kl(a, d)


def js_divergence(p_a: Sequence[float], p_d: Sequence[float]) -> float:
    """JS = 1/2 [KL(P_a || P) + KL(P_d || P)] with P = (P_a + P_d) / 2; in [0, ln 2)."""
    a, d = _pair(p_a, p_d)
    mid = (a + d) / 2
    return 0.5 * (_kl(a, mid) + _kl(d, mid))


def label_distributions(
    labels: Iterable[Hashable], in_facet_d: Iterable[bool]
) -> tuple[pd.Series, pd.Series]:
    """The label distributions P_a and P_d (share of each label value), on the same index."""
    frame = pd.DataFrame({"label": list(labels), "d": list(in_facet_d)})
    if frame.empty:
        raise LabsError("There are no rows to compute label distributions from.")
    values = sorted(frame["label"].unique().tolist())
    p_a = frame.loc[~frame["d"], "label"].value_counts(normalize=True)
    p_d = frame.loc[frame["d"], "label"].value_counts(normalize=True)
    return (
        p_a.reindex(values, fill_value=0.0).rename("P_a"),
        p_d.reindex(values, fill_value=0.0).rename("P_d"),
    )


@dataclass(frozen=True)
class BiasReport:
    """The pre-training bias metrics of one facet, with the counts behind them."""

    facet: str
    n_a: int
    n_d: int
    q_a: float
    q_d: float
    CI: float
    DPL: float
    KL: float
    JS: float

    def as_dict(self) -> dict[str, Any]:
        """The report as a plain dict (JSON-ready)."""
        return asdict(self)


def pretraining_bias(
    df: pd.DataFrame,
    *,
    label: str,
    positive: Hashable | Sequence[Hashable],
    facet: str,
    facet_d: Hashable | Sequence[Hashable],
) -> BiasReport:
    """CI, DPL, KL and JS of ``facet`` in ``df``, as Clarify computes them before training.

    Args:
        df: the training data.
        label: the label column.
        positive: the label value(s) that count as the outcome studied (``churn == 1``).
        facet: the sensitive column (``"age_group"``).
        facet_d: the value(s) of ``facet`` that form facet *d*; every other row is facet *a*.
    """
    for column in (label, facet):
        if column not in df.columns:
            raise LabsError(f"There is no column {column!r}; the columns are {list(df.columns)}.")
    positives = [positive] if isinstance(positive, str | int | float | bool) else list(positive)
    d_values = [facet_d] if isinstance(facet_d, str | int | float | bool) else list(facet_d)
    in_d = df[facet].isin(d_values).to_numpy()
    n_d, n_a = int(in_d.sum()), int((~in_d).sum())
    if n_d == 0 or n_a == 0:
        empty = "d" if n_d == 0 else "a"
        raise LabsError(
            f"Facet {empty} is empty: no row has {facet} "
            f"{'in' if empty == 'd' else 'outside'} {d_values}."
        )
    is_positive = df[label].isin(positives).to_numpy()
    q_a = float(is_positive[~in_d].mean())
    q_d = float(is_positive[in_d].mean())
    p_a, p_d = label_distributions(df[label], in_d)
    return BiasReport(
        facet=facet,
        n_a=n_a,
        n_d=n_d,
        q_a=q_a,
        q_d=q_d,
        CI=class_imbalance(n_a, n_d),
        DPL=difference_in_proportions(q_a, q_d),
        KL=kl_divergence(p_a, p_d),
        JS=js_divergence(p_a, p_d),
    )
