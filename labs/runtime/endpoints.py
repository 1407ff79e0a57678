"""Real-time endpoints that serve real predictions from a local model server per variant.

moto records CreateEndpoint as InService at once and answers every InvokeEndpoint with a
canned body. Here each production variant of an endpoint is a model server on loopback
(:mod:`labs.runtime.serving`) that keeps the inference-container contract; the endpoint
goes Creating, then InService (or Failed, with the reason the model could not load), and
InvokeEndpoint is forwarded to a variant chosen by weight or by ``TargetVariant``. Each
request is counted in the variant's CloudWatch metrics and, when the endpoint config
asks for it, captured to S3. An update starts the new variants before it retires the old
ones (blue/green); a failed update leaves the old ones serving.

Serverless variants (``ServerlessConfig``) run as one local server: there is no cold start
and no concurrency limit here. Asynchronous inference reads the request from S3 and writes
the answer to the config's ``S3OutputPath`` as ``<inference-id>.out`` (failures to
``S3FailurePath`` as ``<inference-id>-error.out``); SNS notifications are not sent, and
``S3OutputPathExtension``, ``Filename`` and the TTL and timeout settings are ignored.
"""

from __future__ import annotations

import http.client
import random
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3

from labs.algorithms.base import AlgorithmError
from labs.runtime import capture, executor, jobstate, s3io
from labs.runtime.cwlogs import LogStream
from labs.runtime.endpoint_metrics import EndpointMetrics
from labs.runtime.serving import ModelLoadError, ModelServer

MAX_PAYLOAD = 6 * 1024 * 1024  # InvokeEndpoint's limit for real-time endpoints
MAX_ASYNC_PAYLOAD = 1024 * 1024 * 1024  # InvokeEndpointAsync: up to 1 GB in S3
INVOKE_TIMEOUT = 60  # seconds a real-time endpoint has to answer
LOG_GROUP = "/aws/sagemaker/Endpoints/{name}"


@dataclass
class LiveVariant:
    """One production variant: its model server, current weight and instance count."""

    name: str
    server: ModelServer
    weight: float
    instance_count: int
    log: LogStream | None = None


@dataclass
class LiveEndpoint:
    """The servers behind one endpoint, and what its endpoint config asks of them."""

    name: str
    config_name: str
    variants: dict[str, LiveVariant] = field(default_factory=dict)
    async_config: dict[str, Any] | None = None
    capture: capture.CaptureWriter | None = None

    def stop(self) -> None:
        """Stop every variant's server and send what is left of its logs and captures."""
        for variant in self.variants.values():
            variant.server.stop()
            if variant.log is not None:
                variant.log.close()
        if self.capture is not None:
            self.capture.close()


@dataclass
class Answer:
    """What a variant's server answered, and how long the model took."""

    variant: LiveVariant
    status: int
    body: bytes
    content_type: str
    custom_attributes: str | None
    seconds: float


_live: dict[tuple[str, str, str], LiveEndpoint] = {}
_metrics: dict[str, EndpointMetrics] = {}
_lock = threading.Lock()


def live(account: str, region: str, name: str) -> LiveEndpoint | None:
    """The running endpoint with this name, if it is up."""
    with _lock:
        return _live.get((account, region, name))


def metrics(region: str) -> EndpointMetrics:
    """The metrics publisher of ``region`` (started on first use)."""
    with _lock:
        if region not in _metrics:
            cloudwatch = boto3.Session(region_name=region).client("cloudwatch")
            _metrics[region] = EndpointMetrics(cloudwatch)
        return _metrics[region]


def flush(region: str | None = None) -> None:
    """Send every pending metric and capture record now (labs call it before reading)."""
    with _lock:
        publishers = [m for r, m in _metrics.items() if region in (None, r)]
        endpoints = [e for key, e in _live.items() if region in (None, key[1])]
    for publisher in publishers:
        publisher.flush()
    for endpoint in endpoints:
        if endpoint.capture is not None:
            endpoint.capture.flush()


# ----------------------------------------------------------------------------- deploying


def deploy(record: Any, backend: Any, account: str, region: str, previous_config: str) -> None:
    """Start a server for every variant of ``record``'s endpoint config.

    On success the endpoint is InService on the new servers and the old ones (an update's)
    are stopped. On failure a new endpoint is Failed with the reason; an update goes back
    to InService on its old config, with the reason in ``FailureReason``, as on AWS.
    """
    session = boto3.Session(region_name=region)
    s3, logs = session.client("s3"), session.client("logs")
    config = backend.endpoint_configs[record.endpoint_config_name]
    endpoint = LiveEndpoint(record.endpoint_name, record.endpoint_config_name)
    try:
        for variant in config.production_variants:
            endpoint.variants[variant["VariantName"]] = _start_variant(
                variant, backend, s3, logs, record.endpoint_name
            )
    except (ModelLoadError, AlgorithmError) as error:
        endpoint.stop()
        record.failure_reason = str(error)[:1024]
        if previous_config and live(account, region, record.endpoint_name) is not None:
            record.endpoint_config_name = previous_config
            record.production_variants = record._process_production_variants(
                backend.endpoint_configs[previous_config].production_variants
            )
            _fill_variant_defaults(record)
            record.endpoint_status = "InService"
        else:
            record.endpoint_status = "Failed"
        record.last_modified_time = jobstate.now()
        return
    endpoint.async_config = config.async_inference_config or None
    capture_config = config.data_capture_config or {}
    if capture_config and capture_config.get("EnableCapture", True):  # on unless turned off
        endpoint.capture = capture.CaptureWriter(capture_config, s3, record.endpoint_name)
    with _lock:
        old = _live.pop((account, region, record.endpoint_name), None)
        _live[(account, region, record.endpoint_name)] = endpoint
    if old is not None:
        old.stop()
    _fill_variant_defaults(record)
    record.failure_reason = None
    record.endpoint_status = "InService"
    record.last_modified_time = jobstate.now()


def _fill_variant_defaults(record: Any) -> None:
    """Weights default to 1.0 on AWS; moto leaves them out of DescribeEndpoint."""
    for variant in record.production_variants:
        if "CurrentServerlessConfig" not in variant:
            variant.setdefault("CurrentWeight", 1.0)
            variant.setdefault("DesiredWeight", 1.0)


def _start_variant(
    variant: dict[str, Any], backend: Any, s3: Any, logs: Any, endpoint_name: str
) -> LiveVariant:
    name = variant["VariantName"]
    model = backend._models.get(variant["ModelName"])
    if model is None:
        raise ModelLoadError(f"The model {variant['ModelName']} of variant {name} does not exist.")
    container = model.primary_container or (model.containers or [{}])[0]
    image = container.get("Image", "")
    tar = b""
    if container.get("ModelDataUrl"):
        bucket, key = s3io.split_s3_uri(container["ModelDataUrl"])
        try:
            tar = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.ClientError as error:
            raise ModelLoadError(
                f"Failed to download model data for variant {name} from "
                f"{container['ModelDataUrl']}: {error}"
            ) from None
    log = LogStream(
        logs,
        LOG_GROUP.format(name=endpoint_name),
        name,
        stream=f"{name}/i-{secrets.token_hex(8)}",
    )

    def write(line: str) -> None:
        log.write(line)
        log.flush()

    server = ModelServer(tar, image, container.get("Environment") or {}, log=write)
    try:
        server.start()
    except ModelLoadError as error:
        log.close()
        raise ModelLoadError(
            f"The primary container for production variant {name} did not pass the ping "
            f"health check: {error}"
        ) from None
    weight = variant.get("InitialVariantWeight")
    return LiveVariant(
        name,
        server,
        1.0 if weight is None else float(weight),
        1 if "ServerlessConfig" in variant else int(variant.get("InitialInstanceCount", 1)),
        log,
    )


# ----------------------------------------------------------------------------- changing


def stop(account: str, region: str, name: str) -> None:
    """Stop the servers of an endpoint that is being deleted."""
    with _lock:
        endpoint = _live.pop((account, region, name), None)
    if endpoint is not None:
        endpoint.stop()


def set_weights_and_capacities(
    account: str, region: str, name: str, desired: list[dict[str, Any]]
) -> None:
    """Apply new variant weights and instance counts to a running endpoint."""
    endpoint = live(account, region, name)
    if endpoint is None:
        return
    for change in desired:
        variant = endpoint.variants.get(change.get("VariantName", ""))
        if variant is None:
            continue
        if change.get("DesiredWeight") is not None:
            variant.weight = float(change["DesiredWeight"])
        if change.get("DesiredInstanceCount") is not None:
            variant.instance_count = int(change["DesiredInstanceCount"])


# ----------------------------------------------------------------------------- invoking


def choose_variant(endpoint: LiveEndpoint, target: str | None) -> LiveVariant:
    """The variant a request goes to: ``TargetVariant`` if given, else by weight."""
    if target:
        return endpoint.variants[target]
    variants = list(endpoint.variants.values())
    weights = [v.weight for v in variants]
    if sum(weights) <= 0:
        weights = [1.0] * len(variants)
    return random.choices(variants, weights=weights)[0]


def invoke(
    endpoint: LiveEndpoint,
    region: str,
    body: bytes,
    headers: dict[str, str],
    *,
    target: str | None = None,
    inference_id: str | None = None,
) -> Answer:
    """Send one request to a variant; count it in the metrics and capture it if asked."""
    started = time.perf_counter()
    variant = choose_variant(endpoint, target)
    answer = _forward(variant, body, headers)
    overhead = max(time.perf_counter() - started - answer.seconds, 0.0)
    metrics(region).record(
        endpoint.name,
        variant.name,
        status=answer.status,
        model_seconds=answer.seconds,
        overhead_seconds=overhead,
        instance_count=variant.instance_count,
    )
    if endpoint.capture is not None and answer.status < 400:
        endpoint.capture.record(
            variant.name,
            body,
            headers.get("Content-Type", "application/octet-stream"),
            answer.body,
            answer.content_type,
            inference_id=inference_id,
        )
    return answer


def _forward(variant: LiveVariant, body: bytes, headers: dict[str, str]) -> Answer:
    host, port = variant.server.address
    connection = http.client.HTTPConnection(host, port, timeout=INVOKE_TIMEOUT)
    started = time.perf_counter()
    try:
        connection.request("POST", "/invocations", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return Answer(
            variant,
            response.status,
            payload,
            response.getheader("Content-Type", "application/octet-stream"),
            response.getheader("X-Amzn-SageMaker-Custom-Attributes"),
            time.perf_counter() - started,
        )
    finally:
        connection.close()


@dataclass(frozen=True)
class AsyncTicket:
    """Where an asynchronous request's answer (or failure) will be."""

    inference_id: str
    output_location: str
    failure_location: str | None


def invoke_async(
    endpoint: LiveEndpoint,
    region: str,
    input_location: str,
    headers: dict[str, str],
    inference_id: str | None = None,
) -> AsyncTicket:
    """Queue a request whose payload is in S3; the answer goes to the config's S3 paths."""
    output = (endpoint.async_config or {}).get("OutputConfig") or {}
    inference_id = inference_id or str(uuid.uuid4())
    ticket = AsyncTicket(
        inference_id,
        f"{output['S3OutputPath'].rstrip('/')}/{inference_id}.out",
        f"{output['S3FailurePath'].rstrip('/')}/{inference_id}-error.out"
        if output.get("S3FailurePath")
        else None,
    )
    executor.submit(_run_async, endpoint, region, input_location, headers, ticket)
    return ticket


def _run_async(
    endpoint: LiveEndpoint,
    region: str,
    input_location: str,
    headers: dict[str, str],
    ticket: AsyncTicket,
) -> None:
    s3 = boto3.Session(region_name=region).client("s3")
    try:
        bucket, key = s3io.split_s3_uri(input_location)
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as error:  # the input is missing or unreadable: a failure, as on AWS
        _put(s3, ticket.failure_location, f"Could not read {input_location}: {error}".encode())
        return
    try:
        answer = invoke(endpoint, region, body, headers, inference_id=ticket.inference_id)
    except Exception as error:  # e.g. the endpoint was deleted while the request waited
        _put(s3, ticket.failure_location, f"The endpoint did not answer: {error}".encode())
        return
    if answer.status >= 400:
        _put(s3, ticket.failure_location, answer.body)
    else:
        _put(s3, ticket.output_location, answer.body, answer.content_type)


def _put(s3: Any, uri: str | None, body: bytes, content_type: str = "text/plain") -> None:
    if uri:
        bucket, key = s3io.split_s3_uri(uri)
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
