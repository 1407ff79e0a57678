"""The local Kinesis enforces each shard's write limit (labs/runtime/moto_kinesis.py)."""

from __future__ import annotations

import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labs.runtime import moto_kinesis

HIGH_HASH = 2**127 + 1  # a hash key in the upper half of the key space: the second of two shards


class FrozenClock:
    """A clock that stays in one second until the test moves it."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.25

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock()
    monkeypatch.setattr(moto_kinesis, "meter", moto_kinesis.ShardMeter(clock=frozen))
    return frozen


@pytest.fixture
def kinesis(lab):
    return lab.client("kinesis", config=Config(retries={"mode": "standard", "max_attempts": 1}))


def new_stream(kinesis, shards: int) -> str:
    name = f"limits-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name)
    return name


def entries(n: int, key: str = "hot", size: int = 10, **extra: str) -> list[dict]:
    return [{"Data": b"x" * size, "PartitionKey": key, **extra} for _ in range(n)]


def test_a_shard_takes_1000_records_a_second_then_throttles(kinesis, clock):
    stream = new_stream(kinesis, 1)
    first = kinesis.put_records(StreamName=stream, Records=entries(500))
    second = kinesis.put_records(StreamName=stream, Records=entries(500))
    third = kinesis.put_records(StreamName=stream, Records=entries(500))
    assert first["FailedRecordCount"] == second["FailedRecordCount"] == 0
    assert third["FailedRecordCount"] == 500
    assert len(third["Records"]) == 500
    rejected = third["Records"][0]
    assert rejected["ErrorCode"] == "ProvisionedThroughputExceededException"
    assert "SequenceNumber" not in rejected
    assert rejected["ErrorMessage"] == (
        f"Rate exceeded for shard shardId-000000000000 in stream {stream} under account "
        "123456789012."
    )
    clock.now += 1  # the next second has a fresh budget
    assert kinesis.put_records(StreamName=stream, Records=entries(500))["FailedRecordCount"] == 0


def test_a_shard_takes_1_mib_a_second(kinesis, clock):
    stream = new_stream(kinesis, 1)
    # 100,000 bytes of data plus a 3-byte key: ten fit in 1,048,576 bytes, the eleventh not.
    response = kinesis.put_records(StreamName=stream, Records=entries(11, size=100_000))
    codes = [r.get("ErrorCode") for r in response["Records"]]
    assert codes == [None] * 10 + ["ProvisionedThroughputExceededException"]
    assert response["FailedRecordCount"] == 1
    # A small record still fits in what is left of the second.
    assert kinesis.put_records(StreamName=stream, Records=entries(1))["FailedRecordCount"] == 0


def test_a_partial_failure_writes_the_accepted_records_in_order(kinesis, clock):
    stream = new_stream(kinesis, 2)
    low, high = "0", str(HIGH_HASH)  # ExplicitHashKey picks shard 0 or shard 1
    kinesis.put_records(StreamName=stream, Records=entries(500, ExplicitHashKey=low))
    kinesis.put_records(StreamName=stream, Records=entries(499, ExplicitHashKey=low))
    mixed = [
        {"Data": b"a", "PartitionKey": "k", "ExplicitHashKey": low},
        {"Data": b"b", "PartitionKey": "k", "ExplicitHashKey": low},  # 1,001st on shard 0
        {"Data": b"c", "PartitionKey": "k", "ExplicitHashKey": high},
    ]
    response = kinesis.put_records(StreamName=stream, Records=mixed)
    assert response["FailedRecordCount"] == 1
    assert [r.get("ShardId") for r in response["Records"]] == [
        "shardId-000000000000",
        None,
        "shardId-000000000001",
    ]
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId="shardId-000000000001", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]] == [b"c"]


def test_each_shard_has_its_own_budget(kinesis, clock):
    stream = new_stream(kinesis, 2)
    spread = [
        {"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": "0" if i % 2 else str(HIGH_HASH)}
        for i in range(500)
    ]
    for _ in range(4):  # 2,000 records, 1,000 per shard
        assert kinesis.put_records(StreamName=stream, Records=spread)["FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName=stream, Records=spread)["FailedRecordCount"] == 500


def test_put_record_over_the_limit_raises(kinesis, monkeypatch, clock):
    monkeypatch.setattr(
        moto_kinesis, "meter", moto_kinesis.ShardMeter(records_per_second=2, clock=clock)
    )
    stream = new_stream(kinesis, 1)
    kinesis.put_record(StreamName=stream, Data=b"1", PartitionKey="k")
    kinesis.put_record(StreamName=stream, Data=b"2", PartitionKey="k")
    with pytest.raises(ClientError) as raised:
        kinesis.put_record(StreamName=stream, Data=b"3", PartitionKey="k")
    assert raised.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert "Rate exceeded for shard shardId-000000000000" in str(raised.value)


def test_throttled_records_are_counted_in_cloudwatch(lab, kinesis, clock):
    stream = new_stream(kinesis, 1)
    for _ in range(3):
        kinesis.put_records(StreamName=stream, Records=entries(400))
    stats = lab.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Kinesis",
        MetricName="WriteProvisionedThroughputExceeded",
        Dimensions=[{"Name": "StreamName", "Value": stream}],
        StartTime="2000-01-01",
        EndTime="2100-01-01",
        Period=86400,
        Statistics=["Sum"],
    )
    assert sum(p["Sum"] for p in stats["Datapoints"]) == 200


def test_oversized_requests_are_still_rejected_by_moto(kinesis, clock):
    stream = new_stream(kinesis, 1)
    with pytest.raises(ClientError):
        kinesis.put_records(StreamName=stream, Records=entries(501))


def test_without_the_hook_moto_takes_any_rate(kinesis, clock):
    stream = new_stream(kinesis, 1)
    moto_kinesis.uninstall()
    try:
        for _ in range(3):
            assert (
                kinesis.put_records(StreamName=stream, Records=entries(500))["FailedRecordCount"]
                == 0
            )
    finally:
        moto_kinesis.install()
    assert kinesis.put_records(StreamName=stream, Records=entries(500))["FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName=stream, Records=entries(500))["FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName=stream, Records=entries(500))["FailedRecordCount"] == 500


def test_the_meter_starts_fresh_each_second():
    clock = FrozenClock()
    meter = moto_kinesis.ShardMeter(records_per_second=2, bytes_per_second=100, clock=clock)
    shard = ("acct", "region", "stream", "shard-0")
    assert meter.take(shard, 10) and meter.take(shard, 10)
    assert not meter.take(shard, 10)
    assert meter.take(("acct", "region", "stream", "shard-1"), 10)
    clock.now += 1
    assert meter.take(shard, 100)
    assert not meter.take(shard, 1)
