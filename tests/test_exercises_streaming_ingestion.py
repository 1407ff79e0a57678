"""Exercise-specific checks of labs/exercises/streaming_ingestion.py (beyond the harness)."""

from __future__ import annotations

import pytest

from labs.exercises import Status
from labs.exercises import streaming_ingestion as ex


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_q1_accepts_any_correct_way_of_finding_failures():
    def by_missing_sequence_number(entries, response):
        return [
            e
            for e, r in zip(entries, response["Records"], strict=True)
            if "SequenceNumber" not in r
        ]

    assert ex.q1.check(by_missing_sequence_number, show=False).correct


def test_q1_says_which_case_failed():
    def resend_everything(entries, response):
        return list(entries)

    result = ex.q1.check(resend_everything, show=False)
    assert result.status is Status.INCORRECT
    assert "<no failures>" in result.message


def test_q2_expects_three_shards_and_explains_each_mistake():
    assert ex.q2.expected() == 3
    assert ex.q2.check(3, show=False).correct
    assert "1,000 records per second" in ex.q2.check(2, show=False).message
    assert "READ limit" in ex.q2.check(1, show=False).message
    assert "larger count, not the sum" in ex.q2.check(5, show=False).message
    assert "round up" in ex.q2.check(2.2, show=False).message


@pytest.mark.parametrize(
    ("name", "size", "interval", "compression", "prefix", "reason"),
    [
        ("t-swapped", 120, 64, "GZIP", ex.EXERCISE_PREFIX, "swapped"),
        ("t-defaults", 5, 300, "GZIP", ex.EXERCISE_PREFIX, "the defaults"),
        ("t-small", 16, 60, "GZIP", ex.EXERCISE_PREFIX, "16 MiB / 60 s"),
        ("t-plain", 64, 120, "UNCOMPRESSED", ex.EXERCISE_PREFIX, "compress with GZIP"),
        ("t-prefix", 64, 120, "GZIP", "raw/", "must land below"),
    ],
)
def test_q3_names_what_is_wrong_with_the_stream(
    lab, name, size, interval, compression, prefix, reason
):
    ex._create(lab, name, prefix, size, interval, compression)
    result = ex.q3.check(name, lab=lab, show=False)
    assert result.status is Status.INCORRECT
    assert reason in result.message


def test_q3_reports_a_missing_stream_and_a_non_name(lab):
    assert "There is no Firehose stream" in ex.q3.check("nope", lab=lab, show=False).message
    assert "as a string" in ex.q3.check(["x"], lab=lab, show=False).message
