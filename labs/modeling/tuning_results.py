"""Read a tuning job's results: the best-so-far curve and every child job's final metrics.

The SDK's ``HyperparameterTuner.analytics().dataframe()`` lists each child job with its
objective value. Two views it does not give are needed to compare strategies and to see
overfitting: :func:`best_so_far` (the best objective after each job, in launch order) and
:func:`child_metrics` (all final metrics of each child, e.g. ``train:auc`` next to
``validation:auc``), read with plain boto3 so they work in both modes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["best_so_far", "child_metrics"]


def best_so_far(frame: pd.DataFrame, *, maximize: bool = True) -> pd.Series:
    """The best ``FinalObjectiveValue`` after each child job, in ``TrainingStartTime`` order.

    Indexed 1, 2, ... (the number of jobs run). A job without a value (stopped before it
    reported) keeps the best so far unchanged.
    """
    missing = {"FinalObjectiveValue", "TrainingStartTime"} - set(frame.columns)
    if missing:
        raise ValueError(f"not a tuning analytics dataframe: no {', '.join(sorted(missing))}")
    ordered = frame.sort_values("TrainingStartTime")["FinalObjectiveValue"].astype(float)
    values = ordered.to_numpy()
    filled = np.where(np.isnan(values), -np.inf if maximize else np.inf, values)
    running = np.maximum.accumulate(filled) if maximize else np.minimum.accumulate(filled)
    running = np.where(np.isinf(running), np.nan, running)
    return pd.Series(running, index=pd.RangeIndex(1, len(values) + 1, name="jobs run"))


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def child_metrics(sagemaker: Any, tuning_job_name: str) -> pd.DataFrame:
    """One row per child training job: its tuned hyperparameters, status and final metrics.

    Hyperparameter values are converted to numbers where they are numeric. Metrics come
    from ``DescribeTrainingJob``'s ``FinalMetricDataList`` (one column per metric name).
    """
    pages = sagemaker.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job")
    rows = []
    for page in pages.paginate(HyperParameterTuningJobName=tuning_job_name):
        for summary in page["TrainingJobSummaries"]:
            name = summary["TrainingJobName"]
            described = sagemaker.describe_training_job(TrainingJobName=name)
            row: dict[str, Any] = {"TrainingJobName": name, "status": summary["TrainingJobStatus"]}
            for key, value in summary.get("TunedHyperParameters", {}).items():
                row[key] = _number(value)
            for metric in described.get("FinalMetricDataList", []):
                row[metric["MetricName"]] = float(metric["Value"])
            rows.append(row)
    if not rows:
        raise ValueError(f"tuning job {tuning_job_name} has no training jobs (yet)")
    return pd.DataFrame(rows).sort_values("TrainingJobName").reset_index(drop=True)
