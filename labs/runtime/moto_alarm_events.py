"""CloudWatch alarm state changes reach EventBridge, and ``TestEventPattern`` answers.

CloudWatch sends a ``CloudWatch Alarm State Change`` event (source ``aws.cloudwatch``) to
the account's default event bus whenever an alarm changes state (Amazon CloudWatch User
Guide, "Alarm events and EventBridge"); a rule on that bus can start a retraining
pipeline, call a Lambda function or queue a message. moto changes the alarm's state on
``SetAlarmState`` but sends no event, and its ``TestEventPattern`` is not implemented.

Two hooks fill the gaps:

- after moto's ``set_alarm_state``, when the state value changed, the event is put on the
  default bus of moto's EventBridge, so rules match it and deliver it to their targets
  (moto delivers to SQS queues, CloudWatch Logs groups and other buses);
- ``TestEventPattern`` answers ``{"Result": true|false}`` with moto's own pattern matcher,
  the one its rules use.

moto still never evaluates an alarm against its metric (that is CloudWatch's job every
period): only ``SetAlarmState`` changes a state here.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend
from moto.core.exceptions import JsonRESTError
from moto.events.models import EventPattern, events_backends
from moto.events.responses import EventsHandler

from labs.runtime.patches import Patches

SOURCE = "aws.cloudwatch"
DETAIL_TYPE = "CloudWatch Alarm State Change"


def state_change_detail(alarm: Any, previous: dict[str, str]) -> dict[str, Any]:
    """The ``detail`` of a single-metric alarm's state change event."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
    return {
        "alarmName": alarm.name,
        "state": {
            "value": alarm.state_value,
            "reason": alarm.state_reason,
            "timestamp": stamp,
        },
        "previousState": previous,
        "configuration": {
            "description": alarm.description or "",
            "metrics": [
                {
                    "id": "m1",
                    "metricStat": {
                        "metric": {
                            "namespace": alarm.namespace,
                            "name": alarm.metric_name,
                            "dimensions": {d.name: d.value for d in alarm.dimensions},
                        },
                        "period": alarm.period,
                        "stat": alarm.statistic,
                    },
                    "returnData": True,
                }
            ],
        },
    }


def _set_alarm_state(
    self: CloudWatchBackend, alarm_name: str, reason: str, reason_data: str, state_value: str
) -> None:
    alarm = self.alarms.get(alarm_name)
    before = None if alarm is None else {"value": alarm.state_value, "reason": alarm.state_reason}
    _CLOUDWATCH.original("set_alarm_state")(self, alarm_name, reason, reason_data, state_value)
    alarm = self.alarms[alarm_name]
    if before is None or before["value"] == alarm.state_value:
        return  # CloudWatch sends an event on a change of state only
    _deliver(self.account_id, self.region_name, alarm, state_change_detail(alarm, before))


def _deliver(account: str, region: str, alarm: Any, detail: dict[str, Any]) -> None:
    """Send the event to every rule of the default bus, as EventBridge delivers it.

    moto's ``put_events`` would pass it through a default input template that drops the
    ``account`` field, so the rules are called directly with the whole event (a target's
    own ``InputTransformer`` is still applied).
    """
    bus = events_backends[account][region].describe_event_bus("default")
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": account,
        "time": time.time(),
        "region": region,
        "resources": [alarm.alarm_arn],
        "detail": detail,
    }
    for rule in list(bus.rules.values()):
        if rule.state != "ENABLED":
            continue
        transform = any("InputTransformer" in target for target in rule.targets)
        rule.send_to_targets(copy.deepcopy(event), transform_input=transform)


def _test_event_pattern(self: EventsHandler) -> tuple[str, dict[str, Any]]:
    try:
        event = json.loads(self._get_param("Event") or "")
    except json.JSONDecodeError:
        raise JsonRESTError("InvalidEventPatternException", "Event is not valid JSON.") from None
    for key in ("id", "account", "source", "time", "region", "resources", "detail-type"):
        if key not in event:
            raise JsonRESTError(
                "ValidationException", f"Parameter Event is not valid: it needs {key!r}."
            )
    pattern = EventPattern.load(self._get_param("EventPattern"))
    return json.dumps({"Result": pattern.matches_event(event)}), self.response_headers


_CLOUDWATCH = Patches(CloudWatchBackend, {"set_alarm_state": _set_alarm_state})
_EVENTS = Patches(EventsHandler, {"test_event_pattern": _test_event_pattern})


def install() -> None:
    """Hook alarm events and TestEventPattern into moto (idempotent)."""
    _CLOUDWATCH.install()
    _EVENTS.install()


def uninstall() -> None:
    """Give moto back its own behaviour."""
    _CLOUDWATCH.uninstall()
    _EVENTS.uninstall()
