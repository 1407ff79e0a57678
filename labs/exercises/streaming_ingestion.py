"""Exercises of notebook 01-3-streaming-ingestion: retries, shard sizing, Firehose buffering."""

from __future__ import annotations

from typing import Any

from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise, ValueExercise

THROTTLED = "ProvisionedThroughputExceededException"

# ------------------------------------------------------------------------------ q1


def _entry(i: int, key: str = "M01") -> dict[str, Any]:
    return {"Data": f'{{"reading": {i}}}'.encode(), "PartitionKey": key}


def _ok(n: int) -> dict[str, Any]:
    return {"SequenceNumber": f"4960{n:04d}", "ShardId": "shardId-000000000001"}


def _failed(code: str = THROTTLED) -> dict[str, Any]:
    message = "Rate exceeded for shard shardId-000000000001 in stream sensor-events."
    return {"ErrorCode": code, "ErrorMessage": message}


def _response(results: list[dict[str, Any]]) -> dict[str, Any]:
    failed = sum("ErrorCode" in r for r in results)
    return {"FailedRecordCount": failed, "Records": results}


def _reference_records_to_retry(
    entries: list[dict[str, Any]], response: dict[str, Any]
) -> list[dict[str, Any]]:
    return [e for e, r in zip(entries, response["Records"], strict=True) if "ErrorCode" in r]


def _cases() -> list[Case]:
    five = [_entry(i) for i in range(5)]
    return [
        Case(
            args=(five, _response([_ok(i) for i in range(5)])),
            label="records_to_retry(<5 entries>, <no failures>)",
        ),
        Case(
            args=(
                five,
                _response([_ok(0), _failed(), _ok(2), _failed("InternalFailure"), _ok(4)]),
            ),
            label="records_to_retry(<5 entries>, <entries 1 and 3 failed>)",
        ),
        Case(
            args=(five[:3], _response([_failed(), _failed(), _failed()])),
            label="records_to_retry(<3 entries>, <all 3 throttled>)",
        ),
        Case(
            args=(
                [_entry(i, key=f"M{i:02d}") for i in range(4)],
                _response([*map(_ok, range(3)), _failed()]),
            ),
            label="records_to_retry(<4 entries>, <the last one failed>)",
        ),
    ]


def _resend_everything(entries: list[dict[str, Any]], response: dict[str, Any]) -> list[Any]:
    """Resends every record when any failed: the ones that succeeded are written twice."""
    return list(entries) if response["FailedRecordCount"] else []


def _the_successful_ones(entries: list[dict[str, Any]], response: dict[str, Any]) -> list[Any]:
    """Returns the records that succeeded (they have a SequenceNumber): the failed ones have an
    ErrorCode.
    """
    return [e for e, r in zip(entries, response["Records"], strict=True) if "SequenceNumber" in r]


def _the_error_results(entries: list[dict[str, Any]], response: dict[str, Any]) -> list[Any]:
    """Returns the error results, not the records to resend: pair each result with the entry at the
    same position.
    """
    return [r for r in response["Records"] if "ErrorCode" in r]


def _only_throttled(entries: list[dict[str, Any]], response: dict[str, Any]) -> list[Any]:
    """Keeps only the throttled records: an InternalFailure is worth retrying too."""
    return [
        e
        for e, r in zip(entries, response["Records"], strict=True)
        if r.get("ErrorCode") == THROTTLED
    ]


q1 = FunctionExercise(
    title="Pick the records to send again",
    prompt=(
        "Write records_to_retry(entries, response): given the Records you passed to "
        "put_records and the response it returned, return the entries that were NOT "
        "written, in their original order, ready to pass to put_records again."
    ),
    cases=_cases,
    reference_function=_reference_records_to_retry,
    hints=[
        "response['Records'] has one result per entry you sent, in the same order.",
        "A result that failed has an 'ErrorCode' key (and no 'SequenceNumber'); any error "
        "code counts, InternalFailure as well as ProvisionedThroughputExceededException.",
        "zip(entries, response['Records']) pairs each entry with its result: keep the "
        "entry, not the result.",
    ],
    solution=(
        "def records_to_retry(entries, response):\n"
        "    return [\n"
        "        entry\n"
        '        for entry, result in zip(entries, response["Records"])\n'
        '        if "ErrorCode" in result\n'
        "    ]\n"
    ),
    explanation=(
        "PutRecords is not all-or-nothing: FailedRecordCount > 0 with HTTP 200. Resending "
        "everything would write the successful records twice."
    ),
    typical_wrong=[_resend_everything, _the_successful_ones, _the_error_results, _only_throttled],
)

# ------------------------------------------------------------------------------ q2

RECORDS_PER_SECOND = 2_200
BYTES_PER_RECORD = 900


def _shards_needed() -> int:
    by_records = -(-RECORDS_PER_SECOND // 1_000)
    by_bytes = -(-RECORDS_PER_SECOND * BYTES_PER_RECORD // 1_048_576)
    return max(by_records, by_bytes)


q2 = ValueExercise(
    title="Size a provisioned stream",
    prompt=(
        f"Sensors send {RECORDS_PER_SECOND:,} records per second at peak, each "
        f"{BYTES_PER_RECORD} bytes with its partition key, spread evenly over many keys. "
        "What is the fewest shards a provisioned stream needs so that no write is throttled?"
    ),
    expected=_shards_needed,
    rel_tol=0,
    abs_tol=0,
    wrong_answer_reasons=[
        (
            2,
            "Two shards take the bytes (about 1.9 MiB/s at 1 MiB/s each) but not the "
            "records: each shard also takes at most 1,000 records per second.",
        ),
        (
            1,
            "2 MB/s per shard is the READ limit. Writes are limited to 1 MiB/s and 1,000 "
            "records/s per shard.",
        ),
        (2.2, "Shards come in whole numbers: round up."),
        (
            5,
            "That adds the shards for records (3) and for bytes (2). Every shard gives "
            "1,000 records/s AND 1 MiB/s at once: the stream needs the larger count, not the sum.",
        ),
    ],
    hints=[
        "A shard takes at most 1 MiB (1,048,576 bytes) AND 1,000 records per second of writes.",
        "Work out the shards for the records and the shards for the bytes; the stream needs "
        "the larger of the two, rounded up.",
        f"Records: {RECORDS_PER_SECOND:,} / 1,000; bytes: {RECORDS_PER_SECOND:,} x "
        f"{BYTES_PER_RECORD} / 1,048,576.",
    ],
    solution=(
        "import math\n"
        f"by_records = math.ceil({RECORDS_PER_SECOND} / 1_000)\n"
        f"by_bytes = math.ceil({RECORDS_PER_SECOND} * {BYTES_PER_RECORD} / 1_048_576)\n"
        "shards_needed = max(by_records, by_bytes)  # 3\n"
    ),
    explanation=(
        "Small records hit the 1,000 records/s limit before the 1 MiB/s one. On-demand mode "
        "would size the stream for you."
    ),
)

# ------------------------------------------------------------------------------ q3

EXERCISE_STREAM = "sensor-archive-ex"
EXERCISE_PREFIX = "exercises/firehose/"


def _destination(lab: Any, name: str) -> dict[str, Any] | None:
    firehose = lab.client("firehose")
    try:
        described = firehose.describe_delivery_stream(DeliveryStreamName=name)
    except firehose.exceptions.ResourceNotFoundException:
        return None
    destinations = described["DeliveryStreamDescription"]["Destinations"]
    if not destinations:
        return {}
    first = destinations[0]
    return first.get("ExtendedS3DestinationDescription") or first.get(
        "S3DestinationDescription", {}
    )


def _check_firehose(answer: Any, lab: Any) -> CheckResult:
    if not isinstance(answer, str) or not answer.strip():
        return CheckResult.fail(
            f"Give the Firehose stream's name as a string, e.g. {EXERCISE_STREAM!r}."
        )
    destination = _destination(lab, answer.strip())
    if destination is None:
        return CheckResult.fail(
            f"There is no Firehose stream called {answer.strip()!r}: create it with "
            "firehose.create_delivery_stream first."
        )
    if destination.get("BucketARN") != f"arn:aws:s3:::{lab.bucket}":
        return CheckResult.fail(
            f"It delivers to {destination.get('BucketARN')}, not to the kit bucket "
            f"(arn:aws:s3:::{lab.bucket})."
        )
    prefix = destination.get("Prefix", "")
    if not prefix.startswith(EXERCISE_PREFIX):
        return CheckResult.fail(
            f"Its prefix is {prefix!r}: objects must land below {EXERCISE_PREFIX!r}."
        )
    hints = destination.get("BufferingHints", {})
    size, interval = hints.get("SizeInMBs"), hints.get("IntervalInSeconds")
    if (size, interval) == (5, 300):
        return CheckResult.fail(
            "The buffering hints are the defaults (5 MiB, 300 s). Set BufferingHints to "
            "SizeInMBs=64 and IntervalInSeconds=120."
        )
    if (size, interval) == (120, 64):
        return CheckResult.fail(
            "Size and interval are swapped: SizeInMBs is the size (64), IntervalInSeconds "
            "the time (120)."
        )
    if (size, interval) != (64, 120):
        return CheckResult.fail(
            f"The buffer is {size} MiB / {interval} s; the task asks for 64 MiB or 120 s."
        )
    if destination.get("CompressionFormat") != "GZIP":
        return CheckResult.fail(
            f"CompressionFormat is {destination.get('CompressionFormat', 'UNCOMPRESSED')}: "
            "compress with GZIP (Athena and Glue read gzipped JSON Lines as they are)."
        )
    return CheckResult.ok(
        "Firehose will write an object when 64 MiB have arrived or 120 s have passed, "
        "whichever comes first, gzipped, below " + prefix
    )


def _create(lab: Any, name: str, prefix: str, size: int, interval: int, compression: str) -> str:
    firehose = lab.client("firehose")
    if _destination(lab, name) is not None:
        firehose.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True)
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": lab.data_services_role_arn,
            "BucketARN": f"arn:aws:s3:::{lab.bucket}",
            "Prefix": prefix,
            "ErrorOutputPrefix": "exercises/firehose-errors/",
            "BufferingHints": {"SizeInMBs": size, "IntervalInSeconds": interval},
            "CompressionFormat": compression,
        },
    )
    return name


def _reference_firehose(lab: Any) -> str:
    return _create(lab, EXERCISE_STREAM, EXERCISE_PREFIX, 64, 120, "GZIP")


def _typical_wrong_firehose(lab: Any) -> list[Any]:
    return [
        _create(lab, "ex-defaults", EXERCISE_PREFIX, 5, 300, "GZIP"),
        _create(lab, "ex-swapped", EXERCISE_PREFIX, 120, 64, "GZIP"),
        _create(lab, "ex-plain", EXERCISE_PREFIX, 64, 120, "UNCOMPRESSED"),
        _create(lab, "ex-elsewhere", "raw/", 64, 120, "GZIP"),
        "no-such-stream",
        42,
    ]


q3 = CustomExercise(
    title="Buffer a Firehose stream for bigger objects",
    prompt=(
        f"Create a Firehose stream called {EXERCISE_STREAM!r} (DirectPut) that writes to the "
        f"kit bucket below {EXERCISE_PREFIX!r}, buffers up to 64 MiB or 120 seconds, and "
        "compresses with GZIP. Give the check the stream's name."
    ),
    check=_check_firehose,
    hints=[
        "Copy the create_delivery_stream call above and change its name, Prefix, "
        "BufferingHints and CompressionFormat.",
        "BufferingHints={'SizeInMBs': 64, 'IntervalInSeconds': 120}; Firehose delivers when "
        "the first of the two is reached.",
        "CompressionFormat='GZIP'; then q3.check('sensor-archive-ex').",
    ],
    solution=(
        "firehose.create_delivery_stream(\n"
        f'    DeliveryStreamName="{EXERCISE_STREAM}",\n'
        '    DeliveryStreamType="DirectPut",\n'
        "    ExtendedS3DestinationConfiguration={\n"
        '        "RoleARN": lab.data_services_role_arn,\n'
        '        "BucketARN": f"arn:aws:s3:::{lab.bucket}",\n'
        f'        "Prefix": "{EXERCISE_PREFIX}",\n'
        '        "ErrorOutputPrefix": "exercises/firehose-errors/",\n'
        '        "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 120},\n'
        '        "CompressionFormat": "GZIP",\n'
        "    },\n"
        ")\n"
        f'archive_stream = "{EXERCISE_STREAM}"\n'
    ),
    reference=_reference_firehose,
    typical_wrong=_typical_wrong_firehose,
)
