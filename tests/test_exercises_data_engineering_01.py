"""Exercise-specific tests for labs 01-1 and 01-2: the checks' logic beyond the shared harness
(which reasons a learner sees, and the rules the checks accept)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from labs.exercises import Status
from labs.exercises import data_repositories as repos
from labs.exercises import ingestion_and_formats as formats


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def _message(exercise, answer, lab=None) -> tuple[Status, str]:
    result = exercise.check(answer, lab=lab, show=False)
    return result.status, result.message


def test_lifecycle_rules_accept_equivalent_forms():
    rules = copy.deepcopy(repos.q1.reference())
    # Two rules instead of one, and the older top-level Prefix, mean the same to S3.
    split = [
        {k: v for k, v in rules[0].items() if k != "NoncurrentVersionExpiration"},
        {
            "ID": "old",
            "Status": "Enabled",
            "Prefix": "raw/",
            "Filter": {},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        },
    ]
    assert _message(repos.q1, split)[0] is Status.CORRECT


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r[0]["Transitions"].reverse(), None),  # order in the list does not matter
        (
            lambda r: r[0]["Transitions"][1].update(StorageClass="DEEP_ARCHIVE"),
            "API name is GLACIER",
        ),
        (lambda r: r[0]["Transitions"][0].update(Days=45), "30 days old should be in STANDARD_IA"),
        (lambda r: r[0].update(Status="Disabled"), "30 days old should be in STANDARD_IA"),
        (lambda r: r[0]["Expiration"].update(Days=60), "must come after the last transition"),
    ],
)
def test_lifecycle_rule_reasons(change, reason):
    rules = copy.deepcopy(repos.q1.reference())
    change(rules)
    status, message = _message(repos.q1, rules)
    if reason is None:
        assert status is Status.CORRECT, message
    else:
        assert status is Status.INCORRECT and reason in message


def test_storage_choices_are_normalised():
    answer = {"a": "file", "b": "Fast File", "c": "PIPE", "d": "fsx", "e": "Amazon EFS"}
    assert _message(repos.q2, answer)[0] is Status.CORRECT
    status, message = _message(repos.q2, dict(answer, c="FastFile"))
    assert status is Status.INCORRECT and message.startswith("Scenario c: not FastFile.")


def test_bucket_policy_as_json_text_and_vpce_extras(lab):
    import json

    policy = repos.q3.reference(lab)
    assert _message(repos.q3, json.dumps(policy), lab)[0] is Status.CORRECT
    # An extra Deny that does not touch the seven requests keeps the policy correct.
    extra = copy.deepcopy(policy)
    extra["Statement"].append(
        {
            "Sid": "DenyDeletes",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:DeleteObject",
            "Resource": f"arn:aws:s3:::{repos.lake_bucket_name(lab)}/*",
        }
    )
    assert _message(repos.q3, extra, lab)[0] is Status.CORRECT
    # A policy for another bucket protects nothing here.
    other = json.loads(json.dumps(policy).replace(repos.lake_bucket_name(lab), "some-other-bucket"))
    status, message = _message(repos.q3, other, lab)
    assert status is Status.INCORRECT and "lets through" in message


def test_formats_accept_aliases():
    answer = {"a": "recordio-protobuf", "b": "jsonl", "c": "parquet", "d": "csv"}
    assert _message(formats.q1, answer)[0] is Status.CORRECT


def test_sql_check_tells_pruning_from_wrong_numbers(lab):
    good = formats.q2.reference()
    assert _message(formats.q2, good, lab)[0] is Status.CORRECT
    as_numbers = good.replace(
        "year = '2024' AND month = '03'", "CAST(year AS INT) = 2024 AND CAST(month AS INT) = 3"
    )
    status, message = _message(formats.q2, as_numbers, lab)
    assert status is Status.INCORRECT and "text values" in message  # DuckDB cannot prune a cast
    by_date = good.replace(
        "year = '2024' AND month = '03'", "date >= '2024-03-01' AND date < '2024-04-01'"
    )
    status, message = _message(formats.q2, by_date, lab)
    assert status is Status.INCORRECT and "numbers are right" in message and "36 objects" in message
    wrong_month = good.replace("month = '03'", "month = '04'")
    status, message = _message(formats.q2, wrong_month, lab)
    assert status is Status.INCORRECT and "not those of March 2024" in message


def test_ensure_table_is_idempotent(lab):
    first = formats.ensure_table(lab)
    glue = lab.client("glue")
    before = len(
        glue.get_partitions(DatabaseName=formats.DATABASE, TableName=formats.TABLE)["Partitions"]
    )
    assert formats.ensure_table(lab) == first
    after = len(
        glue.get_partitions(DatabaseName=formats.DATABASE, TableName=formats.TABLE)["Partitions"]
    )
    assert before == after == 36
