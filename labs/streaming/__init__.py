"""Streaming helpers for the Kinesis lab: a retrying producer and event-time windows.

- :mod:`labs.streaming.producer`: :func:`put_records_with_retry` batches records into
  ``PutRecords`` calls and resends the ones Kinesis rejected, with backoff and jitter.
- :mod:`labs.streaming.windows`: :func:`aggregate_stream` computes tumbling or hopping
  event-time windows with a watermark, as Amazon Managed Service for Apache Flink does;
  :func:`aggregate_batch` computes the same windows over a complete table.
"""

from labs.streaming.producer import PutReport, failed_entries, put_records_with_retry
from labs.streaming.windows import (
    StreamResult,
    WindowAggregator,
    aggregate_batch,
    aggregate_stream,
    compare_results,
)

__all__ = [
    "PutReport",
    "StreamResult",
    "WindowAggregator",
    "aggregate_batch",
    "aggregate_stream",
    "compare_results",
    "failed_entries",
    "put_records_with_retry",
]
