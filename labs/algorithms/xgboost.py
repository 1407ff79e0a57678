"""Local stand-in for the SageMaker built-in XGBoost algorithm (version 1.7-1 semantics).

Sources: the developer guide pages "XGBoost hyperparameters", "Tune an XGBoost Model"
(its metrics) and "How to use SageMaker AI XGBoost" (input/output interface), and the
algorithm's open-source container, aws/sagemaker-xgboost-container (its hyperparameter
validation, metric definitions and data loading), which this module follows for names,
ranges, defaults and error wording.

What a learner gets, as on AWS:

- Image ``.../sagemaker-xgboost:<version>`` (and the legacy ``.../xgboost:1``) in
  algorithm mode. Script mode (an entry point on the same image) is the runtime's business.
- Channels ``train`` (required) and ``validation`` (optional). Content types ``text/libsvm``
  (the default when a channel has none, as in the container), ``text/csv`` (label in the
  first column, no header; ``label_size`` must be 1), ``application/x-recordio-protobuf``
  and ``application/x-parquet``. ``csv_weights=1`` reads instance weights from the second
  CSV column; libsvm takes ``label:weight``.
- Hyperparameters with the container's names, ranges and defaults; ``num_round`` is
  required, ``num_class`` too for ``multi:softmax`` / ``multi:softprob``. ``reg:linear``
  is accepted as the old name of ``reg:squarederror``. ``eval_metric`` is a
  comma-separated list; besides XGBoost's own metrics the container's extra ones
  (``accuracy``, ``f1``, ``precision``, ``recall``, ``r2``, ``mse``, ...) are computed.
- Every round logs ``[12]#011train-auc:0.91234#011validation-auc:0.87654`` (``#011`` is
  the tab as CloudWatch shows it) and reports ``train:auc`` / ``validation:auc``;
  the metric regexes are SageMaker's pattern for those lines.
- ``early_stopping_rounds`` watches the validation channel (the tuning objective's metric
  when a tuning job started the job, else the last ``eval_metric``); the model keeps every
  tree and records ``best_iteration``, like the container's. The job then logs
  ``Stopping. Best iteration:`` and that round's line, so the job's final metrics (the last
  regex match, and the last value reported) are the best round's: the model hosting serves
  (:func:`predict` predicts with the best iteration as SageMaker hosting does).
- A tuning job's ``_tuning_objective_metric`` (e.g. ``validation:f1``) is computed even
  when ``eval_metric`` does not name it, as the container does.
- The artifact is a single file ``xgboost-model``. SageMaker XGBoost 1.3-1 and later
  save the model with ``Booster.save_model`` (1.7-1 writes XGBoost's legacy binary
  format); the xgboost 3.2 in this kit can no longer write that format, so the file is
  XGBoost's UBJSON model format. Either way the learner loads it with
  ``xgboost.Booster().load_model("xgboost-model")`` (xgboost 1.6 or later reads UBJSON).

Parameters that xgboost 3.2 no longer has (``predictor``, ``lambda_bias``, ``sketch_eps``,
``dsplit``, the GPU histogram flags) are accepted and ignored with a log line;
``gpu_hist`` trains with ``hist`` on the CPU.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb
from scipy import sparse
from sklearn import metrics as skm

from labs.algorithms import inputs
from labs.algorithms._common import stopped
from labs.algorithms.base import (
    NUMBER,
    AlgorithmSpec,
    Hyperparameter,
    Metric,
    TrainingContext,
    client_error,
    tuning_hyperparameter,
    tuning_objective,
)

MODEL_FILE = "xgboost-model"

#: Metrics the container declares, by optimisation direction (xgb_constants.py).
MAXIMIZE = (
    "accuracy",
    "auc",
    "aucpr",
    "balanced_accuracy",
    "f1",
    "f1_binary",
    "f1_macro",
    "map",
    "ndcg",
    "precision",
    "precision_macro",
    "precision_micro",
    "r2",
    "recall",
    "recall_macro",
    "recall_micro",
)
MINIMIZE = (
    "aft-nloglik",
    "cox-nloglik",
    "error",
    "gamma-deviance",
    "gamma-nloglik",
    "interval-regression-accuracy",
    "logloss",
    "mae",
    "mape",
    "merror",
    "mlogloss",
    "mphe",
    "mse",
    "poisson-nloglik",
    "rmse",
    "rmsle",
    "tweedie-nloglik",
)

OBJECTIVES = (
    "binary:logistic",
    "binary:logitraw",
    "binary:hinge",
    "count:poisson",
    "multi:softmax",
    "multi:softprob",
    "rank:pairwise",
    "rank:ndcg",
    "rank:map",
    "reg:linear",
    "reg:squarederror",
    "reg:logistic",
    "reg:gamma",
    "reg:pseudohubererror",
    "reg:squaredlogerror",
    "reg:absoluteerror",
    "reg:tweedie",
    "survival:aft",
    "survival:cox",
)

TRUE_FALSE = ("true", "false")

#: Accepted for compatibility, not passed to xgboost 3.2 (gone from it, or container-only).
IGNORED = {
    "predictor",
    "lambda_bias",
    "sketch_eps",
    "dsplit",
    "single_precision_histogram",
    "deterministic_histogram",
    "prob_buffer_row",
    "save_model_on_termination",
    "use_dask_gpu_training",
    "_kfold",
    "_num_cv_round",
}
#: Hyperparameters the stand-in itself handles (never passed to xgboost).
HANDLED = {
    "num_round",
    "csv_weights",
    "early_stopping_rounds",
    "eval_metric",
    "_tuning_objective_metric",
}
#: AWS defaults passed explicitly because xgboost 3.2's differ (base_score is estimated
#: from the data since xgboost 2.0; SageMaker XGBoost 1.7-1 starts from 0.5).
KEEP_DEFAULTS = {"objective", "base_score"}
ALIASES = {
    "learning_rate": "eta",
    "min_split_loss": "gamma",
    "reg_lambda": "lambda",
    "reg_alpha": "alpha",
}

_H = Hyperparameter
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("num_round", "int", required=True, low=1, description="Number of boosting rounds."),
    _H("num_class", "int", low=2, description="Number of classes (multi:* objectives)."),
    _H("alpha", "float", default=0.0, low=0),
    _H("base_score", "float", default=0.5, low=0),
    _H("booster", "categorical", default="gbtree", choices=("gbtree", "gblinear", "dart")),
    _H("colsample_bylevel", "float", default=1.0, low=0, high=1, low_inclusive=False),
    _H("colsample_bynode", "float", default=1.0, low=0, high=1, low_inclusive=False),
    _H("colsample_bytree", "float", default=1.0, low=0, high=1, low_inclusive=False),
    _H("csv_weights", "int", default=0, low=0, high=1),
    _H("early_stopping_rounds", "int", low=1),
    _H("eta", "float", default=0.3, low=0, high=1),
    _H("eval_metric", "list"),
    _H("gamma", "float", default=0.0, low=0),
    _H("grow_policy", "categorical", default="depthwise", choices=("depthwise", "lossguide")),
    _H("interaction_constraints", "str"),
    _H("lambda", "float", default=1.0, low=0),
    _H("lambda_bias", "float", low=0, high=1),
    _H("max_bin", "int", default=256, low=0),
    _H("max_delta_step", "float", default=0.0, low=0),
    _H("max_depth", "int", default=6, low=0),
    _H("max_leaves", "int", default=0, low=0),
    _H("min_child_weight", "float", default=1.0, low=0),
    _H("monotone_constraints", "str"),
    _H("normalize_type", "categorical", default="tree", choices=("tree", "forest")),
    _H("nthread", "int", low=1),
    _H("num_parallel_tree", "int", default=1, low=1),
    _H("objective", "categorical", default="reg:squarederror", choices=OBJECTIVES),
    _H("one_drop", "int", default=0, low=0, high=1),
    _H("process_type", "categorical", default="default", choices=("default", "update")),
    _H("rate_drop", "float", default=0.0, low=0, high=1),
    _H("refresh_leaf", "int", default=1, low=0, high=1),
    _H("sample_type", "categorical", default="uniform", choices=("uniform", "weighted")),
    _H("sampling_method", "categorical", choices=("uniform", "gradient_based")),
    _H("scale_pos_weight", "float", default=1.0, low=0, low_inclusive=False),
    _H(
        "seed",
        "int",
        default=0,
        low=-(2**31),
        high=2**31 - 1,
        low_inclusive=False,
        high_inclusive=False,
    ),
    _H("skip_drop", "float", default=0.0, low=0, high=1),
    _H("subsample", "float", default=1.0, low=0, high=1, low_inclusive=False),
    _H(
        "tree_method",
        "categorical",
        default="auto",
        choices=("auto", "exact", "approx", "hist", "gpu_hist"),
    ),
    _H(
        "tweedie_variance_power",
        "float",
        default=1.5,
        low=1,
        high=2,
        low_inclusive=False,
        high_inclusive=False,
    ),
    _H("updater", "str"),
    _H("verbosity", "int", default=1, low=0, high=3),
    _H("aft_loss_distribution", "categorical", choices=("normal", "logistic", "extreme")),
    _H("aft_loss_distribution_scale", "float", low=0),
    _H("predictor", "categorical", choices=("auto", "cpu_predictor", "gpu_predictor")),
    _H("sketch_eps", "float", low=0, high=1, low_inclusive=False, high_inclusive=False),
    _H("dsplit", "categorical", choices=("row", "col")),
    _H("single_precision_histogram", "categorical", choices=TRUE_FALSE),
    _H("deterministic_histogram", "categorical", choices=TRUE_FALSE),
    _H("prob_buffer_row", "float", low=1, low_inclusive=False),
    _H("save_model_on_termination", "categorical", choices=TRUE_FALSE),
    _H("use_dask_gpu_training", "categorical", choices=TRUE_FALSE),
    _H("_kfold", "int", low=2),
    _H("_num_cv_round", "int", low=1),
    _H("learning_rate", "float", low=0, high=1, description="Alias of eta."),
    _H("min_split_loss", "float", low=0, description="Alias of gamma."),
    _H("reg_lambda", "float", low=0, description="Alias of lambda."),
    _H("reg_alpha", "float", low=0, description="Alias of alpha."),
    tuning_hyperparameter(),
)


def _metric_regex(dataset: str, metric: str) -> str:
    escaped = metric.replace("-", r"\-")
    return rf".*\[[0-9]+\].*#011{dataset}-{escaped}:{NUMBER}.*"


METRICS: tuple[Metric, ...] = tuple(
    Metric(f"{dataset}:{metric}", direction, _metric_regex(dataset, metric))
    for dataset in ("train", "validation")
    for direction, group in (("Maximize", MAXIMIZE), ("Minimize", MINIMIZE))
    for metric in group
)


# Hyperparameter rules that involve several values


def _check(values: dict[str, Any]) -> None:
    for alias, name in ALIASES.items():
        if values.get(alias) is not None:
            values[name] = values[alias]
    objective = values["objective"]
    if objective in ("multi:softmax", "multi:softprob") and values["num_class"] is None:
        raise client_error("Require input for parameter 'num_class' for multi-classification")
    for metric in values["eval_metric"] or ():
        _check_metric(metric, objective)
    tuning = tuning_objective(values)
    if tuning:
        _check_metric(tuning.split(":", 1)[-1], objective)
    method = values["tree_method"]
    if values["monotone_constraints"] is not None and method not in ("exact", "hist"):
        raise client_error(
            "monotone_constraints can be used only when the tree_method parameter is set "
            "to either 'exact' or 'hist'."
        )
    if values["interaction_constraints"] is not None and method not in ("exact", "hist", "approx"):
        raise client_error(
            "interaction_constraints can be used only when the tree_method parameter is set "
            "to either 'exact', 'hist' or 'approx'."
        )


def _check_metric(metric: str, objective: str) -> None:
    name, at, threshold = metric.partition("@")
    if at:
        if name not in ("error", "ndcg", "map"):
            raise client_error(
                f"Metric '{metric}' is not supported. Parameter 'eval_metric' with customized "
                "threshold should be one of these options: 'error', 'ndcg', 'map'."
            )
        try:
            float(threshold.rstrip("-"))
        except ValueError:
            raise client_error(f"Threshold value 't' in '{name}@t' expects float input.") from None
    elif name not in MAXIMIZE + MINIMIZE:
        raise client_error(
            f"Hyperparameter eval_metric: value {name!r} is not supported. Supported: "
            + ", ".join(sorted(MAXIMIZE + MINIMIZE))
        )
    if name == "auc" and not objective.startswith(("binary:", "rank:")):
        raise client_error(
            "Metric 'auc' can only be applied for classification and ranking problems."
        )
    if name == "aft-nloglik" and objective != "survival:aft":
        raise client_error("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.")


# Container-defined metrics (computed here, not by xgboost)


def _labels(preds: np.ndarray, objective: str) -> np.ndarray:
    if preds.ndim == 2:
        return preds.argmax(axis=1)
    if objective == "binary:logitraw":
        return (preds > 0).astype(int)
    if objective.startswith("binary:") or objective == "reg:logistic":
        return (preds > 0.5).astype(int)
    return np.rint(preds).astype(int)


def _avg(score: Callable[..., float], average: str) -> Callable[..., float]:
    return lambda y, p: score(y, p, average=average, zero_division=0)


def _binary(kind: str) -> Callable[[np.ndarray, np.ndarray], float]:
    """Binary precision, recall or F1 from counts: the same values as scikit-learn's
    (``zero_division=0``) without its input checks, which cost milliseconds per call and so
    seconds per job when the metric is computed every round on every channel."""

    def score(y: np.ndarray, p: np.ndarray) -> float:
        tp = int(np.count_nonzero((y == 1) & (p == 1)))
        fp = int(np.count_nonzero((y != 1) & (p == 1)))
        fn = int(np.count_nonzero((y == 1) & (p != 1)))
        if kind == "precision":
            return tp / (tp + fp) if tp + fp else 0.0
        if kind == "recall":
            return tp / (tp + fn) if tp + fn else 0.0
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0

    return score


def _accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(y == p)) if len(y) else 0.0


CUSTOM: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "accuracy": _accuracy,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "f1": _binary("f1"),
    "f1_binary": _binary("f1"),
    "f1_macro": _avg(skm.f1_score, "macro"),
    "precision": _binary("precision"),
    "precision_macro": _avg(skm.precision_score, "macro"),
    "precision_micro": _avg(skm.precision_score, "micro"),
    "recall": _binary("recall"),
    "recall_macro": _avg(skm.recall_score, "macro"),
    "recall_micro": _avg(skm.recall_score, "micro"),
}
REGRESSION_CUSTOM: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "mse": skm.mean_squared_error,
    "r2": skm.r2_score,
}


def _custom_metric(names: list[str], objective: str) -> Callable[..., list[tuple[str, float]]]:
    def evaluate(preds: np.ndarray, dmatrix: xgb.DMatrix) -> list[tuple[str, float]]:
        y = dmatrix.get_label()
        results = []
        for name in names:
            if name in REGRESSION_CUSTOM:
                value = REGRESSION_CUSTOM[name](y, preds)
            else:
                value = CUSTOM[name](y.astype(int), _labels(np.asarray(preds), objective))
            results.append((name, float(value)))
        return results

    return evaluate


# Training


class _Report(xgb.callback.TrainingCallback):
    """Logs each round like the container, reports every metric, honours should_stop."""

    def __init__(self, ctx: TrainingContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.history: dict[str, Any] = {}

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
        self.history = evals_log
        self.ctx.log(self.line(epoch, report=True))
        return stopped(self.ctx, f"after round {epoch}")

    def line(self, epoch: int, report: bool) -> str:
        """The log line of round ``epoch``; ``report`` also sends its metrics to the runtime."""
        parts = [f"[{epoch}]"]
        for dataset, metrics in self.history.items():
            for name, history in metrics.items():
                value = history[epoch]
                value = float(value[0] if isinstance(value, tuple) else value)
                parts.append(f"{dataset}-{name}:{value:.5f}")
                if report:
                    self.ctx.metric(f"{dataset}:{name}", value, epoch)
        return "#011".join(parts)

    def report_best(self, best: int) -> None:
        """Log the best round and report its metrics once more as the job's final values.

        SageMaker's metric regexes pick the last match in the log, which is this line, so
        the final metrics of an early-stopped job are the best round's, the model that
        hosting serves.
        """
        self.ctx.log(f"Stopping. Best iteration:\n{self.line(best, report=False)}")
        for dataset, metrics in self.history.items():
            for name, history in metrics.items():
                value = history[best]
                value = float(value[0] if isinstance(value, tuple) else value)
                self.ctx.metric(f"{dataset}:{name}", value, None)


def _dmatrix(data: inputs.Dataset, width: int | None = None) -> xgb.DMatrix:
    X = data.X
    if sparse.issparse(X) and width is not None and X.shape[1] < width:
        X = sparse.csr_matrix(X)
        X.resize((X.shape[0], width))
    matrix = xgb.DMatrix(X, label=data.y, weight=data.weights, missing=math.nan)
    if data.qid is not None:
        matrix.set_group(np.diff(np.flatnonzero(np.r_[True, np.diff(data.qid) != 0, True])))
    return matrix


def _read(ctx: TrainingContext, values: dict[str, Any]) -> tuple[xgb.DMatrix, xgb.DMatrix | None]:
    train_channel = ctx.channels["train"]
    weights = values["csv_weights"] == 1
    read = dict(label_size=1, allow_missing=True, csv_weights=weights)
    train = inputs.read_channel(train_channel, SPEC.content_types, "XGBoost", **read)
    _check_label_size(train)
    validation = None
    if "validation" in ctx.channels:
        channel = ctx.channels["validation"]
        if channel.content_type is None:
            channel = type(channel)(channel.name, channel.path, train_channel.content_type)
        validation = inputs.read_channel(channel, SPEC.content_types, "XGBoost", **read)
        _check_label_size(validation)
    width = max(train.columns, validation.columns if validation else 0)
    if validation is not None and not sparse.issparse(train.X) and validation.columns != width:
        raise client_error(
            f"feature_names mismatch: the validation data has {validation.columns} features "
            f"but the training data has {train.columns}."
        )
    ctx.log(f"Train matrix has {train.rows} rows and {train.columns} columns")
    if validation is not None:
        ctx.log(f"Validation matrix has {validation.rows} rows")
    return _dmatrix(train, width), (_dmatrix(validation, width) if validation else None)


def _check_label_size(data: inputs.Dataset) -> None:
    size = data.params.get("label_size")
    if size is not None and size != "1":
        raise client_error(
            f"{data.content_type};label_size={size} is not an accepted csv ContentType. "
            "Optional parameter label_size must be equal to 1"
        )
    if data.y is None:
        raise client_error("The training data has no labels: XGBoost needs the label first.")


def _params(ctx: TrainingContext, values: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or name in HANDLED or name in ALIASES:
            continue
        if value == SPEC.hyperparameter(name).default and name not in KEEP_DEFAULTS:
            continue  # the same default in xgboost: leave it out (no "unused" warnings)
        if name in IGNORED:
            if not name.startswith("_"):
                ctx.log(f"Hyperparameter {name}={value} is not used by this local stand-in.")
            continue
        params[name] = value
    if params["objective"] == "reg:linear":
        ctx.log("objective reg:linear is the old name of reg:squarederror: using that.")
        params["objective"] = "reg:squarederror"
    if params.get("tree_method") == "gpu_hist":
        ctx.log("tree_method gpu_hist: no GPU here, training with hist on the CPU.")
        params["tree_method"] = "hist"
    for name in ("monotone_constraints", "interaction_constraints"):
        if name in params:
            params[name] = str(params[name]).replace("(", "[").replace(")", "]")
    params.setdefault("nthread", max(1, ctx.num_cpus))
    return params


def _eval_metrics(values: dict[str, Any]) -> tuple[list[str], list[str], str | None]:
    wanted = list(values["eval_metric"] or ())
    tuning = tuning_objective(values)
    tuning_metric = tuning.split(":", 1)[-1] if tuning else None
    if tuning_metric and tuning_metric not in wanted:
        wanted.append(tuning_metric)
    custom = [m for m in wanted if m in CUSTOM or m in REGRESSION_CUSTOM]
    native = [m for m in wanted if m not in custom]
    return native, custom, tuning_metric


def _xgb_error(error: Exception) -> Exception:
    text = str(error).split("Stack trace:")[0].strip()
    lines = [line for line in text.splitlines() if line.strip()]
    message = lines[-1] if lines else text
    message = re.sub(r"^\[[^\]]*\]\s*", "", message)  # "[12:00:00] "
    message = re.sub(r"^\S+\.(?:cc|cu|h):\d+:\s*", "", message)  # "src/x.cc:83: "
    return client_error(f"XGB train call failed with exception: {message}")


def train(ctx: TrainingContext) -> None:
    """Train a booster on the channels and save it as ``xgboost-model`` in ``ctx.model_dir``."""
    SPEC.validate_channels(ctx.channels)
    values = dict(ctx.hyperparameters)
    ctx.log(f"Local stand-in for SageMaker XGBoost (1.7-1 semantics) on xgboost {xgb.__version__}")
    if values.get("_kfold") is not None:
        ctx.log("_kfold (cross-validation) is not supported by the local stand-in: ignored.")
    dtrain, dvalid = _read(ctx, values)
    params = _params(ctx, values)
    native, custom, tuning_metric = _eval_metrics(values)
    if native:
        params["eval_metric"] = native
    evals = [(dtrain, "train")] + ([(dvalid, "validation")] if dvalid is not None else [])
    report = _Report(ctx)
    callbacks: list[xgb.callback.TrainingCallback] = [report]
    rounds = values["early_stopping_rounds"]
    if rounds is not None:
        if dvalid is None:
            raise client_error(
                "early_stopping_rounds needs a validation channel: XGBoost stops when the "
                "validation metric has not improved for that many rounds. Add a "
                "'validation' channel or remove early_stopping_rounds."
            )
        maximize = tuning_metric in MAXIMIZE if tuning_metric else None
        callbacks.append(
            xgb.callback.EarlyStopping(
                rounds=rounds, metric_name=tuning_metric, data_name="validation", maximize=maximize
            )
        )
    if stopped(ctx, "before the first round"):
        return
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            booster = xgb.train(
                params,
                dtrain,
                num_boost_round=values["num_round"],
                evals=evals,
                custom_metric=_custom_metric(custom, params["objective"]) if custom else None,
                callbacks=callbacks,
                verbose_eval=False,
            )
    except (xgb.core.XGBoostError, ValueError) as error:
        raise _xgb_error(error) from None
    for warning in caught:  # xgboost's own warnings go to the job's log, as in the container
        ctx.log(str(warning.message).strip())
    if rounds is not None and "best_iteration" in booster.attributes():
        report.report_best(booster.best_iteration)
    save(booster, ctx.model_dir)


def save(booster: xgb.Booster, model_dir: Path) -> Path:
    """Write ``booster`` as ``model_dir/xgboost-model`` (XGBoost UBJSON model format)."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    path.write_bytes(bytes(booster.save_raw(raw_format="ubj")))
    return path


def load(model_dir: Path) -> xgb.Booster:
    """The booster a training job saved in ``model_dir`` (or the ``xgboost-model`` file)."""
    path = Path(model_dir)
    path = path / MODEL_FILE if path.is_dir() else path
    booster = xgb.Booster()
    # From a buffer XGBoost tells UBJSON, JSON and the legacy binary apart by content; from
    # a path without an extension it would print "Unknown file format" on every load.
    booster.load_model(bytearray(path.read_bytes()))
    return booster


def predict(booster: xgb.Booster, X: Any) -> np.ndarray:
    """Predictions as SageMaker XGBoost hosting makes them: with the best iteration if any."""
    matrix = X if isinstance(X, xgb.DMatrix) else xgb.DMatrix(X, missing=math.nan)
    if "best_iteration" in booster.attributes():
        return booster.predict(matrix, iteration_range=(0, booster.best_iteration + 1))
    return booster.predict(matrix)


SPEC = AlgorithmSpec(
    name="xgboost",
    title="XGBoost",
    image_repositories=("sagemaker-xgboost", "xgboost"),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "validation": False},
    content_types=(inputs.LIBSVM, inputs.CSV, inputs.RECORDIO, inputs.PARQUET),
    metrics=METRICS,
    train=train,
    check=_check,
)
