"""Helpers of lab 05-5: PII masking, IAM simulation tables, files from model.tar.gz."""

from __future__ import annotations

import io
import tarfile

import pandas as pd
import pytest

from labs.exercises.security import _bucket_wrong, _check_bucket_policy, _reference_bucket
from labs.operations import pii
from labs.operations.artifact_files import read_artifact_json
from labs.operations.iam_simulation import context_entries, simulate

TEXT = (
    "Jane Doe, jane.doe@example.com, (555) 123-4567, SSN 123-45-6789, "
    "card 4111 1111 1111 1111, order 1234567812345678"
)


def test_find_pii_reports_comprehend_shaped_entities():
    found = pii.find_pii(TEXT)
    assert [(e.Type, e.text(TEXT)) for e in found] == [
        ("EMAIL", "jane.doe@example.com"),
        ("PHONE", "(555) 123-4567"),
        ("SSN", "123-45-6789"),
        ("CREDIT_DEBIT_NUMBER", "4111 1111 1111 1111"),
    ]  # no NAME: patterns cannot find names; the order number fails the Luhn check


def test_luhn():
    assert pii.luhn_valid("4111-1111-1111-1111")
    assert not pii.luhn_valid("1234567812345678")
    assert not pii.luhn_valid("4111")


def test_mask_text_and_unknown_types():
    assert pii.mask_text("mail a@b.io now") == "mail [EMAIL] now"
    assert pii.find_pii(TEXT, types=["SSN"])[0].Type == "SSN"
    with pytest.raises(ValueError, match="unknown PII type"):
        pii.find_pii(TEXT, types=["NAME"])


def test_mask_frame_masks_text_columns_and_counts():
    frame = pd.DataFrame(
        {"id": [1, 2], "note": ["call 555-123-4567", None], "mail": ["x@y.com", "none"]}
    )
    masked, counts = pii.mask_frame(frame)
    assert masked["note"].iloc[0] == "call [PHONE]" and pd.isna(masked["note"].iloc[1])
    assert masked["mail"].tolist() == ["[EMAIL]", "none"]
    assert frame["mail"].iloc[0] == "x@y.com"  # the original is untouched
    assert counts.loc["note", "PHONE"] == 1 and counts.loc["mail", "EMAIL"] == 1
    assert counts.to_numpy().sum() == 2
    with pytest.raises(ValueError, match="no column"):
        pii.mask_frame(frame, ["nope"])


def test_context_entries_types():
    assert context_entries({"a": "x", "b": True, "c": 3, "d": ["p", "q"]}) == [
        {"ContextKeyName": "a", "ContextKeyValues": ["x"], "ContextKeyType": "string"},
        {"ContextKeyName": "b", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"},
        {"ContextKeyName": "c", "ContextKeyValues": ["3"], "ContextKeyType": "numeric"},
        {"ContextKeyName": "d", "ContextKeyValues": ["p", "q"], "ContextKeyType": "string"},
    ]


def test_simulate_a_role_and_a_policy(lab):
    iam = lab.client("iam")
    objects = [f"arn:aws:s3:::{lab.bucket}/a.csv", "arn:aws:s3:::elsewhere/a.csv"]
    table = simulate(iam, ["s3:GetObject", "s3:DeleteBucket"], objects, role_arn=lab.role_arn)
    assert table[["action", "allowed"]].values.tolist() == [
        ["s3:GetObject", True],
        ["s3:GetObject", False],
        ["s3:DeleteBucket", False],
        ["s3:DeleteBucket", False],
    ]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            }
        ],
    }
    bare = simulate(iam, ["iam:PassRole"], [lab.role_arn], policy=policy)
    assert bare["decision"].tolist() == ["implicitDeny"]
    assert bare["missing_context"].tolist() == [["iam:PassedToService"]]
    ok = simulate(
        iam,
        ["iam:PassRole"],
        [lab.role_arn],
        policy=policy,
        context={"iam:PassedToService": "sagemaker.amazonaws.com"},
    )
    assert ok["allowed"].tolist() == [True]
    with pytest.raises(ValueError, match="either role_arn"):
        simulate(iam, ["s3:GetObject"])


def test_read_artifact_json(lab):
    s3 = lab.client("s3")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        body = b'{"reached": false}'
        info = tarfile.TarInfo("network.json")
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
    s3.put_object(Bucket=lab.bucket, Key="tests/artifacts/model.tar.gz", Body=buffer.getvalue())
    uri = lab.s3_uri("tests/artifacts/model.tar.gz")
    assert read_artifact_json(s3, uri, "network.json") == {"reached": False}
    with pytest.raises(ValueError, match=r"it holds: network\.json"):
        read_artifact_json(s3, uri, "other.json")
    with pytest.raises(ValueError, match="expected s3://"):
        read_artifact_json(s3, "model.tar.gz", "network.json")


def test_bucket_policy_check_names_the_backwards_condition_first(lab):
    wrong = _bucket_wrong(lab)
    backwards = _check_bucket_policy(wrong[1], lab)
    assert not backwards and "denies even a PutObject with SSE-KMS" in backwards.message
    assert _check_bucket_policy(_reference_bucket(lab), lab)
