"""Local stand-in for the SageMaker built-in Random Cut Forest (RCF) anomaly detector.

Sources: the developer guide pages "RCF Hyperparameters", "Tune an RCF Model" (metric
``test:f1``), "Random Cut Forest (RCF) Algorithm" (input/output interface), "How RCF
Works" and "RCF Response Formats".

**This is not a Random Cut Forest.** It is scikit-learn's ``IsolationForest``, a
different but closely related tree-ensemble anomaly detector: both build each tree on a
random sample of the data (``num_samples_per_tree``) by random cuts, and both call a
point anomalous when few cuts isolate it. The maintained Python RCF packages on PyPI are
either unmaintained pure Python (``rrcf``, last release 2023, and too slow to score tens
of thousands of rows in a notebook) or compiled bindings (``krcf``), so the kit uses
the scikit-learn detector it already depends on.

The score has RCF's meaning and scale: higher is more anomalous, about 1 for an ordinary
point and several times that for an outlier. It is computed from the Isolation Forest's
average isolation depth ``E[h]`` as ``c(n) / E[h]`` (with ``c(n)`` the expected depth in
a tree of ``n`` samples), which, like RCF's score, is inversely proportional to how deep a
point sits in the trees. So the exam's rule of thumb carries over: scores beyond the
mean plus three standard deviations are anomalies.

As on AWS:

- Image ``.../randomcutforest:1``; channels ``train`` (required) and ``test`` (optional,
  labelled: 1 anomaly, 0 normal); content types ``application/x-recordio-protobuf`` (the
  default) and ``text/csv``. Train CSV has no label column (``label_size=0``); test CSV
  must say ``text/csv;label_size=1``.
- ``feature_dim`` (1-10000) is required; ``num_trees`` (50-1000, default 100) and
  ``num_samples_per_tree`` (1-2048, default 256) size the forest; ``eval_metrics``
  (``accuracy``, ``precision_recall_fscore``; both by default) decide what the test
  channel reports. A test point is labelled anomalous when its score is beyond three
  standard deviations from the mean score, and ``test:f1`` is the F1-score of those labels.
- The artifact ``model_algo-1`` is a joblib file of this kit (AWS stores its own forest);
  :func:`predict` answers like the endpoint (``{"score": ...}`` per row).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn import metrics as skm
from sklearn.ensemble import IsolationForest

from labs.algorithms import inputs
from labs.algorithms._common import info, load_model, quality_metric, report, save_model, stopped
from labs.algorithms.base import (
    AlgorithmSpec,
    Hyperparameter,
    TrainingContext,
    client_error,
    tuning_hyperparameter,
)

NAME = "randomcutforest"
TITLE = "Random Cut Forest"
TREES_PER_STEP = 25

_H = Hyperparameter
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("feature_dim", "int", required=True, low=1, high=10000, description="Number of features."),
    _H("num_samples_per_tree", "int", default=256, low=1, high=2048),
    _H("num_trees", "int", default=100, low=50, high=1000),
    _H(
        "eval_metrics",
        "list",
        default=("accuracy", "precision_recall_fscore"),
        choices=("accuracy", "precision_recall_fscore"),
    ),
    tuning_hyperparameter(),
)

METRICS = (quality_metric("test:f1", "f1", "Maximize", loss=False),)


def scores(forest: IsolationForest, X: np.ndarray) -> np.ndarray:
    """RCF-like anomaly scores: higher is more anomalous, about 1 for ordinary points."""
    # score_samples gives -2 ** (-E[h] / c(n)); so E[h] / c(n) = -log2(-score_samples).
    s = np.clip(-forest.score_samples(X), 1e-12, 1 - 1e-12)
    relative_depth = -np.log2(s)
    return 1.0 / relative_depth


def _read(ctx: TrainingContext, name: str, feature_dim: int) -> inputs.Dataset:
    channel = ctx.channels[name]
    label_size = 0
    if name == "test":
        content_type, params = inputs.parse_content_type(
            channel.content_type, SPEC.content_types, TITLE, name
        )
        if content_type == inputs.CSV and params.get("label_size") != "1":
            raise client_error(
                "The test channel of Random Cut Forest needs labels: for CSV set the content "
                "type to 'text/csv;label_size=1' (first column 1 = anomaly, 0 = normal)."
            )
        label_size = 1
    data = inputs.read_channel(channel, SPEC.content_types, TITLE, label_size=label_size)
    inputs.check_feature_dim(data, feature_dim, name, label_hint=name == "train")
    if name == "test" and data.y is None:
        raise client_error("The test channel has no labels (1 = anomaly, 0 = normal).")
    return data


def train(ctx: TrainingContext) -> None:
    """Grow the forest on the train channel, score the test channel, save the forest."""
    SPEC.validate_channels(ctx.channels)
    values = ctx.hyperparameters
    data = _read(ctx, "train", values["feature_dim"])
    X = data.dense().astype(np.float64)
    samples = min(values["num_samples_per_tree"], X.shape[0])
    info(
        ctx,
        f"Local stand-in for {TITLE} (scikit-learn IsolationForest): {X.shape[0]} "
        f"records, {X.shape[1]} features, {values['num_trees']} trees of {samples} "
        "samples",
    )
    forest = IsolationForest(
        n_estimators=0, max_samples=samples, random_state=0, warm_start=True, n_jobs=1
    )
    grown = 0
    while grown < values["num_trees"]:
        if stopped(ctx, f"after {grown} trees"):
            break
        grown = min(values["num_trees"], grown + TREES_PER_STEP)
        forest.set_params(n_estimators=grown)
        forest.fit(X)
        info(ctx, f"#progress_metric: host=algo-1, {grown} of {values['num_trees']} trees")
    if grown == 0:
        return
    train_scores = scores(forest, X)
    info(ctx, f"Training scores: mean {train_scores.mean():.4f}, std {train_scores.std():.4f}")
    if "test" in ctx.channels:
        _evaluate(ctx, forest, _read(ctx, "test", values["feature_dim"]), values)
    save_model(
        ctx.model_dir,
        {
            "algorithm": NAME,
            "forest": forest,
            "feature_dim": X.shape[1],
            "hyperparameters": dict(values),
        },
    )


def _evaluate(
    ctx: TrainingContext, forest: IsolationForest, test: inputs.Dataset, values: dict[str, Any]
) -> None:
    found = scores(forest, test.dense().astype(np.float64))
    threshold = found.mean() + 3 * found.std()
    predicted = (found > threshold).astype(int)
    truth = (test.y > 0.5).astype(int)
    info(
        ctx,
        f"Test scores: mean {found.mean():.4f}, std {found.std():.4f}; anomaly "
        f"threshold (mean + 3 std) {threshold:.4f}",
    )
    if "accuracy" in values["eval_metrics"]:
        accuracy = float(skm.accuracy_score(truth, predicted))
        info(ctx, f"#quality_metric: host=algo-1, test accuracy <score>={accuracy!r}")
    if "precision_recall_fscore" in values["eval_metrics"]:
        precision, recall, f1, _ = skm.precision_recall_fscore_support(
            truth, predicted, average="binary", zero_division=0
        )
        info(ctx, f"#quality_metric: host=algo-1, test precision <score>={float(precision)!r}")
        info(ctx, f"#quality_metric: host=algo-1, test recall <score>={float(recall)!r}")
        report(ctx, "test:f1", "f1", float(f1), loss=False)


def load(model_dir: Path) -> dict[str, Any]:
    """The model a training job saved in ``model_dir``."""
    return load_model(model_dir, NAME)


def predict(model: dict[str, Any], X: Any) -> list[dict[str, Any]]:
    """``{"score": s}`` per row, like the RCF endpoint's JSON response records."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    if X.shape[1] != model["feature_dim"]:
        raise client_error(
            f"The request has {X.shape[1]} features but the model has {model['feature_dim']}."
        )
    return [{"score": float(s)} for s in scores(model["forest"], X)]


SPEC = AlgorithmSpec(
    name=NAME,
    title=TITLE,
    image_repositories=("randomcutforest",),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "test": False},
    content_types=(inputs.RECORDIO, inputs.CSV),
    metrics=METRICS,
    train=train,
)
