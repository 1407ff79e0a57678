"""A Kinesis Data Streams producer that batches with ``PutRecords`` and retries what failed.

``PutRecords`` writes up to 500 records per call, but it is not all-or-nothing: the call
succeeds while some records fail (``FailedRecordCount`` > 0), each failed record carrying an
``ErrorCode`` (``ProvisionedThroughputExceededException`` when its shard is over its write
limit, or ``InternalFailure``). A producer that ignores the response loses those records
silently. :func:`put_records_with_retry` resends only the failed records, with exponential
backoff and jitter, until all are written or the attempts run out; the report says what
happened. Retried records can land after records sent later, so PutRecords does not keep
their order (the Kinesis PutRecords API reference says so).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from labs.errors import LabsError

#: Records one PutRecords call takes (Kinesis API reference, PutRecords).
MAX_RECORDS_PER_CALL = 500
#: Bytes per call this producer stays under. The API now takes up to 10 MiB per call;
#: 5 MiB was the limit until 2025 and still is in moto 5.2.5, so it is the safe default.
MAX_BYTES_PER_CALL = 5 * 1024 * 1024
#: Request-level errors worth retrying: the whole call was refused, nothing was written.
RETRYABLE_ERRORS = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "KMSThrottlingException",
        "InternalFailure",
        "ServiceUnavailable",
        "ThrottlingException",
    }
)


@dataclass
class PutReport:
    """What :func:`put_records_with_retry` did.

    Attributes:
        sent: records written to the stream.
        failed: the request entries still not written when the attempts ran out.
        calls: ``PutRecords`` calls made (first tries and retries).
        retries: calls that resent failed records.
        throttled: record failures with ``ProvisionedThroughputExceededException``, counted
            on every attempt (one record throttled twice counts twice).
        errors: every record-level ``ErrorCode`` seen, with its count.
        per_shard: records written, by shard id.
        waited: seconds spent in backoff sleeps.
        seconds: wall-clock seconds for the whole run.
    """

    sent: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    retries: int = 0
    throttled: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    per_shard: Counter[str] = field(default_factory=Counter)
    waited: float = 0.0
    seconds: float = 0.0

    @property
    def all_sent(self) -> bool:
        """True when every record was written."""
        return not self.failed

    def summary(self) -> str:
        """One line for a notebook: records written, failures, calls and retries."""
        return (
            f"{self.sent} records written, {len(self.failed)} failed, {self.calls} PutRecords "
            f"calls ({self.retries} retries), {self.throttled} throttled record attempts, "
            f"{self.waited:.2f} s backing off, {self.seconds:.2f} s in all"
        )


def entry_size(entry: Mapping[str, Any]) -> int:
    """Bytes a request entry counts against the limits: its data plus its partition key."""
    data = entry.get("Data", b"")
    if isinstance(data, str):
        data = data.encode("utf-8")
    return len(data) + len(str(entry.get("PartitionKey", "")).encode("utf-8"))


def batches(
    entries: Iterable[Mapping[str, Any]],
    max_records: int = MAX_RECORDS_PER_CALL,
    max_bytes: int = MAX_BYTES_PER_CALL,
) -> list[list[dict[str, Any]]]:
    """Split request entries into PutRecords-sized batches, keeping their order.

    Raises :class:`LabsError` for an entry without ``Data`` and ``PartitionKey`` or one that
    alone is larger than ``max_bytes``.
    """
    if max_records < 1 or max_bytes < 1:
        raise ValueError("max_records and max_bytes must be positive")
    out: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    used = 0
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or "Data" not in entry or "PartitionKey" not in entry:
            raise LabsError(
                f"Record {index} is {entry!r}: each record needs 'Data' (bytes) and "
                "'PartitionKey' (a string), e.g. {'Data': b'...', 'PartitionKey': 'M01'}."
            )
        size = entry_size(entry)
        if size > max_bytes:
            raise LabsError(
                f"Record {index} is {size} bytes, more than a call takes ({max_bytes})."
            )
        if current and (len(current) == max_records or used + size > max_bytes):
            out.append(current)
            current, used = [], 0
        current.append(dict(entry))
        used += size
    if current:
        out.append(current)
    return out


def failed_entries(
    entries: Sequence[Mapping[str, Any]], response: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The request entries that a PutRecords ``response`` reports as failed, in order.

    The response's ``Records`` line up with the request's entries one to one; a failed one
    has an ``ErrorCode`` (and no ``SequenceNumber``).
    """
    results = response.get("Records", [])
    if len(results) != len(entries):
        raise ValueError(
            f"the response has {len(results)} results for {len(entries)} request entries"
        )
    return [
        dict(entry) for entry, result in zip(entries, results, strict=True) if "ErrorCode" in result
    ]


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): "full jitter".

    A random time between 0 and ``min(cap, base * 2 ** (attempt - 1))``, so producers that
    were throttled together do not all retry at the same moment.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return (rng or random).uniform(0, ceiling)


def _error_code(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        return response.get("Error", {}).get("Code")
    return None


def put_records_with_retry(
    client: Any,
    stream_name: str,
    records: Iterable[Mapping[str, Any]],
    *,
    max_attempts: int = 10,
    base_delay: float = 0.1,
    max_delay: float = 2.0,
    max_records_per_call: int = MAX_RECORDS_PER_CALL,
    max_bytes_per_call: int = MAX_BYTES_PER_CALL,
    interval: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> PutReport:
    """Write ``records`` to a Kinesis stream with ``PutRecords``; retry the failed ones.

    Args:
        client: a boto3 Kinesis client (``lab.client("kinesis")``).
        stream_name: the stream's name.
        records: request entries, ``{"Data": bytes, "PartitionKey": str}`` (optionally
            ``"ExplicitHashKey"``), in the order to send them.
        max_attempts: tries per batch, the first one included.
        base_delay, max_delay: the backoff (see :func:`backoff_delay`), in seconds.
        max_records_per_call, max_bytes_per_call: how big one call may be.
        interval: seconds from one batch's first call to the next batch's, as a gateway
            that sends on a timer does (0, the default: as fast as possible).
        sleep, rng: injectable for tests.

    Returns:
        A :class:`PutReport`. Records still failing after ``max_attempts`` are in
        ``report.failed``; nothing is dropped silently. A request-level error that is not
        worth retrying (a missing stream, bad credentials) is raised.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    started = time.monotonic()
    report = PutReport()
    next_batch_at = time.monotonic()
    for batch in batches(records, max_records_per_call, max_bytes_per_call):
        pause = next_batch_at - time.monotonic()
        if pause > 0:
            sleep(pause)
        next_batch_at = time.monotonic() + interval
        pending = batch
        for attempt in range(1, max_attempts + 1):
            if attempt > 1:
                delay = backoff_delay(attempt - 1, base_delay, max_delay, rng)
                sleep(delay)
                report.waited += delay
                report.retries += 1
            report.calls += 1
            try:
                response = client.put_records(StreamName=stream_name, Records=pending)
            except Exception as error:
                if _error_code(error) not in RETRYABLE_ERRORS:
                    raise
                report.errors[str(_error_code(error))] += len(pending)
                continue
            for result in response.get("Records", []):
                code = result.get("ErrorCode")
                if code:
                    report.errors[code] += 1
                    report.throttled += code == "ProvisionedThroughputExceededException"
                else:
                    report.sent += 1
                    report.per_shard[result.get("ShardId", "?")] += 1
            pending = failed_entries(pending, response)
            if not pending:
                break
        report.failed.extend(pending)
    report.seconds = time.monotonic() - started
    return report
