"""Runs a batch transform job that moto recorded: serve the model, send the data, write .out.

The job moves InProgress, then Completed, Failed or Stopped (Stopping in between when
StopTransformJob asks), with ``TransformStartTime``, ``TransformEndTime`` and
``LastModifiedTime``. Terminal fields and the last log lines are in place before the
status, so a waiter that sees the end also sees why.

What a run does, as the developer guide describes the service ("Use Batch Transform",
"Use Your Own Inference Code with Batch Transform", CreateTransformJob):

1. **Model**: the job's model (``ModelName``) is served by a
   :class:`~labs.runtime.serving.ModelServer` from its first container's image,
   ``ModelDataUrl`` and ``Environment``, plus the job's ``Environment`` and what batch
   transform passes: ``SAGEMAKER_BATCH=true`` always, ``SAGEMAKER_MAX_PAYLOAD_IN_MB``,
   ``SAGEMAKER_BATCH_STRATEGY`` and ``SAGEMAKER_MAX_CONCURRENT_TRANSFORMS`` when the
   request sets them. ``MaxConcurrentTransforms``, ``BatchStrategy`` and
   ``MaxPayloadInMB`` come from the request, else the container's
   ``/execution-parameters``, else 1, ``MultiRecord`` and 6 MB.
2. **Input**: every object under ``TransformInput.DataSource.S3DataSource.S3Uri``
   (``S3Prefix`` or ``ManifestFile``; ``CompressionType: Gzip`` is decompressed) is
   split into records and mini-batches (:mod:`labs.runtime.transform_records`), each
   record first passing ``DataProcessing.InputFilter``
   (:mod:`labs.runtime.transform_jsonpath`). Requests go to ``POST /invocations`` with
   the input ``ContentType`` and the output ``Accept``, at most
   ``MaxConcurrentTransforms`` at a time, with ``ModelClientConfig``'s timeout and
   retries (5xx and timeouts are retried; 4xx are not).
3. **Output**: each object gives ``<S3OutputPath>/<its path below the input
   prefix>.out``: the answers in input order, joined with the input when
   ``JoinSource: Input``, filtered by ``OutputFilter``, assembled per ``AssembleWith``.
   An object with a record the model rejects gets no ``.out``; the other objects are
   still transformed, and the job ends Failed with the first error as its reason.
   Outputs are uploaded when the job ends; a stopped job uploads nothing, as on AWS.

Logs go to CloudWatch Logs group ``/aws/sagemaker/TransformJobs``, stream
``<job>/<instance id>-<epoch seconds>``: the model server's lines and SageMaker-style
``[sagemaker logs]`` lines for the settings and each failed request.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import secrets
import tempfile
import threading
import time
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions

from labs.algorithms.base import AlgorithmError
from labs.runtime import jobstate, s3io, transform_settings
from labs.runtime import transform_records as records
from labs.runtime.cwlogs import LogStream
from labs.runtime.serving import ModelLoadError, ModelServer
from labs.runtime.transform_jsonpath import PathError

LOG_GROUP = "/aws/sagemaker/TransformJobs"
MAX_FAILURE_REASON = 1024


class _ObjectFailed(Exception):
    """One input object could not be transformed; the reason is worded for the learner."""


# ----------------------------------------------------------------------------- the run


@dataclass
class _Run:
    """What the steps of one transform run share."""

    job: Any
    request: dict[str, Any]
    backend: Any
    region: str
    s3: Any
    stream: LogStream
    root: Path
    stop: threading.Event
    server: ModelServer | None = None
    plan: transform_settings.Plan | None = None
    failures: list[str] = field(default_factory=list)

    def log(self, line: str) -> None:
        """Write one log line (thread-safe: the model server's threads log too)."""
        self.stream.write(line)


def run(job: Any, request: dict[str, Any], backend: Any, region: str) -> None:
    """Run the transform job ``job`` (moto's record) as ``request`` describes it."""
    run_state = jobstate.state(job.arn)
    session = boto3.Session(region_name=region)
    name = job.transform_job_name
    stream = LogStream(
        session.client("logs"),
        LOG_GROUP,
        name,
        stream=f"{name}/i-{secrets.token_hex(8)}-{int(time.time())}",
    )
    root = Path(tempfile.mkdtemp(prefix=f"labs-{name}-"))
    context = _Run(
        job, request, backend, region, session.client("s3"), stream, root, run_state.stop
    )
    if job.transform_job_status != "Stopping":  # a stop may come before the run starts
        job.transform_job_status = "InProgress"
    job.transform_start_time = job.last_modified_time = jobstate.now()
    outcome = jobstate.UNFINISHED
    try:
        outcome = jobstate.outcome_of(lambda: _execute(context), stream.write)
    finally:
        if context.server is not None:
            context.server.stop()
        _end(context, outcome)
        s3io.remove(root)
        run_state.done.set()


def _execute(run: _Run) -> jobstate.Outcome:
    """Serve the model, transform every input object, upload the outputs."""
    run.server = _start_server(run)
    parameters = _execution_parameters(run.server)
    plan = run.plan = transform_settings.plan(run.request, parameters)
    if plan.split_type == "TFRecord":
        raise AlgorithmError(
            "ClientError: SplitType TFRecord is not supported by the local runtime (None, "
            "Line and RecordIO are)."
        )
    run.server.max_payload = plan.limit if plan.limit is not None else 1 << 62
    run.log(
        f"[sagemaker logs]: MaxConcurrentTransforms={plan.concurrency}, MaxPayloadInMB="
        f"{(plan.limit or 0) // (1024 * 1024)}, BatchStrategy="
        f"{'MULTI_RECORD' if plan.multi_record else 'SINGLE_RECORD'}"
    )
    _notes(run)
    inputs = _download(run)
    output_root = run.root / "output"
    with ThreadPoolExecutor(plan.concurrency, thread_name_prefix="labs-transform") as pool:
        for path in inputs:
            relative = path.relative_to(run.root / "input").as_posix()
            if run.stop.is_set():
                raise jobstate.JobStopped
            try:
                body = _transform_object(run, pool, path, relative)
            except _ObjectFailed as error:
                run.failures.append(str(error))
                continue
            target = output_root / f"{relative}.out"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
    if run.stop.is_set():
        raise jobstate.JobStopped
    destination = run.request["TransformOutput"]["S3OutputPath"]
    if output_root.exists():
        keys = s3io.upload_files(run.s3, output_root, destination)
        run.log(f"labs: uploaded {len(keys)} output object(s) to {destination}")
    if run.failures:
        more = len(run.failures) - 1
        extra = f" ({more} more input object(s) failed too.)" if more else ""
        return jobstate.Outcome("Failed", run.failures[0] + extra)
    return jobstate.Outcome("Completed")


def _start_server(run: _Run) -> ModelServer:
    """The model's container, loaded and listening (AlgorithmError if it cannot be)."""
    name = run.request["ModelName"]
    model = run.backend._models.get(name)
    if model is None:
        arn = f"arn:aws:sagemaker:{run.region}:{run.backend.account_id}:model/{name}"
        raise AlgorithmError(f'ClientError: Could not find model "{arn}".')
    containers = [model.primary_container] if model.primary_container else model.containers
    if len(containers) > 1:
        raise AlgorithmError(
            f"ClientError: model {name} is an inference pipeline of {len(containers)} "
            "containers; the local runtime serves single-container models only."
        )
    container = containers[0] if containers else {}
    archive = b""
    if container.get("ModelDataUrl"):
        bucket, key = s3io.split_s3_uri(container["ModelDataUrl"])
        try:
            archive = run.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except botocore.exceptions.ClientError as error:
            raise AlgorithmError(
                f"ClientError: Could not download the model data of {name} from "
                f"{container['ModelDataUrl']}: {error}"
            ) from None
    environment = transform_settings.container_environment(container, run.request)
    server = ModelServer(archive, container.get("Image", ""), environment, log=run.log)
    try:
        server.start()
    except ModelLoadError as error:
        raise AlgorithmError(
            f"ClientError: the container of model {name} did not pass the ping health "
            f"check: {error}"
        ) from None
    return server


def _execution_parameters(server: ModelServer) -> dict[str, Any]:
    """``GET /execution-parameters``: the container's preferred settings ({} without)."""
    connection = http.client.HTTPConnection(*server.address, timeout=10)
    try:
        connection.request("GET", "/execution-parameters")
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            return {}
        parameters = json.loads(body)
        return parameters if isinstance(parameters, dict) else {}
    except (OSError, http.client.HTTPException, ValueError):
        return {}
    finally:
        connection.close()


def _notes(run: _Run) -> None:
    """Log what the local runtime does differently from AWS for this request."""
    resources = run.request.get("TransformResources") or {}
    if int(resources.get("InstanceCount") or 1) > 1:
        run.log(
            f"labs: InstanceCount is {resources['InstanceCount']}; the local runtime runs "
            "one instance, which transforms every input object."
        )
    if (run.request.get("DataCaptureConfig") or {}).get("DestinationS3Uri"):
        run.log("labs: DataCaptureConfig is accepted but batch data capture is not written.")


def _download(run: _Run) -> list[Path]:
    """Download every input object, still compressed, keeping its path below the prefix."""
    source = run.request["TransformInput"]["DataSource"]
    channel = {"ChannelName": "input", "DataSource": source, "CompressionType": "None"}
    model = run.backend._models.get(run.request["ModelName"])
    role = getattr(model, "execution_role_arn", "") or ""
    try:
        count = s3io.download_channel(run.s3, channel, run.root / "input", role, run.region)
    except botocore.exceptions.ClientError as error:  # e.g. a manifest that lists a missing key
        uri = (source.get("S3DataSource") or {}).get("S3Uri", "")
        raise AlgorithmError(f"ClientError: could not read the input {uri}: {error}") from None
    run.log(f"labs: {count} input object(s) from {source['S3DataSource']['S3Uri']}")
    return sorted(p for p in (run.root / "input").rglob("*") if p.is_file())


# ----------------------------------------------------------------------------- one object


@dataclass(frozen=True)
class _Answer:
    """What the container answered to one mini-batch."""

    status: int
    body: bytes
    content_type: str | None


def _transform_object(run: _Run, pool: ThreadPoolExecutor, path: Path, relative: str) -> bytes:
    """The ``.out`` body of one input object (_ObjectFailed if a record fails)."""
    plan = run.plan
    assert plan is not None
    body = path.read_bytes()
    if plan.gzip:
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as error:
            raise _ObjectFailed(
                f"ClientError: input object {relative} is not gzip data, but the job says "
                f"CompressionType Gzip ({error})."
            ) from None
    try:
        items = records.split(body, plan.split_type)
    except records.RecordError as error:
        raise _ObjectFailed(f"ClientError: input object {relative}: {error}.") from None
    payloads = [_filtered(run, relative, item) for item in items]
    glue = records.separator(plan.split_type)
    try:
        batches = records.mini_batches(
            [len(p) + len(glue) for p in payloads], plan.multi_record, plan.limit
        )
    except records.RecordError as error:
        raise _ObjectFailed(
            f"ClientError: input object {relative}: {error} (MaxPayloadInMB). Split the "
            "data into smaller records, or raise MaxPayloadInMB."
        ) from None
    futures = [
        pool.submit(_invoke, run, b"".join(p + glue for p in payloads[b.start : b.stop]))
        for b in batches
    ]
    answers = _collect(run, futures, relative, batches, items)
    if not plan.per_record:
        results = [answer.body for answer in answers]
    else:
        results = []
        for batch, answer in zip(batches, answers, strict=True):
            results.extend(_per_record(run, relative, items[batch.start : batch.stop], answer))
    run.log(f"labs: {relative}: {len(items)} record(s) in {len(batches)} request(s)")
    return records.assemble(results, plan.assemble_with)


def _where(run: _Run, relative: str, items: list[records.Record], start: int, stop: int) -> str:
    """``input object a.csv, line 3 ("1,2,x")`` or ``..., lines 1-250`` for messages."""
    if not items:
        return f"input object {relative}"
    unit = "line" if run.plan is not None and run.plan.split_type == "Line" else "record"
    first, last = items[start], items[stop - 1]
    if first is last:
        preview = first.data[:60].decode("utf-8", errors="replace")
        more = "..." if len(first.data) > 60 else ""
        return f'input object {relative}, {unit} {first.number} ("{preview}{more}")'
    return f"input object {relative}, {unit}s {first.number}-{last.number}"


def _filtered(run: _Run, relative: str, item: records.Record) -> bytes:
    """The record as sent to the model: after ``InputFilter``."""
    plan = run.plan
    assert plan is not None
    if plan.input_filter.is_root:
        return item.data
    kind = records.data_format(plan.content_type)
    if kind is None:
        raise _ObjectFailed(
            f"ClientError: InputFilter {plan.input_filter.text} needs CSV or JSON input, but "
            f"TransformInput.ContentType is {plan.content_type!r} (use text/csv, "
            "application/json or application/jsonlines)."
        )
    try:
        selected = plan.input_filter.apply(records.decode(item.data, kind))
    except (PathError, records.RecordError) as error:
        raise _ObjectFailed(
            f"ClientError: InputFilter failed on {_where(run, relative, [item], 0, 1)}: {error}"
        ) from None
    return records.encode(selected, kind)


def _invoke(run: _Run, body: bytes) -> _Answer:
    """POST one mini-batch; retry 5xx answers and timeouts as ModelClientConfig says."""
    plan, server = run.plan, run.server
    assert plan is not None and server is not None
    headers = {}
    if plan.content_type:
        headers["Content-Type"] = plan.content_type
    if plan.accept:
        headers["Accept"] = plan.accept
    answer = _Answer(504, b"The model did not answer.", "text/plain")
    for _attempt in range(plan.retries + 1):
        if run.stop.is_set():
            raise jobstate.JobStopped
        connection = http.client.HTTPConnection(*server.address, timeout=plan.timeout)
        try:
            connection.request("POST", "/invocations", body=body, headers=headers)
            response = connection.getresponse()
            answer = _Answer(response.status, response.read(), response.getheader("Content-Type"))
        except TimeoutError:
            answer = _Answer(
                408, f"No answer within {plan.timeout:g} seconds.".encode(), "text/plain"
            )
        except (OSError, http.client.HTTPException) as error:
            answer = _Answer(503, f"Connection failed: {error}".encode(), "text/plain")
        finally:
            connection.close()
        if answer.status < 500 and answer.status != 408:
            return answer
    return answer


def _collect(
    run: _Run,
    futures: list[Future[_Answer]],
    relative: str,
    batches: list[range],
    items: list[records.Record],
) -> list[_Answer]:
    """The answers in input order; the first failed request fails the object."""
    answers = []
    for index, future in enumerate(futures):
        answer = future.result()
        if answer.status < 400:
            answers.append(answer)
            continue
        for rest in futures[index + 1 :]:
            rest.cancel()
        for rest in futures[index + 1 :]:
            with contextlib.suppress(Exception):
                rest.result()
        batch = batches[index]
        message = answer.body.decode("utf-8", errors="replace").strip()
        kind = "ClientError" if answer.status < 500 else "AlgorithmError"
        prefix = f"[sagemaker logs]: {relative}:"
        run.log(f"{prefix} Bad HTTP status received from algorithm: {answer.status}")
        run.log(f"{prefix} Message:")
        for line in message.splitlines()[:40]:
            run.log(f"{prefix} {line}")
        first_line = message.splitlines()[0] if message else "(empty body)"
        first_line += "" if first_line.endswith(".") else "."
        raise _ObjectFailed(
            f"{kind}: Bad HTTP status received from algorithm: {answer.status} for "
            f"{_where(run, relative, items, batch.start, batch.stop)}: {first_line} See job "
            "logs for more information."
        )
    return answers


def _per_record(
    run: _Run, relative: str, batch: list[records.Record], answer: _Answer
) -> list[bytes]:
    """One output line per record: joined with the input and filtered, as DataProcessing says."""
    plan = run.plan
    assert plan is not None
    input_kind = records.data_format(plan.content_type)
    output_kind = records.data_format(answer.content_type) or records.data_format(plan.accept)
    where = _where(run, relative, batch, 0, len(batch))
    try:
        outputs = records.split_answer(answer.body, answer.content_type, len(batch))
    except records.RecordError as error:
        raise _ObjectFailed(
            f"ClientError: cannot join {where}: {error}. Use BatchStrategy SingleRecord, or "
            "make the model answer one line per record."
        ) from None
    if plan.join_input and input_kind is None:
        raise _ObjectFailed(
            "ClientError: JoinSource Input needs CSV or JSON input, but "
            f"TransformInput.ContentType is {plan.content_type!r}."
        )
    kind = input_kind if plan.join_input else output_kind
    if kind is None:
        raise _ObjectFailed(
            f"ClientError: OutputFilter {plan.output_filter.text} needs a CSV or JSON answer; "
            f"the model answered {answer.content_type!r}."
        )
    results = []
    for item, output in zip(batch, outputs, strict=True):
        try:
            value = records.output_value(output, output_kind, kind)
            if plan.join_input:
                value = records.join(records.decode(item.data, kind), value, kind)
            results.append(records.encode(plan.output_filter.apply(value), kind))
        except (PathError, records.RecordError) as error:
            raise _ObjectFailed(
                f"ClientError: DataProcessing failed on {_where(run, relative, [item], 0, 1)}: "
                f"{error}"
            ) from None
    return results


# ----------------------------------------------------------------------------- ending


def _end(run: _Run, outcome: jobstate.Outcome) -> None:
    """Record the ending on moto's record; the status goes last."""
    job, stream = run.job, run.stream
    if outcome.status == "Stopped":
        stream.write("labs: the job was stopped (StopTransformJob); no output was uploaded")
    if outcome.failure_reason:
        stream.write(outcome.failure_reason)
    try:
        stream.close()
    finally:
        if outcome.failure_reason:
            job.failure_reason = outcome.failure_reason[:MAX_FAILURE_REASON]
        job.transform_end_time = job.last_modified_time = jobstate.now()
        job.transform_job_status = outcome.status
