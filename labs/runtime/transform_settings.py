"""The settings of a batch transform job: checked at CreateTransformJob, resolved at start.

- :func:`check_request` refuses what SageMaker refuses when the job is created (values
  outside the API's enums, ``MaxPayloadInMB`` over 100 MB or times
  ``MaxConcurrentTransforms`` over 100 MB, filters it cannot parse).
- :func:`plan` resolves ``MaxConcurrentTransforms``, ``BatchStrategy`` and
  ``MaxPayloadInMB`` in the order "Use Your Own Inference Code with Batch Transform"
  gives: the request, then the container's ``/execution-parameters``, then the defaults
  (1, ``MultiRecord``, 6 MB); ``ModelClientConfig`` defaults to 600 s and 3 retries.
- :func:`container_environment` is what the container sees: the model's
  ``Environment``, the job's, ``SAGEMAKER_BATCH=true``, and ``SAGEMAKER_MAX_PAYLOAD_IN_MB``,
  ``SAGEMAKER_BATCH_STRATEGY``, ``SAGEMAKER_MAX_CONCURRENT_TRANSFORMS`` only when the
  request sets them (the guide: "If the user doesn't set values for them, they aren't
  passed").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labs.runtime.transform_jsonpath import JsonPath, PathError, parse

DEFAULT_PAYLOAD_MB = 6
DEFAULT_TIMEOUT = 600  # ModelClientConfig.InvocationsTimeoutInSeconds
DEFAULT_RETRIES = 3  # ModelClientConfig.InvocationsMaxRetries
MAX_PAYLOAD_MB = 100
_STRATEGIES = {"MultiRecord": "MULTI_RECORD", "SingleRecord": "SINGLE_RECORD"}
_CHOICES = {
    ("TransformInput", "SplitType"): ("None", "Line", "RecordIO", "TFRecord"),
    ("TransformInput", "CompressionType"): ("None", "Gzip"),
    ("TransformOutput", "AssembleWith"): ("None", "Line"),
    ("DataProcessing", "JoinSource"): ("None", "Input"),
}


def check_request(request: dict[str, Any]) -> None:
    """Refuse, as CreateTransformJob does, what can never run (ValueError with the reason)."""
    fields = [(("BatchStrategy",), tuple(_STRATEGIES))]
    fields += [((section, key), allowed) for (section, key), allowed in _CHOICES.items()]
    for path, allowed in fields:
        value: Any = request
        for key in path:
            value = (value or {}).get(key)
        if value is not None and value not in allowed:
            where = ".".join(key[0].lower() + key[1:] for key in path)
            raise ValueError(
                f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
            )
    payload = request.get("MaxPayloadInMB")
    if payload is not None and int(payload) > MAX_PAYLOAD_MB:
        raise ValueError(f"MaxPayloadInMB is {payload}; it cannot be greater than 100 MB.")
    concurrency = request.get("MaxConcurrentTransforms")
    if payload and concurrency and int(payload) * int(concurrency) > MAX_PAYLOAD_MB:
        raise ValueError(
            f"MaxConcurrentTransforms * MaxPayloadInMB is {int(concurrency) * int(payload)} "
            "MB; it cannot exceed 100 MB."
        )
    output = str((request.get("TransformOutput") or {}).get("S3OutputPath", ""))
    if not output.startswith("s3://"):
        raise ValueError(f"TransformOutput.S3OutputPath {output!r} is not an S3 URI (s3://...).")
    processing = request.get("DataProcessing") or {}
    for key in ("InputFilter", "OutputFilter"):
        try:
            parse(processing.get(key))
        except PathError as error:
            raise ValueError(f'Invalid {key}: "{processing.get(key)}". {error}') from None


@dataclass(frozen=True)
class Plan:
    """How the job sends and assembles its data, once the container has been asked."""

    split_type: str
    multi_record: bool
    limit: int | None  # bytes per request; None for MaxPayloadInMB 0 (no limit)
    concurrency: int
    content_type: str | None
    accept: str | None
    assemble_with: str
    gzip: bool
    input_filter: JsonPath
    output_filter: JsonPath
    join_input: bool
    timeout: float
    retries: int

    @property
    def per_record(self) -> bool:
        """True when each answer must be matched with its record (join or output filter)."""
        return self.join_input or not self.output_filter.is_root


def plan(request: dict[str, Any], parameters: dict[str, Any]) -> Plan:
    """Resolve the settings: the request first, then ``/execution-parameters``, then defaults."""
    source = request.get("TransformInput") or {}
    output = request.get("TransformOutput") or {}
    processing = request.get("DataProcessing") or {}
    client = request.get("ModelClientConfig") or {}
    strategy = request.get("BatchStrategy") or {
        "SINGLE_RECORD": "SingleRecord",
        "MULTI_RECORD": "MultiRecord",
    }.get(str(parameters.get("BatchStrategy", "")).upper(), "MultiRecord")
    payload = request.get("MaxPayloadInMB")
    if payload is None:
        payload = parameters.get("MaxPayloadInMB", DEFAULT_PAYLOAD_MB)
    concurrency = request.get("MaxConcurrentTransforms") or parameters.get(
        "MaxConcurrentTransforms", 1
    )
    return Plan(
        split_type=source.get("SplitType") or "None",
        multi_record=strategy == "MultiRecord",
        limit=int(float(payload) * 1024 * 1024) if payload else None,
        concurrency=max(1, int(concurrency)),
        content_type=source.get("ContentType"),
        accept=output.get("Accept"),
        assemble_with=output.get("AssembleWith") or "None",
        gzip=source.get("CompressionType") == "Gzip",
        input_filter=parse(processing.get("InputFilter")),
        output_filter=parse(processing.get("OutputFilter")),
        join_input=processing.get("JoinSource") == "Input",
        timeout=float(client.get("InvocationsTimeoutInSeconds") or DEFAULT_TIMEOUT),
        retries=int(client.get("InvocationsMaxRetries", DEFAULT_RETRIES)),
    )


def container_environment(container: dict[str, Any], request: dict[str, Any]) -> dict[str, str]:
    """The model's Environment, the job's, and the variables batch transform sets."""
    environment = {**(container.get("Environment") or {}), **(request.get("Environment") or {})}
    environment["SAGEMAKER_BATCH"] = "true"
    if request.get("MaxPayloadInMB") is not None:
        environment["SAGEMAKER_MAX_PAYLOAD_IN_MB"] = str(request["MaxPayloadInMB"])
    if request.get("BatchStrategy"):
        environment["SAGEMAKER_BATCH_STRATEGY"] = _STRATEGIES[request["BatchStrategy"]]
    if request.get("MaxConcurrentTransforms"):
        environment["SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"] = str(request["MaxConcurrentTransforms"])
    return {str(k): str(v) for k, v in environment.items()}
