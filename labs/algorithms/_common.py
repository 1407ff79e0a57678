"""Helpers the stand-ins share: AWS-style log lines, metric regexes, artifacts."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import joblib

from labs.algorithms.base import NUMBER, AlgorithmError, Metric, TrainingContext

#: The host name the single-instance jobs report (SageMaker calls the first host algo-1).
HOST = "algo-1"

#: The file the Amazon algorithms (Linear Learner, k-means, PCA, RCF, k-NN) put in
#: model.tar.gz. On AWS it holds an MXNet model; here it holds a joblib dump (see
#: :func:`save_model`), so the kit's artifact has the same name but not the same bytes.
MODEL_FILE = "model_algo-1"


def info(ctx: TrainingContext, message: str) -> None:
    """Log ``message`` with the prefix the Amazon algorithms print: ``[date INFO pid]``."""
    stamp = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime())
    ctx.log(f"[{stamp} INFO {os.getpid()}] {message}")


def quality_line(dataset: str, name: str, value: float, *, loss: bool, epoch: int | None) -> str:
    """A ``#quality_metric`` line as the Amazon algorithms log it."""
    kind = "<loss>" if loss else "<score>"
    at = f"epoch={epoch}, " if epoch is not None else ""
    return f"#quality_metric: host={HOST}, {at}{dataset} {name} {kind}={value!r}"


def quality_regex(dataset: str, log_name: str, *, loss: bool, epoch: bool = False) -> str:
    """The metric regex matching :func:`quality_line` output for one metric."""
    kind = "<loss>" if loss else "<score>"
    at = r"epoch=\S+, " if epoch else ""
    return rf"#quality_metric: host=\S+, {at}{dataset} {log_name} {kind}={NUMBER}"


def quality_metric(
    name: str, log_name: str, direction: str, *, loss: bool, epoch: bool = False
) -> Metric:
    """A :class:`Metric` named ``dataset:metric`` whose regex reads ``#quality_metric`` lines."""
    dataset = name.split(":", 1)[0]
    return Metric(name, direction, quality_regex(dataset, log_name, loss=loss, epoch=epoch))


def report(
    ctx: TrainingContext,
    name: str,
    log_name: str,
    value: float,
    *,
    loss: bool,
    epoch: int | None = None,
) -> None:
    """Log a ``#quality_metric`` line and report the metric ``name`` to the runtime."""
    dataset = name.split(":", 1)[0]
    info(ctx, quality_line(dataset, log_name, float(value), loss=loss, epoch=epoch))
    ctx.metric(name, float(value), epoch)


def save_model(model_dir: Path, payload: dict[str, Any], name: str = MODEL_FILE) -> Path:
    """Write ``payload`` with joblib as ``model_dir/name`` and return the path."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / name
    joblib.dump(payload, path)
    return path


def load_model(model_dir: Path, algorithm: str) -> dict[str, Any]:
    """The payload :func:`save_model` wrote for ``algorithm`` in ``model_dir``."""
    path = Path(model_dir) / MODEL_FILE
    if not path.exists():
        raise AlgorithmError(f"No {MODEL_FILE} in {model_dir}: not a {algorithm} model")
    payload = joblib.load(path)
    if not isinstance(payload, dict) or payload.get("algorithm") != algorithm:
        raise AlgorithmError(f"{path} is not a {algorithm} model of this kit")
    return payload


def stopped(ctx: TrainingContext, where: str) -> bool:
    """True (and a log line) when the job was asked to stop."""
    if ctx.should_stop():
        info(ctx, f"Stop requested: ending training {where}.")
        return True
    return False
