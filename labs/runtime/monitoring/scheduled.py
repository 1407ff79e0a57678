"""One execution of a data-quality monitoring schedule: the work the processing job does.

On SageMaker AI a monitoring schedule starts a processing job with the Model Monitor
analyzer image. That job reads the endpoint's captured requests of the analysis window,
compares them with the baseline, writes ``statistics.json`` and
``constraint_violations.json`` under
``<S3Uri>/<endpoint>/<schedule>/<yyyy>/<mm>/<dd>/<hh>/`` and, when the job's
``Environment`` has ``publish_cloudwatch_metrics: Enabled`` (the SDK's default), sends one
CloudWatch metric per feature and statistic (unless the constraints'
``monitoring_config`` has ``emit_metrics: Disabled``) (SageMaker Developer Guide, "CloudWatch
Metrics" of Model Monitor) to the namespace ``aws/sagemaker/Endpoints/data-metrics`` with
the dimensions ``Endpoint`` and ``MonitoringSchedule``:

- ``feature_baseline_drift_<feature>``: the drift distance of the feature;
- ``feature_non_null_<feature>``: the share of values present (completeness);
- ``feature_data_<feature>``: count, sum, minimum and maximum of a numeric feature.

:func:`execute` does that locally with :func:`labs.runtime.monitoring.run_monitoring`. The
analysis window is ``[scheduled time + DataAnalysisStartTime, scheduled time +
DataAnalysisEndTime)``, compared with each record's ``inferenceTime``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from labs.runtime import capture
from labs.runtime.monitoring import s3json
from labs.runtime.monitoring.baseline import Baseline
from labs.runtime.monitoring.constraints import settings
from labs.runtime.monitoring.errors import MonitoringError
from labs.runtime.monitoring.execution import run_monitoring
from labs.runtime.monitoring.report import MonitoringReport

NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
_DURATION = re.compile(
    r"^(?P<sign>[-+])?P(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_METRICS_PER_CALL = 500


@dataclass(frozen=True)
class ExecutionSpec:
    """What one execution needs, read from a schedule and its job definition."""

    schedule_name: str
    endpoint_name: str
    capture_destination: str
    constraints_uri: str
    statistics_uri: str
    output_uri: str
    window: tuple[timedelta, timedelta]
    publish_metrics: bool


@dataclass
class ExecutionResult:
    """How one execution ended, and what it wrote."""

    status: str
    failure_reason: str | None = None
    report: MonitoringReport | None = None
    output_uri: str | None = None
    metrics_sent: list[str] = field(default_factory=list)


def parse_offset(text: str) -> timedelta:
    """An ISO 8601 duration offset such as ``-PT1H``, ``PT0H`` or ``-P1D``, as a timedelta."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if match is None or text.strip().rstrip("T").endswith("P"):
        raise MonitoringError(
            f"{text!r} is not an ISO 8601 duration offset like '-PT1H' or 'PT0H'."
        )
    parts = {k: int(v or 0) for k, v in match.groupdict().items() if k != "sign"}
    delta = timedelta(**parts)
    return -delta if match.group("sign") == "-" else delta


def output_prefix(base_uri: str, endpoint: str, schedule: str, when: datetime) -> str:
    """``<base>/<endpoint>/<schedule>/<yyyy>/<mm>/<dd>/<hh>``: where a run writes its files."""
    return f"{base_uri.rstrip('/')}/{endpoint}/{schedule}/{when:%Y/%m/%d/%H}"


def in_window(
    records: Sequence[Mapping[str, Any]], start: datetime, end: datetime
) -> list[Mapping[str, Any]]:
    """The capture records whose ``inferenceTime`` is in ``[start, end)``."""
    chosen = []
    for record in records:
        stamp = str(record.get("eventMetadata", {}).get("inferenceTime", ""))
        try:
            when = datetime.strptime(stamp, _TIME_FORMAT).replace(tzinfo=start.tzinfo)
        except ValueError:
            continue
        if start <= when < end:
            chosen.append(record)
    return chosen


def metric_data(
    report: MonitoringReport, endpoint: str, schedule: str, when: datetime
) -> list[dict[str, Any]]:
    """The CloudWatch data points a run with ``report`` publishes."""
    dimensions = [
        {"Name": "Endpoint", "Value": endpoint},
        {"Name": "MonitoringSchedule", "Value": schedule},
    ]

    def datum(name: str, **value: Any) -> dict[str, Any]:
        return {"MetricName": name, "Dimensions": dimensions, "Timestamp": when, **value}

    data = [
        datum(f"feature_baseline_drift_{c.feature}", Value=float(c.distance))
        for c in report.comparisons
    ]
    for feature in report.statistics["features"]:
        name = feature["name"]
        section = feature.get("numerical_statistics") or feature.get("string_statistics") or {}
        common = section.get("common", {})
        present = int(common.get("num_present", 0))
        total = present + int(common.get("num_missing", 0))
        if total:
            data.append(datum(f"feature_non_null_{name}", Value=present / total))
        numeric = feature.get("numerical_statistics")
        if numeric and present:
            stats = {
                "SampleCount": float(present),
                "Sum": float(numeric["sum"]),
                "Minimum": float(numeric["min"]),
                "Maximum": float(numeric["max"]),
            }
            data.append(datum(f"feature_data_{name}", StatisticValues=stats))
    return data


def execute(spec: ExecutionSpec, scheduled: datetime, s3: Any, cloudwatch: Any) -> ExecutionResult:
    """Run one execution of ``spec`` scheduled at ``scheduled`` (a UTC datetime).

    Returns ``Completed`` (no violation), ``CompletedWithViolations`` or ``Failed`` with a
    reason; never raises for a problem with the data or the baseline.
    """
    capture.flush_all()
    start, end = (scheduled + spec.window[0], scheduled + spec.window[1])
    try:
        baseline = Baseline(
            statistics=s3json.get_json(s3, spec.statistics_uri),
            constraints=s3json.get_json(s3, spec.constraints_uri),
            statistics_uri=spec.statistics_uri,
            constraints_uri=spec.constraints_uri,
        )
        uri = capture.capture_uri(spec.capture_destination, spec.endpoint_name)
        records = in_window(capture.read_captures(s3, uri), start, end)
        if not records:
            return ExecutionResult(
                "Failed",
                f"No captured data for endpoint {spec.endpoint_name} between "
                f"{start:{_TIME_FORMAT}} and {end:{_TIME_FORMAT}} under {uri}.",
            )
        output = output_prefix(spec.output_uri, spec.endpoint_name, spec.schedule_name, scheduled)
        report = run_monitoring(records, baseline, output_s3_uri=output, s3=s3)
    except (MonitoringError, capture.CaptureConfigError) as error:
        return ExecutionResult("Failed", str(error))
    result = ExecutionResult(
        "Completed" if report.ok else "CompletedWithViolations", report=report, output_uri=output
    )
    if (
        spec.publish_metrics
        and settings(baseline.constraints.get("monitoring_config")).emit_metrics
    ):
        data = metric_data(report, spec.endpoint_name, spec.schedule_name, scheduled)
        for first in range(0, len(data), _METRICS_PER_CALL):
            chunk = data[first : first + _METRICS_PER_CALL]
            cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=chunk)
        result.metrics_sent = [d["MetricName"] for d in data]
    return result
