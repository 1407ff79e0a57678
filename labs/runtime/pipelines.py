"""Runs a SageMaker Pipelines execution on the local runtime.

A :class:`PipelineRun` walks the step graph of :mod:`labs.runtime.pipeline_definition`:
a step starts once every step it depends on has Succeeded (independent steps run at the
same time, up to ``ParallelismConfiguration.MaxParallelExecutionSteps``). Job steps call the
ordinary SageMaker API (CreateProcessingJob, CreateTrainingJob, ...), as the Pipelines
service does, so the jobs run on the local runtime and appear in every List/Describe call.
A Condition step picks a branch; the steps of the other branch never run (and are not
listed). A Fail step, or a failed step, stops new steps from starting and fails the
execution with a reason that names the step. Retry policies and step caching are not
applied.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3

from labs.runtime import jobstate
from labs.runtime.pipeline_definition import Definition, StepSpec, own_arguments
from labs.runtime.pipeline_expressions import Context, ResolveError, evaluate, resolve

POLL_SECONDS = 0.25
RUNS: dict[str, PipelineRun] = {}


class StepFailed(Exception):
    """A step ended Failed (or Stopped); ``status`` says which."""

    def __init__(self, reason: str, status: str = "Failed") -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class JobKind:
    """How a job step maps onto the SageMaker API."""

    create: str
    describe: str
    stop: str
    name_key: str
    status_key: str
    arn_key: str
    metadata_key: str
    name_limit: int = 63


JOB_KINDS = {
    "Processing": JobKind(
        "create_processing_job",
        "describe_processing_job",
        "stop_processing_job",
        "ProcessingJobName",
        "ProcessingJobStatus",
        "ProcessingJobArn",
        "ProcessingJob",
    ),
    "Training": JobKind(
        "create_training_job",
        "describe_training_job",
        "stop_training_job",
        "TrainingJobName",
        "TrainingJobStatus",
        "TrainingJobArn",
        "TrainingJob",
    ),
    "Transform": JobKind(
        "create_transform_job",
        "describe_transform_job",
        "stop_transform_job",
        "TransformJobName",
        "TransformJobStatus",
        "TransformJobArn",
        "TransformJob",
    ),
    "Tuning": JobKind(
        "create_hyper_parameter_tuning_job",
        "describe_hyper_parameter_tuning_job",
        "stop_hyper_parameter_tuning_job",
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobStatus",
        "HyperParameterTuningJobArn",
        "TuningJob",
        name_limit=32,
    ),
}


@dataclass
class StepRecord:
    """One step that started: what ListPipelineExecutionSteps reports for it."""

    spec: StepSpec
    status: str = "Starting"
    start: datetime = field(default_factory=jobstate.now)
    end: datetime | None = None
    failure_reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def response(self) -> dict[str, Any]:
        """The step as a ``PipelineExecutionStep`` of the API."""
        item: dict[str, Any] = {
            "StepName": self.spec.name,
            "StartTime": self.start,
            "StepStatus": self.status,
            "Metadata": self.metadata,
            "AttemptCount": 1,
        }
        for key, value in (
            ("StepDisplayName", self.spec.display_name),
            ("StepDescription", self.spec.description),
            ("EndTime", self.end),
            ("FailureReason", self.failure_reason),
        ):
            if value is not None:
                item[key] = value
        return item


def random_suffix(length: int = 10) -> str:
    """Letters and digits, as SageMaker appends to the job names a pipeline starts."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def job_name(execution_id: str, step: str, limit: int) -> str:
    """``pipelines-<execution id>-<step>-<random>`` cut to the API's name limit."""
    safe = "".join(c if c.isalnum() else "-" for c in step)
    suffix = random_suffix()
    if limit < 40:  # tuning job names: at most 32 characters
        return f"{safe[: limit - len(suffix) - 1]}-{suffix}".strip("-")
    head = f"pipelines-{execution_id}-{safe}"[: limit - len(suffix) - 1]
    return f"{head}-{suffix}"


class PipelineRun:
    """One pipeline execution, run in its own thread (its jobs run in the job pool)."""

    def __init__(
        self,
        record: Any,
        pipeline: Any,
        definition: Definition,
        parameters: dict[str, Any],
        region: str,
        max_parallel: int | None = None,
    ) -> None:
        self.record = record
        self.definition = definition
        self.region = region
        self.max_parallel = max_parallel or 50
        self.sagemaker = boto3.Session(region_name=region).client("sagemaker")
        self.s3 = boto3.Session(region_name=region).client("s3")
        execution_id = record.arn.rsplit("/", 1)[-1]
        self.execution_id = execution_id
        self.ctx = Context(
            parameters=parameters,
            execution={
                "PipelineExecutionId": execution_id,
                "PipelineExecutionArn": record.arn,
                "PipelineName": pipeline.pipeline_name,
                "PipelineArn": pipeline.arn,
                "StartDateTime": record.start_time.isoformat(),
                "CurrentDateTime": record.start_time.isoformat(),
            },
        )
        self.steps: dict[str, StepRecord] = {}
        self.skipped: set[str] = set()
        self.stop = threading.Event()
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._running_jobs: dict[str, tuple[JobKind, str]] = {}

    # ------------------------------------------------------------------ orchestration
    def start(self) -> None:
        """Run in a background thread."""
        threading.Thread(
            target=self.run, name=f"labs-pipeline-{self.execution_id}", daemon=True
        ).start()

    def run(self) -> None:
        """Run to the end; the outcome is recorded on the execution, never raised."""
        try:
            self._loop()
        except Exception as error:  # a bug in the kit must not leave the execution Executing
            self._finish("Failed", f"InternalServerError: {type(error).__name__}: {error}")
        finally:
            self.finished.set()

    def _loop(self) -> None:
        failed: StepRecord | None = None
        while True:
            with self._lock:
                running = [s for s in self.steps.values() if s.status in ("Starting", "Executing")]
                failed = failed or next(
                    (s for s in self.steps.values() if s.status in ("Failed", "Stopped")), None
                )
                ready = [] if failed or self.stop.is_set() else self._ready(len(running))
                for spec in ready:
                    self.steps[spec.name] = StepRecord(spec)
            for spec in ready:
                threading.Thread(
                    target=self._run_step, args=(spec,), name=f"labs-step-{spec.name}", daemon=True
                ).start()
            if not running and not ready:
                break
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
        if self.stop.is_set():
            self._finish("Stopped", None)
        elif failed is not None:
            reason = f"Step failure: step {failed.spec.name!r} {failed.status.lower()}"
            if failed.failure_reason:
                reason += f": {failed.failure_reason}"
            self._finish("Failed", reason)
        else:
            self._finish("Succeeded", None)

    def _ready(self, running: int) -> list[StepSpec]:
        ready: list[StepSpec] = []
        for spec in self.definition.steps.values():
            if spec.name in self.steps or spec.name in self.skipped:
                continue
            parents = [self.steps.get(p) for p in spec.depends_on]
            if any(p in self.skipped for p in spec.depends_on):
                self.skipped.add(spec.name)  # its branch, or a step it needs, did not run
                continue
            if all(p is not None and p.status == "Succeeded" for p in parents):
                if spec.branch_of and not self._on_taken_branch(spec):
                    self.skipped.add(spec.name)
                    continue
                if running + len(ready) < self.max_parallel:
                    ready.append(spec)
        return ready

    def _on_taken_branch(self, spec: StepSpec) -> bool:
        assert spec.branch_of is not None
        outcome = self.steps[spec.branch_of].metadata["Condition"]["Outcome"] == "True"
        if_steps, _ = self.definition.branches(spec.branch_of)
        return (spec.name in if_steps) == outcome

    def _finish(self, status: str, reason: str | None) -> None:
        self.record.pipeline_execution_failure_reason = reason
        self.record.pipeline_execution_status = status
        self.record.last_modified_time = jobstate.now()

    def request_stop(self) -> None:
        """StopPipelineExecution: stop the running jobs, start no more steps."""
        self.record.pipeline_execution_status = "Stopping"
        self.stop.set()
        with self._lock:
            jobs = list(self._running_jobs.values())
        for kind, name in jobs:
            try:
                getattr(self.sagemaker, kind.stop)(**{kind.name_key: name})
            except Exception:  # already finished: nothing to stop
                continue
        self._wake.set()

    # ------------------------------------------------------------------ one step
    def _run_step(self, spec: StepSpec) -> None:
        step = self.steps[spec.name]
        try:
            step.status = "Executing"
            runner = self._runner(spec.type)
            properties = runner(spec, step)
            with self._lock:
                self.ctx.steps[spec.name] = properties
            step.status = "Succeeded"
        except StepFailed as error:
            step.failure_reason = str(error)[:1024] or None
            step.status = error.status
        except ResolveError as error:
            step.failure_reason = f"ClientError: {error}"[:1024]
            step.status = "Failed"
        except Exception as error:
            step.failure_reason = f"ClientError: {_client_message(error)}"[:1024]
            step.status = "Failed"
        finally:
            step.end = jobstate.now()
            self._wake.set()

    def _runner(self, kind: str) -> Callable[[StepSpec, StepRecord], dict[str, Any]]:
        if kind in JOB_KINDS:
            return self._job_step
        return {
            "Model": self._model_step,
            "RegisterModel": self._register_step,
            "Condition": self._condition_step,
            "Fail": self._fail_step,
        }[kind]

    def _arguments(self, spec: StepSpec, method: str | None = None) -> dict[str, Any]:
        """The step's arguments, resolved; fitted to the API call ``method`` if given."""
        with self._lock:
            arguments = resolve(own_arguments(spec), self.ctx)
        if method is None:
            return arguments
        api = self.sagemaker.meta.method_to_api_mapping[method]
        shape = self.sagemaker.meta.service_model.operation_model(api).input_shape
        return fit_to_shape(arguments, shape)

    def _job_step(self, spec: StepSpec, step: StepRecord) -> dict[str, Any]:
        kind = JOB_KINDS[spec.type]
        request = self._arguments(spec, kind.create)
        name = job_name(self.execution_id, spec.name, kind.name_limit)
        request[kind.name_key] = name
        if spec.type == "Tuning" and "TrainingJobDefinition" in request:
            request["TrainingJobDefinition"].pop("TrainingJobName", None)
        getattr(self.sagemaker, kind.create)(**request)
        with self._lock:
            self._running_jobs[spec.name] = (kind, name)
        try:
            described = self._wait(kind, name, step)
        finally:
            with self._lock:
                self._running_jobs.pop(spec.name, None)
        if spec.type == "Processing":
            self._read_property_files(spec, described)
        return described

    def _wait(self, kind: JobKind, name: str, step: StepRecord) -> dict[str, Any]:
        while True:
            described = getattr(self.sagemaker, kind.describe)(**{kind.name_key: name})
            described.pop("ResponseMetadata", None)
            step.metadata = {kind.metadata_key: {"Arn": described[kind.arn_key]}}
            status = described[kind.status_key]
            if status == "Completed":
                return described
            if status == "Failed":
                raise StepFailed(described.get("FailureReason") or f"the job {name} failed")
            if status == "Stopped":
                raise StepFailed(f"the job {name} was stopped", status="Stopped")
            time.sleep(POLL_SECONDS)

    def _read_property_files(self, spec: StepSpec, described: dict[str, Any]) -> None:
        outputs = (described.get("ProcessingOutputConfig") or {}).get("Outputs", [])
        for item in spec.property_files:
            output = next((o for o in outputs if o["OutputName"] == item["OutputName"]), None)
            if output is None:
                raise StepFailed(
                    f"property file {item['PropertyFileName']!r} names output "
                    f"{item['OutputName']!r}, which the processing job does not have"
                )
            uri = f"{output['S3Output']['S3Uri'].rstrip('/')}/{item['FilePath']}"
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            try:
                body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                document = json.loads(body)
            except Exception as error:
                raise StepFailed(
                    f"could not read property file {item['PropertyFileName']!r} at {uri}: "
                    f"{_client_message(error)}"
                ) from None
            with self._lock:
                self.ctx.property_files[(spec.name, item["PropertyFileName"])] = document

    def _model_step(self, spec: StepSpec, step: StepRecord) -> dict[str, Any]:
        request = self._arguments(spec, "create_model")
        request["ModelName"] = job_name(self.execution_id, spec.name, 63)
        self.sagemaker.create_model(**request)
        described = self.sagemaker.describe_model(ModelName=request["ModelName"])
        described.pop("ResponseMetadata", None)
        step.metadata = {"Model": {"Arn": described["ModelArn"]}}
        return described

    def _register_step(self, spec: StepSpec, step: StepRecord) -> dict[str, Any]:
        request = self._arguments(spec, "create_model_package")
        arn = self.sagemaker.create_model_package(**request)["ModelPackageArn"]
        step.metadata = {"RegisterModel": {"Arn": arn}}
        described = self.sagemaker.describe_model_package(ModelPackageName=arn)
        described.pop("ResponseMetadata", None)
        return described

    def _condition_step(self, spec: StepSpec, step: StepRecord) -> dict[str, Any]:
        with self._lock:
            outcome = all(evaluate(c, self.ctx) for c in spec.arguments.get("Conditions", []))
        step.metadata = {"Condition": {"Outcome": "True" if outcome else "False"}}
        return {"Outcome": outcome}

    def _fail_step(self, spec: StepSpec, step: StepRecord) -> dict[str, Any]:
        message = _as_text(self._arguments(spec).get("ErrorMessage", ""))
        step.metadata = {"Fail": {"ErrorMessage": message}}
        raise StepFailed(message)

    # ------------------------------------------------------------------ reporting
    def step_list(self, descending: bool = True) -> list[dict[str, Any]]:
        """The started steps, newest first unless ``descending`` is false."""
        with self._lock:
            steps = list(self.steps.values())
        ordered = sorted(steps, key=lambda s: s.start, reverse=descending)
        return [s.response() for s in ordered]


def fit_to_shape(value: Any, shape: Any) -> Any:
    """``value`` with scalars converted to the types the API shape wants.

    A parameter or a JSON value can be a number where the API takes a string (a Float
    parameter used as a hyperparameter becomes ``"0.1"``) or the other way round; the
    Pipelines service converts them when it calls the API, and so does this.
    """
    kind = getattr(shape, "type_name", None)
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: fit_to_shape(v, members[k]) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [fit_to_shape(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: fit_to_shape(v, shape.value) for k, v in value.items()}
    if kind == "string" and isinstance(value, (bool, int, float)):
        return _as_text(value)
    try:
        if kind in ("integer", "long") and isinstance(value, (str, float)):
            return int(float(value))
        if kind in ("float", "double") and isinstance(value, (str, int)):
            return float(value)
    except ValueError:
        return value  # the API call reports the bad value
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return (
        value
        if isinstance(value, str)
        else json.dumps(value)
        if isinstance(value, (dict, list))
        else str(value)
    )


def _client_message(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        return f"{response['Error'].get('Code')}: {response['Error'].get('Message')}"
    return f"{type(error).__name__}: {error}"


def coerce_parameters(
    definition: Definition, overrides: list[dict[str, str]] | None
) -> dict[str, Any]:
    """The execution's parameter values: defaults, then overrides, converted to their types.

    Raises:
        ValueError: an override names no parameter, a value does not fit its type, or a
            parameter without a default has no value.
    """
    given = {item["Name"]: item["Value"] for item in overrides or []}
    unknown = sorted(set(given) - set(definition.parameters))
    if unknown:
        raise ValueError(
            f"Pipeline parameter(s) {', '.join(unknown)} are not defined in the pipeline "
            f"(its parameters: {', '.join(definition.parameters) or 'none'})"
        )
    values: dict[str, Any] = {}
    for name, spec in definition.parameters.items():
        if name in given:
            raw: Any = given[name]
        elif "DefaultValue" in spec:
            raw = spec["DefaultValue"]
        else:
            raise ValueError(f"Pipeline parameter {name} has no default value and was not given")
        values[name] = _convert(name, spec["Type"], raw)
    return values


def _convert(name: str, kind: str, raw: Any) -> Any:
    try:
        if kind == "Integer":
            return int(raw)
        if kind == "Float":
            return float(raw)
        if kind == "Boolean":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() not in ("true", "false"):
                raise ValueError(raw)
            return str(raw).lower() == "true"
    except (TypeError, ValueError):
        raise ValueError(
            f"Pipeline parameter {name} is of type {kind}; {raw!r} is not a valid value"
        ) from None
    return str(raw)
