"""Exercises of notebook 03-5-imbalance-and-augmentation: XGBoost's ``scale_pos_weight``
for the training split, and under-sampling that touches the training split only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labs.exercises.core import CheckResult, CustomExercise, ValueExercise
from labs.features import imbalance, leakage


def _split() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    X, y = imbalance.churn_features()
    return imbalance.churn_split(X, y)


def _train_weight() -> float:
    return imbalance.scale_pos_weight(_split()[2])


def _weight_mistakes(expected: float) -> list[tuple[float, str]]:
    _, _, y_train, y_test = _split()
    _, y_all = imbalance.churn_features()
    positives, negatives = int(y_train.sum()), int((y_train == 0).sum())
    return [
        (
            positives / negatives,
            "That is positives over negatives, the inverse: the weight multiplies the "
            "positive (rare) class, so it must be above 1 here.",
        ),
        (
            positives / len(y_train),
            "That is the share of churners in the training split, not a weight: divide "
            "the count of negatives by the count of positives.",
        ),
        (
            imbalance.scale_pos_weight(y_all),
            "Close, but that uses all 5,000 customers: compute it from y_train only. "
            "Anything you learn from the test split leaks into the model.",
        ),
        (
            imbalance.scale_pos_weight(y_test),
            "That comes from the test split: compute it from y_train.",
        ),
    ]


q1 = ValueExercise(
    title="scale_pos_weight for the training split",
    prompt=(
        "Compute the value the SageMaker AI XGBoost docs suggest for scale_pos_weight, "
        "sum(negative cases) / sum(positive cases), from the training labels y_train."
    ),
    expected=_train_weight,
    rel_tol=1e-4,
    abs_tol=0,
    wrong_answer_reasons=_weight_mistakes,
    hints=[
        "Negative cases are the customers who stay (churn == 0); positive ones churn (1).",
        "(y_train == 0).sum() counts the negatives; y_train.sum() counts the positives.",
        "Divide the first by the second; use y_train, not y or y_test.",
    ],
    solution="weight = (y_train == 0).sum() / (y_train == 1).sum()\n",
    explanation=(
        "With that weight the churners' total weight in the loss equals the stayers': "
        "the model stops treating a missed churner as cheap."
    ),
)


def _as_pair(answer: Any) -> tuple[Any, Any]:
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise ValueError("pair")
    return answer[0], answer[1]


def _check_undersampled(answer: Any) -> CheckResult:
    try:
        X_res, y_res = _as_pair(answer)
    except ValueError:
        return CheckResult.fail(
            "Give the pair fit_resample returns: (X_under, y_under), in that order."
        )
    X_train, X_test, y_train, _ = _split()
    y_values = np.asarray(y_res)
    if y_values.ndim != 1 or len(y_values) != len(X_res):
        return CheckResult.fail("y_under must hold one label for each row of X_under.")
    if not np.isin(y_values, (0, 1)).all():
        return CheckResult.fail("y_under must hold the churn labels, 0 and 1.")
    leaked = leakage.shared_rows(X_test, X_res)
    if leaked:
        return CheckResult.fail(
            f"{leaked} rows of X_under are rows of the test split: you resampled before "
            "splitting, or resampled X. Resample X_train and y_train only."
        )
    hashes = leakage.row_hashes(X_res, X_train.columns)
    unknown = int((~hashes.isin(set(leakage.row_hashes(X_train)))).sum())
    if unknown:
        return CheckResult.fail(
            f"{unknown} rows of X_under are not rows of X_train: under-sampling keeps real "
            "rows and only drops some (SMOTE makes new ones; imputing or scaling first "
            "changes them). Resample X_train as it is."
        )
    copies = int(hashes.duplicated().sum())
    if copies:
        return CheckResult.fail(
            f"X_under repeats {copies} rows: that is over-sampling (copies of the minority). "
            "Under-sampling drops majority rows instead: RandomUnderSampler."
        )
    positives, negatives = int((y_values == 1).sum()), int((y_values == 0).sum())
    if positives != negatives:
        return CheckResult.fail(
            f"X_under has {negatives} stayers and {positives} churners: not balanced 1:1."
        )
    if positives != int(y_train.sum()):
        return CheckResult.fail(
            f"X_under keeps {positives} of the {int(y_train.sum())} churners of the training "
            "split: random under-sampling keeps every minority row."
        )
    return CheckResult.ok(
        f"{positives} churners and {negatives} stayers, all from the training split, none "
        f"from the test split: {len(X_train) - len(X_res)} stayers were dropped."
    )


def _reference_undersampled() -> tuple[pd.DataFrame, pd.Series]:
    from imblearn.under_sampling import RandomUnderSampler

    X_train, _, y_train, _ = _split()
    return RandomUnderSampler(random_state=0).fit_resample(X_train, y_train)


def _typical_wrong_undersampled() -> list[Any]:
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    X, y = imbalance.churn_features()
    X_train, _, y_train, _ = _split()
    half = RandomUnderSampler(sampling_strategy=0.5, random_state=0)
    filled = X_train.fillna(X_train.median())
    return [
        RandomUnderSampler(random_state=0).fit_resample(X, y),  # before the split: leaks
        (X_train, y_train),  # not resampled
        RandomOverSampler(random_state=0).fit_resample(X_train, y_train),  # copies
        SMOTE(random_state=0).fit_resample(filled, y_train),  # synthetic rows
        half.fit_resample(X_train, y_train),  # 2 stayers per churner
        (X_train.head(10), y_train.head(5)),  # lengths differ
        42,
    ]


q2 = CustomExercise(
    title="Under-sample the training split, and only it",
    prompt=(
        "Balance the training split 1:1 with imbalanced-learn's RandomUnderSampler "
        "(random_state=0) and give the check the pair (X_under, y_under)."
    ),
    check=_check_undersampled,
    hints=[
        "from imblearn.under_sampling import RandomUnderSampler",
        "fit_resample(X, y) returns the resampled pair; call it on the training split.",
        "RandomUnderSampler(random_state=0).fit_resample(X_train, y_train)",
    ],
    solution=(
        "from imblearn.under_sampling import RandomUnderSampler\n\n"
        "X_under, y_under = RandomUnderSampler(random_state=0).fit_resample(X_train, y_train)\n"
    ),
    explanation=(
        "The test split keeps the real 18.5% churn rate: the scores you report are the ones "
        "production will see."
    ),
    reference=_reference_undersampled,
    typical_wrong=_typical_wrong_undersampled,
)
