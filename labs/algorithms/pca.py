"""Local stand-in for the SageMaker built-in PCA (principal component analysis) algorithm.

Sources: the developer guide pages "PCA Hyperparameters", "Principal Component Analysis
(PCA) Algorithm" (input/output interface) and "How PCA Works". PCA has no tuning metrics
on AWS, so the stand-in reports none; it logs the explained variance.

- Image ``.../pca:1``; channels ``train`` (required) and ``test`` (optional, accepted and
  not used, as on AWS).
- Content types ``application/x-recordio-protobuf`` (the default) and ``text/csv``; PCA is
  unsupervised: every CSV column is a feature unless the content type says
  ``label_size=1``.
- ``feature_dim``, ``num_components`` and ``mini_batch_size`` are required.
  ``algorithm_mode`` ``regular`` computes the exact decomposition (scikit-learn ``PCA``
  with the full SVD, or SciPy's SVD when ``subtract_mean`` is false) and ``randomized`` the
  randomized one with ``extra_components`` oversampling (-1 means max(10, num_components));
  ``subtract_mean`` decides whether the data are centred, at training and at inference.
- The artifact ``model_algo-1`` is a joblib file of this kit holding what AWS's holds:
  ``v`` (feature_dim x num_components), ``s`` (singular values) and ``mean``.
  :func:`predict` answers like the endpoint (``{"projection": [...]}`` per row).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import linalg
from sklearn.decomposition import PCA, TruncatedSVD

from labs.algorithms import inputs
from labs.algorithms._common import info, load_model, save_model, stopped
from labs.algorithms.base import (
    AlgorithmSpec,
    Hyperparameter,
    TrainingContext,
    client_error,
    tuning_hyperparameter,
)

NAME = "pca"
TITLE = "PCA"

_H = Hyperparameter
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("feature_dim", "int", required=True, low=1, description="Input dimension."),
    _H("num_components", "int", required=True, low=1, description="Components to compute."),
    _H("mini_batch_size", "int", required=True, low=1, description="Rows per mini-batch."),
    _H("algorithm_mode", "categorical", default="regular", choices=("regular", "randomized")),
    _H("subtract_mean", "bool", default=True),
    _H("extra_components", "int", default=-1, low=-1),
    tuning_hyperparameter(),
)


def _fit(X: np.ndarray, values: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(v, s, mean)``: components as columns, singular values, the mean subtracted."""
    n = values["num_components"]
    randomized = values["algorithm_mode"] == "randomized"
    extra = values["extra_components"]
    oversamples = max(10, n) if extra == -1 else max(extra, 1)
    if values["subtract_mean"]:
        solver = "randomized" if randomized else "full"
        model = PCA(n_components=n, svd_solver=solver, n_oversamples=oversamples, random_state=0)
        model.fit(X)
        return model.components_.T, model.singular_values_, model.mean_
    mean = np.zeros(X.shape[1])
    if randomized:
        model = TruncatedSVD(
            n_components=n, algorithm="randomized", n_oversamples=oversamples, random_state=0
        )
        model.fit(X)
        return model.components_.T, model.singular_values_, mean
    _, s, vt = linalg.svd(X, full_matrices=False)
    return vt[:n].T, s[:n], mean


def train(ctx: TrainingContext) -> None:
    """Compute the principal components of the train channel and save them."""
    SPEC.validate_channels(ctx.channels)
    values = ctx.hyperparameters
    data = inputs.read_channel(ctx.channels["train"], SPEC.content_types, TITLE, label_size=0)
    inputs.check_feature_dim(data, values["feature_dim"], "train", label_hint=True)
    X = data.dense().astype(np.float64)
    n = values["num_components"]
    limit = min(X.shape)
    if n > limit:
        raise client_error(
            f"num_components={n} is larger than min(records, feature_dim) = {limit}: PCA "
            "cannot find more components than that."
        )
    info(
        ctx,
        f"Local stand-in for {TITLE}: {X.shape[0]} records, {X.shape[1]} features, "
        f"{n} components, algorithm_mode={values['algorithm_mode']}",
    )
    if stopped(ctx, "before the decomposition"):
        return
    v, s, mean = _fit(X, values)
    centred = X - mean
    total = float(np.sum(centred**2))
    explained = (s**2) / total if total > 0 else np.zeros_like(s)
    info(ctx, f"Explained variance ratio of the {n} components: {float(explained.sum()):.4f}")
    save_model(
        ctx.model_dir,
        {
            "algorithm": NAME,
            "v": v.astype(np.float32),
            "s": s.astype(np.float32),
            "mean": mean.astype(np.float32),
            "explained_variance_ratio": explained.astype(np.float32),
            "hyperparameters": dict(values),
        },
    )


def load(model_dir: Path) -> dict[str, Any]:
    """The model a training job saved in ``model_dir``."""
    return load_model(model_dir, NAME)


def predict(model: dict[str, Any], X: Any) -> list[dict[str, Any]]:
    """``{"projection": [...]}`` per row: the row (minus the mean) times ``v``."""
    v = np.asarray(model["v"], dtype=np.float64)
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    if X.shape[1] != v.shape[0]:
        raise client_error(f"The request has {X.shape[1]} features but the model has {v.shape[0]}.")
    projected = (X - np.asarray(model["mean"], dtype=np.float64)) @ v
    return [{"projection": [float(x) for x in row]} for row in projected]


SPEC = AlgorithmSpec(
    name=NAME,
    title=TITLE,
    image_repositories=("pca",),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "test": False},
    content_types=(inputs.RECORDIO, inputs.CSV),
    metrics=(),
    train=train,
)
