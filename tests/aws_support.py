"""Run aws-mode code against a moto server in a child process (tests of labs.aws, infra/).

Each test gets its own Python process with its own ``ThreadedMotoServer`` on loopback, so
the account it plays in is empty and the local runtime of the session's ``lab`` (which
hooks moto in the test process) is not installed there: aws mode never installs it.
The child reaches moto through ``AWS_ENDPOINT_URL`` with the test-only override
``LABS_ALLOW_ENDPOINT_OVERRIDE=1``; the network guard is inherited.

moto 5.2.5 lacks a few things AWS does; :data:`PRELUDE` gives moto that AWS behaviour
(the kit code under test is not changed):

- ``ExecuteChangeSet`` leaves a new stack without outputs; AWS computes them.
- A KMS key created by CloudFormation keeps its ``KeyPolicy`` as a dict, on which moto's
  own ``DescribeKey`` then fails; AWS stores the policy as a JSON document.
- ``StopTrainingJob``, ``StopTransformJob`` and ``StopHyperParameterTuningJob`` are not
  implemented; on AWS they move an ``InProgress`` job to ``Stopping``.
- ``ListMonitoringSchedules`` is not implemented; an account without schedules answers
  with an empty list.
- ``DescribeProcessingJob`` leaves out the job's ``ProcessingResources``; AWS returns them.
- moto finishes every job at once; :func:`running` in the child puts a job back to
  ``InProgress``, as a job on AWS is while it runs.
- ``SimulatePrincipalPolicy`` comes from the kit's own local IAM (labs.local.moto_iam).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REGION = "eu-west-1"
ACCOUNT = "123456789012"

CLOUDFORMATION_FIXES = """
from moto.cloudformation.models import CloudFormationBackend
from moto.kms.models import Key as _Key

_execute = CloudFormationBackend.execute_change_set

def _execute_with_outputs(self, change_set_name, stack_name=None):
    _execute(self, change_set_name, stack_name)
    for change_set in self.change_sets.values():
        if change_set_name in (change_set.change_set_id, change_set.change_set_name):
            stack = self.stacks[change_set.stack_id]
            stack._parse_template()
            stack.output_map = stack._create_output_map()

CloudFormationBackend.execute_change_set = _execute_with_outputs
_key_from_cfn = _Key.create_from_cloudformation_json.__func__

def _key_with_json_policy(cls, resource_name, cloudformation_json, *args, **kwargs):
    properties = cloudformation_json["Properties"]
    if isinstance(properties.get("KeyPolicy"), dict):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    return _key_from_cfn(cls, resource_name, cloudformation_json, *args, **kwargs)

_Key.create_from_cloudformation_json = classmethod(_key_with_json_policy)
"""

PRELUDE = """
import json, os, sys
import boto3
from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.models import sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.server import ThreadedMotoServer

def _stopper(jobs_attr, name_param, status_attr):
    def stop(self):
        job = getattr(self.sagemaker_backend, jobs_attr)[self._get_param(name_param)]
        setattr(job, status_attr, "Stopping")
        return EmptyResult()
    return stop

SageMakerResponse.stop_training_job = _stopper(
    "training_jobs", "TrainingJobName", "training_job_status")
SageMakerResponse.stop_transform_job = _stopper(
    "transform_jobs", "TransformJobName", "transform_job_status")
SageMakerResponse.stop_hyper_parameter_tuning_job = _stopper(
    "hyper_parameter_tuning_jobs", "HyperParameterTuningJobName",
    "hyper_parameter_tuning_job_status")
SageMakerResponse.list_monitoring_schedules = (
    lambda self: ActionResult({"MonitoringScheduleSummaries": []}))
_create_processing_job = SageMakerResponse.create_processing_job

def _create_processing_job_keeping_resources(self):
    result = _create_processing_job(self)
    job = self.sagemaker_backend.processing_jobs[self._get_param("ProcessingJobName")]
    job.processing_resources = self._get_param("ProcessingResources")
    return result

SageMakerResponse.create_processing_job = _create_processing_job_keeping_resources

from labs.local import moto_iam
moto_iam.install()

_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
_server.start()
_host, _port = _server.get_host_and_port()
os.environ.update(
    AWS_ENDPOINT_URL=f"http://{_host}:{_port}",
    AWS_ACCESS_KEY_ID="AKIATESTING000000000",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_REGION=REGION,
    AWS_DEFAULT_REGION=REGION,
    AWS_MAX_ATTEMPTS="1",
    LABS_ALLOW_ENDPOINT_OVERRIDE="1",
)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/any"
sm = boto3.client("sagemaker")

def backend():
    return sagemaker_backends[ACCOUNT][REGION]

def running(kind, name):
    # Put a job that moto finished at once back to InProgress.
    jobs, attr = {
        "training": ("training_jobs", "training_job_status"),
        "processing": ("processing_jobs", "processing_job_status"),
        "transform": ("transform_jobs", "transform_job_status"),
        "tuning": ("hyper_parameter_tuning_jobs", "hyper_parameter_tuning_job_status"),
    }[kind]
    setattr(getattr(backend(), jobs)[name], attr, "InProgress")

def cli(*argv):
    from labs.cli import main
    code = main(list(argv))
    sys.stdout.flush()
    return code
"""


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no real AWS configuration, the network guard kept."""
    keep = ("PATH", "HOME", "PYTHONPATH", "LABS_NETWORK_GUARD", "LABS_NETWORK_GUARD_LOG")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    env.update(
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        LABS_HOME=str(tmp_path / "labs-home"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_against_moto(
    body: str, tmp_path: Path, *, stdin: str | None = "", stack: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run :data:`PRELUDE` then ``body`` in a fresh Python; ``stdin`` is fed to it.

    ``stdin=None`` closes standard input (an answer is then impossible, as in CI).
    ``stack=False`` leaves out the CloudFormation fixes (and their import, about 2 s).
    """
    head = f"REGION = {REGION!r}\nACCOUNT = {ACCOUNT!r}\n"
    fixes = CLOUDFORMATION_FIXES if stack else ""
    script = head + PRELUDE + fixes + "\n" + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script],
        input=stdin if stdin is not None else None,
        stdin=subprocess.DEVNULL if stdin is None else None,
        env=child_env(tmp_path, **env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
