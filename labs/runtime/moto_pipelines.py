"""Hooks into moto's SageMaker API so that a pipeline execution runs its steps.

moto records CreatePipeline and StartPipelineExecution, and reports every execution
Succeeded at once with nothing run. The hooks:

- check a definition at CreatePipeline / UpdatePipeline (unknown step or parameter
  references, cycles, step types the local runtime does not run) and reject it with a
  ValidationException that says what is wrong;
- check the parameter overrides at StartPipelineExecution, then keep moto's record as
  ``Executing`` and hand it to :class:`labs.runtime.pipelines.PipelineRun`;
- report the execution's ``FailureReason`` (moto always answers ``""``);
- add what moto lacks: ``ListPipelineExecutionSteps``, ``StopPipelineExecution``,
  ``DeleteModelPackage`` and ``DeleteModelPackageGroup``.

Lineage: moto has no lineage API (AddAssociation, ListAssociations, QueryLineage); the
step list's ``Metadata`` (each step's job, model or model package ARN) is the lineage the
local runtime gives.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse

from labs.runtime import pipeline_definition, pipelines
from labs.runtime.patches import Patches


def _parse(text: str) -> pipeline_definition.Definition:
    try:
        return pipeline_definition.parse(text)
    except pipeline_definition.DefinitionError as error:
        raise ValidationError(message=f"Invalid pipeline definition: {error}") from None


def _create_pipeline(self: SageMakerResponse) -> ActionResult:
    result = _PATCHES.original("create_pipeline")(self)
    name = self._get_param("PipelineName")
    pipeline = self.sagemaker_backend.pipelines[name]
    try:
        _parse(pipeline.pipeline_definition)
    except ValidationError:
        del self.sagemaker_backend.pipelines[name]  # AWS creates no pipeline
        raise
    return result


def _update_pipeline(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("PipelineName")
    pipeline = self.sagemaker_backend.pipelines.get(name)
    before = pipeline.pipeline_definition if pipeline is not None else None
    result = _PATCHES.original("update_pipeline")(self)
    pipeline = self.sagemaker_backend.pipelines[name]
    try:
        _parse(pipeline.pipeline_definition)
    except ValidationError:
        pipeline.pipeline_definition = before
        raise
    return result


def _start_pipeline_execution(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("PipelineName")
    pipeline = self.sagemaker_backend.pipelines.get(name)
    if pipeline is None:  # moto's own error for an unknown pipeline
        return _PATCHES.original("start_pipeline_execution")(self)
    definition = _parse(pipeline.pipeline_definition)
    try:
        parameters = pipelines.coerce_parameters(definition, self._get_param("PipelineParameters"))
    except ValueError as error:
        raise ValidationError(message=str(error)) from None
    result = _PATCHES.original("start_pipeline_execution")(self)
    arn = _arn_of(result)
    record = pipeline.pipeline_executions[arn]
    record.pipeline_execution_status = "Executing"
    config = record.parallelism_configuration or {}
    run = pipelines.PipelineRun(
        record,
        pipeline,
        definition,
        parameters,
        self.region,
        max_parallel=config.get("MaxParallelExecutionSteps"),
    )
    pipelines.RUNS[arn] = run
    run.start()
    return result


def _arn_of(result: ActionResult) -> str:
    value = result.result
    assert isinstance(value, dict), "moto's StartPipelineExecution answer is not a dict"
    return str(value["PipelineExecutionArn"])


def _execution_run(arn: str) -> pipelines.PipelineRun:
    run = pipelines.RUNS.get(arn)
    if run is None:
        raise ValidationError(message=f"Pipeline execution {arn} not found")
    return run


def _describe_pipeline_execution(self: SageMakerResponse) -> ActionResult:
    arn = self._get_param("PipelineExecutionArn")
    response = self.sagemaker_backend.describe_pipeline_execution(arn)
    run = pipelines.RUNS.get(arn)
    response.pop("FailureReason", None)
    if run is not None and run.record.pipeline_execution_failure_reason:
        response["FailureReason"] = run.record.pipeline_execution_failure_reason
    return ActionResult(response)


def _list_pipeline_executions(self: SageMakerResponse) -> ActionResult:
    response = self.sagemaker_backend.list_pipeline_executions(self._get_param("PipelineName"))
    for summary in response["PipelineExecutionSummaries"]:
        run = pipelines.RUNS.get(summary["PipelineExecutionArn"])
        reason = run.record.pipeline_execution_failure_reason if run else None
        summary.pop("PipelineExecutionFailureReason", None)
        if reason:
            summary["PipelineExecutionFailureReason"] = reason
    response["PipelineExecutionSummaries"].sort(key=lambda s: s["StartTime"], reverse=True)
    return ActionResult(response)


def _list_pipeline_execution_steps(self: SageMakerResponse) -> ActionResult:
    run = _execution_run(self._get_param("PipelineExecutionArn"))
    descending = (self._get_param("SortOrder") or "Descending") == "Descending"
    steps = run.step_list(descending=descending)
    start = int(self._get_param("NextToken") or 0)
    size = int(self._get_param("MaxResults") or 50)
    result: dict[str, Any] = {"PipelineExecutionSteps": steps[start : start + size]}
    if start + size < len(steps):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


def _stop_pipeline_execution(self: SageMakerResponse) -> ActionResult:
    arn = self._get_param("PipelineExecutionArn")
    run = _execution_run(arn)
    if run.record.pipeline_execution_status != "Executing":
        raise ValidationError(
            message=f"Pipeline execution {arn} is {run.record.pipeline_execution_status} "
            "and cannot be stopped."
        )
    run.request_stop()
    return ActionResult({"PipelineExecutionArn": arn})


def _delete_pipeline(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("PipelineName")
    pipeline = self.sagemaker_backend.pipelines.get(name)
    for arn in list(pipeline.pipeline_executions) if pipeline is not None else []:
        run = pipelines.RUNS.pop(arn, None)
        if run is not None and run.record.pipeline_execution_status == "Executing":
            run.request_stop()
    return _PATCHES.original("delete_pipeline")(self)


def _delete_model_package(self: SageMakerResponse) -> ActionResult:
    backend = self.sagemaker_backend
    name = self._get_param("ModelPackageName")
    package = backend.describe_model_package(name)  # moto's error for an unknown package
    del backend.model_packages[package.arn]
    for key in [k for k, v in backend.model_package_name_mapping.items() if v == package.arn]:
        del backend.model_package_name_mapping[key]
    return EmptyResult()


def _delete_model_package_group(self: SageMakerResponse) -> ActionResult:
    backend = self.sagemaker_backend
    name = self._get_param("ModelPackageGroupName")
    name = name.rsplit("/", 1)[-1]  # a group ARN works too
    if name not in backend.model_package_groups:
        raise ValidationError(message=f"Model Package Group {name} does not exist.")
    versions = [p for p in backend.model_packages.values() if p.model_package_group_name == name]
    if versions:
        raise ValidationError(
            message=f"Model Package Group {name} still has {len(versions)} model package(s): "
            "delete them (DeleteModelPackage) before the group."
        )
    del backend.model_package_groups[name]
    return EmptyResult()


_HOOKS = {
    "create_pipeline": _create_pipeline,
    "update_pipeline": _update_pipeline,
    "start_pipeline_execution": _start_pipeline_execution,
    "describe_pipeline_execution": _describe_pipeline_execution,
    "list_pipeline_executions": _list_pipeline_executions,
    "list_pipeline_execution_steps": _list_pipeline_execution_steps,
    "stop_pipeline_execution": _stop_pipeline_execution,
    "delete_pipeline": _delete_pipeline,
    "delete_model_package": _delete_model_package,
    "delete_model_package_group": _delete_model_package_group,
}

_PATCHES = Patches(SageMakerResponse, _HOOKS)


def install() -> None:
    """Hook pipeline executions into moto's SageMaker API (idempotent)."""
    _PATCHES.install()


def uninstall() -> None:
    """Give moto back its own behaviour."""
    _PATCHES.uninstall()
