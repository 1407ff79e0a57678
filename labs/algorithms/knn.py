"""Local stand-in for the SageMaker built-in k-nearest-neighbors (k-NN) algorithm.

Sources: the developer guide pages "K-Nearest Neighbors Hyperparameters", "Tune a k-NN
Model" (metrics ``test:accuracy`` and ``test:mse``), "Data Formats for k-NN Training
Input" and "How the k-NN Algorithm Works".

As on AWS, training samples ``sample_size`` records of the train channel, optionally
reduces their dimension (``dimension_reduction_type`` ``sign``: a random projection with
random signs; ``fjlt``: here a Gaussian random projection, the dense cousin of the fast
Johnson-Lindenstrauss transform), and builds an index; inference answers with the
majority label (classifier) or the mean label (regressor) of the ``k`` nearest sampled
points. scikit-learn's ``KNeighborsClassifier`` / ``KNeighborsRegressor`` and
``random_projection`` do the work. The index is always exact (brute-force or tree
search): ``index_type`` ``faiss.IVFFlat`` and ``faiss.IVFPQ`` are accepted and searched
exactly, which gives the answers ``faiss.Flat`` would. ``index_metric`` ``L2`` and
``COSINE`` map to Euclidean and cosine distance, ``INNER_PRODUCT`` ranks by largest dot
product.

- Image ``.../knn:1``; channels ``train`` (required) and ``test`` (optional, reports
  ``test:accuracy`` for a classifier, ``test:mse`` for a regressor).
- Content types ``application/x-recordio-protobuf`` (the default) and
  ``text/csv;label_size=1`` (the label first).
- ``k``, ``feature_dim``, ``predictor_type`` and ``sample_size`` are required;
  ``dimension_reduction_target`` is required with ``dimension_reduction_type``.
- The artifact ``model_algo-1`` is a joblib file of this kit (AWS stores a faiss index);
  :func:`predict` answers like the endpoint (``{"predicted_label": ...}`` per row).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn import metrics as skm
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

from labs.algorithms import inputs
from labs.algorithms._common import info, load_model, quality_metric, report, save_model, stopped
from labs.algorithms.base import (
    AlgorithmSpec,
    Hyperparameter,
    TrainingContext,
    client_error,
    tuning_hyperparameter,
)

NAME = "knn"
TITLE = "k-NN"
PQ_M = (1, 2, 3, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 96)

_H = Hyperparameter
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("feature_dim", "int", required=True, low=1, description="Number of features."),
    _H("k", "int", required=True, low=1, description="Number of nearest neighbours."),
    _H("predictor_type", "categorical", required=True, choices=("classifier", "regressor")),
    _H("sample_size", "int", required=True, low=1, description="Training records sampled."),
    _H("mini_batch_size", "int", default=5000, low=1),
    _H("dimension_reduction_type", "categorical", choices=("sign", "fjlt")),
    _H("dimension_reduction_target", "int", low=1),
    _H(
        "index_type",
        "categorical",
        default="faiss.Flat",
        choices=("faiss.Flat", "faiss.IVFFlat", "faiss.IVFPQ"),
    ),
    _H("index_metric", "categorical", default="L2", choices=("L2", "INNER_PRODUCT", "COSINE")),
    _H("faiss_index_ivf_nlists", "int", default="auto", low=1, choices=("auto",)),
    _H("faiss_index_pq_m", "categorical", choices=tuple(str(m) for m in PQ_M)),
    tuning_hyperparameter(),
)

METRICS = (
    quality_metric("test:accuracy", "accuracy", "Maximize", loss=False),
    quality_metric("test:mse", "mse", "Minimize", loss=True),
)


def _check(values: dict[str, Any]) -> None:
    kind = values["dimension_reduction_type"]
    target = values["dimension_reduction_target"]
    if kind is not None and target is None:
        raise client_error(
            "Hyperparameter dimension_reduction_target is required when "
            "dimension_reduction_type is set."
        )
    if target is not None and not 0 < target < values["feature_dim"]:
        raise client_error(
            f"Hyperparameter dimension_reduction_target: {target} is not valid: expected a "
            f"number between 0 and feature_dim ({values['feature_dim']}), exclusive"
        )
    if values["index_type"] == "faiss.IVFPQ" and values["index_metric"] != "L2":
        raise client_error(
            "index_metric INNER_PRODUCT and COSINE are not supported with index_type faiss.IVFPQ."
        )


def _read(ctx: TrainingContext, name: str, values: dict[str, Any]) -> inputs.Dataset:
    data = inputs.read_channel(ctx.channels[name], SPEC.content_types, TITLE, label_size=1)
    if data.y is None:
        raise client_error(
            f"The {name} channel has no labels: k-NN needs the label in the first CSV column "
            "(text/csv;label_size=1) or in each record's label."
        )
    inputs.check_feature_dim(data, values["feature_dim"], name, label_hint=True)
    return data


def _projection(values: dict[str, Any]) -> Any:
    kind = values["dimension_reduction_type"]
    if kind is None:
        return None
    target = values["dimension_reduction_target"]
    if kind == "sign":
        return SparseRandomProjection(n_components=target, density=1.0, random_state=0)
    return GaussianRandomProjection(n_components=target, random_state=0)


def _model(values: dict[str, Any], rows: int) -> Any:
    k = min(values["k"], rows)
    metric = {"L2": "euclidean", "COSINE": "cosine", "INNER_PRODUCT": "precomputed"}[
        values["index_metric"]
    ]
    options = {"n_neighbors": k, "metric": metric}
    if values["predictor_type"] == "classifier":
        return KNeighborsClassifier(**options)
    return KNeighborsRegressor(**options)


def _features(model: dict[str, Any], X: np.ndarray) -> np.ndarray:
    """Project ``X`` as at training; for INNER_PRODUCT, distances to the sample instead."""
    if model["projection"] is not None:
        X = model["projection"].transform(X)
    if model["index_metric"] == "INNER_PRODUCT":
        products = X @ model["sample"].T
        return products.max() - products
    return X


def train(ctx: TrainingContext) -> None:
    """Sample the train channel, build the neighbour index, score the test channel, save."""
    SPEC.validate_channels(ctx.channels)
    values = ctx.hyperparameters
    data = _read(ctx, "train", values)
    X = data.dense().astype(np.float64)
    y = data.y.astype(np.float64)
    rng = np.random.default_rng(0)
    size = min(values["sample_size"], X.shape[0])
    rows = np.sort(rng.choice(X.shape[0], size=size, replace=False))
    X, y = X[rows], y[rows]
    info(
        ctx,
        f"Local stand-in for {TITLE}: sampled {size} of {data.rows} records, "
        f"{X.shape[1]} features, k={values['k']}, {values['predictor_type']}",
    )
    if stopped(ctx, "before building the index"):
        return
    projection = _projection(values)
    if projection is not None:
        X = projection.fit_transform(X)
        info(ctx, f"Reduced the dimension to {X.shape[1]} ({values['dimension_reduction_type']})")
    model = {
        "algorithm": NAME,
        "predictor_type": values["predictor_type"],
        "index_metric": values["index_metric"],
        "projection": projection,
        "sample": X,
        "feature_dim": values["feature_dim"],
        "hyperparameters": dict(values),
    }
    estimator = _model(values, size)
    labels = y.astype(int) if values["predictor_type"] == "classifier" else y
    training = (X @ X.T).max() - X @ X.T if values["index_metric"] == "INNER_PRODUCT" else X
    estimator.fit(training, labels)
    model["estimator"] = estimator
    if "test" in ctx.channels:
        test = _read(ctx, "test", values)
        predicted = estimator.predict(_features(model, test.dense().astype(np.float64)))
        if values["predictor_type"] == "classifier":
            value = float(skm.accuracy_score(test.y.astype(int), predicted))
            info(ctx, f"#test_score (algo-1) : ('accuracy', {value!r})")
            report(ctx, "test:accuracy", "accuracy", value, loss=False)
        else:
            value = float(skm.mean_squared_error(test.y, predicted))
            info(ctx, f"#test_score (algo-1) : ('mse', {value!r})")
            report(ctx, "test:mse", "mse", value, loss=True)
    save_model(ctx.model_dir, model)


def load(model_dir: Path) -> dict[str, Any]:
    """The model a training job saved in ``model_dir``."""
    return load_model(model_dir, NAME)


def predict(model: dict[str, Any], X: Any) -> list[dict[str, Any]]:
    """``{"predicted_label": v}`` per row, like the k-NN endpoint's JSON response."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    if X.shape[1] != model["feature_dim"]:
        raise client_error(
            f"The request has {X.shape[1]} features but the model has {model['feature_dim']}."
        )
    predicted = model["estimator"].predict(_features(model, X))
    return [{"predicted_label": float(v)} for v in predicted]


SPEC = AlgorithmSpec(
    name=NAME,
    title=TITLE,
    image_repositories=("knn",),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "test": False},
    content_types=(inputs.RECORDIO, inputs.CSV),
    metrics=METRICS,
    train=train,
    check=_check,
)
