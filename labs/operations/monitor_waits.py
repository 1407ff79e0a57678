"""Waiting for Model Monitor's inputs and outputs: captured records, a schedule's execution.

Both take seconds in local mode and minutes on AWS (capture files are buffered before they
reach S3; a monitoring execution is a processing job), so a lab polls with these, the same
way in both modes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from labs.errors import LabsError
from labs.runtime.capture import read_captures

__all__ = ["wait_for_captures", "wait_for_drift_metrics", "wait_for_execution"]

#: Where Model Monitor publishes an endpoint's data-quality metrics.
DATA_METRICS = "aws/sagemaker/Endpoints/data-metrics"

_RUNNING = ("Pending", "InProgress", "Stopping")


def wait_for_captures(
    s3: Any, capture_uri: str, count: int, *, timeout: float = 900, poll: float = 1.0
) -> list[dict[str, Any]]:
    """The capture records under ``capture_uri`` once there are at least ``count`` of them."""
    deadline = time.monotonic() + timeout
    while True:
        records = read_captures(s3, capture_uri)
        if len(records) >= count:
            return records
        if time.monotonic() > deadline:
            raise LabsError(
                f"Only {len(records)} of {count} capture records reached {capture_uri} in "
                f"{timeout:.0f} s: is data capture on, at 100 % sampling?"
            )
        time.sleep(poll)


def wait_for_execution(
    sagemaker: Any, schedule_name: str, *, timeout: float = 1800, poll: float = 1.0
) -> dict[str, Any]:
    """The newest execution summary of ``schedule_name`` once it has finished."""
    deadline = time.monotonic() + timeout
    while True:
        runs = sagemaker.list_monitoring_executions(
            MonitoringScheduleName=schedule_name, SortBy="ScheduledTime", SortOrder="Descending"
        )["MonitoringExecutionSummaries"]
        if runs and runs[0]["MonitoringExecutionStatus"] not in _RUNNING:
            return runs[0]
        if time.monotonic() > deadline:
            state = runs[0]["MonitoringExecutionStatus"] if runs else "not started"
            raise LabsError(f"The execution of {schedule_name} is still {state} after {timeout} s.")
        time.sleep(poll)


def wait_for_drift_metrics(
    cloudwatch: Any,
    endpoint: str,
    schedule: str,
    features: Sequence[str],
    *,
    hours: int = 2,
    timeout: float = 600,
    poll: float = 1.0,
) -> pd.Series:
    """The largest ``feature_baseline_drift_<feature>`` of the last ``hours``, per feature.

    Waits until every feature has a data point (CloudWatch can take a minute to show a new
    one); raises with the features still missing after ``timeout`` seconds.
    """
    dimensions = [
        {"Name": "Endpoint", "Value": endpoint},
        {"Name": "MonitoringSchedule", "Value": schedule},
    ]
    deadline = time.monotonic() + timeout
    while True:
        now = datetime.now(UTC)
        found: dict[str, float] = {}
        for feature in features:
            points = cloudwatch.get_metric_statistics(
                Namespace=DATA_METRICS,
                MetricName=f"feature_baseline_drift_{feature}",
                Dimensions=dimensions,
                StartTime=now - timedelta(hours=hours),
                EndTime=now + timedelta(minutes=5),
                Period=3600,
                Statistics=["Maximum"],
            )["Datapoints"]
            if points:
                found[feature] = max(p["Maximum"] for p in points)
        missing = [f for f in features if f not in found]
        if not missing:
            return pd.Series(found, name="feature_baseline_drift")
        if time.monotonic() > deadline:
            raise LabsError(
                f"No feature_baseline_drift metric of {schedule} on {endpoint} for {missing} "
                f"after {timeout:.0f} s: does the job publish CloudWatch metrics?"
            )
        time.sleep(poll)
