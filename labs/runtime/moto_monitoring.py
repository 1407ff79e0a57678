"""Monitoring schedules for moto's SageMaker API: the actions it lacks, run for real.

moto 5.2.5 records data-quality job definitions but has no monitoring schedules. These
hooks add ``CreateMonitoringSchedule``, ``DescribeMonitoringSchedule``,
``ListMonitoringSchedules``, ``DeleteMonitoringSchedule`` and ``ListMonitoringExecutions``
for ``DataQuality`` monitoring of a real-time endpoint, with the job given by name
(``MonitoringJobDefinitionName`` + ``MonitoringType``, from
``CreateDataQualityJobDefinition``) or inline (``MonitoringJobDefinition``).

A schedule whose ``ScheduleExpression`` is ``NOW`` (SageMaker AI's one-time, on-demand
monitoring; it requires ``DataAnalysisStartTime`` and ``DataAnalysisEndTime``) runs one
execution at once in the background with :mod:`labs.runtime.monitoring.scheduled`. A cron
schedule is recorded as ``Scheduled`` and never runs here: nothing in the kit waits for the
top of the hour. Executions have no processing job (no ``ProcessingJobArn``).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from labs.runtime import executor, jobstate
from labs.runtime.monitoring.errors import MonitoringError
from labs.runtime.monitoring.scheduled import ExecutionSpec, execute, parse_offset
from labs.runtime.patches import Patches

_LOCK = threading.Lock()


@dataclass
class _Schedule:
    name: str
    arn: str
    config: dict[str, Any]
    endpoint: str
    monitoring_type: str
    definition_name: str | None
    tags: list[dict[str, str]]
    created: datetime = field(default_factory=jobstate.now)
    status: str = "Scheduled"
    executions: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "MonitoringScheduleArn": self.arn,
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleStatus": self.status,
            "MonitoringType": self.monitoring_type,
            "CreationTime": self.created,
            "LastModifiedTime": self.created,
            "MonitoringScheduleConfig": copy.deepcopy(self.config),
            "EndpointName": self.endpoint,
        }
        if self.executions:
            body["LastMonitoringExecutionSummary"] = dict(self.executions[-1])
        return body

    def summary(self) -> dict[str, Any]:
        body = {
            k: v
            for k, v in self.describe().items()
            if k not in ("MonitoringScheduleConfig", "LastMonitoringExecutionSummary")
        }
        if self.definition_name:
            body["MonitoringJobDefinitionName"] = self.definition_name
        return body


def _schedules(backend: SageMakerModelBackend) -> dict[str, _Schedule]:
    with _LOCK:
        if not hasattr(backend, "labs_monitoring_schedules"):
            backend.labs_monitoring_schedules = {}  # type: ignore[attr-defined]
        return backend.labs_monitoring_schedules  # type: ignore[attr-defined,no-any-return]


def _job_parts(backend: SageMakerModelBackend, config: dict[str, Any]) -> dict[str, Any]:
    """Baseline, environment, endpoint input and output of the schedule's job definition."""
    name = config.get("MonitoringJobDefinitionName")
    if name:
        kind = config.get("MonitoringType")
        if kind != "DataQuality":
            raise ValidationError(
                message=f"The kit runs DataQuality monitoring only; MonitoringType is {kind!r}."
            )
        definition = backend.data_quality_job_definitions.get(name)
        if definition is None:
            raise ResourceNotFound(message=f"Job definition {name} not found")
        return {
            "baseline": definition.data_quality_baseline_config,
            "environment": definition.data_quality_app_specification.get("Environment") or {},
            "input": definition.data_quality_job_input.get("EndpointInput") or {},
            "outputs": definition.data_quality_job_output_config.get("MonitoringOutputs") or [],
        }
    inline = config.get("MonitoringJobDefinition")
    if not inline:
        raise ValidationError(
            message="MonitoringScheduleConfig needs MonitoringJobDefinitionName or "
            "MonitoringJobDefinition."
        )
    inputs = inline.get("MonitoringInputs") or [{}]
    return {
        "baseline": inline.get("BaselineConfig") or {},
        "environment": inline.get("Environment") or {},
        "input": inputs[0].get("EndpointInput") or {},
        "outputs": (inline.get("MonitoringOutputConfig") or {}).get("MonitoringOutputs") or [],
    }


def _spec(backend: SageMakerModelBackend, name: str, config: dict[str, Any]) -> ExecutionSpec:
    parts = _job_parts(backend, config)
    endpoint = parts["input"].get("EndpointName")
    if not endpoint:
        raise ValidationError(message="The monitoring input needs an EndpointInput.EndpointName.")
    record = backend.endpoints.get(endpoint)
    if record is None:
        raise ValidationError(message=f'Could not find endpoint "{endpoint}".')
    capture = record.data_capture_config or {}
    if not capture or capture.get("EnableCapture") is False:
        raise ValidationError(
            message=f"Endpoint {endpoint} does not capture data: monitoring needs a "
            "DataCaptureConfig on its endpoint config."
        )
    baseline = parts["baseline"]
    constraints = (baseline.get("ConstraintsResource") or {}).get("S3Uri")
    statistics = (baseline.get("StatisticsResource") or {}).get("S3Uri")
    if not constraints or not statistics:
        raise ValidationError(
            message="The kit's data-quality monitor needs a baseline: BaselineConfig with "
            "ConstraintsResource and StatisticsResource S3 URIs."
        )
    outputs = parts["outputs"]
    output = (outputs[0].get("S3Output") or {}).get("S3Uri") if outputs else None
    if not output:
        raise ValidationError(message="The job needs a MonitoringOutputs[0].S3Output.S3Uri.")
    schedule = config.get("ScheduleConfig") or {}
    window = (schedule.get("DataAnalysisStartTime"), schedule.get("DataAnalysisEndTime"))
    try:
        offsets = (parse_offset(window[0] or "-PT1H"), parse_offset(window[1] or "PT0H"))
    except MonitoringError as error:
        raise ValidationError(message=str(error)) from None
    publish = str(parts["environment"].get("publish_cloudwatch_metrics", "Enabled"))
    return ExecutionSpec(
        schedule_name=name,
        endpoint_name=endpoint,
        capture_destination=capture["DestinationS3Uri"],
        constraints_uri=constraints,
        statistics_uri=statistics,
        output_uri=output,
        window=offsets,
        publish_metrics=publish.lower() == "enabled",
    )


def _run(schedule: _Schedule, spec: ExecutionSpec, region: str) -> None:
    execution = schedule.executions[-1]
    execution["MonitoringExecutionStatus"] = "InProgress"
    session = boto3.Session(region_name=region)
    try:
        result = execute(
            spec, execution["ScheduledTime"], session.client("s3"), session.client("cloudwatch")
        )
        execution["MonitoringExecutionStatus"] = result.status
        if result.failure_reason:
            execution["FailureReason"] = result.failure_reason
    except Exception as error:  # a bug, not the learner's data: still end the execution
        execution["MonitoringExecutionStatus"] = "Failed"
        execution["FailureReason"] = f"The kit's monitor failed: {error!r}"
    execution["LastModifiedTime"] = jobstate.now()


def _create_monitoring_schedule(self: SageMakerResponse) -> ActionResult:
    backend = self.sagemaker_backend
    name = self._get_param("MonitoringScheduleName")
    config = copy.deepcopy(self._get_param("MonitoringScheduleConfig") or {})
    schedules = _schedules(backend)
    if name in schedules:
        raise ValidationError(message=f"Monitoring schedule {name} already exists.")
    expression = (config.get("ScheduleConfig") or {}).get("ScheduleExpression")
    if not expression:
        raise ValidationError(message="ScheduleConfig.ScheduleExpression is required.")
    timing = config.get("ScheduleConfig") or {}
    if expression == "NOW" and not (
        timing.get("DataAnalysisStartTime") and timing.get("DataAnalysisEndTime")
    ):
        raise ValidationError(
            message="A schedule with ScheduleExpression NOW needs DataAnalysisStartTime and "
            "DataAnalysisEndTime."
        )
    spec = _spec(backend, name, config)
    arn = f"arn:aws:sagemaker:{self.region}:{self.current_account}:monitoring-schedule/{name}"
    schedule = _Schedule(
        name=name,
        arn=arn,
        config=config,
        endpoint=spec.endpoint_name,
        monitoring_type=config.get("MonitoringType") or "DataQuality",
        definition_name=config.get("MonitoringJobDefinitionName"),
        tags=list(self._get_param("Tags") or []),
    )
    schedules[name] = schedule
    if expression == "NOW":
        now = jobstate.now()
        schedule.executions.append(
            {
                "MonitoringScheduleName": name,
                "ScheduledTime": now,
                "CreationTime": now,
                "LastModifiedTime": now,
                "MonitoringExecutionStatus": "Pending",
                "EndpointName": spec.endpoint_name,
                "MonitoringType": schedule.monitoring_type,
            }
        )
        if schedule.definition_name:
            schedule.executions[-1]["MonitoringJobDefinitionName"] = schedule.definition_name
        executor.submit(_run, schedule, spec, self.region)
    return ActionResult({"MonitoringScheduleArn": arn})


def _get(self: SageMakerResponse) -> _Schedule:
    name = self._get_param("MonitoringScheduleName")
    schedule = _schedules(self.sagemaker_backend).get(name)
    if schedule is None:
        raise ResourceNotFound(message=f"Monitoring schedule {name} not found")
    return schedule


def _describe_monitoring_schedule(self: SageMakerResponse) -> ActionResult:
    return ActionResult(_get(self).describe())


def _delete_monitoring_schedule(self: SageMakerResponse) -> ActionResult:
    schedule = _get(self)
    del _schedules(self.sagemaker_backend)[schedule.name]
    return EmptyResult()


def _list_monitoring_schedules(self: SageMakerResponse) -> ActionResult:
    endpoint = self._get_param("EndpointName")
    contains = self._get_param("NameContains") or ""
    found = [
        s.summary()
        for s in _schedules(self.sagemaker_backend).values()
        if (not endpoint or s.endpoint == endpoint) and contains in s.name
    ]
    return ActionResult({"MonitoringScheduleSummaries": found})


def _list_monitoring_executions(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("MonitoringScheduleName")
    endpoint = self._get_param("EndpointName")
    status = self._get_param("StatusEquals")
    found = [
        dict(e)
        for s in _schedules(self.sagemaker_backend).values()
        if (not name or s.name == name) and (not endpoint or s.endpoint == endpoint)
        for e in s.executions
        if not status or e["MonitoringExecutionStatus"] == status
    ]
    descending = (self._get_param("SortOrder") or "Descending") == "Descending"
    found.sort(key=lambda e: e["ScheduledTime"], reverse=descending)
    return ActionResult({"MonitoringExecutionSummaries": found})


def _get_resource_from_arn(self: SageMakerModelBackend, arn: str) -> Any:
    if ":monitoring-schedule/" in arn:
        schedule = _schedules(self).get(arn.rsplit("/", 1)[1])
        if schedule is None:
            raise ValidationError(message=f"Could not find resource {arn}.")
        return schedule
    return _BACKEND.original("_get_resource_from_arn")(self, arn)


_HOOKS = {
    "create_monitoring_schedule": _create_monitoring_schedule,
    "describe_monitoring_schedule": _describe_monitoring_schedule,
    "delete_monitoring_schedule": _delete_monitoring_schedule,
    "list_monitoring_schedules": _list_monitoring_schedules,
    "list_monitoring_executions": _list_monitoring_executions,
}
_PATCHES = Patches(SageMakerResponse, _HOOKS)
_BACKEND = Patches(SageMakerModelBackend, {"_get_resource_from_arn": _get_resource_from_arn})


def install() -> None:
    """Add monitoring schedules to moto's SageMaker API (idempotent)."""
    _PATCHES.install()
    _BACKEND.install()


def uninstall() -> None:
    """Give moto back its own behaviour."""
    _PATCHES.uninstall()
    _BACKEND.uninstall()
