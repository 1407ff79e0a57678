"""Numbers that judge unsupervised models: explained variance, purity, anomaly thresholds.

- :func:`explained_variance_ratio`: each PCA component's share of the data's total
  variance, from the projections an endpoint or a batch transform returns (so it works on
  AWS too, where the model artifact is an MXNet file).
- :func:`components_for`: the fewest components whose shares add up to a target.
- :func:`cluster_purity`: the share of points whose cluster's majority label is theirs.
- :func:`sigma_threshold` and :func:`precision_recall`: the "mean plus k standard
  deviations" cut-off on anomaly scores ("RCF Response Formats" and "How RCF Works" in
  the SageMaker AI developer guide) and how well the flags match labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "cluster_purity",
    "components_for",
    "explained_variance_ratio",
    "precision_recall",
    "sigma_threshold",
]


def explained_variance_ratio(projections: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Variance of each projection column divided by the total variance of ``data``.

    ``projections`` (rows x components) are the centred data times the components, as PCA
    with ``subtract_mean=true`` returns them; the ratios are in the model's component order.
    """
    projections = np.asarray(projections, dtype=float)
    total = float(np.var(np.asarray(data, dtype=float), axis=0).sum())
    if total == 0:
        raise ValueError("the data have no variance: every row is the same")
    return np.var(projections, axis=0) / total


def components_for(ratios: Sequence[float] | np.ndarray, share: float) -> int:
    """The fewest leading components (largest first) whose ratios sum to at least ``share``.

    Raises ValueError when all of them together explain less than ``share``.
    """
    ordered = np.sort(np.asarray(ratios, dtype=float))[::-1]
    cumulative = np.cumsum(ordered)
    if cumulative.size == 0 or cumulative[-1] < share - 1e-12:
        raise ValueError(
            f"the {ordered.size} components explain {cumulative[-1] if ordered.size else 0:.3f}"
            f" of the variance, less than {share}: compute more components"
        )
    return int(np.searchsorted(cumulative, share - 1e-12) + 1)


def cluster_purity(
    labels: Sequence[int] | np.ndarray, clusters: Sequence[int] | np.ndarray
) -> float:
    """Share of points whose label is the most common label of their cluster (1.0 = pure)."""
    labels = np.asarray(labels)
    clusters = np.asarray(clusters)
    if labels.shape != clusters.shape or labels.size == 0:
        raise ValueError("labels and clusters must be non-empty and of the same length")
    agree = 0
    for cluster in np.unique(clusters):
        _, counts = np.unique(labels[clusters == cluster], return_counts=True)
        agree += int(counts.max())
    return agree / labels.size


def sigma_threshold(scores: Sequence[float] | np.ndarray, k: float = 3.0) -> float:
    """``mean + k * std`` of ``scores`` (population standard deviation)."""
    values = np.asarray(scores, dtype=float)
    return float(values.mean() + k * values.std())


def precision_recall(
    flags: Sequence[bool] | np.ndarray, labels: Sequence[int] | np.ndarray
) -> tuple[float, float]:
    """Precision and recall of boolean ``flags`` against 0/1 ``labels`` (0.0 when undefined)."""
    flags = np.asarray(flags, dtype=bool)
    truth = np.asarray(labels).astype(bool)
    hits = float(np.sum(flags & truth))
    precision = hits / flags.sum() if flags.sum() else 0.0
    recall = hits / truth.sum() if truth.sum() else 0.0
    return precision, recall
