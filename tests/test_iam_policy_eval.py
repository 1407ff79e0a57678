"""The IAM policy evaluation behind the local SimulatePrincipalPolicy."""

from __future__ import annotations

import pytest

from labs.local import iam_policy_eval as ev


def policy(*statements, name="p"):
    return ev.SourcePolicy(name, "role", {"Version": "2012-10-17", "Statement": list(statements)})


READ_BUCKET = {
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
}


@pytest.mark.parametrize(
    ("action", "resource", "decision"),
    [
        ("s3:GetObject", "arn:aws:s3:::data/train.csv", ev.ALLOWED),
        ("S3:getobject", "arn:aws:s3:::data/train.csv", ev.ALLOWED),  # actions ignore case
        ("s3:GetObject", "arn:aws:s3:::DATA/train.csv", ev.IMPLICIT_DENY),  # resources do not
        ("s3:PutObject", "arn:aws:s3:::data/train.csv", ev.IMPLICIT_DENY),
        ("s3:GetObject", "arn:aws:s3:::other/train.csv", ev.IMPLICIT_DENY),
        ("s3:GetObject", "*", ev.IMPLICIT_DENY),  # a scoped statement does not match "*"
    ],
)
def test_allow_scoped_to_a_bucket(action, resource, decision):
    assert ev.evaluate([policy(READ_BUCKET)], action, resource).decision == decision


def test_explicit_deny_beats_allow_from_another_policy():
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::data/secret/*"}
    result = ev.evaluate(
        [policy(READ_BUCKET, name="read"), policy(deny, name="deny")],
        "s3:GetObject",
        "arn:aws:s3:::data/secret/key",
    )
    assert result.decision == ev.EXPLICIT_DENY
    assert [p.policy_id for p in result.matched] == ["deny"]


def test_not_action_and_not_resource():
    everything_but_iam = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert ev.evaluate([policy(everything_but_iam)], "sagemaker:CreateModel").decision == ev.ALLOWED
    assert ev.evaluate([policy(everything_but_iam)], "iam:CreateUser").decision == ev.IMPLICIT_DENY
    outside = {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::data/*"}
    allow = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    assert ev.evaluate([policy(allow, outside)], "s3:GetObject", "arn:aws:s3:::x/1").decision == (
        ev.EXPLICIT_DENY
    )
    assert ev.evaluate(
        [policy(allow, outside)], "s3:GetObject", "arn:aws:s3:::data/1"
    ).decision == (ev.ALLOWED)


def test_condition_needs_its_context_key():
    tls_only = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    }
    missing = ev.evaluate([policy(tls_only)], "s3:GetObject")
    assert missing.decision == ev.IMPLICIT_DENY
    assert missing.missing_context == ["aws:SecureTransport"]
    ok = ev.evaluate([policy(tls_only)], "s3:GetObject", context={"aws:securetransport": ["true"]})
    assert ok.decision == ev.ALLOWED
    plain = ev.evaluate(
        [policy(tls_only)], "s3:GetObject", context={"aws:SecureTransport": ["false"]}
    )
    assert plain.decision == ev.IMPLICIT_DENY


@pytest.mark.parametrize(
    ("operator", "expected", "actual", "holds"),
    [
        ("StringLike", "ml.m5.*", "ml.m5.large", True),
        ("StringLike", "ml.m5.*", "ml.p3.2xlarge", False),
        ("StringNotEquals", "us-east-1", "eu-west-1", True),
        ("NumericLessThanEquals", "4", "2", True),
        ("NumericLessThanEquals", "4", "8", False),
        ("StringEqualsIfExists", "x", None, True),
        ("ForAllValues:StringEquals", ["a", "b"], ["a"], True),
        ("ForAnyValue:StringEquals", ["a"], ["c", "a"], True),
    ],
)
def test_condition_operators(operator, expected, actual, holds):
    statement = {
        "Effect": "Allow",
        "Action": "sagemaker:CreateTrainingJob",
        "Resource": "*",
        "Condition": {operator: {"k": expected}},
    }
    context = {} if actual is None else {"k": actual if isinstance(actual, list) else [actual]}
    result = ev.evaluate([policy(statement)], "sagemaker:CreateTrainingJob", context=context)
    assert (result.decision == ev.ALLOWED) is holds


def test_documents_as_url_encoded_json():
    doc = "%7B%22Statement%22%3A%20%5B%5D%7D"
    assert ev.parse_document(doc) == {"Statement": []}
