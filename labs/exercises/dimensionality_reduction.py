"""Exercises of notebook 03-4-dimensionality-reduction: components for 95 %, and VIF."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from labs.exercises.core import ValueExercise
from labs.features.churn_numeric import NUMERIC_COLUMNS

#: The churn columns whose multicollinearity the notebook measures (missing -> median):
#: the numeric features and the survey's satisfaction score.
VIF_FEATURES: list[str] = [*NUMERIC_COLUMNS, "satisfaction_score"]


@lru_cache(maxsize=1)
def _cumulative_variance() -> Any:  # np.ndarray
    import numpy as np
    from sklearn.decomposition import PCA

    import labs.data

    pixels = labs.data.load("digits").drop(columns="label").to_numpy(dtype=float)
    return np.cumsum(PCA().fit(pixels).explained_variance_ratio_)


def _components_for(share: float) -> int:
    import numpy as np

    return int(np.searchsorted(_cumulative_variance(), share) + 1)


def _components_mistakes(expected: int) -> dict[Any, str]:
    reasons = {
        expected - 1: (
            "One short: that many components keep just under 95 %. The index where the "
            "cumulative share first reaches 0.95 starts at 0; the count is that index + 1."
        ),
        _components_for(0.90): "That keeps 90 % of the variance, not 95 %.",
        64: "64 keeps everything: the question asks for the fewest components with 95 %.",
        0.95: "0.95 is the share to reach; give the number of components, an int.",
    }
    reasons.pop(expected, None)
    return reasons


q1 = ValueExercise(
    title="Components for 95 % of the variance",
    prompt=(
        "Fit PCA with all components on the 64 digit pixels (unscaled) and give the fewest "
        "components whose explained variance adds up to at least 95 %."
    ),
    expected=lambda: _components_for(0.95),
    rel_tol=0,
    abs_tol=0,
    wrong_answer_reasons=_components_mistakes,
    hints=[
        "PCA().fit(pixels).explained_variance_ratio_ gives each component's share.",
        "np.cumsum(...) adds them up; find the first position where the sum reaches 0.95.",
        "int(np.searchsorted(np.cumsum(ratios), 0.95) + 1): positions start at 0, counts at 1.",
    ],
    solution=(
        "ratios = PCA().fit(pixels).explained_variance_ratio_\n"
        "n_95 = int(np.searchsorted(np.cumsum(ratios), 0.95) + 1)\n"
    ),
    explanation=(
        "PCA(n_components=0.95) in scikit-learn picks the same number for you; the SageMaker "
        "AI PCA algorithm instead takes num_components as a required hyperparameter."
    ),
)


@lru_cache(maxsize=1)
def _vif_table() -> Any:  # pd.Series
    import labs.data
    from labs.features.vif import vif

    churn = labs.data.load("churn")
    numeric = churn[VIF_FEATURES].fillna(churn[VIF_FEATURES].median())
    return vif(numeric)


def _highest_vif() -> str:
    return str(_vif_table().idxmax())


def _vif_mistakes(expected: str) -> dict[str, str]:
    table = _vif_table()
    second = str(table.index[1])
    reasons = {
        second: (
            f"{second} has the second-highest VIF: it is the partner of the feature you are "
            "looking for. Take the highest."
        ),
        "total_minutes": (
            "total_minutes was dropped already: the question asks about the table without it."
        ),
        str(
            table.idxmin()
        ): "That feature has the lowest VIF: the other features explain it least.",
    }
    reasons.pop(expected, None)
    return reasons


q2 = ValueExercise(
    title="The highest VIF once the exact sum is gone",
    prompt=(
        "Compute the VIF of the churn features in VIF_FEATURES (missing values filled with each "
        "column's median, no total_minutes) and give the name of the feature with the highest VIF."
    ),
    expected=_highest_vif,
    ignore_case=True,
    wrong_answer_reasons=_vif_mistakes,
    hints=[
        "vif(frame) from labs.features.vif returns one VIF per column, highest first.",
        "Fill the missing values first: churn[VIF_FEATURES].fillna(churn[VIF_FEATURES].median()).",
        "vif(numeric).idxmax() is the name of the column with the highest VIF.",
    ],
    solution=(
        "numeric = churn[VIF_FEATURES].fillna(churn[VIF_FEATURES].median())\n"
        "top_vif_feature = vif(numeric).idxmax()\n"
    ),
    explanation=(
        "A VIF around 4 is moderate: the total charges are largely tenure times the monthly "
        "charge. Linear models and their coefficients suffer most; trees mind less."
    ),
)
