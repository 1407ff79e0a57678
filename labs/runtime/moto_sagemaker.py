"""Hooks into moto's SageMaker API so that jobs run instead of only being recorded.

moto answers CreateTrainingJob with a job that is Completed at once, has no model, and
carries made-up metric definitions. The hook keeps moto's record (so every Describe and
List call works as before), restores the request's own fields, and hands the job to the
runtime, which updates the record as the job runs. Tuning jobs get the same treatment.
Actions moto lacks are added: ``StopTrainingJob``, ``StopHyperParameterTuningJob`` and
``ListTrainingJobsForHyperParameterTuningJob``.

Hooks live on moto's ``SageMakerResponse``, so boto3, the SageMaker SDK and the AWS CLI
all get the same behaviour.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.responses import SageMakerResponse

from labs.runtime import executor, jobstate, processing, training, tuning
from labs.runtime.patches import Patches


def _create_training_job(self: SageMakerResponse) -> ActionResult:
    request = copy.deepcopy(self._get_params())
    _check_spot(request)
    result = _PATCHES.original("create_training_job")(self)
    job = self.sagemaker_backend.training_jobs[request["TrainingJobName"]]
    # moto overwrites the metric definitions with a made-up one; SageMaker keeps the request's.
    job.algorithm_specification = copy.deepcopy(request["AlgorithmSpecification"])
    job.environment = request.get("Environment")
    job.training_job_status = "InProgress"
    job.secondary_status = "Starting"
    job.final_metric_data_list = []
    job.model_artifacts = None
    if executor.exiting():  # the kernel is shutting down: the job never starts
        job.training_job_status = job.secondary_status = "Stopped"
        jobstate.state(job.arn).done.set()
        return result
    executor.submit(
        jobstate.run_guarded, training.run, "training_job_status", job, request, self.region
    )
    return result


def _check_spot(request: dict[str, Any]) -> None:
    """Managed spot training needs MaxWaitTimeInSeconds >= MaxRuntimeInSeconds, as on AWS."""
    if not request.get("EnableManagedSpotTraining"):
        return
    stopping = request.get("StoppingCondition") or {}
    wait = stopping.get("MaxWaitTimeInSeconds")
    if wait is None or int(wait) < int(stopping.get("MaxRuntimeInSeconds", 86400)):
        raise ValidationError(
            message="Invalid MaxWaitTimeInSeconds. It must be present and be greater than or "
            "equal to MaxRuntimeInSeconds"
        )


def _stop_training_job(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("TrainingJobName")
    job = self.sagemaker_backend.training_jobs.get(name)
    if job is None:
        raise ValidationError(message=f"Requested resource not found: training job {name!r}.")
    if job.training_job_status != "InProgress":
        raise ValidationError(
            message=f"The training job {name} is {job.training_job_status} and cannot be stopped."
        )
    run_state = jobstate.state(job.arn)
    run_state.stop_reason = "Stopped"
    run_state.stop.set()
    job.training_job_status = "Stopping"
    job.secondary_status = "Stopping"
    return EmptyResult()


_TERMINAL = ("Completed", "Failed", "Stopped")


def _delete_job(jobs: dict[str, Any], name: str, kind: str, status_of: Any) -> ActionResult:
    """DeleteTrainingJob / DeleteProcessingJob (moto lacks both): only a terminal job goes,
    and its name can be used again."""
    job = jobs.get(name)
    if job is None:
        raise ResourceNotFound(message=f"Could not find {kind} job '{name}'.")
    status = status_of(job)
    if status not in _TERMINAL:
        raise ResourceInUseException(
            message=f"Cannot delete {kind} job '{name}' while it is {status}: only a Completed, "
            "Failed or Stopped job can be deleted. Stop it first."
        )
    del jobs[name]
    jobstate.forget(job.arn)
    return EmptyResult()


def _delete_training_job(self: SageMakerResponse) -> ActionResult:
    return _delete_job(
        self.sagemaker_backend.training_jobs,
        self._get_param("TrainingJobName"),
        "training",
        lambda job: job.training_job_status,
    )


def _delete_processing_job(self: SageMakerResponse) -> ActionResult:
    return _delete_job(
        self.sagemaker_backend.processing_jobs,
        self._get_param("ProcessingJobName"),
        "processing",
        lambda job: job.processing_job_status,
    )


def _create_hyper_parameter_tuning_job(self: SageMakerResponse) -> ActionResult:
    request = copy.deepcopy(self._get_params())
    result = _PATCHES.original("create_hyper_parameter_tuning_job")(self)
    record = self.sagemaker_backend.hyper_parameter_tuning_jobs[
        request["HyperParameterTuningJobName"]
    ]
    # moto fills in a made-up result; the real one comes from the children.
    record.hyper_parameter_tuning_job_status = "InProgress"
    record.hyper_parameter_tuning_end_time = None
    record.best_training_job = None
    record.OverallBestTrainingJob = None
    record.failure_reason = None
    record.tuning_job_completion_details = None
    record.consumed_resources = None
    record.training_job_status_counters = {
        "Completed": 0,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    record.objective_status_counters = {"Succeeded": 0, "Pending": 0, "Failed": 0}
    run = tuning.TuningRun(record, request, self.sagemaker_backend, self.region)
    tuning.RUNS[request["HyperParameterTuningJobName"]] = run
    # Its own thread: it waits on children that run in the job pool.
    threading.Thread(target=run.run, name=f"labs-tuning-{record.arn[-12:]}", daemon=True).start()
    return result


def _tuning_run(name: str) -> tuning.TuningRun:
    run = tuning.RUNS.get(name)
    if run is None:
        raise ValidationError(message=f"Requested resource not found: tuning job {name!r}.")
    return run


def _stop_hyper_parameter_tuning_job(self: SageMakerResponse) -> ActionResult:
    run = _tuning_run(self._get_param("HyperParameterTuningJobName"))
    if run.record.hyper_parameter_tuning_job_status == "InProgress":
        run.stop.set()
        run.record.hyper_parameter_tuning_job_status = "Stopping"
        for child in run.children:
            if child.job.training_job_status == "InProgress":
                state = jobstate.state(child.job.arn)
                state.stop_reason = "Stopped"
                state.stop.set()
    return EmptyResult()


_SORT_KEYS = {
    "Name": lambda s: s["TrainingJobName"],
    "CreationTime": lambda s: s["CreationTime"],
    "Status": lambda s: s["TrainingJobStatus"],
    "FinalObjectiveMetricValue": lambda s: s.get(
        "FinalHyperParameterTuningJobObjectiveMetric", {}
    ).get("Value", float("-inf")),
}


def _list_training_jobs_for_hyper_parameter_tuning_job(self: SageMakerResponse) -> ActionResult:
    run = _tuning_run(self._get_param("HyperParameterTuningJobName"))
    objective = run.request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    summaries = [run.summary(child, objective) for child in run.children]
    status = self._get_param("StatusEquals")
    if status:
        summaries = [s for s in summaries if s["TrainingJobStatus"] == status]
    sort_by = self._get_param("SortBy") or "Name"
    summaries.sort(
        key=_SORT_KEYS.get(sort_by, _SORT_KEYS["Name"]),
        reverse=(self._get_param("SortOrder") or "Ascending") == "Descending",
    )
    start = int(self._get_param("NextToken") or 0)
    size = int(self._get_param("MaxResults") or 100)
    page = summaries[start : start + size]
    result: dict[str, Any] = {"TrainingJobSummaries": page}
    if start + size < len(summaries):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


# ------------------------------------------------------------------ processing jobs
# moto records a processing job as Completed at once and keeps no Environment or
# ProcessingResources; StopProcessingJob only flips the status. These hooks keep moto's
# record, restore the request's fields and let labs.runtime.processing run the job.


def _create_processing_job(self: SageMakerResponse) -> ActionResult:
    request = copy.deepcopy(self._get_params())
    name = request["ProcessingJobName"]
    existing = self.sagemaker_backend.processing_jobs.get(name)
    if existing is not None:
        raise ResourceInUseException(
            message="Processing job names must be unique within an AWS account and region, "
            f"and a processing job with this name already exists ({existing.arn})"
        )
    result = _PATCHES.original("create_processing_job")(self)
    job = self.sagemaker_backend.processing_jobs[name]
    job.environment = request.get("Environment")
    job.processing_resources = request.get("ProcessingResources")
    job.processing_job_status = "InProgress"
    job.processing_end_time = None
    executor.submit(
        jobstate.run_guarded, processing.run, "processing_job_status", job, request, self.region
    )
    return result


def _stop_processing_job(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("ProcessingJobName")
    self.sagemaker_backend.describe_processing_job(name)  # moto's error for an unknown job
    job = self.sagemaker_backend.processing_jobs[name]
    if job.processing_job_status not in ("InProgress", "Stopping"):
        raise ValidationError(
            message=f"The processing job {name} is {job.processing_job_status} and cannot be "
            "stopped."
        )
    run_state = jobstate.state(job.arn)
    run_state.stop_reason = run_state.stop_reason or "Stopped"
    run_state.stop.set()
    job.processing_job_status = "Stopping"
    job.last_modified_time = jobstate.now()
    return EmptyResult()


_HOOKS = {
    "create_training_job": _create_training_job,
    "stop_training_job": _stop_training_job,
    "create_hyper_parameter_tuning_job": _create_hyper_parameter_tuning_job,
    "stop_hyper_parameter_tuning_job": _stop_hyper_parameter_tuning_job,
    "list_training_jobs_for_hyper_parameter_tuning_job": (
        _list_training_jobs_for_hyper_parameter_tuning_job
    ),
    "create_processing_job": _create_processing_job,
    "stop_processing_job": _stop_processing_job,
    "delete_training_job": _delete_training_job,
    "delete_processing_job": _delete_processing_job,
}


_PATCHES = Patches(SageMakerResponse, _HOOKS)


def install() -> None:
    """Hook the runtime into moto's SageMaker API (idempotent)."""
    _PATCHES.install()


def uninstall() -> None:
    """Give moto back its own behaviour."""
    _PATCHES.uninstall()
