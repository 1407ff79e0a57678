"""The retrying PutRecords producer (labs/streaming/producer.py)."""

from __future__ import annotations

import random
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from labs.errors import LabsError
from labs.streaming import producer
from labs.streaming.producer import (
    backoff_delay,
    batches,
    failed_entries,
    put_records_with_retry,
)

THROTTLED = "ProvisionedThroughputExceededException"


def records(n: int, key: str = "k", size: int = 4) -> list[dict]:
    return [{"Data": f"{i:0{size}d}".encode(), "PartitionKey": key} for i in range(n)]


class FakeKinesis:
    """Fails chosen records a given number of times, like a throttled shard."""

    def __init__(self, failures: dict[bytes, int] | None = None, raise_first: str | None = None):
        self.failures = dict(failures or {})
        self.raise_first = raise_first
        self.calls: list[list[bytes]] = []
        self.written: list[bytes] = []

    def put_records(self, StreamName: str, Records: list[dict]) -> dict:
        self.calls.append([r["Data"] for r in Records])
        if self.raise_first:
            code, self.raise_first = self.raise_first, None
            raise ClientError({"Error": {"Code": code, "Message": "no"}}, "PutRecords")
        results, failed = [], 0
        for record in Records:
            if self.failures.get(record["Data"], 0) > 0:
                self.failures[record["Data"]] -= 1
                failed += 1
                results.append({"ErrorCode": THROTTLED, "ErrorMessage": "Rate exceeded"})
            else:
                self.written.append(record["Data"])
                results.append({"SequenceNumber": str(len(self.written)), "ShardId": "shard-0"})
        return {"FailedRecordCount": failed, "Records": results}


def test_batches_respect_the_record_and_byte_limits():
    assert [len(b) for b in batches(records(1201))] == [500, 500, 201]
    # 4-byte data + 1-byte key = 5 bytes each: 4 fit in 20 bytes.
    assert [len(b) for b in batches(records(10), max_bytes=20)] == [4, 4, 2]
    assert batches([]) == []
    flat = [r["Data"] for b in batches(records(1201)) for r in b]
    assert flat == [r["Data"] for r in records(1201)]


def test_batches_reject_what_kinesis_would():
    with pytest.raises(LabsError, match="needs 'Data'"):
        batches([{"Data": b"x"}])
    with pytest.raises(LabsError, match="more than a call takes"):
        batches(records(1, size=30), max_bytes=20)


def test_failed_entries_line_up_with_the_request():
    entries = records(4)
    response = {
        "FailedRecordCount": 2,
        "Records": [
            {"SequenceNumber": "1", "ShardId": "s"},
            {"ErrorCode": THROTTLED, "ErrorMessage": "Rate exceeded"},
            {"SequenceNumber": "2", "ShardId": "s"},
            {"ErrorCode": "InternalFailure", "ErrorMessage": "oops"},
        ],
    }
    assert failed_entries(entries, response) == [entries[1], entries[3]]
    with pytest.raises(ValueError, match="3 results for 4"):
        failed_entries(entries, {"Records": response["Records"][:3]})


def test_backoff_grows_and_is_capped():
    rng = random.Random(7)
    for attempt in range(1, 12):
        delay = backoff_delay(attempt, base=0.1, cap=2.0, rng=rng)
        assert 0 <= delay <= min(2.0, 0.1 * 2 ** (attempt - 1))
    assert backoff_delay(1, base=0.0, cap=1.0) == 0


def test_only_failed_records_are_resent_until_all_are_written():
    sent = records(600)
    fake = FakeKinesis({sent[3]["Data"]: 2, sent[550]["Data"]: 1})
    sleeps: list[float] = []
    report = put_records_with_retry(fake, "s", sent, sleep=sleeps.append, rng=random.Random(1))
    assert report.all_sent and report.sent == 600
    assert sorted(fake.written) == sorted(r["Data"] for r in sent)  # each exactly once
    assert [len(c) for c in fake.calls] == [500, 1, 1, 100, 1]
    assert report.calls == 5 and report.retries == 3 and len(sleeps) == 3
    assert report.throttled == 3 and report.errors == {THROTTLED: 3}
    assert report.waited == pytest.approx(sum(sleeps))
    assert report.per_shard == {"shard-0": 600}
    assert "600 records written, 0 failed" in report.summary()


def test_records_still_failing_are_reported_not_dropped():
    sent = records(3)
    fake = FakeKinesis({sent[1]["Data"]: 99})
    report = put_records_with_retry(fake, "s", sent, max_attempts=4, sleep=lambda s: None)
    assert report.sent == 2 and not report.all_sent
    assert report.failed == [sent[1]]
    assert report.calls == 4 and report.throttled == 4


def test_a_throttled_call_is_retried_whole():
    fake = FakeKinesis(raise_first=THROTTLED)
    report = put_records_with_retry(fake, "s", records(5), sleep=lambda s: None)
    assert report.all_sent and report.calls == 2 and report.errors == {THROTTLED: 5}


def test_errors_that_retrying_cannot_fix_are_raised():
    fake = FakeKinesis(raise_first="ResourceNotFoundException")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        put_records_with_retry(fake, "s", records(5), sleep=lambda s: None)
    with pytest.raises(ValueError):
        put_records_with_retry(fake, "s", records(5), max_attempts=0)


def test_an_interval_paces_the_batches():
    fake = FakeKinesis()
    started = time.monotonic()
    report = put_records_with_retry(fake, "s", records(1200), interval=0.2)
    assert report.all_sent and [len(c) for c in fake.calls] == [500, 500, 200]
    assert time.monotonic() - started >= 0.4  # two pauses between three batches
    assert report.waited == 0  # pacing is not backoff


def test_against_the_local_kinesis_a_hot_key_is_throttled_and_still_delivered(lab):
    kinesis = lab.client("kinesis")
    stream = f"producer-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream)
    sent = records(2500)
    report = put_records_with_retry(kinesis, stream, sent)
    assert report.all_sent and report.sent == 2500
    assert report.throttled >= 500  # at most 2,000 fit in the (at most) two seconds of first tries
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    got = kinesis.get_records(ShardIterator=iterator, Limit=10_000)["Records"]
    assert sorted(r["Data"] for r in got) == sorted(r["Data"] for r in sent)
    kinesis.delete_stream(StreamName=stream)


def test_module_limits_match_the_api_reference():
    assert producer.MAX_RECORDS_PER_CALL == 500
    assert producer.MAX_BYTES_PER_CALL == 5 * 1024 * 1024
