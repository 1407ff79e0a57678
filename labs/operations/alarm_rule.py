"""What state a CloudWatch metric alarm's rule gives, computed from its metric's data.

CloudWatch evaluates a metric alarm every period: it takes the alarm's statistic of the
metric over each of the last ``EvaluationPeriods`` periods, and goes to ``ALARM`` when at
least ``DatapointsToAlarm`` of them (default: all of them) breach the threshold with the
alarm's ``ComparisonOperator``; ``TreatMissingData`` says what an empty period counts as
(Amazon CloudWatch User Guide, "Using Amazon CloudWatch alarms", "Configuring how
CloudWatch alarms treat missing data").

The local AWS (moto) stores alarms but never evaluates them. :func:`evaluate_alarm` applies
the rule to the data points CloudWatch returns, in both modes, so a lab can show the state
the alarm reaches and set it with ``SetAlarmState``. It simplifies the service in one way:
when no period has data it answers from ``TreatMissingData`` alone (``missing`` gives
``INSUFFICIENT_DATA``, ``ignore`` keeps the current state).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from labs.errors import LabsError

__all__ = ["COMPARISONS", "AlarmVerdict", "evaluate_alarm"]

#: ComparisonOperator -> how a value is compared with the threshold.
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}


@dataclass(frozen=True)
class AlarmVerdict:
    """The state the alarm's rule gives, why, and the values it looked at."""

    alarm_name: str
    state: str
    reason: str
    values: list[float]
    breaching: int


def evaluate_alarm(
    cloudwatch: Any, alarm_name: str, *, now: datetime | None = None
) -> AlarmVerdict:
    """Apply metric alarm ``alarm_name``'s rule to its metric's last evaluation periods."""
    alarms = cloudwatch.describe_alarms(AlarmNames=[alarm_name]).get("MetricAlarms", [])
    if not alarms:
        raise LabsError(f"There is no metric alarm called {alarm_name!r}.")
    alarm = alarms[0]
    compare = COMPARISONS.get(alarm.get("ComparisonOperator", ""))
    if compare is None or "Statistic" not in alarm:
        raise LabsError(
            f"{alarm_name} is not a static-threshold alarm on one metric statistic; this "
            "helper evaluates only those."
        )
    period, periods = int(alarm["Period"]), int(alarm["EvaluationPeriods"])
    needed = int(alarm.get("DatapointsToAlarm") or periods)
    end = (now or datetime.now(UTC)) + timedelta(seconds=1)
    points = cloudwatch.get_metric_statistics(
        Namespace=alarm["Namespace"],
        MetricName=alarm["MetricName"],
        Dimensions=alarm.get("Dimensions", []),
        StartTime=end - timedelta(seconds=period * periods),
        EndTime=end,
        Period=period,
        Statistics=[alarm["Statistic"]],
    )["Datapoints"]
    points.sort(key=lambda p: p["Timestamp"])
    values = [float(p[alarm["Statistic"]]) for p in points][-periods:]
    threshold = float(alarm["Threshold"])
    breaching = sum(compare(v, threshold) for v in values)
    label = f"{alarm['MetricName']} {alarm['Statistic']}"
    if not values:
        missing = alarm.get("TreatMissingData", "missing")
        state = {
            "breaching": "ALARM",
            "notBreaching": "OK",
            "ignore": alarm.get("StateValue", "INSUFFICIENT_DATA"),
        }.get(missing, "INSUFFICIENT_DATA")
        reason = (
            f"No data for {label} in the last {periods} period(s) (TreatMissingData {missing})."
        )
        return AlarmVerdict(alarm_name, state, reason, values, 0)
    state = "ALARM" if breaching >= needed else "OK"
    shown = ", ".join(f"{v:.4g}" for v in values)
    reason = (
        f"Threshold Crossed: {breaching} of the last {len(values)} datapoint(s) of {label} "
        f"[{shown}] {'were' if state == 'ALARM' else 'were not enough'} "
        f"{alarm['ComparisonOperator']} {threshold:g} ({needed} needed)."
    )
    return AlarmVerdict(alarm_name, state, reason, values, breaching)
