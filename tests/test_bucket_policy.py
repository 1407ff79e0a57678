"""labs.bucket_policy: a bucket policy's verdict on one request, as IAM evaluates it."""

from __future__ import annotations

import json

import pytest

from labs.bucket_policy import ALLOWED, DENIED, NOT_DECIDED, decide, request_context

BUCKET = "lake"
OBJECTS = f"arn:aws:s3:::{BUCKET}/*"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", OBJECTS],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOtherEncryption",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": OBJECTS,
            "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
        },
    ],
}


@pytest.mark.parametrize(
    ("action", "tls", "sse", "verdict", "sid"),
    [
        ("s3:PutObject", True, "aws:kms", NOT_DECIDED, None),
        ("s3:PutObject", True, "AES256", DENIED, "DenyOtherEncryption"),
        # No header: the negated operator is true for a missing key, so this is denied too.
        ("s3:PutObject", True, None, DENIED, "DenyOtherEncryption"),
        ("s3:PutObject", False, "aws:kms", DENIED, "DenyInsecureTransport"),
        ("s3:GetObject", True, None, NOT_DECIDED, None),
        ("s3:GetObject", False, None, DENIED, "DenyInsecureTransport"),
    ],
)
def test_verdicts(action, tls, sse, verdict, sid):
    decision = decide(
        POLICY,
        action,
        f"arn:aws:s3:::{BUCKET}/raw/a.csv",
        request_context(secure_transport=tls, sse=sse),
    )
    assert (decision.verdict, decision.statement) == (verdict, sid)


def test_json_text_allow_and_principals():
    allow = {
        "Statement": [
            {
                "Sid": "ReadForTheRole",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/Reader"},
                "Action": "s3:GetObject",
                "Resource": OBJECTS,
            }
        ]
    }
    text = json.dumps(allow)
    reader = "arn:aws:iam::123456789012:role/Reader"
    assert (
        decide(text, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/k", caller=reader).verdict == ALLOWED
    )
    assert decide(text, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/k", caller="other").verdict == (
        NOT_DECIDED
    )


def test_if_exists_and_null_operators():
    null_policy = {
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": OBJECTS,
                "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}},
            }
        ]
    }
    key = f"arn:aws:s3:::{BUCKET}/k"
    assert decide(null_policy, "s3:PutObject", key, request_context()).verdict == DENIED
    assert decide(null_policy, "s3:PutObject", key, request_context(sse="AES256")).verdict == (
        NOT_DECIDED
    )
    if_exists = {
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": OBJECTS,
                "Condition": {
                    "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}
                },
            }
        ]
    }
    # ...IfExists: a missing key makes the condition true, so the Deny applies.
    assert decide(if_exists, "s3:PutObject", key, request_context()).verdict == DENIED
    kms = request_context(sse="aws:kms")
    assert decide(if_exists, "s3:PutObject", key, kms).verdict == NOT_DECIDED


def test_a_malformed_policy_is_refused():
    with pytest.raises(ValueError, match="Statement"):
        decide({"Version": "2012-10-17"}, "s3:GetObject", OBJECTS)
