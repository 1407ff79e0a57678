"""Runs a training job that moto recorded: stage inputs, train, upload, report.

The job moves through SageMaker's statuses (InProgress, then Completed, Failed or
Stopped) and secondary statuses (Starting, Downloading, Training, Uploading, then
Completed, Failed, Stopped or MaxRuntimeExceeded). Log lines go to CloudWatch Logs under
``/aws/sagemaker/TrainingJobs``, metrics to ``FinalMetricDataList``, the model to
``<S3OutputPath>/<job>/output/model.tar.gz``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from labs import algorithms
from labs.algorithms.base import AlgorithmError, Channel, TrainingContext
from labs.runtime import containers, jobstate, s3io
from labs.runtime.cwlogs import LogStream

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
MAX_FAILURE_REASON = 1024


def run(job: Any, request: dict[str, Any], region: str) -> None:
    """Run the training job ``job`` (moto's record) as ``request`` describes it."""
    run_state = jobstate.state(job.arn)
    session = boto3.Session(region_name=region)
    s3 = session.client("s3")
    stream = LogStream(session.client("logs"), LOG_GROUP, job.training_job_name)
    status = jobstate.SecondaryStatus(job)
    root = Path(tempfile.mkdtemp(prefix=f"labs-{job.training_job_name}-"))
    started = time.monotonic()
    max_runtime = (request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")

    def should_stop() -> bool:
        if max_runtime and time.monotonic() - started > max_runtime and not run_state.stop.is_set():
            run_state.stop_reason = "MaxRuntimeExceeded"
            run_state.stop.set()
        return run_state.stop.is_set()

    def metric(name: str, value: float, epoch: int | None = None) -> None:
        run_state.metric_history.setdefault(name, []).append((epoch, float(value)))

    job.training_job_status = "InProgress"
    job.training_start_time = jobstate.now()
    job.final_metric_data_list = []
    status.enter("Starting", "Preparing the instances for training")
    context = _Run(job, request, region, s3, stream, status, root, should_stop, metric)
    ending = _Ending("Failed", "Failed", "AlgorithmError: the job ended without a status")
    try:
        algorithm = request["AlgorithmSpecification"]
        entry = containers.training_entry(algorithm, request.get("HyperParameters"))
        outputs = _run_script(context, entry) if entry else _run_builtin(context)
        ending = _finish(context, run_state, *outputs)
    except jobstate.JobStopped:
        ending = _finish(context, run_state, root / "model", root / "output" / "data", None)
    except AlgorithmError as error:
        ending = _fail(job, str(error), stream)
    except Exception as error:  # an unexpected error inside the kit: report, never hang
        stream.write(traceback.format_exc())
        ending = _fail(job, f"AlgorithmError: {type(error).__name__}: {error}", stream)
    finally:
        # Everything a caller reads once the job is terminal (metrics, times, the last log
        # lines) is in place before the status says so: a waiter that returns on
        # Completed must never see a job without its final metrics.
        job.final_metric_data_list = _final_metrics(run_state)
        _close_times(job, started)
        stream.close()
        status.finish(ending.secondary, ending.message)
        job.training_job_status = ending.status
        s3io.remove(root)
        run_state.done.set()


@dataclass(frozen=True)
class _Ending:
    """How a run ended: its status, secondary status and the transition's message."""

    status: str
    secondary: str
    message: str


@dataclass
class _Run:
    """What the steps of one training run share."""

    job: Any
    request: dict[str, Any]
    region: str
    s3: Any
    stream: LogStream
    status: jobstate.SecondaryStatus
    root: Path
    should_stop: Callable[[], bool]
    metric: Callable[[str, float, int | None], None]

    def download(self, folders: dict[str, Path]) -> None:
        """Download every channel of the request into its folder."""
        self.status.enter("Downloading", "Downloading input data")
        for channel in self.request.get("InputDataConfig") or []:
            target = folders[channel["ChannelName"]]
            s3io.download_channel(
                self.s3, channel, target, self.request.get("RoleArn", ""), self.region
            )
            if self.should_stop():
                raise jobstate.JobStopped

    def training(self) -> None:
        """Enter the Training secondary status."""
        self.status.enter("Training", "Training image download completed. Training in progress.")


Outputs = tuple[Path, Path, Path | None]


def _run_builtin(run: _Run) -> Outputs:
    image = run.request["AlgorithmSpecification"].get("TrainingImage", "")
    spec = algorithms.for_image(image)
    if spec is None:
        raise AlgorithmError(
            f"ClientError: the local runtime does not know the image {image!r}. It runs "
            "SageMaker's built-in algorithms ("
            + ", ".join(sorted(algorithms.ALGORITHMS))
            + ") and script mode with the scikit-learn, XGBoost and TensorFlow images."
        )
    # Tuning children carry SageMaker's internal _tuning_objective_metric; the stand-ins
    # accept it and make sure they report that metric, as the real algorithms do.
    hyperparameters = spec.validate(run.request.get("HyperParameters") or {})
    _check_channels(spec, run.request)
    if not run.job.algorithm_specification.get("MetricDefinitions"):
        run.job.algorithm_specification["MetricDefinitions"] = [
            {"Name": m.name, "Regex": m.regex} for m in spec.metrics
        ]
    channels = {
        c["ChannelName"]: Channel(
            c["ChannelName"], run.root / "input" / "data" / c["ChannelName"], c.get("ContentType")
        )
        for c in run.request.get("InputDataConfig") or []
    }
    run.download({name: channel.path for name, channel in channels.items()})
    run.training()
    model_dir, output_dir = run.root / "model", run.root / "output" / "data"
    model_dir.mkdir(parents=True)
    output_dir.mkdir(parents=True)
    spec.train(
        TrainingContext(
            hyperparameters=hyperparameters,
            channels=channels,
            model_dir=model_dir,
            output_dir=output_dir,
            log=run.stream.write,
            metric=run.metric,
            should_stop=run.should_stop,
            num_cpus=os.cpu_count() or 1,
        )
    )
    return model_dir, output_dir, None


def _run_script(run: _Run, entry: Any) -> Outputs:
    request = run.request
    resources = request.get("ResourceConfig") or {}
    checkpoint = request.get("CheckpointConfig") or {}
    layout = containers.prepare_training_root(
        run.root,
        hyperparameters=request.get("HyperParameters") or {},
        channels=request.get("InputDataConfig") or [],
        environment=request.get("Environment"),
        job_name=run.job.training_job_name,
        instance_type=resources.get("InstanceType", "ml.m5.large"),
        instance_count=int(resources.get("InstanceCount", 1)),
        job_arn=run.job.arn,
        checkpoint_local_path=checkpoint.get("LocalPath")
        or ("/opt/ml/checkpoints" if checkpoint.get("S3Uri") else None),
    )
    run.download({name: layout.channel_dir(name) for name in layout.channels})
    source = containers.submit_directory(request.get("HyperParameters"))
    if isinstance(entry, containers.ToolkitEntry) and source:
        _download_source(run, source, layout.code_dir)
    if checkpoint.get("S3Uri") and layout.checkpoint_dir is not None:
        # On AWS, checkpoints in S3 are copied in first, so a restarted spot job resumes.
        with contextlib.suppress(AlgorithmError):
            s3io.download_channel(
                run.s3,
                {
                    "ChannelName": "checkpoints",
                    "DataSource": {"S3DataSource": {"S3Uri": checkpoint["S3Uri"]}},
                },
                layout.checkpoint_dir,
                request.get("RoleArn", ""),
                run.region,
            )
    run.training()

    def poll() -> bool:
        # Polled every 0.5 s while the script runs. LogStream sends buffered lines only
        # when a later line arrives, so the last lines of a script that then goes quiet
        # (a long epoch, a sleep) would not reach CloudWatch until it prints again or
        # ends; flushing here makes them appear within a second, as on AWS.
        run.stream.flush()
        return run.should_stop()

    result = containers.run_training_script(
        layout,
        image_uri=request["AlgorithmSpecification"].get("TrainingImage", ""),
        entry=entry,
        metric_definitions=request["AlgorithmSpecification"].get("MetricDefinitions") or [],
        log=run.stream.write,
        metric=lambda name, value: run.metric(name, value, None),
        should_stop=poll,
        network_isolation=bool(request.get("EnableNetworkIsolation")),
    )
    if result.status == "Failed":
        # SageMaker syncs the checkpoint folder to S3 while the job runs, so what a script
        # saved before it failed is there for the next job to resume from.
        saved = layout.checkpoint_dir
        if checkpoint.get("S3Uri") and saved is not None and not s3io.empty(saved):
            s3io.upload_files(run.s3, saved, checkpoint["S3Uri"])
        raise AlgorithmError(f"AlgorithmError: {result.failure_reason}")
    return layout.model_dir, layout.output_data_dir, layout.checkpoint_dir


def _download_source(run: _Run, uri: str, code_dir: Path) -> None:
    bucket, key = s3io.split_s3_uri(uri)
    code_dir.mkdir(parents=True, exist_ok=True)
    target = code_dir / (Path(key).name or "sourcedir.tar.gz")
    try:
        run.s3.download_file(bucket, key, str(target))
    except run.s3.exceptions.ClientError as error:
        raise AlgorithmError(
            f"ClientError: could not download sagemaker_submit_directory {uri}: {error}"
        ) from None


def _check_channels(spec: Any, request: dict[str, Any]) -> None:
    given = {c["ChannelName"] for c in request.get("InputDataConfig") or []}
    missing = [name for name, required in spec.channels.items() if required and name not in given]
    if missing:
        raise AlgorithmError(
            f"ClientError: {spec.name} needs the channel(s) {', '.join(missing)}; the job has "
            f"{', '.join(sorted(given)) or 'none'}."
        )
    unknown = sorted(given - set(spec.channels))
    if unknown:
        raise AlgorithmError(
            f"ClientError: {spec.name} does not take the channel(s) {', '.join(unknown)}; it "
            f"takes {', '.join(spec.channels)}."
        )


def _finish(
    run: _Run, run_state: Any, model_dir: Path, output_dir: Path, checkpoint_dir: Path | None
) -> _Ending:
    job, request, s3, status = run.job, run.request, run.s3, run.status
    status.enter("Uploading", "Uploading generated training model")
    output_path = request["OutputDataConfig"]["S3OutputPath"].rstrip("/")
    prefix = f"{output_path}/{job.training_job_name}/output"
    model_dir.mkdir(parents=True, exist_ok=True)
    kms_key_id = request["OutputDataConfig"].get("KmsKeyId")
    s3io.upload_tree_as_tar(s3, model_dir, f"{prefix}/model.tar.gz", kms_key_id)
    job.model_artifacts = {"S3ModelArtifacts": f"{prefix}/model.tar.gz"}
    if not s3io.empty(output_dir):
        s3io.upload_tree_as_tar(s3, output_dir, f"{prefix}/output.tar.gz", kms_key_id)
    checkpoint = request.get("CheckpointConfig") or {}
    if checkpoint.get("S3Uri") and checkpoint_dir and not s3io.empty(checkpoint_dir):
        s3io.upload_files(s3, checkpoint_dir, checkpoint["S3Uri"])
    if run_state.stop.is_set():
        reason = run_state.stop_reason or "Stopped"
        message = (
            "Training job stopped because it reached MaxRuntimeInSeconds"
            if reason == "MaxRuntimeExceeded"
            else "Training job stopped"
        )
        return _Ending("Stopped", reason, message)
    return _Ending("Completed", "Completed", "Training job completed")


def _fail(job: Any, reason: str, stream: LogStream) -> _Ending:
    stream.write(reason)
    job.failure_reason = reason[:MAX_FAILURE_REASON]
    job.model_artifacts = None
    return _Ending("Failed", "Failed", reason[:MAX_FAILURE_REASON])


def _final_metrics(run_state: Any) -> list[dict[str, Any]]:
    stamp = jobstate.now()
    return [
        {"MetricName": name, "Value": history[-1][1], "Timestamp": stamp}
        for name, history in run_state.metric_history.items()
        if history
    ]


def _close_times(job: Any, started: float) -> None:
    job.training_end_time = jobstate.now()
    seconds = max(1, round(time.monotonic() - started))
    job.training_time_in_seconds = seconds
    job.billable_time_in_seconds = seconds
    job.last_modified_time = job.training_end_time
