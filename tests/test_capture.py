"""Data capture (labs.runtime.capture) writes SageMaker's capture format to S3.

Each test gives its :class:`CaptureWriter` a fresh S3 prefix in the lab bucket, invokes
``record()`` as the endpoint code does, flushes, and reads the objects back. The record
fields, the key layout (``<dest>/<endpoint>/<variant>/yyyy/mm/dd/hh/MM-SS-mmm-<uuid>.jsonl``)
and the encodings follow the SageMaker Developer Guide, "Capture data from real-time
endpoint".
"""

from __future__ import annotations

import base64
import json
import random
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from labs.runtime import capture
from labs.runtime.capture import CaptureConfigError, CaptureWriter, read_captures

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
BOTH = [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]
HEADER = {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]}


@pytest.fixture
def s3(lab: Any) -> Any:
    return lab.client("s3")


@pytest.fixture
def destination(lab: Any) -> str:
    return lab.s3_uri("capture-tests", uuid.uuid4().hex)


def config(destination: str, **changes: Any) -> dict[str, Any]:
    """A DataCaptureConfig as boto3 takes it: everything captured, CSV and JSON as text."""
    base = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": destination,
        "CaptureOptions": BOTH,
        "CaptureContentTypeHeader": HEADER,
    }
    base.update(changes)
    return base


def keys_under(s3: Any, uri: str) -> list[str]:
    bucket, _, prefix = uri[5:].partition("/")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def test_record_format_and_key_layout(s3: Any, destination: str) -> None:
    writer = CaptureWriter(config(destination), s3, "churn-ep")
    assert writer.record("AllTraffic", b"1,2,3\n", "text/csv", b"0.25", "text/csv; charset=utf-8")
    assert writer.record("AllTraffic", b"4,5,6\n", "text/csv", b"0.75", "text/csv", "req-42")
    assert writer.flush()

    keys = keys_under(s3, destination)
    prefix = destination.split("/", 3)[3]
    hour = r"\d{4}/\d{2}/\d{2}/\d{2}"
    layout = rf"{prefix}/churn-ep/AllTraffic/{hour}/\d{{2}}-\d{{2}}-\d{{3}}-{UUID}\.jsonl"
    assert len(keys) == 1 and re.fullmatch(layout, keys[0]), keys
    records = read_captures(s3, destination)
    assert len(records) == 2
    first, second = records
    assert set(first) == {"captureData", "eventMetadata", "eventVersion"}
    assert first["eventVersion"] == "0"
    assert first["captureData"] == {
        "endpointInput": {
            "observedContentType": "text/csv",
            "mode": "INPUT",
            "data": "1,2,3\n",
            "encoding": "CSV",
        },
        "endpointOutput": {
            "observedContentType": "text/csv; charset=utf-8",
            "mode": "OUTPUT",
            "data": "0.25",
            "encoding": "CSV",
        },
    }
    metadata = first["eventMetadata"]
    assert set(metadata) == {"eventId", "inferenceTime"}
    assert re.fullmatch(UUID, metadata["eventId"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", metadata["inferenceTime"])
    # The hour folder is the UTC hour of the inference.
    when = datetime.strptime(metadata["inferenceTime"], "%Y-%m-%dT%H:%M:%SZ")
    assert f"/{when:%Y/%m/%d/%H}/" in keys[0]
    assert second["eventMetadata"]["inferenceId"] == "req-42"
    assert second["eventMetadata"]["eventId"] != metadata["eventId"]
    writer.close()


def test_one_object_per_variant_and_hour(s3: Any, destination: str) -> None:
    start = datetime(2026, 11, 29, 4, 59, 58, 123000, tzinfo=UTC)
    times = iter([start, start + timedelta(seconds=1), start + timedelta(seconds=3), start])
    writer = CaptureWriter(config(destination), s3, "ep", clock=lambda: next(times))
    for variant in ("Blue", "Blue", "Blue", "Green"):
        writer.record(variant, b"1", "text/csv", b"2", "text/csv")
    writer.close()

    relative = [key.split("/ep/", 1)[1] for key in keys_under(s3, destination)]
    folders = sorted(key.rsplit("/", 1)[0] for key in relative)
    assert folders == ["Blue/2026/11/29/04", "Blue/2026/11/29/05", "Green/2026/11/29/04"]
    assert any(re.fullmatch(rf"Blue/2026/11/29/04/59-58-123-{UUID}\.jsonl", k) for k in relative)
    times_read = [r["eventMetadata"]["inferenceTime"] for r in read_captures(s3, destination)]
    assert times_read == sorted(times_read)
    assert times_read[-1] == "2026-11-29T05:00:01Z"


def test_csv_json_and_base64_encodings(s3: Any, destination: str) -> None:
    writer = CaptureWriter(config(destination), s3, "ep")
    image = bytes(range(256))
    writer.record("v", b'{"instances": [1, 2]}', "application/json", image, "image/png")
    writer.record("v", b"\xff\xfe not utf-8", "text/csv", b"1", "text/csv")
    writer.close()

    json_in, bad_csv = read_captures(s3, destination)
    assert json_in["captureData"]["endpointInput"]["encoding"] == "JSON"
    assert json_in["captureData"]["endpointInput"]["data"] == '{"instances": [1, 2]}'
    output = json_in["captureData"]["endpointOutput"]
    assert output["encoding"] == "BASE64" and output["observedContentType"] == "image/png"
    assert base64.b64decode(output["data"]) == image
    assert capture.decode_payload(output) == image
    # Bytes that are not UTF-8 cannot be stored as CSV text: they fall back to BASE64.
    assert bad_csv["captureData"]["endpointInput"]["encoding"] == "BASE64"
    assert capture.decode_payload(bad_csv["captureData"]["endpointInput"]) == b"\xff\xfe not utf-8"


def test_without_a_content_type_header_everything_is_base64(s3: Any, destination: str) -> None:
    settings = config(destination)
    del settings["CaptureContentTypeHeader"]
    writer = CaptureWriter(settings, s3, "ep")
    writer.record("v", b"1,2", "text/csv", b'{"p": 1}', "application/json")
    writer.close()

    (record,) = read_captures(s3, destination)
    for part, body in (("endpointInput", b"1,2"), ("endpointOutput", b'{"p": 1}')):
        assert record["captureData"][part]["encoding"] == "BASE64"
        assert base64.b64decode(record["captureData"][part]["data"]) == body


@pytest.mark.parametrize(
    ("modes", "present"),
    [
        ([{"CaptureMode": "Input"}], {"endpointInput"}),
        ([{"CaptureMode": "Output"}], {"endpointOutput"}),
    ],
)
def test_input_only_and_output_only(
    s3: Any, destination: str, modes: list[dict[str, str]], present: set[str]
) -> None:
    writer = CaptureWriter(config(destination, CaptureOptions=modes), s3, "ep")
    writer.record("v", b"1,2", "text/csv", b"0.5", "text/csv")
    writer.close()

    (record,) = read_captures(s3, destination)
    assert set(record["captureData"]) == present


def test_sampling_100_and_0_percent(s3: Any, destination: str) -> None:
    everything = CaptureWriter(config(destination + "/all"), s3, "ep")
    nothing = CaptureWriter(config(destination + "/none", InitialSamplingPercentage=0), s3, "ep")
    for _ in range(300):
        everything.record("v", b"1", "text/csv", b"1", "text/csv")
        nothing.record("v", b"1", "text/csv", b"1", "text/csv")
    everything.close()
    nothing.close()

    assert len(read_captures(s3, destination + "/all")) == 300
    assert nothing.stats() == {"captured": 0, "skipped": 300, "written": 0, "failed": 0}
    assert keys_under(s3, destination + "/none") == []


def test_sampling_30_percent_within_statistical_bounds(s3: Any, destination: str) -> None:
    trials = 3000
    writer = CaptureWriter(config(destination, InitialSamplingPercentage=30), s3, "ep")
    kept = sum(writer.record("v", b"1", "text/csv", b"1", "text/csv") for _ in range(trials))
    writer.close()

    # Binomial(3000, 0.3): mean 900, sd 25.1; 4.5 sd leaves a 1-in-100,000 chance of a miss.
    assert abs(kept - 900) < 4.5 * (trials * 0.3 * 0.7) ** 0.5
    assert writer.stats()["skipped"] == trials - kept
    assert len(read_captures(s3, destination)) == kept


def test_seeded_sampling_is_reproducible(s3: Any, destination: str) -> None:
    def decisions(seed: int) -> list[bool]:
        writer = CaptureWriter(
            config(destination, InitialSamplingPercentage=30, EnableCapture=True),
            s3,
            f"ep-{seed}-{uuid.uuid4().hex[:6]}",
            rng=random.Random(seed),
        )
        made = [writer.record("v", b"1", "text/csv", b"1", "text/csv") for _ in range(200)]
        writer.close()
        return made

    assert decisions(7) == decisions(7)
    assert decisions(7) != decisions(8)


def test_disabled_capture_records_nothing(s3: Any, destination: str) -> None:
    writer = CaptureWriter(config(destination, EnableCapture=False), s3, "ep")
    assert not writer.record("v", b"1", "text/csv", b"1", "text/csv")
    writer.close()
    assert keys_under(s3, destination) == []


def test_flush_under_concurrent_records_from_8_threads(s3: Any, destination: str) -> None:
    writer = CaptureWriter(config(destination), s3, "ep", linger=0.05)
    start = threading.Barrier(8)

    def send(thread: int) -> None:
        start.wait()
        for i in range(150):
            body = f"{thread},{i}".encode()
            writer.record(f"v{thread % 2}", body, "text/csv", b"0", "text/csv", f"{thread}-{i}")

    threads = [threading.Thread(target=send, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    # Flushes racing the senders must each return once what was queued before them is in S3.
    for _ in range(3):
        queued = writer.stats()["captured"]
        assert writer.flush()
        assert writer.stats()["written"] >= queued
    for thread in threads:
        thread.join()
    assert capture.flush_all()

    records = read_captures(s3, destination)
    assert len(records) == 1200
    assert len({r["eventMetadata"]["eventId"] for r in records}) == 1200
    sent = {f"{t}-{i}" for t in range(8) for i in range(150)}
    assert {r["eventMetadata"]["inferenceId"] for r in records} == sent
    assert writer.stats() == {"captured": 1200, "skipped": 0, "written": 1200, "failed": 0}
    writer.close()


def test_an_s3_failure_never_reaches_the_caller(s3: Any, lab: Any, caplog: Any) -> None:
    missing_bucket = f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/capture"
    writer = CaptureWriter(config(missing_bucket), s3, "ep")
    for _ in range(5):
        assert writer.record("v", b"1,2", "text/csv", b"0.5", "text/csv") is True
    assert writer.flush()  # returns: the records are done with, though lost
    writer.close()

    assert writer.stats() == {"captured": 5, "skipped": 0, "written": 0, "failed": 5}
    assert "NoSuchBucket" in (writer.last_error or "")
    assert any("lost 5 record(s)" in message for message in caplog.messages)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"InitialSamplingPercentage": 150}, "0 to 100"),
        ({"DestinationS3Uri": "bucket/prefix"}, "s3://bucket/prefix"),
        ({"CaptureOptions": []}, "at least one"),
        ({"CaptureOptions": [{"CaptureMode": "Everything"}]}, "'Input'"),
    ],
)
def test_bad_config_is_a_clear_error(
    s3: Any, destination: str, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(CaptureConfigError, match=message):
        CaptureWriter(config(destination, **changes), s3, "ep")


def test_capture_uri_and_kms_key_accepted(s3: Any, destination: str) -> None:
    writer = CaptureWriter(config(destination + "/", KmsKeyId="alias/capture"), s3, "ep")
    assert writer.kms_key_id == "alias/capture"
    assert writer.destination == destination + "/ep"
    assert capture.capture_uri(destination + "/", "ep", "AllTraffic") == (
        f"{destination}/ep/AllTraffic/"
    )
    writer.record("AllTraffic", b"1", "text/csv", b"1", "text/csv")
    writer.close()
    assert len(read_captures(s3, capture.capture_uri(destination, "ep", "AllTraffic"))) == 1
    record = json.dumps(read_captures(s3, destination)[0])
    assert '"encoding": "CSV"' in record
