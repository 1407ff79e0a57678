"""Hooks into moto's SageMaker API so that batch transform jobs run instead of being recorded.

moto answers CreateTransformJob with a job that is Completed at once and writes nothing;
it has no StopTransformJob. The hook checks the request as SageMaker does (a unique name,
an existing model, filters it can parse), keeps moto's record (so Describe and List work
as before), and hands the job to :mod:`labs.runtime.transform`, which updates the record
as the job runs. ``StopTransformJob`` is added.
"""

from __future__ import annotations

import copy

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import MissingModel, ResourceInUseException, ValidationError
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter

from labs.runtime import executor, jobstate, transform, transform_settings
from labs.runtime.patches import Patches


def _create_transform_job(self: SageMakerResponse) -> ActionResult:
    request = copy.deepcopy(self._get_params())
    name = request["TransformJobName"]
    backend = self.sagemaker_backend
    existing = backend.transform_jobs.get(name)
    if existing is not None:
        raise ResourceInUseException(
            message="Job name must be unique within an AWS account and region, and a job "
            f"with this name already exists ({existing.arn})"
        )
    model_name = request.get("ModelName", "")
    if model_name not in backend._models:
        raise MissingModel(
            model=arn_formatter("model", model_name, self.current_account, self.region)
        )
    try:
        transform_settings.check_request(request)
    except ValueError as error:
        raise ValidationError(message=str(error)) from None
    result = _PATCHES.original("create_transform_job")(self)
    job = backend.transform_jobs[name]
    # moto records the job as finished; the run fills these in as it goes.
    job.transform_job_status = "InProgress"
    job.failure_reason = None
    job.transform_start_time = None
    job.transform_end_time = None
    job.labeling_job_arn = None
    job.auto_ml_job_arn = None
    executor.submit(transform.run, job, request, backend, self.region)
    return result


def _stop_transform_job(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("TransformJobName")
    self.sagemaker_backend.describe_transform_job(name)  # moto's error for an unknown job
    job = self.sagemaker_backend.transform_jobs[name]
    if job.transform_job_status not in ("InProgress", "Stopping"):
        raise ValidationError(
            message=f"The transform job {name} is {job.transform_job_status} and cannot be stopped."
        )
    jobstate.state(job.arn).stop.set()
    job.transform_job_status = "Stopping"
    job.last_modified_time = jobstate.now()
    return EmptyResult()


_HOOKS = {
    "create_transform_job": _create_transform_job,
    "stop_transform_job": _stop_transform_job,
}


_PATCHES = Patches(SageMakerResponse, _HOOKS)


def install() -> None:
    """Hook batch transform into moto's SageMaker API (idempotent)."""
    _PATCHES.install()


def uninstall() -> None:
    """Give moto back its own behaviour."""
    _PATCHES.uninstall()
