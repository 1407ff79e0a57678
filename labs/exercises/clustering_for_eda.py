"""Exercises of notebook 02-4-clustering-for-eda: choose k by silhouette, profile a tiny cluster."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from labs.exercises.core import ValueExercise

#: The churn columns the notebook clusters (missing values filled with 0, then standardised).
USAGE_FEATURES: list[str] = [
    "monthly_charges",
    "total_charges",
    "data_usage_gb",
    "day_minutes",
    "evening_minutes",
    "night_minutes",
    "intl_minutes",
    "customer_service_calls",
    "tenure_months",
]

#: The k values the notebook scans on the digits.
DIGITS_KS = range(2, 16)
SEGMENTS_K = 6


@lru_cache(maxsize=1)
def _digits_scan() -> Any:  # pd.DataFrame
    import labs.data
    from labs.eda import clustering

    digits = labs.data.load("digits")
    return clustering.scan_k(digits.drop(columns="label"), DIGITS_KS, seed=0)


def _best_silhouette_k() -> int:
    return int(_digits_scan()["silhouette"].idxmax())


def _k_mistakes(expected: int) -> dict[int, str]:
    from labs.eda import clustering

    scan = _digits_scan()
    reasons = {
        int(scan["inertia"].idxmin()): (
            "That k has the lowest inertia, but inertia always falls as k grows: the lowest "
            "is simply the largest k you tried. Read the silhouette column."
        ),
        clustering.elbow_point(scan.index, scan["inertia"]): (
            "That is the elbow of the inertia curve. The question asks for the k with the "
            "highest silhouette."
        ),
        10: (
            "There are 10 digits, but the question asks what the silhouette says about this "
            "data: take the k with the highest silhouette in the scan."
        ),
        2: "k = 2 has one of the lowest silhouettes here: take the highest one.",
    }
    reasons.pop(expected, None)
    return reasons


q1 = ValueExercise(
    title="Pick k by the silhouette",
    prompt=(
        "From the scan of the digits (k = 2 to 15), give the k with the highest silhouette "
        "score, as an int."
    ),
    expected=_best_silhouette_k,
    rel_tol=0,
    abs_tol=0,
    wrong_answer_reasons=_k_mistakes,
    hints=[
        "The scan table has one row per k, with 'inertia' and 'silhouette' columns.",
        "The highest value of a column is .max(); the row label where it occurs is .idxmax().",
        "int(digits_scan['silhouette'].idxmax())",
    ],
    solution='best_k = int(digits_scan["silhouette"].idxmax())\n',
    explanation=(
        "The elbow, the silhouette and the true number of digits need not agree: they are "
        "aids to a judgement, not answers."
    ),
)


@lru_cache(maxsize=1)
def _segment_profile() -> Any:  # pd.DataFrame, one row per cluster, largest first
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    import labs.data
    from labs.eda import clustering

    churn = labs.data.load("churn")
    usage = churn[USAGE_FEATURES].fillna(0)
    scaled = pd.DataFrame(StandardScaler().fit_transform(usage), columns=USAGE_FEATURES)
    labels = KMeans(n_clusters=SEGMENTS_K, n_init=10, random_state=0).fit_predict(scaled)
    return clustering.cluster_profile(scaled, labels)


def _top_feature(row: Any) -> str:
    return str(row.drop("size").abs().idxmax())


def _feature_of_second_smallest() -> str:
    return _top_feature(_segment_profile().iloc[-2])


def _feature_mistakes(expected: str) -> dict[str, str]:
    profile = _segment_profile()
    smallest = profile.iloc[-1]
    reasons = {
        _top_feature(smallest): (
            f"That sets apart the smallest cluster ({int(smallest['size'])} customers). The "
            "question asks about the second-smallest one."
        ),
        "churn": "churn is not one of the clustered features: read the profile's columns.",
        "size": "size is the cluster's row count, not a feature: look at the feature columns.",
    }
    reasons.pop(expected, None)
    return reasons


q2 = ValueExercise(
    title="What sets a tiny cluster apart",
    prompt=(
        "In the profile of the six churn segments, take the second-smallest cluster and give "
        "the name of the feature whose mean z-score is furthest from 0 (a column name)."
    ),
    expected=_feature_of_second_smallest,
    ignore_case=True,
    wrong_answer_reasons=_feature_mistakes,
    hints=[
        "The profile is sorted largest cluster first, so the second-smallest is .iloc[-2].",
        "Drop the 'size' entry, take absolute values, and find the largest: "
        ".drop('size').abs().idxmax().",
        "profile.iloc[-2].drop('size').abs().idxmax()",
    ],
    solution='tiny_feature = profile.iloc[-2].drop("size").abs().idxmax()\n',
    explanation=(
        "A cluster of a handful of rows sitting many standard deviations out is usually a "
        "data problem or a rare kind of customer: look at its rows before you model."
    ),
)
