"""Clustering as an exploratory tool: scan k (elbow and silhouette), find the elbow, size clusters.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.normal(c, 0.3, size=(50, 2)) for c in (0, 5, 10)])
>>> scan = scan_k(X, range(2, 7))
>>> int(scan["silhouette"].idxmax())          # three blobs: silhouette peaks at k = 3
3
>>> elbow_point(scan.index, scan["inertia"])
3
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from labs.errors import LabsError

__all__ = ["cluster_profile", "cluster_sizes", "elbow_point", "scan_k"]


def _matrix(X: np.ndarray | pd.DataFrame) -> np.ndarray:
    arr = np.asarray(X, dtype=float)
    if arr.ndim != 2 or len(arr) < 3:
        raise LabsError("Give a 2-D table of numbers with at least three rows.")
    if np.isnan(arr).any():
        raise LabsError("The data has missing values: k-means needs them filled (or dropped).")
    return arr


def scan_k(
    X: np.ndarray | pd.DataFrame,
    ks: Iterable[int],
    *,
    seed: int = 0,
    n_init: int = 10,
    silhouette_sample: int | None = None,
) -> pd.DataFrame:
    """Fit k-means for each k; return ``inertia`` and ``silhouette`` indexed by ``k``.

    Inertia is the within-cluster sum of squared distances (what k-means minimises: it
    always falls as k grows, hence the elbow plot). The silhouette, in [-1, 1], compares
    each point's distance to its own cluster with that to the nearest other one: higher is
    better separated. ``silhouette_sample`` scores a seeded random sample of that many
    rows (the silhouette costs O(n^2)).
    """
    arr = _matrix(X)
    ks = sorted(set(ks))
    if not ks or ks[0] < 2 or ks[-1] >= len(arr):
        raise LabsError(f"Each k must be between 2 and {len(arr) - 1}; got {ks}.")
    rows = []
    for k in ks:
        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(arr)
        score = silhouette_score(
            arr, model.labels_, sample_size=silhouette_sample, random_state=seed
        )
        rows.append({"k": k, "inertia": float(model.inertia_), "silhouette": float(score)})
    return pd.DataFrame(rows).set_index("k")


def elbow_point(ks: Sequence[int], inertias: Sequence[float]) -> int:
    """The k of the elbow: the point farthest from the straight line joining the first and
    last points of the (k, inertia) curve, both axes scaled to [0, 1] first."""
    k = np.asarray(list(ks), dtype=float)
    y = np.asarray(list(inertias), dtype=float)
    if len(k) != len(y) or len(k) < 3:
        raise LabsError("An elbow needs at least three (k, inertia) points.")
    x_n = (k - k.min()) / (k.max() - k.min())
    y_n = (y - y.min()) / (y.max() - y.min()) if y.max() > y.min() else np.zeros_like(y)
    # distance to the chord from (x_n[0], y_n[0]) to (x_n[-1], y_n[-1])
    dx, dy = x_n[-1] - x_n[0], y_n[-1] - y_n[0]
    distance = np.abs(dy * (x_n - x_n[0]) - dx * (y_n - y_n[0])) / np.hypot(dx, dy)
    return int(k[int(np.argmax(distance))])


def cluster_sizes(labels: Iterable[int]) -> pd.DataFrame:
    """Rows per cluster (``size``) and their ``share`` of all rows, largest first."""
    counts = pd.Series(list(labels)).value_counts()
    if counts.empty:
        raise LabsError("There are no cluster labels to count.")
    counts.index.name = "cluster"
    return pd.DataFrame({"size": counts, "share": counts / counts.sum()})


def cluster_profile(scaled: pd.DataFrame, labels: Iterable[int]) -> pd.DataFrame:
    """Mean of each (standardised) feature per cluster, with the cluster's size: one row per
    cluster, largest first. On z-scores, a mean far from 0 is what sets a cluster apart."""
    labels = list(labels)
    if len(labels) != len(scaled):
        raise LabsError(f"{len(labels)} labels for {len(scaled)} rows: give one label per row.")
    means = scaled.groupby(np.asarray(labels)).mean()
    sizes = cluster_sizes(labels)["size"]
    means.index.name = "cluster"
    return means.assign(size=sizes).sort_values("size", ascending=False)
