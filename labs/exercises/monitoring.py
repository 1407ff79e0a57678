"""Exercises of notebook 05-4-monitoring: a drift alarm read back from CloudWatch, and DPPL."""

from __future__ import annotations

from typing import Any

from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise

#: Names the notebook gives its resources (the alarm's dimensions must name them).
ENDPOINT = "churn-monitored"
SCHEDULE = "churn-dq-after"
NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
FEATURE = "data_usage_gb"
THRESHOLD = 0.1

# ------------------------------------------------------------------ q1: the drift alarm


def _check_alarm(answer: Any, lab: Any) -> CheckResult:
    if not isinstance(answer, str) or not answer.strip():
        return CheckResult.fail("Give the alarm's name as a string, like 'churn-usage-drift'.")
    cloudwatch = lab.client("cloudwatch")
    found = cloudwatch.describe_alarms(AlarmNames=[answer.strip()]).get("MetricAlarms", [])
    if not found:
        return CheckResult.fail(
            f"There is no metric alarm called {answer.strip()!r}: create it with "
            "cloudwatch.put_metric_alarm(AlarmName=..., ...) first."
        )
    alarm = found[0]
    if alarm.get("Namespace") != NAMESPACE:
        return CheckResult.fail(
            f"The alarm watches the namespace {alarm.get('Namespace')!r}. Model Monitor's "
            f"data-quality metrics for an endpoint are in {NAMESPACE!r}."
        )
    wanted = f"feature_baseline_drift_{FEATURE}"
    if alarm.get("MetricName") != wanted:
        return CheckResult.fail(
            f"The alarm watches {alarm.get('MetricName')!r}. The drift distance of a feature "
            f"is the metric feature_baseline_drift_<feature>: {wanted!r}."
        )
    dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    expected = {"Endpoint": ENDPOINT, "MonitoringSchedule": SCHEDULE}
    if dimensions != expected:
        return CheckResult.fail(
            f"The alarm's dimensions are {dimensions}. A metric is identified by all of its "
            f"dimensions: use exactly {expected}, or the alarm watches a metric with no data."
        )
    if alarm.get("ComparisonOperator") != "GreaterThanThreshold":
        return CheckResult.fail(
            f"The alarm fires when the distance is {alarm.get('ComparisonOperator')}: drift "
            "is a distance above the threshold, so use GreaterThanThreshold."
        )
    if abs(float(alarm.get("Threshold", -1)) - THRESHOLD) > 1e-9:
        return CheckResult.fail(
            f"The threshold is {alarm.get('Threshold')}; use the baseline's drift threshold "
            f"(comparison_threshold in constraints.json), {THRESHOLD}."
        )
    return CheckResult.ok(
        f"{alarm['AlarmName']} watches {wanted} of {ENDPOINT} / {SCHEDULE} and fires above "
        f"{THRESHOLD}: the same rule as the monitor's baseline_drift_check, now with an "
        "action attached."
    )


def _put_alarm(lab: Any, name: str, **changes: Any) -> str:
    settings: dict[str, Any] = {
        "AlarmName": name,
        "Namespace": NAMESPACE,
        "MetricName": f"feature_baseline_drift_{FEATURE}",
        "Dimensions": [
            {"Name": "Endpoint", "Value": ENDPOINT},
            {"Name": "MonitoringSchedule", "Value": SCHEDULE},
        ],
        "Statistic": "Maximum",
        "Period": 3600,
        "EvaluationPeriods": 1,
        "Threshold": THRESHOLD,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "Tags": lab.tags(),
        **changes,
    }
    lab.client("cloudwatch").put_metric_alarm(**settings)
    return name


def _reference_alarm(lab: Any) -> str:
    return _put_alarm(lab, "churn-usage-drift")


def _typical_wrong_alarms(lab: Any) -> list[Any]:
    return [
        _put_alarm(lab, "exercise-wrong-namespace", Namespace="AWS/SageMaker"),
        _put_alarm(
            lab, "exercise-wrong-metric", MetricName=f"feature_data_{FEATURE}", Statistic="Average"
        ),
        _put_alarm(
            lab,
            "exercise-endpoint-only",
            Dimensions=[{"Name": "Endpoint", "Value": ENDPOINT}],
        ),
        _put_alarm(lab, "exercise-less-than", ComparisonOperator="LessThanThreshold"),
        _put_alarm(lab, "exercise-threshold", Threshold=0.5),
        "no-such-alarm",
        42,
    ]


q1 = CustomExercise(
    title="An alarm on a second drifted feature",
    prompt=(
        f"The run flagged {FEATURE} too. Create a CloudWatch alarm that fires when its drift "
        f"distance from schedule {SCHEDULE} on endpoint {ENDPOINT} is above {THRESHOLD}, and "
        "give the check the alarm's name: it reads the alarm back with describe_alarms."
    ),
    check=_check_alarm,
    hints=[
        "Copy the put_metric_alarm call of the notebook and change what is feature-specific.",
        f"The metric is feature_baseline_drift_{FEATURE}, in {NAMESPACE}, with the dimensions "
        "Endpoint and MonitoringSchedule.",
        f"ComparisonOperator='GreaterThanThreshold', Threshold={THRESHOLD}; then "
        "q1.check('your-alarm-name').",
    ],
    solution=(
        'usage_alarm = "churn-usage-drift"\n'
        "cloudwatch.put_metric_alarm(\n"
        "    AlarmName=usage_alarm,\n"
        f'    Namespace="{NAMESPACE}",\n'
        f'    MetricName="feature_baseline_drift_{FEATURE}",\n'
        "    Dimensions=[\n"
        f'        {{"Name": "Endpoint", "Value": "{ENDPOINT}"}},\n'
        f'        {{"Name": "MonitoringSchedule", "Value": "{SCHEDULE}"}},\n'
        "    ],\n"
        '    Statistic="Maximum",\n'
        "    Period=3600,\n"
        "    EvaluationPeriods=1,\n"
        f"    Threshold={THRESHOLD},\n"
        '    ComparisonOperator="GreaterThanThreshold",\n'
        '    TreatMissingData="notBreaching",\n'
        "    Tags=lab.tags(),\n"
        ")\n"
    ),
    reference=_reference_alarm,
    typical_wrong=_typical_wrong_alarms,
)


# ------------------------------------------------------------------ q2: DPPL


def _dppl(predicted: list[int], in_facet_d: list[bool]) -> float:
    a = [p for p, d in zip(predicted, in_facet_d, strict=True) if not d]
    d = [p for p, d in zip(predicted, in_facet_d, strict=True) if d]
    return sum(a) / len(a) - sum(d) / len(d)


def _reversed(predicted: list[int], in_facet_d: list[bool]) -> float:
    """Facet d minus facet a: DPPL is q̂_a - q̂_d (positive when facet d gets fewer)."""
    return -_dppl(predicted, in_facet_d)


def _ratio(predicted: list[int], in_facet_d: list[bool]) -> float:
    """That is a ratio of the two proportions, disparate impact (DI), not their difference."""
    a = [p for p, d in zip(predicted, in_facet_d, strict=True) if not d]
    d = [p for p, d in zip(predicted, in_facet_d, strict=True) if d]
    return (sum(d) / len(d)) / (sum(a) / len(a))


def _counts(predicted: list[int], in_facet_d: list[bool]) -> float:
    """Counts instead of proportions: divide each facet's positives by the facet's size."""
    a = [p for p, d in zip(predicted, in_facet_d, strict=True) if not d]
    d = [p for p, d in zip(predicted, in_facet_d, strict=True) if d]
    return float(sum(a) - sum(d))


q2 = FunctionExercise(
    title="DPPL: the difference in positive proportions in predicted labels",
    prompt=(
        "Write dppl(predicted, in_facet_d): predicted holds the model's 0/1 predictions, "
        "in_facet_d is True for the rows of facet d. Return Clarify's DPPL."
    ),
    cases=[
        Case(args=([1, 0, 1, 1, 0, 0], [False, False, False, True, True, True])),
        Case(args=([1, 1, 1, 0, 1, 0, 0, 0], [False, False, True, True, False, True, True, True])),
        Case(args=([0, 0, 1, 1], [True, True, False, False]), label="facet d listed first"),
    ],
    reference_function=_dppl,
    hints=[
        "q̂ is the share of a facet's rows that the model predicts positive (1).",
        "Compute q̂_a over the rows where in_facet_d is False, q̂_d where it is True.",
        "DPPL = q̂_a - q̂_d.",
    ],
    solution=(
        "def dppl(predicted, in_facet_d):\n"
        "    a = [p for p, d in zip(predicted, in_facet_d) if not d]\n"
        "    d = [p for p, d in zip(predicted, in_facet_d) if d]\n"
        "    return sum(a) / len(a) - sum(d) / len(d)\n"
    ),
    typical_wrong=[_reversed, _ratio, _counts],
)
