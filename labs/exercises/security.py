"""Exercises of notebook 05-5-security: a least-privilege policy and a bucket policy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from labs import bucket_policy
from labs.exercises.core import CheckResult, CustomExercise
from labs.operations.iam_simulation import simulate

SAGEMAKER = "sagemaker.amazonaws.com"

# --------------------------------------------------------------------------- q1


@dataclass(frozen=True)
class _Case:
    """One request the launcher policy must allow (or must not), and why it matters."""

    action: str
    resource: str
    allowed: bool
    why: str
    context: Mapping[str, str] = field(default_factory=dict)


def _account(lab: Any) -> str:
    return lab.role_arn.split(":")[4]


def _launcher_cases(lab: Any) -> list[_Case]:
    account, region, bucket = _account(lab), lab.region, lab.bucket
    job = f"arn:aws:sagemaker:{region}:{account}:training-job/churn-secure-1"
    passed = {"iam:PassedToService": SAGEMAKER}
    return [
        _Case(
            "sagemaker:CreateTrainingJob",
            job,
            True,
            "it cannot start a training job (sagemaker:CreateTrainingJob on training-job/*)",
        ),
        _Case("sagemaker:DescribeTrainingJob", job, True, "it cannot follow its own training jobs"),
        _Case(
            "iam:PassRole",
            lab.role_arn,
            True,
            "it cannot hand the execution role to SageMaker: CreateTrainingJob then fails "
            "with AccessDenied (allow iam:PassRole on that role)",
            passed,
        ),
        _Case(
            "s3:PutObject",
            f"arn:aws:s3:::{bucket}/security/train/train.csv",
            True,
            "it cannot upload training data below security/ in the kit bucket",
        ),
        _Case(
            "s3:GetObject",
            f"arn:aws:s3:::{bucket}/security/output/model.tar.gz",
            True,
            "it cannot read the model artifacts below security/ in the kit bucket",
        ),
        _Case(
            "s3:DeleteBucket",
            f"arn:aws:s3:::{bucket}",
            False,
            "it may delete the whole kit bucket: grant object actions on "
            f"arn:aws:s3:::{bucket}/security/*, not s3:*",
        ),
        _Case(
            "s3:GetObject",
            "arn:aws:s3:::another-teams-bucket/customers.csv",
            False,
            "it may read objects in any bucket: scope the S3 statement to the kit bucket",
        ),
        _Case(
            "iam:PassRole",
            f"arn:aws:iam::{account}:role/AdminRole",
            False,
            "it may pass ANY role, an admin role included, which is privilege escalation: "
            "name the execution role's ARN as the resource",
            passed,
        ),
        _Case(
            "iam:PassRole",
            lab.role_arn,
            False,
            "it may pass the execution role to any service (here EC2): add the condition "
            f'"StringEquals": {{"iam:PassedToService": "{SAGEMAKER}"}}',
            {"iam:PassedToService": "ec2.amazonaws.com"},
        ),
        _Case(
            "sagemaker:CreateEndpoint",
            f"arn:aws:sagemaker:{region}:{account}:endpoint/churn",
            False,
            "it may also create endpoints, which training does not need: list the "
            "sagemaker actions one by one instead of sagemaker:*",
        ),
        _Case(
            "iam:CreateRole",
            f"arn:aws:iam::{account}:role/AnyRole",
            False,
            'it may create IAM roles: "Action": "*" grants everything',
        ),
    ]


def _as_policy(answer: Any) -> dict[str, Any] | str:
    """The answer as a policy dict, or a message saying what is wrong with its shape."""
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except json.JSONDecodeError as error:
            return f"That text is not JSON ({error.msg}): give the policy as a Python dict."
    if not isinstance(answer, Mapping):
        return f"Give the policy document as a dict, not {type(answer).__name__}."
    statements = answer.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return 'A policy document has a "Statement" list: {"Version": ..., "Statement": [...]}.'
    for number, statement in enumerate(statements, start=1):
        if not isinstance(statement, Mapping) or statement.get("Effect") not in ("Allow", "Deny"):
            return f'Statement {number} needs "Effect": "Allow" or "Deny".'
        if "Principal" in statement:
            return (
                f"Statement {number} has a Principal: an identity policy (attached to a role) "
                "has none; principals belong in resource policies such as bucket policies."
            )
    return {"Version": answer.get("Version", "2012-10-17"), "Statement": statements}


def _check_launcher_policy(answer: Any, lab: Any) -> CheckResult:
    policy = _as_policy(answer)
    if isinstance(policy, str):
        return CheckResult.fail(policy)
    iam = lab.client("iam")
    for case in _launcher_cases(lab):
        try:
            table = simulate(
                iam, [case.action], [case.resource], policy=policy, context=case.context
            )
        except iam.exceptions.ClientError as error:
            message = error.response.get("Error", {}).get("Message", str(error))
            return CheckResult.fail(f"IAM could not read the policy: {message}")
        if bool(table["allowed"].iloc[0]) != case.allowed:
            asked = f"{case.action} on {case.resource}"
            if case.context:
                asked += f" (passed to {case.context['iam:PassedToService']})"
            return CheckResult.fail(
                f"IAM's simulator says {asked} is "
                f"{table['decision'].iloc[0]}: {_why_prefix(case)}{case.why}."
            )
    return CheckResult.ok(
        "The simulator agrees: the policy starts training jobs, passes only the execution "
        "role and only to SageMaker, reaches only security/ in the kit bucket, and nothing else."
    )


def _why_prefix(case: _Case) -> str:
    """How the reason starts: what the policy lacks or what it allows too much."""
    return "the policy is too narrow, " if case.allowed else "the policy is too broad, "


def _launcher_policy(lab: Any) -> dict[str, Any]:
    account, region, bucket = _account(lab), lab.region, lab.bucket
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RunAndFollowTrainingJobs",
                "Effect": "Allow",
                "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"],
                "Resource": f"arn:aws:sagemaker:{region}:{account}:training-job/*",
            },
            {
                "Sid": "PassOnlyTheExecutionRoleToSageMaker",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": lab.role_arn,
                "Condition": {"StringEquals": {"iam:PassedToService": SAGEMAKER}},
            },
            {
                "Sid": "ObjectsBelowSecurityPrefix",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"arn:aws:s3:::{bucket}/security/*",
            },
        ],
    }


def _launcher_wrong(lab: Any) -> list[Any]:
    good = _launcher_policy(lab)
    statements = good["Statement"]
    no_condition = {**statements[1]}
    no_condition.pop("Condition")
    return [
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        },
        {"Version": "2012-10-17", "Statement": [statements[0], statements[2]]},
        {
            "Version": "2012-10-17",
            "Statement": [statements[0], {**statements[1], "Resource": "*"}, statements[2]],
        },
        {"Version": "2012-10-17", "Statement": [statements[0], no_condition, statements[2]]},
        {
            "Version": "2012-10-17",
            "Statement": [
                statements[0],
                statements[1],
                {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::*"]},
            ],
        },
        {
            "Version": "2012-10-17",
            "Statement": [
                {**statements[0], "Action": "sagemaker:*", "Resource": "*"},
                statements[1],
                statements[2],
            ],
        },
        {"Statement": [{**statements[0], "Principal": "*"}]},
        "not a policy",
        42,
    ]


q1 = CustomExercise(
    title="Write a least-privilege policy for the role that launches training jobs",
    prompt=(
        "Write the identity policy (a dict) for a pipeline role that starts and follows "
        "SageMaker AI training jobs with the kit's execution role and moves data below "
        "security/ in the kit bucket, and nothing more. IAM's policy simulator tests it."
    ),
    check=_check_launcher_policy,
    hints=[
        "Three needs, three statements: the SageMaker actions, passing the execution role, "
        "and S3 object access below one prefix.",
        "sagemaker:CreateTrainingJob and sagemaker:DescribeTrainingJob on "
        'f"arn:aws:sagemaker:{lab.region}:{account}:training-job/*"; s3:GetObject and '
        's3:PutObject on f"arn:aws:s3:::{lab.bucket}/security/*".',
        'iam:PassRole on lab.role_arn only, with "Condition": {"StringEquals": '
        '{"iam:PassedToService": "sagemaker.amazonaws.com"}}.',
    ],
    solution=(
        'account = lab.role_arn.split(":")[4]\n'
        "launcher_policy = {\n"
        '    "Version": "2012-10-17",\n'
        '    "Statement": [\n'
        "        {\n"
        '            "Effect": "Allow",\n'
        '            "Action": ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"],\n'
        '            "Resource": f"arn:aws:sagemaker:{lab.region}:{account}:training-job/*",\n'
        "        },\n"
        "        {\n"
        '            "Effect": "Allow",\n'
        '            "Action": "iam:PassRole",\n'
        '            "Resource": lab.role_arn,\n'
        '            "Condition": {"StringEquals": {"iam:PassedToService": '
        '"sagemaker.amazonaws.com"}},\n'
        "        },\n"
        "        {\n"
        '            "Effect": "Allow",\n'
        '            "Action": ["s3:GetObject", "s3:PutObject"],\n'
        '            "Resource": f"arn:aws:s3:::{lab.bucket}/security/*",\n'
        "        },\n"
        "    ],\n"
        "}\n"
    ),
    reference=_launcher_policy,
    typical_wrong=_launcher_wrong,
)


# --------------------------------------------------------------------------- q2

KMS_PUT = bucket_policy.request_context(sse="aws:kms")


def secure_bucket_name(lab: Any) -> str:
    """The scratch bucket of notebook 05-5 (default encryption SSE-KMS with a bucket key)."""
    return f"{lab.bucket}-security"


def _ensure_bucket(lab: Any, name: str) -> None:
    s3 = lab.client("s3")
    try:
        s3.head_bucket(Bucket=name)
        return
    except s3.exceptions.ClientError:
        pass
    location = (
        {}
        if lab.region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": lab.region}}
    )
    s3.create_bucket(Bucket=name, **location)


def _check_bucket_policy(answer: Any, lab: Any) -> CheckResult:
    if not isinstance(answer, str) or not answer.strip():
        return CheckResult.fail("Give the bucket's name as a string, e.g. secure_bucket.")
    name = answer.strip().removeprefix("s3://").rstrip("/")
    s3 = lab.client("s3")
    try:
        text = s3.get_bucket_policy(Bucket=name)["Policy"]
    except s3.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            return CheckResult.fail(f"There is no bucket {name!r}: use secure_bucket.")
        return CheckResult.fail(
            f"The bucket {name} has no bucket policy yet: attach yours with "
            "s3.put_bucket_policy(Bucket=..., Policy=json.dumps(policy))."
        )
    try:
        policy = json.loads(text)
        objects = f"arn:aws:s3:::{name}/data/customers.csv"
        plain = bucket_policy.decide(
            policy, "s3:PutObject", objects, bucket_policy.request_context()
        )
        sse_s3 = bucket_policy.decide(
            policy, "s3:PutObject", objects, bucket_policy.request_context(sse="AES256")
        )
        kms = bucket_policy.decide(policy, "s3:PutObject", objects, KMS_PUT)
        read = bucket_policy.decide(
            policy, "s3:GetObject", objects, bucket_policy.request_context()
        )
    except ValueError as error:
        return CheckResult.fail(f"The bucket's policy could not be read: {error}")
    if kms.verdict == bucket_policy.DENIED:
        return CheckResult.fail(
            f"The policy denies even a PutObject with SSE-KMS (statement {kms.statement}): "
            "deny when the header is NOT aws:kms (StringNotEquals), not when it is."
        )
    if plain.verdict != bucket_policy.DENIED:
        return CheckResult.fail(
            "A PutObject without any x-amz-server-side-encryption header is not denied. A "
            '"StringNotEquals" test on s3:x-amz-server-side-encryption is true when the '
            "header is missing, so one Deny statement covers both cases."
        )
    if sse_s3.verdict != bucket_policy.DENIED:
        return CheckResult.fail(
            "A PutObject with SSE-S3 (AES256) gets through: the requirement is SSE-KMS, so "
            'deny unless the header equals "aws:kms" (a Null test alone only catches a '
            "missing header)."
        )
    if read.verdict == bucket_policy.DENIED:
        return CheckResult.fail(
            f"The policy also denies reading objects (statement {read.statement}): limit "
            'the Deny to "s3:PutObject".'
        )
    return CheckResult.ok(
        f"s3://{name} now refuses any put that does not ask for SSE-KMS, and still lets "
        "encrypted puts and reads through."
    )


def _deny_non_kms(
    name: str,
    operator: str = "StringNotEquals",
    action: str = "s3:PutObject",
    value: str = "aws:kms",
) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyPutsWithoutSseKms",
                "Effect": "Deny",
                "Principal": "*",
                "Action": action,
                "Resource": f"arn:aws:s3:::{name}/*",
                "Condition": {operator: {"s3:x-amz-server-side-encryption": value}},
            }
        ],
    }


def _put_policy(lab: Any, name: str, policy: dict[str, Any] | None) -> str:
    _ensure_bucket(lab, name)
    s3 = lab.client("s3")
    if policy is None:
        s3.delete_bucket_policy(Bucket=name)
    else:
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return name


def _reference_bucket(lab: Any) -> str:
    name = secure_bucket_name(lab)
    return _put_policy(lab, name, _deny_non_kms(name))


def _bucket_wrong(lab: Any) -> list[Any]:
    wrong: list[Any] = []
    base = f"{lab.bucket}-sec-wrong"
    allow_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{base}-1/*",
                "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            }
        ],
    }
    wrong.append(_put_policy(lab, f"{base}-1", allow_only))
    wrong.append(_put_policy(lab, f"{base}-2", _deny_non_kms(f"{base}-2", "StringEquals")))
    wrong.append(_put_policy(lab, f"{base}-3", _deny_non_kms(f"{base}-3", "Null", value="true")))
    wrong.append(_put_policy(lab, f"{base}-4", _deny_non_kms(f"{base}-4", action="s3:*")))
    wrong.append(_put_policy(lab, f"{base}-5", None))
    wrong += ["no-such-bucket-for-this-exercise", 7]
    return wrong


q2 = CustomExercise(
    title="A bucket policy that refuses unencrypted uploads",
    prompt=(
        "Attach a bucket policy to secure_bucket that denies every s3:PutObject which does "
        "not ask for SSE-KMS (header x-amz-server-side-encryption: aws:kms), and leaves "
        "encrypted puts and reads alone. Give the check the bucket's name."
    ),
    check=_check_bucket_policy,
    hints=[
        'One statement is enough: "Effect": "Deny", "Principal": "*", "Action": '
        '"s3:PutObject", "Resource": f"arn:aws:s3:::{secure_bucket}/*".',
        'The condition: {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}. '
        "It is true for AES256 and also when the header is missing.",
        "Attach it with s3.put_bucket_policy(Bucket=secure_bucket, Policy=json.dumps(policy)), "
        "then q2.check(secure_bucket).",
    ],
    solution=(
        "deny_unencrypted = {\n"
        '    "Version": "2012-10-17",\n'
        '    "Statement": [\n'
        "        {\n"
        '            "Sid": "DenyPutsWithoutSseKms",\n'
        '            "Effect": "Deny",\n'
        '            "Principal": "*",\n'
        '            "Action": "s3:PutObject",\n'
        '            "Resource": f"arn:aws:s3:::{secure_bucket}/*",\n'
        '            "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": '
        '"aws:kms"}},\n'
        "        }\n"
        "    ],\n"
        "}\n"
        "s3.put_bucket_policy(Bucket=secure_bucket, Policy=json.dumps(deny_unencrypted))\n"
        "policy_bucket = secure_bucket\n"
    ),
    reference=_reference_bucket,
    typical_wrong=_bucket_wrong,
)
