"""Class imbalance on the churn data: the feature matrix, the split, the weights, the scores.

The lab on imbalance (03-5) and its exercises share these, so the notebook and the checks
work on the very same split:

- :func:`churn_features`: the churn table as numbers (one-hot categories, NaN kept, so
  that imputation can be fitted on the training split alone);
- :func:`churn_split`: a stratified 80/20 split with a fixed seed;
- :func:`scale_pos_weight`: XGBoost's ``scale_pos_weight`` for a 0/1 label, the count of
  negatives over the count of positives (SageMaker AI Developer Guide, "XGBoost
  hyperparameters": "a typical value to consider: sum(negative cases) / sum(positive
  cases)");
- :func:`threshold_scores`: precision, recall and F1 of scores cut at a threshold.

>>> scale_pos_weight([0, 0, 0, 1])
3.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = [
    "SPLIT_SEED",
    "TEST_SIZE",
    "churn_features",
    "churn_split",
    "scale_pos_weight",
    "threshold_scores",
]

#: The split every part of lab 03-5 uses: 20% test, stratified, this seed.
SPLIT_SEED = 0
TEST_SIZE = 0.2


def churn_features() -> tuple[pd.DataFrame, pd.Series]:
    """The churn data as a numeric matrix ``X`` and the 0/1 label ``y``.

    ``customer_id`` (an identifier) is dropped; every text column is one-hot encoded
    (``pandas.get_dummies``, 0/1 columns); every column is float; missing numbers stay NaN.
    """
    from labs import data

    frame = data.load("churn")
    y = frame.pop("churn").astype(int)
    X = pd.get_dummies(frame.drop(columns=["customer_id"]), dtype=float).astype(float)
    return X, y


def churn_split(
    X: pd.DataFrame, y: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """``X_train, X_test, y_train, y_test``: stratified, ``TEST_SIZE``, ``SPLIT_SEED``."""
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=SPLIT_SEED)


def _labels(y: Sequence[int] | pd.Series | np.ndarray) -> np.ndarray:
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.size == 0:
        raise LabsError("Give the labels as a non-empty 1-D list, array or Series of 0 and 1.")
    if not np.isin(labels, (0, 1)).all():
        raise LabsError("The labels must be 0 (negative) and 1 (positive) only.")
    return labels.astype(int)


def scale_pos_weight(y: Sequence[int] | pd.Series | np.ndarray) -> float:
    """Negatives over positives of a 0/1 label: the weight that balances the two classes."""
    labels = _labels(y)
    positives = int(labels.sum())
    if positives == 0:
        raise LabsError("There is no positive (1) label, so there is nothing to weight up.")
    return float((labels.size - positives) / positives)


def threshold_scores(
    y_true: Sequence[int] | pd.Series | np.ndarray,
    y_score: Sequence[float] | np.ndarray,
    threshold: float = 0.5,
) -> dict[str, float]:
    """Precision, recall and F1 of the positive class when ``y_score >= threshold`` is 1.

    Also ``flagged``: the share of rows predicted positive. A class with no predicted
    positive has precision 0 (scikit-learn's ``zero_division=0``).
    """
    from sklearn.metrics import f1_score, precision_score, recall_score

    labels = _labels(y_true)
    scores = np.asarray(y_score, dtype=float)
    if scores.shape != labels.shape:
        raise LabsError(f"{scores.size} scores for {labels.size} labels: give one per row.")
    predicted = (scores >= threshold).astype(int)
    return {
        "precision": float(precision_score(labels, predicted, zero_division=0)),
        "recall": float(recall_score(labels, predicted, zero_division=0)),
        "f1": float(f1_score(labels, predicted, zero_division=0)),
        "flagged": float(predicted.mean()),
    }
