"""Data capture for real-time endpoints, written to S3 in SageMaker's capture format.

When an endpoint config has a ``DataCaptureConfig``, SageMaker samples the requests the
endpoint serves and stores each sampled request and its response as one JSON object per
line (JSON Lines) under::

    <DestinationS3Uri>/<EndpointName>/<VariantName>/yyyy/mm/dd/hh/<MM>-<SS>-<mmm>-<uuid>.jsonl

where ``yyyy/mm/dd/hh`` is the UTC hour of the inference and the file name starts with the
minute, second and millisecond it was opened. Each line looks like::

    {"captureData": {"endpointInput":  {"observedContentType": "text/csv", "mode": "INPUT",
                                        "data": "1,2,3", "encoding": "CSV"},
                     "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
                                        "data": "0.12", "encoding": "CSV"}},
     "eventMetadata": {"eventId": "<uuid>", "inferenceId": "<if given>",
                       "inferenceTime": "2026-11-29T04:05:06Z"},
     "eventVersion": "0"}

A payload whose content type is listed in ``CaptureContentTypeHeader.CsvContentTypes`` is
stored as text with encoding ``CSV``, one in ``JsonContentTypes`` as text with encoding
``JSON``; anything else (and everything, when the header lists nothing) is stored base64
encoded with encoding ``BASE64``. ``CaptureOptions`` chooses whether the input, the output
or both are kept; ``InitialSamplingPercentage`` how many requests.

:class:`CaptureWriter` does this for one endpoint. :meth:`CaptureWriter.record` is on the
request path, so it only samples, encodes and queues; a background thread batches the queue
into one object per variant and hour and puts it to S3. Differences from SageMaker: records
reach S3 within about a second (SageMaker buffers for minutes) or at once with
:meth:`~CaptureWriter.flush` / :func:`flush_all`; ``KmsKeyId`` is accepted but the objects
are not encrypted with it; there is no disk-usage cut-off. An S3 error never reaches the
caller: it is logged and counted in :attr:`CaptureWriter.failed`.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from labs.errors import LabsError

log = logging.getLogger(__name__)

#: How long the writer thread waits for more records before it writes a batch (seconds).
LINGER_SECONDS = 0.5
#: The version SageMaker writes in every capture record.
EVENT_VERSION = "0"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class CaptureConfigError(LabsError):
    """A DataCaptureConfig the kit cannot act on, or an unreadable capture location."""


@dataclass(frozen=True)
class _Pending:
    """One sampled request waiting for the writer thread."""

    variant: str
    time: datetime
    event: dict[str, Any]


class CaptureWriter:
    """Samples an endpoint's requests and writes them to S3 as SageMaker capture files.

    Args:
        config: the endpoint config's ``DataCaptureConfig`` as boto3 gives it.
        s3: a boto3 S3 client.
        endpoint_name: the endpoint whose traffic is captured.
        rng: the random generator that decides sampling (seed it for reproducible tests).
        clock: returns the current UTC time (tests inject fixed times).
        linger: seconds the writer waits to gather a batch before it writes.
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        s3: Any,
        endpoint_name: str,
        *,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] | None = None,
        linger: float = LINGER_SECONDS,
    ) -> None:
        self.endpoint_name = endpoint_name
        self.enabled = bool(config.get("EnableCapture", True))
        self.sampling_percentage = _sampling_percentage(config)
        self.bucket, self.prefix = _destination(config)
        self.capture_input, self.capture_output = _capture_modes(config)
        header = config.get("CaptureContentTypeHeader") or {}
        self.csv_content_types = _media_types(header.get("CsvContentTypes"))
        self.json_content_types = _media_types(header.get("JsonContentTypes"))
        #: Accepted as SageMaker does; the local writer does not encrypt with it.
        self.kms_key_id: str | None = config.get("KmsKeyId")
        self.captured = 0  #: requests sampled and queued
        self.skipped = 0  #: requests the sampling left out
        self.written = 0  #: records now in S3
        self.failed = 0  #: records lost to an S3 error
        self.last_error: str | None = None
        self._s3 = s3
        self._rng = rng or random.Random()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._linger = linger
        self._queue: list[_Pending] = []
        self._queued = 0  # sequence number of the last queued record
        self._done = 0  # sequence number up to which records are written (or failed)
        self._flush_target = 0
        self._closing = False
        self._closed = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(
            target=self._run, name=f"capture-{endpoint_name}", daemon=True
        )
        self._thread.start()
        _writers.add(self)

    @property
    def destination(self) -> str:
        """``s3://bucket/prefix/<endpoint>``: where this endpoint's captures go."""
        base = f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"
        return f"{base}/{self.endpoint_name}"

    def record(
        self,
        variant: str,
        request_body: bytes,
        request_content_type: str | None,
        response_body: bytes,
        response_content_type: str | None,
        inference_id: str | None = None,
    ) -> bool:
        """Sample one served request and queue it for S3; True when it was captured.

        Cheap enough for the request path: no S3 call happens here.
        """
        if not self.enabled or self._closing:
            return False
        with self._condition:
            sampled = self._rng.random() * 100 < self.sampling_percentage
            if not sampled:
                self.skipped += 1
                return False
        now = self._clock()
        event = self._event(
            request_body,
            request_content_type,
            response_body,
            response_content_type,
            inference_id,
            now,
        )
        with self._condition:
            if self._closing:
                return False
            self._queue.append(_Pending(variant, now, event))
            self._queued += 1
            self.captured += 1
            self._condition.notify_all()
        return True

    def flush(self, timeout: float = 30.0) -> bool:
        """Block until every record queued so far is in S3 (or failed); False on timeout."""
        with self._condition:
            if self._closing:
                return self._done >= self._queued
            target = self._queued
            self._flush_target = max(self._flush_target, target)
            self._condition.notify_all()
            return self._condition.wait_for(lambda: self._done >= target, timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop the writer thread. Later records are ignored."""
        if self._closed:
            return
        self.flush(timeout)
        with self._condition:
            self._closing = True  # from here on record() ignores requests
            self._condition.notify_all()
        self._thread.join(timeout)
        self._closed = True
        _writers.discard(self)

    def stats(self) -> dict[str, int]:
        """Counts so far: captured, skipped (not sampled), written and failed records."""
        with self._condition:
            return {
                "captured": self.captured,
                "skipped": self.skipped,
                "written": self.written,
                "failed": self.failed,
            }

    # ------------------------------------------------------------------ building records

    def _event(
        self,
        request_body: bytes,
        request_content_type: str | None,
        response_body: bytes,
        response_content_type: str | None,
        inference_id: str | None,
        now: datetime,
    ) -> dict[str, Any]:
        capture: dict[str, Any] = {}
        if self.capture_input:
            capture["endpointInput"] = self._part(request_body, request_content_type, "INPUT")
        if self.capture_output:
            capture["endpointOutput"] = self._part(response_body, response_content_type, "OUTPUT")
        metadata: dict[str, Any] = {"eventId": str(uuid.uuid4())}
        if inference_id:
            metadata["inferenceId"] = inference_id
        metadata["inferenceTime"] = now.strftime(_TIME_FORMAT)
        return {"captureData": capture, "eventMetadata": metadata, "eventVersion": EVENT_VERSION}

    def _part(self, body: bytes, content_type: str | None, mode: str) -> dict[str, Any]:
        observed = content_type or "application/octet-stream"
        data, encoding = encode_payload(
            body, observed, self.csv_content_types, self.json_content_types
        )
        return {"observedContentType": observed, "mode": mode, "data": data, "encoding": encoding}

    # ------------------------------------------------------------------ the writer thread

    def _run(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._queue or self._closing)
                if not self._queue:
                    return  # closing, and nothing left to write
                # Gather a batch unless someone is waiting for these records.
                self._condition.wait_for(
                    lambda: self._closing or self._flush_target > self._done, self._linger
                )
                batch, self._queue = self._queue, []
                upto = self._queued
            try:
                written, failed = self._write(batch)
            except Exception as error:  # keep the thread alive whatever happens
                written, failed = 0, len(batch)
                self.last_error = f"{type(error).__name__}: {error}"
                log.exception("data capture for endpoint %s failed", self.endpoint_name)
            with self._condition:
                self.written += written
                self.failed += failed
                self._done = upto
                self._condition.notify_all()

    def _write(self, batch: list[_Pending]) -> tuple[int, int]:
        """Put one object per (variant, hour) of ``batch``; return (written, failed)."""
        groups: dict[tuple[str, str], list[_Pending]] = {}
        for item in batch:
            groups.setdefault((item.variant, item.time.strftime("%Y/%m/%d/%H")), []).append(item)
        written = failed = 0
        for (variant, hour), items in groups.items():
            first = items[0].time
            name = f"{first:%M-%S}-{first.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl"
            key = "/".join(
                part for part in (self.prefix, self.endpoint_name, variant, hour, name) if part
            )
            body = "".join(json.dumps(i.event, separators=(",", ":")) + "\n" for i in items)
            try:
                self._s3.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=body.encode(),
                    ContentType="application/jsonlines",
                )
                written += len(items)
            except Exception as error:  # an S3 failure must never reach the request path
                failed += len(items)
                self.last_error = f"{type(error).__name__}: {error}"
                log.warning(
                    "data capture for endpoint %s lost %d record(s): could not write "
                    "s3://%s/%s (%s)",
                    self.endpoint_name,
                    len(items),
                    self.bucket,
                    key,
                    self.last_error,
                )
        return written, failed


_writers: weakref.WeakSet[CaptureWriter] = weakref.WeakSet()


def validate_config(config: Mapping[str, Any]) -> None:
    """Raise :class:`CaptureConfigError` when ``config`` (a ``DataCaptureConfig``) is one
    SageMaker would refuse at ``CreateEndpointConfig``."""
    _sampling_percentage(config)
    _destination(config)
    _capture_modes(config)


def flush_all(timeout: float = 30.0) -> bool:
    """Flush every live :class:`CaptureWriter`; False if one of them timed out."""
    return all([writer.flush(timeout) for writer in list(_writers)])


# ---------------------------------------------------------------------- payload encoding


def encode_payload(
    body: bytes, content_type: str, csv_types: frozenset[str], json_types: frozenset[str]
) -> tuple[str, str]:
    """``(data, encoding)`` of a payload as the capture format stores it.

    CSV and JSON content types (matched on the media type, ignoring parameters such as
    ``charset``) are kept as text; anything else, or text that is not UTF-8, as BASE64.
    """
    media = _media_type(content_type)
    for kinds, encoding in ((csv_types, "CSV"), (json_types, "JSON")):
        if media in kinds:
            try:
                return body.decode("utf-8"), encoding
            except UnicodeDecodeError:
                break
    return base64.b64encode(body).decode("ascii"), "BASE64"


def decode_payload(part: Mapping[str, Any]) -> bytes:
    """The payload bytes of an ``endpointInput`` / ``endpointOutput`` section."""
    data = part.get("data", "")
    if part.get("encoding") == "BASE64":
        return base64.b64decode(data)
    return str(data).encode("utf-8")


# ---------------------------------------------------------------------- reading captures


def capture_uri(destination: str, endpoint_name: str, variant: str | None = None) -> str:
    """The S3 prefix that holds an endpoint's (or one variant's) capture files."""
    parts = [destination.rstrip("/"), endpoint_name] + ([variant] if variant else [])
    return "/".join(parts) + "/"


def read_captures(s3: Any, s3_uri: str) -> list[dict[str, Any]]:
    """Every capture record in the ``.jsonl`` objects under ``s3_uri``, oldest first.

    Records are ordered by ``inferenceTime``, then by object key and line (file names start
    with the time they were opened), so requests of the same second keep their order.
    """
    bucket, prefix = _split_s3_uri(s3_uri)
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(".jsonl"))
    except s3.exceptions.NoSuchBucket:
        raise CaptureConfigError(
            f"Bucket {bucket!r} does not exist, so {s3_uri} holds no captured data."
        ) from None
    ordered: list[tuple[str, str, int, dict[str, Any]]] = []
    for key in sorted(keys):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        for line_number, line in enumerate(body.splitlines()):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CaptureConfigError(
                    f"s3://{bucket}/{key} line {line_number + 1} is not a capture record "
                    f"(invalid JSON: {error.msg})."
                ) from None
            when = str(record.get("eventMetadata", {}).get("inferenceTime", ""))
            ordered.append((when, key, line_number, record))
    ordered.sort(key=lambda item: item[:3])
    return [item[3] for item in ordered]


# ---------------------------------------------------------------------- reading the config


def _sampling_percentage(config: Mapping[str, Any]) -> int:
    value = config.get("InitialSamplingPercentage")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise CaptureConfigError(
            f"DataCaptureConfig.InitialSamplingPercentage must be an integer from 0 to 100, "
            f"got {value!r}."
        )
    return value


def _destination(config: Mapping[str, Any]) -> tuple[str, str]:
    uri = config.get("DestinationS3Uri")
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise CaptureConfigError(
            f"DataCaptureConfig.DestinationS3Uri must be an s3://bucket/prefix URI, got {uri!r}."
        )
    bucket, prefix = _split_s3_uri(uri)
    return bucket, prefix.strip("/")


def _capture_modes(config: Mapping[str, Any]) -> tuple[bool, bool]:
    modes = set()
    for option in config.get("CaptureOptions") or []:
        mode = str(option.get("CaptureMode", "")).lower()
        if mode not in ("input", "output", "inputandoutput"):
            raise CaptureConfigError(
                f"CaptureOptions has CaptureMode {option.get('CaptureMode')!r}; use 'Input' "
                "and/or 'Output'."
            )
        modes.update(("input", "output") if mode == "inputandoutput" else (mode,))
    if not modes:
        raise CaptureConfigError(
            "DataCaptureConfig.CaptureOptions needs at least one of "
            '{"CaptureMode": "Input"} and {"CaptureMode": "Output"}.'
        )
    return "input" in modes, "output" in modes


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _media_types(values: Any) -> frozenset[str]:
    return frozenset(_media_type(str(v)) for v in values or [])


def _split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or len(uri) <= 5:
        raise CaptureConfigError(f"{uri!r} is not an S3 URI (s3://bucket/prefix).")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key
