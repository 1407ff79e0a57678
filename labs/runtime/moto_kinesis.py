"""Kinesis Data Streams' per-shard write limit, enforced on moto's Kinesis.

moto accepts writes at any rate; Kinesis does not. Each shard takes at most 1,000 records
and 1 MiB per second (in provisioned and on-demand mode alike; the data and the partition
key both count). Over that, Kinesis throttles:

- ``PutRecords`` still answers HTTP 200, but each record over the limit comes back with
  ``ErrorCode: ProvisionedThroughputExceededException`` and an ``ErrorMessage`` naming the
  shard, and ``FailedRecordCount`` counts them; the other records are written.
- ``PutRecord`` fails with ``ProvisionedThroughputExceededException``.
- The stream's ``WriteProvisionedThroughputExceeded`` metric (namespace ``AWS/Kinesis``)
  counts the rejected records.

This module meters each shard per wall-clock second, the simplest model that shows the
behaviour; the real service measures over a short rolling window and absorbs small bursts,
so it throttles at about the same rate but not at exactly the same records.
"""

from __future__ import annotations

import threading
import time
from base64 import b64decode
from collections.abc import Callable
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.exceptions import JsonRESTError
from moto.kinesis.models import KinesisBackend

from labs.runtime.patches import Patches

#: Records one shard accepts per second.
RECORDS_PER_SECOND = 1_000
#: Bytes (data plus partition key) one shard accepts per second: 1 MiB.
BYTES_PER_SECOND = 1_048_576
#: Records one PutRecords request may hold; a larger request is left to moto, which rejects
#: it (as it rejects one over its size limit) before any record is written.
_MAX_RECORDS = 500

THROTTLED = "ProvisionedThroughputExceededException"


class ThroughputExceeded(JsonRESTError):
    """``ProvisionedThroughputExceededException`` for a throttled ``PutRecord``."""

    def __init__(self, message: str) -> None:
        super().__init__(error_type=THROTTLED, message=message)


class ShardMeter:
    """Records and bytes written to each shard in the current second.

    ``take(shard_key, size)`` says whether one more record of ``size`` bytes fits in the
    shard's budget for this second, and counts it if it does.
    """

    def __init__(
        self,
        records_per_second: int = RECORDS_PER_SECOND,
        bytes_per_second: int = BYTES_PER_SECOND,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.records_per_second = records_per_second
        self.bytes_per_second = bytes_per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._used: dict[tuple[str, ...], tuple[int, int, int]] = {}

    def take(self, shard_key: tuple[str, ...], size: int) -> bool:
        """Count one record of ``size`` bytes on the shard if it fits this second."""
        second = int(self._clock())
        with self._lock:
            at, records, used_bytes = self._used.get(shard_key, (second, 0, 0))
            if at != second:
                records, used_bytes = 0, 0
            if records + 1 > self.records_per_second or used_bytes + size > self.bytes_per_second:
                self._used[shard_key] = (second, records, used_bytes)
                return False
            self._used[shard_key] = (second, records + 1, used_bytes + size)
            return True

    def reset(self) -> None:
        """Forget every shard's usage."""
        with self._lock:
            self._used.clear()


meter = ShardMeter()


def _record_size(partition_key: Any, data: Any) -> int:
    """Bytes a record counts against the limit: its data (decoded) and its partition key."""
    key = partition_key if isinstance(partition_key, str) else ""
    try:
        payload = len(b64decode(data or ""))
    except (ValueError, TypeError):
        payload = len(str(data or ""))
    return payload + len(key.encode("utf-8"))


def _throttle_message(backend: KinesisBackend, stream_name: str, shard_id: str) -> str:
    return (
        f"Rate exceeded for shard {shard_id} in stream {stream_name} under account "
        f"{backend.account_id}."
    )


def _report_throttled(backend: KinesisBackend, stream_name: str, count: int) -> None:
    cloudwatch_backends[backend.account_id][backend.region_name].put_metric_data(
        namespace="AWS/Kinesis",
        metric_data=[
            {
                "MetricName": "WriteProvisionedThroughputExceeded",
                "Value": count,
                "Unit": "Count",
                "Dimensions": [{"Name": "StreamName", "Value": stream_name}],
            }
        ],
    )


def _shard_key(backend: KinesisBackend, stream: Any, shard_id: str) -> tuple[str, ...]:
    return (backend.account_id, backend.region_name, stream.stream_name, shard_id)


def _put_records(
    self: KinesisBackend, stream_arn: str, stream_name: str, records: list[dict[str, Any]]
) -> dict[str, Any]:
    original = _PATCHES.original("put_records")
    stream = self.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
    if len(records) > _MAX_RECORDS:
        return original(self, stream_arn, stream_name, records)  # moto raises its error
    decisions: list[str | None] = []  # None: accepted; else the throttled shard's id
    for record in records:
        shard = stream.get_shard_for_key(record.get("PartitionKey"), record.get("ExplicitHashKey"))
        if shard is None:
            return original(self, stream_arn, stream_name, records)  # moto reports the problem
        size = _record_size(record.get("PartitionKey"), record.get("Data"))
        fits = meter.take(_shard_key(self, stream, shard.shard_id), size)
        decisions.append(None if fits else shard.shard_id)
    accepted = [
        record for record, shard_id in zip(records, decisions, strict=True) if shard_id is None
    ]
    written = original(self, stream_arn, stream_name, accepted)["Records"] if accepted else []
    results: list[dict[str, Any]] = []
    failed = 0
    written_iter = iter(written)
    for shard_id in decisions:
        if shard_id is None:
            results.append(next(written_iter))
        else:
            failed += 1
            results.append(
                {
                    "ErrorCode": THROTTLED,
                    "ErrorMessage": _throttle_message(self, stream.stream_name, shard_id),
                }
            )
    if failed:
        _report_throttled(self, stream.stream_name, failed)
    return {"FailedRecordCount": failed, "Records": results}


def _put_record(
    self: KinesisBackend,
    stream_arn: str,
    stream_name: str,
    partition_key: str,
    explicit_hash_key: str,
    data: str,
) -> tuple[str, str]:
    original = _PATCHES.original("put_record")
    stream = self.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
    shard = stream.get_shard_for_key(partition_key, explicit_hash_key)
    if shard is not None and not meter.take(
        _shard_key(self, stream, shard.shard_id), _record_size(partition_key, data)
    ):
        _report_throttled(self, stream.stream_name, 1)
        raise ThroughputExceeded(_throttle_message(self, stream.stream_name, shard.shard_id))
    return original(self, stream_arn, stream_name, partition_key, explicit_hash_key, data)


_HOOKS: dict[str, Callable[..., Any]] = {"put_records": _put_records, "put_record": _put_record}


_PATCHES = Patches(KinesisBackend, _HOOKS)


def install() -> None:
    """Enforce the per-shard write limit on moto's Kinesis (idempotent)."""
    _PATCHES.install()


def uninstall() -> None:
    """Give moto back its own Kinesis (writes at any rate)."""
    _PATCHES.uninstall()
    meter.reset()
