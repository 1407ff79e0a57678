"""Post-training bias metrics of a binary classifier, as SageMaker Clarify defines them.

Clarify's post-training metrics compare a model's predictions for facet *d* (the group
you worry about) with those for facet *a* (everyone else). The definitions follow the
Amazon SageMaker AI documentation ("Post-training Data and Model Bias Metrics") and the
open-source Clarify library (``smclarify``), with ``n`` counts of observed labels and
``n̂`` counts of predicted labels:

==========  ==============================================  ===============================
metric      formula                                         fair value, range
==========  ==============================================  ===============================
DPPL        q̂_a - q̂_d, q̂ = n̂(1) / n                         0, [-1, 1]
DI          q̂_d / q̂_a                                       1, [0, inf)
DCA         c_a - c_d, c = n(1) / n̂(1)                      0 (DCAcc in the docs)
DCR         r_d - r_a, r = n(0) / n̂(0)                      0
RD          recall_a - recall_d, recall = TP / (TP + FN)    0, [-1, 1]
SD          TNR_d - TNR_a, TNR = TN / (TN + FP)             0, [-1, 1]
DAR         precision_a - precision_d = TP/(TP+FP)          0, [-1, 1]
DRR         TN_d/(TN_d+FN_d) - TN_a/(TN_a+FN_a)             0, [-1, 1]
AD          accuracy_a - accuracy_d                         0, [-1, 1]
TE          FN_d / FP_d - FN_a / FP_a                       0
==========  ==============================================  ===============================

A ratio with a zero denominator is infinite (0 when the numerator is 0 too), as in
Clarify. DPPL reuses :func:`labs.eda.bias.difference_in_proportions`, the pre-training
DPL on predicted instead of observed labels. Not computed here: CDDPL (needs a group
variable), FT (a k-nearest-neighbour flip test) and the generalised entropy index.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from labs.eda.bias import difference_in_proportions
from labs.errors import LabsError

__all__ = ["DESCRIPTIONS", "Confusion", "PosttrainingBias", "confusion", "posttraining_bias"]

#: One line per metric, in report order.
DESCRIPTIONS: dict[str, str] = {
    "DPPL": "difference in positive proportions in predicted labels (a - d)",
    "DI": "disparate impact: ratio of predicted positive proportions (d / a)",
    "DCA": "difference in conditional acceptance: observed / predicted positives (a - d)",
    "DCR": "difference in conditional rejection: observed / predicted negatives (d - a)",
    "RD": "recall difference (a - d)",
    "SD": "specificity difference (d - a)",
    "DAR": "difference in acceptance rates: precision (a - d)",
    "DRR": "difference in rejection rates: negative predictive value (d - a)",
    "AD": "accuracy difference (a - d)",
    "TE": "treatment equality: FN/FP ratio (d - a)",
}


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; inf (or 0 for 0/0) when the denominator is 0."""
    if denominator == 0:
        return 0.0 if numerator == 0 else math.copysign(math.inf, numerator)
    return numerator / denominator


def _difference(left: float, right: float) -> float:
    """``left - right``, 0 when both are the same infinity (Clarify's rule)."""
    if math.isinf(left) and left == right:
        return 0.0
    return left - right


@dataclass(frozen=True)
class Confusion:
    """Confusion-matrix counts of one facet."""

    TP: int
    FP: int
    FN: int
    TN: int

    @property
    def n(self) -> int:
        """Rows in the facet."""
        return self.TP + self.FP + self.FN + self.TN

    @property
    def predicted_positive_rate(self) -> float:
        """q̂ = n̂(1) / n: the share the model predicts positive."""
        return _ratio(self.TP + self.FP, self.n)

    @property
    def recall(self) -> float:
        """TP / (TP + FN)."""
        return _ratio(self.TP, self.TP + self.FN)

    @property
    def specificity(self) -> float:
        """TN / (TN + FP)."""
        return _ratio(self.TN, self.TN + self.FP)

    @property
    def precision(self) -> float:
        """TP / (TP + FP): Clarify's acceptance rate."""
        return _ratio(self.TP, self.TP + self.FP)

    @property
    def rejection_rate(self) -> float:
        """TN / (TN + FN): Clarify's rejection rate."""
        return _ratio(self.TN, self.TN + self.FN)

    @property
    def accuracy(self) -> float:
        """(TP + TN) / n."""
        return _ratio(self.TP + self.TN, self.n)


def _as_bool(values: Iterable[Any], positive: Hashable | Sequence[Hashable]) -> np.ndarray:
    """True where a value is (one of) ``positive``."""
    chosen = [positive] if isinstance(positive, str | int | float | bool) else list(positive)
    return pd.Series(list(values)).isin(chosen).to_numpy()


def confusion(
    labels: Sequence[bool] | np.ndarray, predicted: Sequence[bool] | np.ndarray
) -> Confusion:
    """The confusion counts of boolean ``labels`` against boolean ``predicted``."""
    y, p = np.asarray(labels, dtype=bool), np.asarray(predicted, dtype=bool)
    return Confusion(
        TP=int((y & p).sum()),
        FP=int((~y & p).sum()),
        FN=int((y & ~p).sum()),
        TN=int((~y & ~p).sum()),
    )


@dataclass(frozen=True)
class PosttrainingBias:
    """The post-training bias metrics of one facet, with the counts behind them."""

    facet_a: Confusion
    facet_d: Confusion
    DPPL: float
    DI: float
    DCA: float
    DCR: float
    RD: float
    SD: float
    DAR: float
    DRR: float
    AD: float
    TE: float

    def metrics(self) -> dict[str, float]:
        """The metrics by their Clarify short names."""
        return {name: getattr(self, name) for name in DESCRIPTIONS}

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: its value and what it compares."""
        return pd.DataFrame(
            {"value": self.metrics(), "meaning": DESCRIPTIONS}, index=list(DESCRIPTIONS)
        )

    def as_dict(self) -> dict[str, Any]:
        """Everything as a plain dict (JSON-ready)."""
        return asdict(self)


def posttraining_bias(
    labels: Iterable[Any],
    predicted: Iterable[Any],
    in_facet_d: Iterable[bool],
    *,
    positive: Hashable | Sequence[Hashable] = 1,
) -> PosttrainingBias:
    """Clarify's post-training bias metrics for facet *d* against facet *a*.

    Args:
        labels: the observed labels.
        predicted: the predicted labels (after the probability threshold), same values as
            ``labels``.
        in_facet_d: True for the rows of facet *d* (the sensitive group).
        positive: the label value(s) of the outcome studied (churn == 1).
    """
    y = _as_bool(labels, positive)
    p = _as_bool(predicted, positive)
    d = np.asarray(list(in_facet_d), dtype=bool)
    if not len(y) == len(p) == len(d):
        raise LabsError(
            f"labels, predicted and in_facet_d must have one value per row "
            f"({len(y)}, {len(p)} and {len(d)} given)."
        )
    if d.all() or not d.any():
        empty = "a" if d.all() else "d"
        raise LabsError(f"Facet {empty} is empty: both facets need at least one row.")
    a_counts, d_counts = confusion(y[~d], p[~d]), confusion(y[d], p[d])
    q_a, q_d = a_counts.predicted_positive_rate, d_counts.predicted_positive_rate
    c_a = _ratio(a_counts.TP + a_counts.FN, a_counts.TP + a_counts.FP)
    c_d = _ratio(d_counts.TP + d_counts.FN, d_counts.TP + d_counts.FP)
    r_a = _ratio(a_counts.TN + a_counts.FP, a_counts.TN + a_counts.FN)
    r_d = _ratio(d_counts.TN + d_counts.FP, d_counts.TN + d_counts.FN)
    return PosttrainingBias(
        facet_a=a_counts,
        facet_d=d_counts,
        DPPL=difference_in_proportions(q_a, q_d),
        DI=_ratio(q_d, q_a),
        DCA=_difference(c_a, c_d),
        DCR=_difference(r_d, r_a),
        RD=_difference(a_counts.recall, d_counts.recall),
        SD=_difference(d_counts.specificity, a_counts.specificity),
        DAR=_difference(a_counts.precision, d_counts.precision),
        DRR=_difference(d_counts.rejection_rate, a_counts.rejection_rate),
        AD=_difference(a_counts.accuracy, d_counts.accuracy),
        TE=_difference(_ratio(d_counts.FN, d_counts.FP), _ratio(a_counts.FN, a_counts.FP)),
    )
