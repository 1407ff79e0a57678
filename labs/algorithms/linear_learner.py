"""Local stand-in for the SageMaker built-in Linear Learner algorithm.

Sources: the developer guide pages "Linear learner hyperparameters", "Tune a linear
learner model" (the metrics), "How linear learner works" and "Common Data Formats for
Training".

What matches AWS:

- Image ``.../linear-learner:1``; channels ``train`` (required), ``validation`` and
  ``test`` (optional); content types ``application/x-recordio-protobuf`` (the default when
  a channel has none) and ``text/csv`` (label first, no header).
- The hyperparameters' names, defaults and ranges; ``predictor_type`` is required, and
  ``num_classes`` (3 or more) for ``multiclass_classifier``; ``feature_dim`` is ``auto``
  or must match the data.
- Training: features normalised on a sample of ``num_point_for_scaler`` rows
  (``normalize_data``), labels of a regressor normalised (``normalize_label``), several
  models trained in parallel with different learning rates and regularisation
  (``num_models``; 1 when automatic model tuning runs the job), per-epoch early stopping on
  the validation loss (``early_stopping_patience``, ``early_stopping_tolerance``), and
  for a binary classifier the decision threshold chosen on the validation data (or the
  training data) by ``binary_classifier_model_selection_criteria``.
- Metrics with the documented names: ``validation:objective_loss`` every epoch, then
  ``validation:`` / ``test:`` ``binary_classification_accuracy``, ``binary_f_beta``,
  ``precision``, ``recall``, ``roc_auc_score`` (binary), ``multiclass_accuracy``,
  ``multiclass_top_k_accuracy``, ``dcg``, ``macro_precision``, ``macro_recall``,
  ``macro_f_beta`` (multiclass), ``mse``, ``absolute_loss`` (regression), logged as
  ``#quality_metric`` lines like the real algorithm's.

What differs: the models are scikit-learn ``SGDClassifier`` / ``SGDRegressor`` (stochastic
gradient descent with ``l1`` and ``wd`` as elastic-net penalties; a multiclass model is
one-vs-rest logistic rather than softmax; ``quantile_loss`` uses ``QuantileRegressor``).
The ``optimizer`` choice (``adam``, ``rmsprop``, ``sgd``) and the initialisation
hyperparameters are accepted but SGD with an inverse-scaling learning rate trains every
model. The artifact ``model_algo-1`` in model.tar.gz is a joblib file of this kit, not
the MXNet model Linear Learner writes on AWS: load it with :func:`load`.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn import metrics as skm
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import QuantileRegressor, SGDClassifier, SGDRegressor
from sklearn.preprocessing import StandardScaler

from labs.algorithms import inputs
from labs.algorithms._common import (
    info,
    load_model,
    quality_line,
    quality_metric,
    report,
    save_model,
    stopped,
)
from labs.algorithms.base import (
    AlgorithmSpec,
    Hyperparameter,
    Metric,
    TrainingContext,
    client_error,
    tuning_hyperparameter,
    tuning_objective,
)

NAME = "linear-learner"
TITLE = "Linear Learner"
AUTO = ("auto",)
AUTO_TF = ("auto", "true", "false")
BINARY, MULTICLASS, REGRESSOR = "binary_classifier", "multiclass_classifier", "regressor"

LOSSES = {
    BINARY: ("auto", "logistic", "hinge_loss"),
    MULTICLASS: ("auto", "softmax_loss"),
    REGRESSOR: (
        "auto",
        "squared_loss",
        "absolute_loss",
        "eps_insensitive_squared_loss",
        "eps_insensitive_absolute_loss",
        "quantile_loss",
        "huber_loss",
    ),
}
CRITERIA = (
    "accuracy",
    "f_beta",
    "precision_at_target_recall",
    "recall_at_target_precision",
    "loss_function",
    "cross_entropy_loss",
)

_H = Hyperparameter
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("predictor_type", "categorical", required=True, choices=(BINARY, MULTICLASS, REGRESSOR)),
    _H("num_classes", "int", low=3, high=1_000_000),
    _H("feature_dim", "int", default="auto", low=1, choices=AUTO),
    _H("accuracy_top_k", "int", default=3, low=1),
    _H("balance_multiclass_weights", "bool", default=False),
    _H("beta_1", "float", default="auto", low=0, high=1, choices=AUTO),
    _H("beta_2", "float", default="auto", low=0, high=1, choices=AUTO),
    _H("bias_lr_mult", "float", default="auto", low=0, low_inclusive=False, choices=AUTO),
    _H("bias_wd_mult", "float", default="auto", low=0, choices=AUTO),
    _H(
        "binary_classifier_model_selection_criteria",
        "categorical",
        default="accuracy",
        choices=CRITERIA,
    ),
    _H("early_stopping_patience", "int", default=3, low=1),
    _H("early_stopping_tolerance", "float", default=0.001, low=0, low_inclusive=False),
    _H("epochs", "int", default=15, low=1),
    _H("f_beta", "float", default=1.0, low=0, low_inclusive=False),
    _H("huber_delta", "float", default=1.0, low=0, low_inclusive=False),
    _H("init_bias", "float", default=0.0),
    _H("init_method", "categorical", default="uniform", choices=("uniform", "normal")),
    _H("init_scale", "float", default=0.07, low=0, low_inclusive=False),
    _H("init_sigma", "float", default=0.01, low=0, low_inclusive=False),
    _H("l1", "float", default="auto", low=0, choices=AUTO),
    _H("learning_rate", "float", default="auto", low=0, low_inclusive=False, choices=AUTO),
    _H(
        "loss",
        "categorical",
        default="auto",
        choices=tuple(dict.fromkeys(sum(LOSSES.values(), ()))),
    ),
    _H("loss_insensitivity", "float", default=0.01, low=0, low_inclusive=False),
    _H(
        "lr_scheduler_factor",
        "float",
        default="auto",
        low=0,
        high=1,
        low_inclusive=False,
        choices=AUTO,
    ),
    _H(
        "lr_scheduler_minimum_lr", "float", default="auto", low=0, low_inclusive=False, choices=AUTO
    ),
    _H("lr_scheduler_step", "int", default="auto", low=1, choices=AUTO),
    _H("margin", "float", default=1.0, low=0, low_inclusive=False),
    _H("mini_batch_size", "int", default=1000, low=1),
    _H("momentum", "float", default="auto", low=0, high=1, choices=AUTO),
    _H("normalize_data", "categorical", default="true", choices=AUTO_TF),
    _H("normalize_label", "categorical", default="auto", choices=AUTO_TF),
    _H("num_calibration_samples", "int", default="auto", low=1, choices=AUTO),
    _H("num_models", "int", default="auto", low=1, choices=AUTO),
    _H("num_point_for_scaler", "int", default=10000, low=1),
    _H("optimizer", "categorical", default="auto", choices=("auto", "sgd", "adam", "rmsprop")),
    _H(
        "positive_example_weight_mult",
        "float",
        default=1.0,
        low=0,
        low_inclusive=False,
        choices=("auto", "balanced"),
    ),
    _H("quantile", "float", default=0.5, low=0, high=1, low_inclusive=False, high_inclusive=False),
    _H("target_precision", "float", default=0.8, low=0, high=1),
    _H("target_recall", "float", default=0.8, low=0, high=1),
    _H("unbias_data", "categorical", default="auto", choices=AUTO_TF),
    _H("unbias_label", "categorical", default="auto", choices=AUTO_TF),
    _H("use_bias", "bool", default=True),
    _H("use_lr_scheduler", "bool", default=True),
    _H("wd", "float", default="auto", low=0, choices=AUTO),
    tuning_hyperparameter(),
)

#: (metric, log name, direction, is a loss); {k} and {beta} are filled in when logging.
_FINAL = {
    BINARY: (
        ("binary_classification_accuracy", "binary_classification_accuracy", "Maximize", False),
        ("binary_f_beta", "binary_f_{beta}", "Maximize", False),
        ("precision", "precision", "Maximize", False),
        ("recall", "recall", "Maximize", False),
        ("roc_auc_score", "roc_auc_score", "Maximize", False),
    ),
    MULTICLASS: (
        ("multiclass_accuracy", "multiclass_accuracy", "Maximize", False),
        ("multiclass_top_k_accuracy", "multiclass_top_k_accuracy_{k}", "Maximize", False),
        ("dcg", "dcg", "Maximize", False),
        ("macro_precision", "macro_precision", "Maximize", False),
        ("macro_recall", "macro_recall", "Maximize", False),
        ("macro_f_beta", "macro_f_{beta}", "Maximize", False),
    ),
    REGRESSOR: (
        ("mse", "mse", "Minimize", True),
        ("absolute_loss", "absolute_loss", "Minimize", True),
    ),
}


def _metrics() -> tuple[Metric, ...]:
    found: dict[str, Metric] = {}
    for dataset in ("test", "validation"):
        found[f"{dataset}:objective_loss"] = quality_metric(
            f"{dataset}:objective_loss",
            r"\S+_objective",
            "Minimize",
            loss=True,
            epoch=dataset == "validation",
        )
        for group in _FINAL.values():
            for name, log_name, direction, loss in group:
                pattern = log_name.replace("{beta}", r"\S+").replace("{k}", r"\S+")
                found[f"{dataset}:{name}"] = quality_metric(
                    f"{dataset}:{name}", pattern, direction, loss=loss
                )
    return tuple(found[k] for k in sorted(found))


METRICS = _metrics()


def _check(values: dict[str, Any]) -> None:
    kind = values["predictor_type"]
    if kind == MULTICLASS and values["num_classes"] is None:
        raise client_error(
            "Hyperparameter num_classes is required when predictor_type is "
            "multiclass_classifier (the number of classes, labelled 0 .. num_classes-1)."
        )
    if values["loss"] not in LOSSES[kind]:
        raise client_error(
            f"Hyperparameter loss: {values['loss']!r} is not valid for predictor_type {kind}: "
            f"expected one of {', '.join(LOSSES[kind])}"
        )


# The objective losses (what Linear Learner logs as <name>_objective)


def _objective_name(kind: str, loss: str) -> str:
    if kind == BINARY:
        return (
            "hinge_loss_objective"
            if loss == "hinge_loss"
            else ("binary_classification_cross_entropy_objective")
        )
    if kind == MULTICLASS:
        return "multiclass_cross_entropy_objective"
    return {"auto": "square_loss", "squared_loss": "square_loss"}.get(loss, loss) + "_objective"


def _objective(kind: str, values: dict[str, Any], y: np.ndarray, out: np.ndarray) -> float:
    loss = values["loss"]
    if kind == BINARY:
        if loss == "hinge_loss":
            signed = 2 * y - 1
            return float(np.mean(np.maximum(0.0, values["margin"] - signed * out)))
        return float(skm.log_loss(y, np.clip(out, 1e-7, 1 - 1e-7), labels=[0, 1]))
    if kind == MULTICLASS:
        labels = list(range(out.shape[1]))
        proba = np.clip(out, 1e-7, 1)
        return float(skm.log_loss(y, proba / proba.sum(axis=1, keepdims=True), labels=labels))
    error = out - y
    if loss in ("auto", "squared_loss"):
        return float(np.mean(error**2))
    if loss == "absolute_loss":
        return float(np.mean(np.abs(error)))
    eps = values["loss_insensitivity"]
    if loss == "eps_insensitive_squared_loss":
        return float(np.mean(np.maximum(0.0, np.abs(error) - eps) ** 2))
    if loss == "eps_insensitive_absolute_loss":
        return float(np.mean(np.maximum(0.0, np.abs(error) - eps)))
    if loss == "quantile_loss":
        q = values["quantile"]
        return float(np.mean(np.maximum(q * -error, (q - 1) * -error)))
    delta = values["huber_delta"]
    small = np.abs(error) <= delta
    return float(np.mean(np.where(small, 0.5 * error**2, delta * (np.abs(error) - 0.5 * delta))))


# Models


@dataclass
class _Candidate:
    """One of the models trained in parallel, with its early-stopping state."""

    model: Any
    settings: dict[str, float]
    best_loss: float = np.inf
    best_state: Any = None
    best_epoch: int = -1
    waited: int = 0
    done: bool = False
    history: list[float] = field(default_factory=list)


def _grid(values: dict[str, Any]) -> list[dict[str, float]]:
    """The learning rate / l1 / wd settings of the parallel models (``num_models``)."""
    rates = [values["learning_rate"]] if values["learning_rate"] != "auto" else [0.1, 0.01, 0.3]
    wds = [values["wd"]] if values["wd"] != "auto" else [1e-4, 1e-2]
    l1s = [values["l1"]] if values["l1"] != "auto" else [0.0, 1e-4]
    if values["loss"] == "quantile_loss":  # solved exactly: only the L1 penalty matters
        rates, wds = rates[:1], wds[:1]
    grid = [
        {"learning_rate": float(r), "wd": float(w), "l1": float(a)}
        for r in rates
        for w in wds
        for a in l1s
    ]
    wanted = values["num_models"]
    if tuning_objective(values):
        wanted = 1
    count = min(8, len(grid)) if wanted == "auto" else int(wanted)
    return [grid[i % len(grid)] for i in range(count)]


def _penalty(settings: dict[str, float]) -> dict[str, Any]:
    l1, wd = settings["l1"], settings["wd"]
    if l1 == 0 and wd == 0:
        return {"penalty": None, "alpha": 0.0001}
    # sklearn's objective: loss + alpha * (l1_ratio * |w|_1 + (1 - l1_ratio) / 2 * |w|^2)
    alpha = l1 + 2 * wd
    return {"penalty": "elasticnet", "alpha": alpha, "l1_ratio": l1 / alpha}


def _new_model(
    kind: str,
    values: dict[str, Any],
    settings: dict[str, float],
    seed: int,
    class_weight: dict[int, float] | None = None,
) -> Any:
    loss = values["loss"]
    common = dict(
        fit_intercept=values["use_bias"],
        learning_rate="invscaling",
        eta0=settings["learning_rate"],
        power_t=0.25,
        random_state=seed,
        **_penalty(settings),
    )
    if kind in (BINARY, MULTICLASS):
        sk_loss = "hinge" if loss == "hinge_loss" else "log_loss"
        return SGDClassifier(loss=sk_loss, class_weight=class_weight, **common)
    if loss == "quantile_loss":
        return QuantileRegressor(
            quantile=values["quantile"], alpha=settings["l1"], fit_intercept=values["use_bias"]
        )
    mapping = {
        "auto": ("squared_error", 0.1),
        "squared_loss": ("squared_error", 0.1),
        "absolute_loss": ("epsilon_insensitive", 0.0),
        "eps_insensitive_squared_loss": (
            "squared_epsilon_insensitive",
            values["loss_insensitivity"],
        ),
        "eps_insensitive_absolute_loss": ("epsilon_insensitive", values["loss_insensitivity"]),
        "huber_loss": ("huber", values["huber_delta"]),
    }
    sk_loss, epsilon = mapping[loss]
    return SGDRegressor(loss=sk_loss, epsilon=epsilon, **common)


@dataclass
class _Prepared:
    """Features scaled as the model sees them, and the label transform."""

    scaler: StandardScaler | None
    label_mean: float = 0.0
    label_scale: float = 1.0

    def features(self, X: Any) -> Any:
        return self.scaler.transform(X) if self.scaler is not None else X


def _prepare(kind: str, values: dict[str, Any], X: Any, y: np.ndarray, seed: int) -> _Prepared:
    rng = np.random.default_rng(seed)
    sample = rng.permutation(X.shape[0])[: values["num_point_for_scaler"]]
    normalize = values["normalize_data"] != "false"
    unbias = values["unbias_data"] == "true" or (values["unbias_data"] == "auto" and normalize)
    scaler = None
    if normalize or unbias:
        with_mean = unbias and values["use_bias"] and not sparse.issparse(X)
        scaler = StandardScaler(with_mean=with_mean, with_std=normalize).fit(X[sample])
    prepared = _Prepared(scaler)
    if kind == REGRESSOR and values["normalize_label"] != "false":
        prepared.label_mean = float(np.mean(y[sample])) if values["use_bias"] else 0.0
        std = float(np.std(y[sample]))
        prepared.label_scale = std if std > 0 else 1.0
    return prepared


def _outputs(kind: str, model: Any, X: Any, prepared: _Prepared) -> np.ndarray:
    """Probabilities (classifiers, hinge: squashed margins) or predictions (regressor)."""
    if kind == REGRESSOR:
        return model.predict(X) * prepared.label_scale + prepared.label_mean
    if getattr(model, "loss", "") == "hinge":
        margin = model.decision_function(X)
        if kind == BINARY:
            return 1.0 / (1.0 + np.exp(-margin))
        exp = np.exp(margin - margin.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)
    proba = model.predict_proba(X)
    return proba[:, 1] if kind == BINARY else proba


def _snapshot(model: Any) -> Any:
    return copy.deepcopy(model)


# Binary thresholds and metrics


def _curves(y: np.ndarray, scores: np.ndarray) -> dict[str, np.ndarray]:
    """Confusion counts for every distinct threshold (predict 1 when score >= threshold)."""
    order = np.argsort(-scores, kind="mergesort")
    ranked, truth = scores[order], y[order].astype(np.float64)
    last = np.r_[np.flatnonzero(np.diff(ranked) != 0), len(ranked) - 1]
    tp = np.cumsum(truth)[last]
    fp = (last + 1) - tp
    positives, total = truth.sum(), len(truth)
    return {
        "threshold": ranked[last],
        "tp": tp,
        "fp": fp,
        "fn": positives - tp,
        "tn": (total - positives) - fp,
    }


def _best_threshold(
    values: dict[str, Any], y: np.ndarray, scores: np.ndarray
) -> tuple[float, float]:
    """The decision threshold the selection criterion picks, and the criterion's value."""
    criterion = values["binary_classifier_model_selection_criteria"]
    if criterion in ("loss_function", "cross_entropy_loss"):
        return 0.5, -_objective(BINARY, values, y, scores)
    c = _curves(y, scores)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(c["tp"] / (c["tp"] + c["fp"]))
        recall = np.nan_to_num(c["tp"] / (c["tp"] + c["fn"]))
        beta2 = values["f_beta"] ** 2
        fbeta = np.nan_to_num((1 + beta2) * precision * recall / (beta2 * precision + recall))
    if criterion == "accuracy":
        value = (c["tp"] + c["tn"]) / len(y)
    elif criterion == "f_beta":
        value = fbeta
    elif criterion == "precision_at_target_recall":
        value = np.where(recall >= values["target_recall"], precision, recall - 1)
    else:
        value = np.where(precision >= values["target_precision"], recall, precision - 1)
    best = int(np.argmax(value))
    return float(c["threshold"][best]), float(value[best])


def _final_metrics(
    kind: str, values: dict[str, Any], y: np.ndarray, out: np.ndarray, threshold: float
) -> dict[str, float]:
    beta = values["f_beta"]
    if kind == BINARY:
        predicted = (out >= threshold).astype(int)
        both = len(np.unique(y)) == 2
        return {
            "binary_classification_accuracy": skm.accuracy_score(y, predicted),
            "binary_f_beta": skm.fbeta_score(y, predicted, beta=beta, zero_division=0),
            "precision": skm.precision_score(y, predicted, zero_division=0),
            "recall": skm.recall_score(y, predicted, zero_division=0),
            "roc_auc_score": skm.roc_auc_score(y, out) if both else float("nan"),
        }
    if kind == MULTICLASS:
        predicted = out.argmax(axis=1)
        k = min(values["accuracy_top_k"], out.shape[1])
        labels = list(range(out.shape[1]))
        rank = (out > out[np.arange(len(y)), y.astype(int)][:, None]).sum(axis=1) + 1
        return {
            "multiclass_accuracy": skm.accuracy_score(y, predicted),
            "multiclass_top_k_accuracy": skm.top_k_accuracy_score(y, out, k=k, labels=labels),
            "dcg": float(np.mean(1.0 / np.log2(rank + 1))),
            "macro_precision": skm.precision_score(
                y, predicted, average="macro", labels=labels, zero_division=0
            ),
            "macro_recall": skm.recall_score(
                y, predicted, average="macro", labels=labels, zero_division=0
            ),
            "macro_f_beta": skm.fbeta_score(
                y, predicted, beta=beta, average="macro", labels=labels, zero_division=0
            ),
        }
    return {"mse": skm.mean_squared_error(y, out), "absolute_loss": skm.mean_absolute_error(y, out)}


def _log_name(template: str, values: dict[str, Any]) -> str:
    return template.replace("{beta}", f"{values['f_beta']:.3f}").replace(
        "{k}", str(values["accuracy_top_k"])
    )


# Data


def _read(ctx: TrainingContext, name: str, kind: str, values: dict[str, Any]) -> inputs.Dataset:
    data = inputs.read_channel(ctx.channels[name], SPEC.content_types, TITLE, label_size=1)
    if data.y is None:
        raise client_error(
            f"The {name} channel has no labels: {TITLE} needs the label in the first CSV "
            "column (text/csv;label_size=1) or in each record's label."
        )
    if values["feature_dim"] != "auto":
        inputs.check_feature_dim(data, values["feature_dim"], name, label_hint=True)
    y = data.y
    if kind == BINARY and not np.isin(y, (0, 1)).all():
        bad = y[~np.isin(y, (0, 1))][0]
        raise client_error(
            f"The {name} channel has label {bad:g}: a binary_classifier needs labels 0 and 1."
        )
    if kind == MULTICLASS:
        classes = values["num_classes"]
        ok = (y == np.round(y)) & (y >= 0) & (y < classes)
        if not ok.all():
            raise client_error(
                f"The {name} channel has label {y[~ok][0]:g}: with num_classes={classes} the "
                f"labels must be integers 0 .. {classes - 1}."
            )
    data.X = data.X if sparse.issparse(data.X) else np.asarray(data.X, dtype=np.float64)
    return data


def _class_weight(kind: str, values: dict[str, Any], y: np.ndarray) -> dict[int, float] | None:
    """Class weights that give every class equal importance (balance_multiclass_weights)."""
    if kind != MULTICLASS or not values["balance_multiclass_weights"]:
        return None
    classes = np.arange(values["num_classes"])
    counts = np.bincount(y.astype(int), minlength=len(classes)).astype(np.float64)
    return {
        int(c): len(y) / (len(classes) * max(n, 1.0)) for c, n in zip(classes, counts, strict=True)
    }


def _weights(kind: str, values: dict[str, Any], y: np.ndarray) -> np.ndarray | None:
    if kind != BINARY:
        return None
    mult = values["positive_example_weight_mult"]
    if mult == "auto":
        return None
    if mult == "balanced":
        positives = max(1.0, float(np.sum(y == 1)))
        mult = float(np.sum(y == 0)) / positives
    return np.where(y == 1, float(mult), 1.0)


# Training


def train(ctx: TrainingContext) -> None:
    """Train Linear Learner models, pick the best, report its metrics and save it."""
    SPEC.validate_channels(ctx.channels)
    values = dict(ctx.hyperparameters)
    kind = values["predictor_type"]
    seed = 0
    train_data = _read(ctx, "train", kind, values)
    validation = _read(ctx, "validation", kind, values) if "validation" in ctx.channels else None
    test = _read(ctx, "test", kind, values) if "test" in ctx.channels else None
    for other in (validation, test):
        if other is not None and other.columns != train_data.columns:
            raise client_error(
                f"The training data has {train_data.columns} features but another channel has "
                f"{other.columns}."
            )
    info(
        ctx,
        f"Local stand-in for {TITLE}: {train_data.rows} training records, "
        f"{train_data.columns} features, predictor_type={kind}",
    )
    prepared = _prepare(kind, values, train_data.X, train_data.y, seed)
    X = prepared.features(train_data.X)
    y = train_data.y.astype(int) if kind != REGRESSOR else train_data.y.astype(np.float64)
    fit_y = y if kind != REGRESSOR else (y - prepared.label_mean) / prepared.label_scale
    weights = _weights(kind, values, y)
    watch = validation or train_data
    watch_X = prepared.features(watch.X)
    watch_y = watch.y.astype(int) if kind != REGRESSOR else watch.y.astype(np.float64)
    watch_name = "validation" if validation is not None else "train"

    class_weight = _class_weight(kind, values, y)
    candidates = [
        _Candidate(_new_model(kind, values, s, seed + i, class_weight), s)
        for i, s in enumerate(_grid(values))
    ]
    info(
        ctx, f"Training {len(candidates)} model(s) in parallel for up to {values['epochs']} epochs"
    )
    epochs = _run_epochs(
        ctx,
        kind,
        values,
        candidates,
        (X, y, fit_y, weights),
        (watch_X, watch_y, validation is not None),
        prepared,
    )
    if epochs == 0:
        return
    epoch = epochs - 1
    objective_name = _objective_name(kind, values["loss"])
    for candidate in candidates:
        if candidate.best_state is not None:
            candidate.model = candidate.best_state
    best, threshold = _select(kind, values, candidates, watch_X, watch_y, prepared)
    info(
        ctx,
        f"Best model found for hyperparameters: {best.settings} "
        f"(selected on the {watch_name} data)",
    )
    if validation is not None:
        out = _outputs(kind, best.model, watch_X, prepared)
        report(
            ctx,
            "validation:objective_loss",
            objective_name,
            _objective(kind, values, watch_y, out),
            loss=True,
            epoch=max(epoch, 0),
        )
        _report_final(ctx, "validation", kind, values, watch_y, out, threshold)
    if test is not None:
        test_y = test.y.astype(int) if kind != REGRESSOR else test.y.astype(np.float64)
        out = _outputs(kind, best.model, prepared.features(test.X), prepared)
        report(
            ctx,
            "test:objective_loss",
            objective_name,
            _objective(kind, values, test_y, out),
            loss=True,
        )
        _report_final(ctx, "test", kind, values, test_y, out, threshold)
    else:
        info(ctx, "Test data is not provided.")
    save_model(
        ctx.model_dir,
        {
            "algorithm": NAME,
            "predictor_type": kind,
            "model": best.model,
            "prepared": prepared,
            "threshold": threshold,
            "feature_dim": train_data.columns,
            "hyperparameters": values,
        },
    )


def _run_epochs(
    ctx: TrainingContext,
    kind: str,
    values: dict[str, Any],
    candidates: list[_Candidate],
    train: tuple[Any, np.ndarray, np.ndarray, np.ndarray | None],
    watch: tuple[Any, np.ndarray, bool],
    prepared: _Prepared,
) -> int:
    """Train every candidate epoch by epoch with early stopping; the number of epochs run."""
    X, y, fit_y, weights = train
    watch_X, watch_y, is_validation = watch
    classes = np.arange(values["num_classes"]) if kind == MULTICLASS else np.array([0, 1])
    objective_name = _objective_name(kind, values["loss"])
    rng = np.random.default_rng(0)
    done = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(values["epochs"]):
            if stopped(ctx, f"before epoch {epoch}"):
                break
            order = rng.permutation(X.shape[0])
            losses = []
            for candidate in candidates:
                if not candidate.done:
                    _fit_epoch(candidate, kind, X, fit_y, weights, order, classes, epoch)
                    loss = _objective(
                        kind, values, watch_y, _outputs(kind, candidate.model, watch_X, prepared)
                    )
                    candidate.history.append(loss)
                    _early_stopping(candidate, values, loss, epoch)
                losses.append(candidate.history[-1])
            done = epoch + 1
            train_loss = min(
                _objective(kind, values, y, _outputs(kind, c.model, X, prepared))
                for c in candidates
            )
            info(ctx, quality_line("train", objective_name, train_loss, loss=True, epoch=epoch))
            if is_validation:
                report(
                    ctx,
                    "validation:objective_loss",
                    objective_name,
                    min(losses),
                    loss=True,
                    epoch=epoch,
                )
            if all(c.done for c in candidates):
                info(ctx, f"Early stop condition met. Stopping training after epoch {epoch}.")
                break
    return done


def _fit_epoch(
    candidate: _Candidate,
    kind: str,
    X: Any,
    y: np.ndarray,
    weights: np.ndarray | None,
    order: np.ndarray,
    classes: np.ndarray,
    epoch: int,
) -> None:
    model = candidate.model
    w = None if weights is None else weights[order]
    if isinstance(model, QuantileRegressor):
        if epoch == 0:
            model.fit(X, y, sample_weight=weights)
        candidate.done = epoch > 0
        return
    if kind == REGRESSOR:
        model.partial_fit(X[order], y[order], sample_weight=w)
    else:
        model.partial_fit(X[order], y[order], classes=classes, sample_weight=w)


def _early_stopping(candidate: _Candidate, values: dict[str, Any], loss: float, epoch: int) -> None:
    tolerance = values["early_stopping_tolerance"]
    improved = candidate.best_loss == np.inf or (
        (candidate.best_loss - loss) / max(abs(candidate.best_loss), 1e-12) > tolerance
    )
    if loss < candidate.best_loss:
        candidate.best_state = _snapshot(candidate.model)
        candidate.best_epoch = epoch
    if improved:
        candidate.best_loss = min(loss, candidate.best_loss)
        candidate.waited = 0
    else:
        candidate.best_loss = min(loss, candidate.best_loss)
        candidate.waited += 1
        if candidate.waited >= values["early_stopping_patience"]:
            candidate.done = True


def _select(
    kind: str,
    values: dict[str, Any],
    candidates: list[_Candidate],
    X: Any,
    y: np.ndarray,
    prepared: _Prepared,
) -> tuple[_Candidate, float]:
    """The best model (by the selection criterion, else by loss) and its threshold."""
    scored = []
    for candidate in candidates:
        out = _outputs(kind, candidate.model, X, prepared)
        if kind == BINARY:
            sample = values["num_calibration_samples"]
            if sample != "auto":
                out, y_cal = out[:sample], y[:sample]
            else:
                y_cal = y
            threshold, value = _best_threshold(values, y_cal, out)
            scored.append((value, -_objective(kind, values, y_cal, out), threshold, candidate))
        else:
            scored.append((-_objective(kind, values, y, out), 0.0, 0.5, candidate))
    value, _, threshold, best = max(scored, key=lambda item: (item[0], item[1]))
    return best, threshold


def _report_final(
    ctx: TrainingContext,
    dataset: str,
    kind: str,
    values: dict[str, Any],
    y: np.ndarray,
    out: np.ndarray,
    threshold: float,
) -> None:
    results = _final_metrics(kind, values, y, out, threshold)
    for name, log_name, _direction, loss in _FINAL[kind]:
        value = float(results[name])
        if not np.isfinite(value):
            continue
        info(ctx, f"#{dataset}_score (algo-1) : ('{_log_name(log_name, values)}', {value!r})")
        report(ctx, f"{dataset}:{name}", _log_name(log_name, values), value, loss=loss)


# Inference with the saved artifact


def load(model_dir: Path) -> dict[str, Any]:
    """The model a training job saved in ``model_dir``."""
    return load_model(model_dir, NAME)


def predict(model: dict[str, Any], X: Any) -> list[dict[str, Any]]:
    """Predictions shaped like Linear Learner's JSON response records.

    Binary: ``{"score": p, "predicted_label": 0|1}``; multiclass:
    ``{"score": [p0, p1, ...], "predicted_label": k}``; regressor: ``{"score": y}``.
    """
    kind = model["predictor_type"]
    X = X if sparse.issparse(X) else np.atleast_2d(np.asarray(X, dtype=np.float64))
    if X.shape[1] != model["feature_dim"]:
        raise client_error(
            f"The request has {X.shape[1]} features but the model was trained on "
            f"{model['feature_dim']}."
        )
    prepared: _Prepared = model["prepared"]
    out = _outputs(kind, model["model"], prepared.features(X), prepared)
    if kind == BINARY:
        return [{"score": float(p), "predicted_label": int(p >= model["threshold"])} for p in out]
    if kind == MULTICLASS:
        return [
            {"score": [float(v) for v in row], "predicted_label": int(np.argmax(row))}
            for row in out
        ]
    return [{"score": float(v)} for v in out]


SPEC = AlgorithmSpec(
    name=NAME,
    title=TITLE,
    image_repositories=("linear-learner",),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "validation": False, "test": False},
    content_types=(inputs.RECORDIO, inputs.CSV),
    metrics=METRICS,
    train=train,
    check=_check,
)
