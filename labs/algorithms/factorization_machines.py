"""Local stand-in for the SageMaker built-in Factorization Machines algorithm.

Sources: the developer guide pages "Factorization Machines Algorithm" (input/output
interface), "How Factorization Machines Work", "Factorization Machines Hyperparameters",
"Tune a Factorization Machines Model" (metrics) and "Factorization Machines Response
Formats".

What matches AWS:

- Image ``.../factorization-machines:1``; channels ``train`` (required) and ``test``
  (optional, scored at the end). Training takes ``application/x-recordio-protobuf`` with
  Float32 tensors only (dense or sparse records); anything else fails the job.
- ``feature_dim``, ``num_factors`` and ``predictor_type`` (``binary_classifier`` or
  ``regressor``) are required; the optional hyperparameters have the documented names,
  defaults and ranges (``epochs`` 1, ``mini_batch_size`` 1000, ``bias_lr`` 0.1,
  ``linear_lr`` 0.001, ``factors_lr`` 0.0001, ``bias_wd`` 0.01, ``linear_wd`` 0.001,
  ``factors_wd`` 0.00001, ``*_init_method`` ``normal`` with ``bias_init_sigma`` /
  ``linear_init_sigma`` 0.01 and ``factors_init_sigma`` 0.001).
- The model is a second-order factorization machine: ``w0 + w.x + sum_{i<j} <v_i, v_j>
  x_i x_j``, the pairwise term computed in O(k n) as ``0.5 * sum_f ((x V)_f^2 - (x^2)
  (V^2)_f)``; binary classification passes it through a sigmoid (log loss), regression
  uses squared loss.
- Metrics with the documented names: ``test:rmse`` (regressor),
  ``test:binary_classification_accuracy``, ``test:binary_classification_cross_entropy``
  and ``test:binary_f_beta`` (binary), logged as ``#quality_metric`` lines.
- Inference answers ``{"score": s, "predicted_label": 0|1}`` (binary, threshold 0.5) or
  ``{"score": y}`` (regressor) per record.

What differs: training is numpy mini-batch Adam with lazy (touched rows only) updates,
one learning rate and one L2 weight decay per parameter group, in place of the MXNet
optimizer; ``clip_gradient``, ``eps`` and ``rescale_grad`` act on that optimizer. The
artifact ``model_algo-1`` is a joblib file of this kit holding ``w0``, ``w`` and ``V``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

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
    TrainingContext,
    client_error,
    tuning_hyperparameter,
)

NAME = "factorization-machines"
TITLE = "Factorization Machines"
BINARY = "binary_classifier"
REGRESSOR = "regressor"
INITS = ("normal", "uniform", "constant")
GROUPS = ("bias", "linear", "factors")
_DEFAULT_SIGMA = {"bias": 0.01, "linear": 0.01, "factors": 0.001}
_DEFAULT_LR = {"bias": 0.1, "linear": 0.001, "factors": 0.0001}
_DEFAULT_WD = {"bias": 0.01, "linear": 0.001, "factors": 0.00001}

_H = Hyperparameter


def _group_hyperparameters(group: str) -> tuple[Hyperparameter, ...]:
    return (
        _H(f"{group}_lr", "float", default=_DEFAULT_LR[group], low=0),
        _H(f"{group}_wd", "float", default=_DEFAULT_WD[group], low=0),
        _H(f"{group}_init_method", "categorical", default="normal", choices=INITS),
        _H(f"{group}_init_scale", "float", low=0),
        _H(f"{group}_init_sigma", "float", default=_DEFAULT_SIGMA[group], low=0),
        _H(f"{group}_init_value", "float"),
    )


HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("feature_dim", "int", required=True, low=1, description="Input dimension."),
    _H("num_factors", "int", required=True, low=1, description="Dimension of factorization."),
    _H("predictor_type", "categorical", required=True, choices=(BINARY, REGRESSOR)),
    _H("epochs", "int", default=1, low=1),
    _H("mini_batch_size", "int", default=1000, low=1),
    _H("clip_gradient", "float"),
    _H("eps", "float", low=0, low_inclusive=False),
    _H("rescale_grad", "float"),
    *_group_hyperparameters("bias"),
    *_group_hyperparameters("linear"),
    *_group_hyperparameters("factors"),
    tuning_hyperparameter(),
)

METRICS = (
    quality_metric("test:rmse", "rmse", "Minimize", loss=True),
    quality_metric(
        "test:binary_classification_accuracy",
        "binary_classification_accuracy",
        "Maximize",
        loss=False,
    ),
    quality_metric(
        "test:binary_classification_cross_entropy",
        "binary_classification_cross_entropy",
        "Minimize",
        loss=True,
    ),
    quality_metric("test:binary_f_beta", "binary_f_beta", "Maximize", loss=False),
)


def _check(values: dict[str, Any]) -> None:
    """An init method of ``uniform`` needs its scale, ``constant`` its value."""
    for group in GROUPS:
        method = values[f"{group}_init_method"]
        needed = {"uniform": "scale", "constant": "value"}.get(method)
        if needed and values[f"{group}_init_{needed}"] is None:
            raise client_error(
                f"Hyperparameter {group}_init_{needed} is required when {group}_init_method "
                f"is {method}."
            )


# The model


def scores(w0: float, w: np.ndarray, V: np.ndarray, X: Any) -> np.ndarray:
    """The raw FM output ``w0 + x.w + sum_{i<j} <v_i, v_j> x_i x_j`` for each row of ``X``.

    ``X`` is a scipy sparse matrix or a dense array (rows x feature_dim); the pairwise term
    costs O(k * non-zeros) through ``0.5 * sum_f ((X V)^2 - X^2 V^2)``.
    """
    XV = X @ V
    X2 = X.multiply(X) if sparse.issparse(X) else X * X
    pairwise = 0.5 * (np.sum(XV * XV, axis=1) - np.asarray(X2 @ (V * V)).sum(axis=1))
    return float(w0) + np.asarray(X @ w).ravel() + np.asarray(pairwise).ravel()


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


def _init(rng: np.random.Generator, values: dict[str, Any], group: str, shape: Any) -> Any:
    method = values[f"{group}_init_method"]
    if method == "constant":
        return np.full(shape, float(values[f"{group}_init_value"]))
    if method == "uniform":
        scale = float(values[f"{group}_init_scale"])
        return rng.uniform(-scale, scale, shape)
    return rng.normal(0.0, float(values[f"{group}_init_sigma"]), shape)


class _Adam:
    """Adam on one parameter array, updating only the rows given (lazy, as for sparse data)."""

    def __init__(self, shape: Any, lr: float, wd: float, values: dict[str, Any]) -> None:
        self.m = np.zeros(shape)
        self.v = np.zeros(shape)
        self.t = np.zeros(shape[0])
        self.lr, self.wd = lr, wd
        self.eps = values["eps"] if values["eps"] is not None else 1e-8
        self.clip = values["clip_gradient"]
        self.rescale = values["rescale_grad"] if values["rescale_grad"] is not None else 1.0

    def step(self, param: np.ndarray, grad: np.ndarray, rows: Any = None) -> None:
        """Update ``param[rows]`` (or the whole array) in place from ``grad`` (same rows)."""
        index = slice(None) if rows is None else rows
        grad = grad * self.rescale + self.wd * param[index]
        if self.clip is not None:
            grad = np.clip(grad, -abs(self.clip), abs(self.clip))
        self.t[index] += 1
        t = self.t[index][:, None] if param.ndim > 1 else self.t[index]
        self.m[index] = 0.9 * self.m[index] + 0.1 * grad
        self.v[index] = 0.999 * self.v[index] + 0.001 * grad * grad
        m_hat = self.m[index] / (1 - 0.9**t)
        v_hat = self.v[index] / (1 - 0.999**t)
        param[index] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def _read(ctx: TrainingContext, name: str, values: dict[str, Any]) -> inputs.Dataset:
    data = inputs.read_channel(ctx.channels[name], SPEC.content_types, TITLE, label_size=1)
    inputs.check_feature_dim(data, values["feature_dim"], name, label_hint=False)
    if data.y is None:
        raise client_error(
            f"The records in channel {name!r} have no label: Factorization Machines is "
            "supervised, write each record's label (recordio.write_sparse(file, X, y))."
        )
    if values["predictor_type"] == BINARY:
        bad = np.setdiff1d(np.unique(data.y), [0.0, 1.0])
        if bad.size:
            raise client_error(
                f"Channel {name!r}: label {bad[0]:g} is not valid for predictor_type "
                "binary_classifier: labels must be 0 or 1."
            )
    return data


def _as_csr(X: Any) -> sparse.csr_matrix:
    return sparse.csr_matrix(X, dtype=np.float64)


def _loss(kind: str, y: np.ndarray, raw: np.ndarray) -> float:
    if kind == REGRESSOR:
        return float(np.sqrt(np.mean((raw - y) ** 2)))
    p = np.clip(_sigmoid(raw), 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def train(ctx: TrainingContext) -> None:
    """Fit the FM on the train channel by mini-batch Adam, score the test channel, save it."""
    SPEC.validate_channels(ctx.channels)
    values = ctx.hyperparameters
    kind = values["predictor_type"]
    data = _read(ctx, "train", values)
    X, y = _as_csr(data.X), data.y.astype(np.float64)
    d, k = values["feature_dim"], values["num_factors"]
    batch = min(values["mini_batch_size"], X.shape[0])
    info(
        ctx,
        f"Local stand-in for {TITLE}: {X.shape[0]} records, {d} features, num_factors={k}, "
        f"predictor_type={kind}, {X.nnz / max(X.shape[0], 1):.1f} non-zeros per record",
    )
    rng = np.random.default_rng(0)
    w0 = np.atleast_1d(_init(rng, values, "bias", (1,))).astype(np.float64)
    w = _init(rng, values, "linear", (d,)).astype(np.float64)
    V = _init(rng, values, "factors", (d, k)).astype(np.float64)
    opt = {
        g: _Adam(shape, values[f"{g}_lr"], values[f"{g}_wd"], values)
        for g, shape in (("bias", (1,)), ("linear", (d,)), ("factors", (d, k)))
    }
    objective = "rmse" if kind == REGRESSOR else "binary_classification_cross_entropy"
    for epoch in range(values["epochs"]):
        if stopped(ctx, f"before epoch {epoch}"):
            if epoch == 0:
                return
            break
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch):
            rows = order[start : start + batch]
            _step(X[rows], y[rows], kind, w0, w, V, opt)
        loss = _loss(kind, y, scores(w0[0], w, V, X))
        info(ctx, quality_line("train", objective, loss, loss=True, epoch=epoch))
        info(ctx, f"#progress_metric: host=algo-1, completed {epoch + 1} epoch(s)")
    if "test" in ctx.channels:
        test = _read(ctx, "test", values)
        _report_test(ctx, kind, test.y.astype(np.float64), scores(w0[0], w, V, _as_csr(test.X)))
    save_model(
        ctx.model_dir,
        {
            "algorithm": NAME,
            "predictor_type": kind,
            "feature_dim": d,
            "w0": float(w0[0]),
            "w": w.astype(np.float32),
            "V": V.astype(np.float32),
            "hyperparameters": dict(values),
        },
    )


def _step(
    Xb: sparse.csr_matrix,
    yb: np.ndarray,
    kind: str,
    w0: np.ndarray,
    w: np.ndarray,
    V: np.ndarray,
    opt: dict[str, _Adam],
) -> None:
    """One mini-batch: gradients of the mean loss, then Adam on the features it touches."""
    n = Xb.shape[0]
    XV = Xb @ V
    X2 = Xb.multiply(Xb)
    raw = (
        w0[0]
        + np.asarray(Xb @ w).ravel()
        + 0.5 * (np.sum(XV * XV, axis=1) - np.asarray(X2 @ (V * V)).sum(axis=1))
    )
    g = (raw - yb) if kind == REGRESSOR else (_sigmoid(raw) - yb)
    g = g / n
    touched = np.unique(Xb.indices)
    grad_w = np.asarray(Xb.T @ g).ravel()[touched]
    grad_V = (Xb.T @ (g[:, None] * XV))[touched] - V[touched] * np.asarray(X2.T @ g).ravel()[
        touched
    ][:, None]
    opt["bias"].step(w0, np.array([g.sum()]))
    opt["linear"].step(w, grad_w, touched)
    opt["factors"].step(V, grad_V, touched)


def _report_test(ctx: TrainingContext, kind: str, y: np.ndarray, raw: np.ndarray) -> None:
    if kind == REGRESSOR:
        report(ctx, "test:rmse", "rmse", _loss(kind, y, raw), loss=True)
        return
    predicted = (_sigmoid(raw) >= 0.5).astype(np.float64)
    tp = float(np.sum((predicted == 1) & (y == 1)))
    precision = tp / max(float(predicted.sum()), 1.0)
    recall = tp / max(float(y.sum()), 1.0)
    f_beta = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = float(np.mean(predicted == y))
    report(
        ctx,
        "test:binary_classification_accuracy",
        "binary_classification_accuracy",
        accuracy,
        loss=False,
    )
    report(
        ctx,
        "test:binary_classification_cross_entropy",
        "binary_classification_cross_entropy",
        _loss(kind, y, raw),
        loss=True,
    )
    report(ctx, "test:binary_f_beta", "binary_f_beta", f_beta, loss=False)


def load(model_dir: Path) -> dict[str, Any]:
    """The model a training job saved in ``model_dir``."""
    return load_model(model_dir, NAME)


def predict(model: dict[str, Any], X: Any) -> list[dict[str, Any]]:
    """Records shaped like the endpoint's: ``{"score", "predicted_label"}`` or ``{"score"}``.

    ``X`` is a scipy sparse matrix or a dense array with ``feature_dim`` columns.
    """
    X = _as_csr(X) if sparse.issparse(X) else np.atleast_2d(np.asarray(X, dtype=np.float64))
    if X.shape[1] != model["feature_dim"]:
        raise client_error(
            f"The request has {X.shape[1]} features but the model was trained with "
            f"feature_dim={model['feature_dim']}."
        )
    raw = scores(
        model["w0"],
        np.asarray(model["w"], dtype=np.float64),
        np.asarray(model["V"], dtype=np.float64),
        X,
    )
    if model["predictor_type"] == REGRESSOR:
        return [{"score": float(v)} for v in raw]
    return [{"score": float(p), "predicted_label": int(p >= 0.5)} for p in _sigmoid(raw)]


SPEC = AlgorithmSpec(
    name=NAME,
    title=TITLE,
    image_repositories=("factorization-machines",),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "test": False},
    content_types=(inputs.RECORDIO,),
    metrics=METRICS,
    train=train,
    check=_check,
)
