"""Exercises of notebook 00-start-here: an S3 read and an object encrypted with SSE-KMS."""

from __future__ import annotations

import io
from typing import Any

from labs.exercises.core import CheckResult, CustomExercise, ValueExercise

_CHURN_KEY_HINT = 'bucket, key = churn_uri.removeprefix("s3://").split("/", 1)'


def _rows_in_s3(lab: Any) -> int:
    """Data rows of the churn CSV as stored in the kit bucket."""
    import pandas as pd

    bucket, key = lab.ensure_dataset("churn").removeprefix("s3://").split("/", 1)
    body = lab.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return len(pd.read_csv(io.BytesIO(body)))


q1 = ValueExercise(
    title="Count the rows of the churn data in S3",
    prompt=(
        "Read the churn CSV back from S3 with s3.get_object and count its data rows "
        "(customers, not the header line)."
    ),
    expected=_rows_in_s3,
    rel_tol=0,
    abs_tol=0,
    wrong_answer_reasons=lambda n: {
        n + 1: "That counts the header line as a row: count customers only.",
        200: "That is the 200-row sample from the round trip: read the object at churn_uri.",
    },
    hints=[
        "s3.get_object(Bucket=..., Key=...) returns a dict; its 'Body' is a stream you .read().",
        f"Split the URI first: {_CHURN_KEY_HINT}; then pd.read_csv(io.BytesIO(body)).",
        "len() of the DataFrame is the number of data rows: the header is not a row.",
    ],
    solution=(
        f"{_CHURN_KEY_HINT}\n"
        'body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()\n'
        "row_count = len(pd.read_csv(io.BytesIO(body)))\n"
    ),
    reference=_rows_in_s3,
)


def _kms_key_arn(lab: Any, key_id: str) -> str | None:
    try:
        return lab.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    except Exception:
        return None


def _check_encrypted_object(answer: Any, lab: Any) -> CheckResult:
    if not isinstance(answer, str) or not answer.strip():
        return CheckResult.fail("Give the object's key as a string, like 'exercises/secret.txt'.")
    key = answer.strip()
    if key.startswith("s3://"):
        bucket, _, key = key.removeprefix("s3://").partition("/")
        if bucket != lab.bucket:
            return CheckResult.fail(f"Use the kit bucket ({lab.bucket}), not {bucket}.")
    if not key.startswith("exercises/"):
        return CheckResult.fail(f"The key {key!r} is not below exercises/: put the object there.")
    s3 = lab.client("s3")
    try:
        head = s3.head_object(Bucket=lab.bucket, Key=key)
    except s3.exceptions.ClientError:
        return CheckResult.fail(
            f"There is no object at s3://{lab.bucket}/{key}: upload it with s3.put_object first."
        )
    encryption = head.get("ServerSideEncryption")
    if encryption != "aws:kms":
        used = "SSE-S3 (AES256), the default" if encryption in (None, "AES256") else encryption
        return CheckResult.fail(
            f"The object is encrypted with {used}, not SSE-KMS: pass "
            "ServerSideEncryption='aws:kms' to put_object."
        )
    if _kms_key_arn(lab, head.get("SSEKMSKeyId", "")) != lab.kms_key_arn:
        return CheckResult.fail(
            f"The object uses SSE-KMS, but with the key {head.get('SSEKMSKeyId')}, not the kit's "
            "key: pass SSEKMSKeyId=lab.kms_key_arn."
        )
    body = s3.get_object(Bucket=lab.bucket, Key=key)["Body"].read()
    if body != b"customer list":
        return CheckResult.fail(f'The object holds {body[:40]!r}, not b"customer list".')
    return CheckResult.ok(
        f"s3://{lab.bucket}/{key} is encrypted with SSE-KMS under the kit's key: reading it "
        "now needs kms:Decrypt on that key, and CloudTrail records each use."
    )


def _put(lab: Any, key: str, **encryption: str) -> str:
    lab.client("s3").put_object(Bucket=lab.bucket, Key=key, Body=b"customer list", **encryption)
    return key


def _reference_encrypted(lab: Any) -> str:
    return _put(
        lab,
        "exercises/reference-secret.txt",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=lab.kms_key_arn,
    )


def _typical_wrong_encrypted(lab: Any) -> list[Any]:
    other_key = lab.client("kms").create_key(Description="not the kit key")["KeyMetadata"]["Arn"]
    return [
        _put(lab, "exercises/sse-s3.txt", ServerSideEncryption="AES256"),
        _put(lab, "exercises/other-key.txt", ServerSideEncryption="aws:kms", SSEKMSKeyId=other_key),
        "exercises/never-uploaded.txt",
        "start-here/curated/features.csv",
        42,
    ]


q2 = CustomExercise(
    title="Store an object encrypted with the kit's KMS key",
    prompt=(
        'Upload b"customer list" below exercises/ in the kit bucket, encrypted with SSE-KMS '
        "under the kit's key (lab.kms_key_arn), and give the check the object's key."
    ),
    check=_check_encrypted_object,
    hints=[
        "s3.put_object takes the encryption as parameters of the same call.",
        "ServerSideEncryption='aws:kms' picks SSE-KMS; SSEKMSKeyId picks the key.",
        "Then pass the key string itself, e.g. q2.check('exercises/secret.txt').",
    ],
    solution=(
        'secret_key = "exercises/secret.txt"\n'
        "s3.put_object(\n"
        "    Bucket=lab.bucket,\n"
        "    Key=secret_key,\n"
        '    Body=b"customer list",\n'
        '    ServerSideEncryption="aws:kms",\n'
        "    SSEKMSKeyId=lab.kms_key_arn,\n"
        ")\n"
    ),
    reference=_reference_encrypted,
    typical_wrong=_typical_wrong_encrypted,
)
