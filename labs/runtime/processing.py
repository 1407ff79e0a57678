"""Runs a processing job that moto recorded: stage inputs, run the command, upload outputs.

The job moves through SageMaker's statuses: ``InProgress``, then ``Completed``,
``Failed`` or ``Stopped`` (``Stopping`` in between when StopProcessingJob asks it to
stop), with ``ProcessingStartTime``, ``ProcessingEndTime`` and ``LastModifiedTime`` set as
it goes. Terminal fields are set before the status, so whoever sees a terminal status also
sees the end time, the failure reason, the exit message and every log line.

What a run does, in order:

1. **Inputs**: each ``ProcessingInputs[].S3Input`` (``S3Prefix`` or ``ManifestFile``) is
   downloaded to its ``LocalPath``, mapped under the job's temporary root by
   :func:`labs.runtime.containers.prepare_processing_root`. ``S3CompressionType: Gzip``
   objects are decompressed. ``S3InputMode: Pipe`` is delivered as files too, with a
   note in the log (the kit has no FIFOs); SageMaker accepts Gzip only with Pipe mode,
   the kit in both. One instance runs, so ``ShardedByS3Key`` gives it every object.
   ``AppManaged`` inputs are left to the application, as on AWS.
   ``DatasetDefinition`` inputs (Athena, Redshift) fail the job with a reason: the kit
   reads processing inputs from S3 only.
2. **Command**: ``AppSpecification.ContainerEntrypoint`` + ``ContainerArguments`` run
   under the processing-container contract
   (:func:`labs.runtime.containers.run_processing_script`: ``/opt/ml`` paths rewritten to
   the root, ``python3`` is the kit's interpreter, the SDK's ``runproc.sh`` done in
   Python), with the request's ``Environment``. Every line it prints goes to CloudWatch
   Logs, group ``/aws/sagemaker/ProcessingJobs``, stream ``<job name>/algo-1-<epoch
   seconds>``. An image without an entrypoint relies on the image's own program, which
   the kit cannot run: the job fails with a reason naming the image.
3. **Outputs**: when the command exits 0, each ``ProcessingOutputConfig.Outputs[].S3Output``
   is uploaded from its ``LocalPath`` to its ``S3Uri`` (every file, keeping its path
   below the folder). ``S3UploadMode: Continuous`` behaves like ``EndOfJob`` here: files
   are uploaded once, when the job ends. A failed or stopped job uploads nothing.
   ``FeatureStoreOutput`` fails the job with a reason (no Feature Store locally).

Ending: exit 0 is ``Completed``; a non-zero exit is ``Failed`` with ``FailureReason``
``AlgorithmError: <the script's own /opt/ml/output/failure, or its last stderr lines>``
(at most 1024 characters, SageMaker's limit); StopProcessingJob, or
``StoppingCondition.MaxRuntimeInSeconds`` passing (default: one day), stops the process
(SIGTERM, SIGKILL 5 s later) and the job ends ``Stopped``. ``ExitMessage`` is the first
1024 characters of what the command wrote to ``/opt/ml/output/message``, as SageMaker
reports it, whatever the ending (a file that is not UTF-8 fails the job, as on AWS).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions

from labs.algorithms.base import AlgorithmError
from labs.runtime import container_paths, containers, jobstate, s3io
from labs.runtime.cwlogs import LogStream

LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
MAX_FAILURE_REASON = 1024
MAX_EXIT_MESSAGE = 1024
DEFAULT_MAX_RUNTIME_SECONDS = 24 * 60 * 60
EXIT_MESSAGE_PATH = "/opt/ml/output/message"


@dataclass
class _Run:
    """What the steps of one processing run share."""

    job: Any
    request: dict[str, Any]
    region: str
    s3: Any
    stream: LogStream
    root: Path
    should_stop: Callable[[], bool]


def run(job: Any, request: dict[str, Any], region: str) -> None:
    """Run the processing job ``job`` (moto's record) as ``request`` describes it."""
    run_state = jobstate.state(job.arn)
    session = boto3.Session(region_name=region)
    stream = LogStream(session.client("logs"), LOG_GROUP, job.processing_job_name)
    root = Path(tempfile.mkdtemp(prefix=f"labs-{job.processing_job_name}-"))
    context = _Run(
        job, request, region, session.client("s3"), stream, root, _stop_check(run_state, request)
    )
    if job.processing_job_status != "Stopping":  # a stop may come before the run starts
        job.processing_job_status = "InProgress"
    job.processing_start_time = job.last_modified_time = jobstate.now()
    outcome = jobstate.UNFINISHED
    try:
        outcome = jobstate.outcome_of(lambda: _execute(context), stream.write)
    finally:
        _end(context, outcome, run_state)
        s3io.remove(root)
        run_state.done.set()


def _stop_check(run_state: jobstate.RunState, request: dict[str, Any]) -> Callable[[], bool]:
    """A ``should_stop`` that also enforces ``StoppingCondition.MaxRuntimeInSeconds``."""
    started = time.monotonic()
    condition = request.get("StoppingCondition") or {}
    max_runtime = float(condition.get("MaxRuntimeInSeconds") or DEFAULT_MAX_RUNTIME_SECONDS)

    def should_stop() -> bool:
        if time.monotonic() - started > max_runtime and not run_state.stop.is_set():
            run_state.stop_reason = "MaxRuntimeExceeded"
            run_state.stop.set()
        return run_state.stop.is_set()

    return should_stop


def _execute(run: _Run) -> jobstate.Outcome:
    """Stage the inputs, run the command, upload the outputs; return how it ended."""
    app = run.request.get("AppSpecification") or {}
    image = str(app.get("ImageUri") or "")
    entrypoint = list(app.get("ContainerEntrypoint") or [])
    if not entrypoint:
        raise AlgorithmError(_no_entrypoint_reason(image))
    inputs = _s3_inputs(run.request)
    outputs = _s3_outputs(run.request)
    layout = _prepare(run, inputs, outputs)
    _download_inputs(run, layout, inputs)
    result = containers.run_processing_script(
        layout,
        image_uri=image,
        container_entrypoint=entrypoint,
        container_arguments=list(app.get("ContainerArguments") or []),
        log=run.stream.write,
        should_stop=run.should_stop,
        network_isolation=bool(
            (run.request.get("NetworkConfig") or {}).get("EnableNetworkIsolation")
        ),
    )
    if result.stopped:
        raise jobstate.JobStopped
    if not result.succeeded:
        reason = result.failure_reason or f"the command exited with code {result.exit_code}"
        # A command that never started already carries its ClientError prefix.
        raise AlgorithmError(reason if result.exit_code is None else f"AlgorithmError: {reason}")
    _upload_outputs(run, layout, outputs)
    return jobstate.Outcome("Completed")


def _no_entrypoint_reason(image: str) -> str:
    return (
        f"ClientError: the local runtime cannot run the image {image!r} on its own: the "
        "request has no AppSpecification.ContainerEntrypoint, so the job relies on the "
        "image's built-in program, which exists only on AWS. Give the command to run, as "
        "ScriptProcessor and FrameworkProcessor do (e.g. ContainerEntrypoint "
        '["python3", "/opt/ml/processing/input/code/preprocess.py"]).'
    )


def _s3_inputs(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The inputs the runtime downloads; refuses the kinds it cannot provide."""
    inputs = []
    for item in request.get("ProcessingInputs") or []:
        name = item.get("InputName", "")
        if item.get("DatasetDefinition"):
            kind = next(iter(item["DatasetDefinition"]), "DatasetDefinition")
            raise AlgorithmError(
                f"ClientError: input {name!r} uses a {kind}; the local runtime reads "
                "processing inputs from S3 only (Athena and Redshift dataset definitions "
                "run only on AWS)."
            )
        if item.get("AppManaged") or not item.get("S3Input"):
            continue
        inputs.append(item)
    return inputs


def _s3_outputs(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The outputs the runtime uploads; refuses the kinds it cannot provide."""
    outputs = []
    for item in (request.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
        name = item.get("OutputName", "")
        if item.get("FeatureStoreOutput"):
            raise AlgorithmError(
                f"ClientError: output {name!r} is a FeatureStoreOutput; the local runtime "
                "uploads processing outputs to S3 only (Feature Store ingestion runs only on "
                "AWS)."
            )
        if item.get("AppManaged") or not item.get("S3Output"):
            continue
        outputs.append(item)
    return outputs


def _prepare(
    run: _Run, inputs: list[dict[str, Any]], outputs: list[dict[str, Any]]
) -> containers.ProcessingLayout:
    """The container's ``/opt/ml`` tree under the run's root."""
    cluster = (run.request.get("ProcessingResources") or {}).get("ClusterConfig") or {}
    try:
        return containers.prepare_processing_root(
            run.root,
            inputs=inputs,
            outputs=outputs,
            environment=run.request.get("Environment"),
            job_name=run.job.processing_job_name,
            instance_type=cluster.get("InstanceType", "ml.m5.xlarge"),
            instance_count=int(cluster.get("InstanceCount", 1)),
            job_arn=run.job.arn,
            job_config=run.request,
        )
    except ValueError as error:
        raise AlgorithmError(f"ClientError: {error}") from None


def _download_inputs(
    run: _Run, layout: containers.ProcessingLayout, inputs: list[dict[str, Any]]
) -> None:
    """Download every S3 input to its local folder."""
    for item in inputs:
        name, s3_input = item["InputName"], item["S3Input"]
        if s3_input.get("S3InputMode") == "Pipe":
            run.stream.write(
                f"labs: input {name} asks for Pipe mode; the local runtime delivers it as "
                f"files at {s3_input.get('LocalPath')}"
            )
        try:
            count = s3io.download_channel(
                run.s3,
                _as_channel(name, s3_input),
                layout.input_dir(name),
                run.request.get("RoleArn", ""),
                run.region,
            )
        except botocore.exceptions.ClientError as error:  # e.g. a manifest lists a missing key
            raise AlgorithmError(
                f"ClientError: could not download input {name!r} from {s3_input['S3Uri']}: {error}"
            ) from None
        run.stream.write(f"labs: input {name}: {count} object(s) from {s3_input['S3Uri']}")
        if run.should_stop():
            raise jobstate.JobStopped


def _as_channel(name: str, s3_input: dict[str, Any]) -> dict[str, Any]:
    """A ``ProcessingS3Input`` in the shape of a training channel, for s3io."""
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3Uri": s3_input["S3Uri"],
                "S3DataType": s3_input.get("S3DataType", "S3Prefix"),
            }
        },
        "CompressionType": s3_input.get("S3CompressionType", "None"),
    }


def _upload_outputs(
    run: _Run, layout: containers.ProcessingLayout, outputs: list[dict[str, Any]]
) -> None:
    """Upload every output folder to its S3 URI (EndOfJob; Continuous alike)."""
    for item in outputs:
        name, s3_output = item["OutputName"], item["S3Output"]
        keys = s3io.upload_files(run.s3, layout.output_dir(name), s3_output["S3Uri"])
        run.stream.write(f"labs: output {name}: {len(keys)} file(s) to {s3_output['S3Uri']}")


def _end(run: _Run, outcome: jobstate.Outcome, run_state: jobstate.RunState) -> None:
    """Record the ending on moto's record; the status goes last."""
    job, stream = run.job, run.stream
    message = _exit_message(run.root)
    if message is None and outcome.status == "Completed":
        outcome = jobstate.Outcome(
            "Failed", f"ClientError: {EXIT_MESSAGE_PATH} is not UTF-8 encoded text."
        )
    if outcome.status == "Stopped":
        stream.write(
            "labs: the job reached StoppingCondition.MaxRuntimeInSeconds and was stopped"
            if run_state.stop_reason == "MaxRuntimeExceeded"
            else "labs: the job was stopped (StopProcessingJob)"
        )
    if outcome.failure_reason:
        stream.write(outcome.failure_reason)
    try:
        stream.close()
    finally:
        if message:
            job.exit_message = message
        if outcome.failure_reason:
            job.failure_reason = outcome.failure_reason[:MAX_FAILURE_REASON]
        job.processing_end_time = job.last_modified_time = jobstate.now()
        job.processing_job_status = outcome.status


def _exit_message(root: Path) -> str | None:
    """The first 1024 characters of ``/opt/ml/output/message`` ("" if there is none).

    ``None`` when the file is not UTF-8: SageMaker then fails the job with a ClientError.
    """
    path = container_paths.to_local(root, EXIT_MESSAGE_PATH)
    if not path.is_file():
        return ""
    try:
        return path.read_bytes().decode("utf-8")[:MAX_EXIT_MESSAGE]
    except UnicodeDecodeError:
        return None
