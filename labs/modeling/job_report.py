"""What a finished training job reports: final metrics, its log, the learning curve, its cost.

Everything is read through the ordinary APIs (``DescribeTrainingJob`` and CloudWatch Logs
``/aws/sagemaker/TrainingJobs``), so the same calls work on the local runtime and on AWS.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from labs.aws import prices

__all__ = [
    "LOG_GROUP",
    "final_metrics",
    "job_cost",
    "log_messages",
    "xgboost_best_round",
    "xgboost_curve",
]

LOG_GROUP = "/aws/sagemaker/TrainingJobs"

# "[12]#011train-auc:0.91234#011validation-auc:0.87654" (#011 is a tab as CloudWatch shows it)
_ROUND = re.compile(r"^\[(\d+)\](.+)$")
_BEST = re.compile(r"Best iteration:\s*\[(\d+)\]")
_FIELD = re.compile(r"^([A-Za-z_]\w*)-(.+):([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)$")


def final_metrics(description: dict[str, Any]) -> dict[str, float]:
    """``FinalMetricDataList`` of a ``describe_training_job`` answer as ``{name: value}``."""
    return {m["MetricName"]: float(m["Value"]) for m in description.get("FinalMetricDataList", [])}


def log_messages(logs: Any, job_name: str) -> list[str]:
    """Every log line of a training job, from all its streams (``<job>/algo-1-...``), in order."""
    streams = logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=f"{job_name}/")
    messages: list[str] = []
    for stream in streams.get("logStreams", []):
        kwargs: dict[str, Any] = {
            "logGroupName": LOG_GROUP,
            "logStreamName": stream["logStreamName"],
            "startFromHead": True,
        }
        while True:
            page = logs.get_log_events(**kwargs)
            messages += [event["message"] for event in page["events"]]
            token = page.get("nextForwardToken")
            if not page["events"] or token == kwargs.get("nextToken"):
                break
            kwargs["nextToken"] = token
    return messages


def xgboost_curve(messages: list[str]) -> pd.DataFrame:
    """The per-round metrics built-in XGBoost logs, one row per round, one column per metric.

    Columns are named like the job's metrics (``train:auc``, ``validation:auc``). A round
    logged twice (the best round repeated after early stopping) keeps its first line.
    """
    rows: dict[int, dict[str, float]] = {}
    for message in messages:
        match = _ROUND.match(message.strip())
        if not match:
            continue
        number = int(match.group(1))
        fields = [_FIELD.match(f) for f in re.split(r"#011|\t", match.group(2)) if f.strip()]
        if number in rows or not fields or not all(fields):
            continue
        rows[number] = {f"{m.group(1)}:{m.group(2)}": float(m.group(3)) for m in fields if m}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("round").sort_index()


def xgboost_best_round(messages: list[str]) -> int | None:
    """The round early stopping kept (``Stopping. Best iteration: [n]...``), else ``None``."""
    for message in reversed(messages):
        match = _BEST.search(message)
        if match:
            return int(match.group(1))
    return None


def job_cost(description: dict[str, Any], region: str) -> float | None:
    """On-demand USD of a finished job from the kit's price table, or ``None`` without a price.

    SageMaker AI bills ``BillableTimeInSeconds`` x ``InstanceCount`` instance-seconds
    (the DescribeTrainingJob API reference); the hourly price is the kit's dated table
    (:mod:`labs.aws.prices`).
    """
    resources = description["ResourceConfig"]
    seconds = description.get("BillableTimeInSeconds") or 0
    return prices.cost(
        region, resources["InstanceType"], int(resources.get("InstanceCount", 1)), seconds / 3600
    )
