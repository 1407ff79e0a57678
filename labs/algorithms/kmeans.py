"""Local stand-in for the SageMaker built-in k-means algorithm.

Sources: the developer guide pages "K-Means Hyperparameters", "Tune a K-Means Model"
(metrics ``test:msd`` and ``test:ssd``), "K-Means Algorithm" (input/output interface) and
"How K-Means Clustering Works".

Like SageMaker's, training has two stages: a streaming mini-batch k-means over
``epochs`` passes of the data that keeps ``k * extra_center_factor`` centres, then a
local Lloyd's k-means on those centres (weighted by the points they hold) that reduces
them to ``k`` (``local_lloyd_*`` hyperparameters). Both stages are scikit-learn
(``MiniBatchKMeans``, ``KMeans``).

- Image ``.../kmeans:1``; channels ``train`` (required) and ``test`` (optional, scored
  with ``eval_metrics``: ``msd`` mean and ``ssd`` sum of squared distances to the closest
  centre, logged as ``#quality_metric: host=algo-1, test msd <loss>=...``).
- Content types ``application/x-recordio-protobuf`` (the default) and ``text/csv``. k-means
  is unsupervised: every CSV column is a feature unless the content type says
  ``label_size=1``, and labels in RecordIO records are ignored.
- ``k`` and ``feature_dim`` are required; ``feature_dim`` must match the data.
  ``half_life_time_size`` is accepted but not modelled.
- The artifact ``model_algo-1`` holds the ``k`` centres in a joblib file of this kit (AWS
  stores an MXNet NDArray); :func:`predict` answers like the endpoint
  (``closest_cluster``, ``distance_to_cluster``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from labs.algorithms import inputs
from labs.algorithms._common import info, load_model, quality_metric, report, save_model, stopped
from labs.algorithms.base import (
    AlgorithmSpec,
    Hyperparameter,
    TrainingContext,
    client_error,
    tuning_hyperparameter,
)

NAME = "kmeans"
TITLE = "K-Means"
INITS = ("random", "kmeans++")

_H = Hyperparameter
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("k", "int", required=True, low=1, description="Number of clusters."),
    _H("feature_dim", "int", required=True, low=1, description="Number of features."),
    _H("mini_batch_size", "int", default=5000, low=1),
    _H("init_method", "categorical", default="random", choices=INITS),
    _H("extra_center_factor", "int", default="auto", low=1, choices=("auto",)),
    _H("local_lloyd_max_iter", "int", default=300, low=1),
    _H("local_lloyd_tol", "float", default=0.0001, low=0, high=1),
    _H("local_lloyd_init_method", "categorical", default="kmeans++", choices=INITS),
    _H("local_lloyd_num_trials", "int", default="auto", low=1, choices=("auto",)),
    _H("half_life_time_size", "int", default=0, low=0),
    _H("epochs", "int", default=1, low=1),
    _H("eval_metrics", "list", default=("msd",), choices=("msd", "ssd")),
    tuning_hyperparameter(),
)

METRICS = (
    quality_metric("test:msd", "msd", "Minimize", loss=True),
    quality_metric("test:ssd", "ssd", "Minimize", loss=True),
)


def _sklearn_init(method: str) -> str:
    return "k-means++" if method == "kmeans++" else "random"


def _read(ctx: TrainingContext, name: str, feature_dim: int) -> np.ndarray:
    data = inputs.read_channel(ctx.channels[name], SPEC.content_types, TITLE, label_size=0)
    inputs.check_feature_dim(data, feature_dim, name, label_hint=True)
    return data.dense().astype(np.float64)


def train(ctx: TrainingContext) -> None:
    """Cluster the train channel into ``k`` centres, score the test channel, save the centres."""
    SPEC.validate_channels(ctx.channels)
    values = ctx.hyperparameters
    k = values["k"]
    X = _read(ctx, "train", values["feature_dim"])
    if X.shape[0] < k:
        raise client_error(f"k={k} is larger than the number of training records ({X.shape[0]}).")
    factor = values["extra_center_factor"]
    extra = k * (10 if factor == "auto" else factor)
    extra = max(k, min(extra, X.shape[0]))
    batch = min(values["mini_batch_size"], X.shape[0])
    info(ctx, f"Local stand-in for {TITLE}: {X.shape[0]} records, {X.shape[1]} features, k={k}")
    if values["half_life_time_size"]:
        info(ctx, "half_life_time_size is not modelled by the local stand-in: ignored.")
    streaming = MiniBatchKMeans(
        n_clusters=extra,
        init=_sklearn_init(values["init_method"]),
        batch_size=batch,
        n_init=1,
        random_state=0,
    )
    rng = np.random.default_rng(0)
    for epoch in range(values["epochs"]):
        if stopped(ctx, f"before epoch {epoch}"):
            if epoch == 0:
                return
            break
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch):
            rows = order[start : start + batch]
            if start == 0 and epoch == 0 and rows.size < extra:
                rows = order[: max(extra, batch)]
            streaming.partial_fit(X[rows])
        info(ctx, f"#progress_metric: host=algo-1, completed {epoch + 1} epoch(s)")
    counts = np.bincount(streaming.predict(X), minlength=extra).astype(np.float64)
    used = counts > 0
    centers, weights = streaming.cluster_centers_[used], counts[used]
    trials = values["local_lloyd_num_trials"]
    local = KMeans(
        n_clusters=min(k, len(centers)),
        init=_sklearn_init(values["local_lloyd_init_method"]),
        n_init=3 if trials == "auto" else trials,
        max_iter=values["local_lloyd_max_iter"],
        tol=values["local_lloyd_tol"],
        random_state=0,
    ).fit(centers, sample_weight=weights)
    final = local.cluster_centers_
    info(ctx, f"Reduced {len(centers)} centres to {len(final)} with local Lloyd's k-means")
    if "test" in ctx.channels:
        test = _read(ctx, "test", values["feature_dim"])
        distances = _distances(final, test).min(axis=1)
        for metric in values["eval_metrics"]:
            value = float(np.mean(distances)) if metric == "msd" else float(np.sum(distances))
            info(ctx, f"#test_score (algo-1) : ('{metric}', {value!r})")
            report(ctx, f"test:{metric}", metric, value, loss=True)
    save_model(
        ctx.model_dir,
        {"algorithm": NAME, "centers": final.astype(np.float32), "hyperparameters": dict(values)},
    )


def _distances(centers: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, rows of ``X`` by centres."""
    return (
        np.sum(X**2, axis=1)[:, None] - 2 * X @ centers.T + np.sum(centers**2, axis=1)[None, :]
    ).clip(min=0)


def load(model_dir: Path) -> dict[str, Any]:
    """The model a training job saved in ``model_dir``."""
    return load_model(model_dir, NAME)


def predict(model: dict[str, Any], X: Any) -> list[dict[str, Any]]:
    """``{"closest_cluster": i, "distance_to_cluster": d}`` per row, like the endpoint."""
    centers = np.asarray(model["centers"], dtype=np.float64)
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    if X.shape[1] != centers.shape[1]:
        raise client_error(
            f"The request has {X.shape[1]} features but the model has {centers.shape[1]}."
        )
    squared = _distances(centers, X)
    closest = squared.argmin(axis=1)
    return [
        {"closest_cluster": float(c), "distance_to_cluster": float(np.sqrt(squared[i, c]))}
        for i, c in enumerate(closest)
    ]


SPEC = AlgorithmSpec(
    name=NAME,
    title=TITLE,
    image_repositories=("kmeans",),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "test": False},
    content_types=(inputs.RECORDIO, inputs.CSV),
    metrics=METRICS,
    train=train,
)
