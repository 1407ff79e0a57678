"""Exercises of notebook 01-1-data-repositories: lifecycle rules, a bucket policy, and
choosing where training data lives and how a training job reads it."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from labs import bucket_policy, s3_lifecycle
from labs.exercises.core import CheckResult, CustomExercise

# --------------------------------------------------------------------- q1: lifecycle rules

_RAW_KEY = "raw/retail/2024-q1.csv"
_CURATED_KEY = "curated/retail/year=2024/month=01/part-00000.parquet"
_SIZE = 1_000_000  # above S3's 128 KB default minimum for transitions
_EXPECTED_CLASSES = {0: "STANDARD", 29: "STANDARD", 30: "STANDARD_IA", 89: "STANDARD_IA"}
_EXPECTED_CLASSES |= {90: "GLACIER", 364: "GLACIER"}
_CLASS_NAMES = {c.name: c.title for c in s3_lifecycle.STORAGE_CLASSES}

_REFERENCE_RULES: list[dict[str, Any]] = [
    {
        "ID": "raw-zone-archive",
        "Status": "Enabled",
        "Filter": {"Prefix": "raw/"},
        "Transitions": [
            {"Days": 30, "StorageClass": "STANDARD_IA"},
            {"Days": 90, "StorageClass": "GLACIER"},
        ],
        "Expiration": {"Days": 365},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
    }
]


def _class_name(name: str | None) -> str:
    if name is None:
        return "deleted"
    return f"{name} ({_CLASS_NAMES.get(name, name)})"


def _check_rules(answer: Any) -> CheckResult:
    if not isinstance(answer, list | tuple):
        return CheckResult.fail(
            f"Give the rules as a list of rule dicts (what Rules=[...] takes), not "
            f"{type(answer).__name__}."
        )
    problems = s3_lifecycle.problems(answer)
    if problems:
        return CheckResult.fail(f"S3 would refuse these rules: {problems[0]}")
    rules = list(answer)
    if s3_lifecycle.storage_class_at(rules, _CURATED_KEY, 400, _SIZE) != "STANDARD":
        return CheckResult.fail(
            "Your rules also move or delete objects under curated/, which training jobs read "
            "every day: limit the rule to the raw zone with Filter={'Prefix': 'raw/'}."
        )
    for age, expected in _EXPECTED_CLASSES.items():
        got = s3_lifecycle.storage_class_at(rules, _RAW_KEY, age, _SIZE)
        if got == expected:
            continue
        if expected == "GLACIER" and got in ("GLACIER_IR", "DEEP_ARCHIVE"):
            return CheckResult.fail(
                f"After {age} days a raw object is in {_class_name(got)}. The brief asks for "
                "Glacier Flexible Retrieval, whose API name is GLACIER."
            )
        return CheckResult.fail(
            f"A raw object {age} days old should be in {_class_name(expected)}, but your rules "
            f"put it in {_class_name(got)}."
        )
    if s3_lifecycle.storage_class_at(rules, _RAW_KEY, 365, _SIZE) is not None:
        return CheckResult.fail(
            "Raw objects are never deleted: add Expiration={'Days': 365} to the rule."
        )
    noncurrent = s3_lifecycle.noncurrent_expiration_days(rules, _RAW_KEY)
    if noncurrent != 30:
        found = "no rule removes them" if noncurrent is None else f"they go after {noncurrent}"
        return CheckResult.fail(
            "In a versioned bucket an expiration only adds a delete marker; the old versions "
            "stay, and are billed, until NoncurrentVersionExpiration removes them. Delete them "
            f"30 days after they become noncurrent ({found})."
        )
    return CheckResult.ok(
        "A raw object is in Standard for 30 days, Standard-IA until day 90, Glacier Flexible "
        "Retrieval until day 365, then deleted; overwritten versions go after 30 days."
    )


def _wrong_rules() -> list[Any]:
    early = copy.deepcopy(_REFERENCE_RULES)
    early[0]["Transitions"][0]["Days"] = 7
    instant = copy.deepcopy(_REFERENCE_RULES)
    instant[0]["Transitions"][1]["StorageClass"] = "GLACIER_IR"
    everywhere = copy.deepcopy(_REFERENCE_RULES)
    everywhere[0]["Filter"] = {}
    no_noncurrent = copy.deepcopy(_REFERENCE_RULES)
    del no_noncurrent[0]["NoncurrentVersionExpiration"]
    no_expiration = copy.deepcopy(_REFERENCE_RULES)
    del no_expiration[0]["Expiration"]
    return [early, instant, everywhere, no_noncurrent, no_expiration, _REFERENCE_RULES[0]]


q1 = CustomExercise(
    title="Lifecycle rules for the raw zone",
    prompt=(
        "Write the lifecycle rules (the Rules list) for the lake bucket: objects below raw/ "
        "move to S3 Standard-IA after 30 days and to S3 Glacier Flexible Retrieval after 90 "
        "days, and are deleted after 365 days; noncurrent versions are deleted 30 days after "
        "they become noncurrent; nothing below curated/ moves."
    ),
    check=_check_rules,
    hints=[
        "One rule does it all: a dict with ID, Status='Enabled', Filter, Transitions, "
        "Expiration and NoncurrentVersionExpiration; pass a list holding it.",
        "The API names of the classes: STANDARD_IA, GLACIER (Flexible Retrieval), GLACIER_IR "
        "(Instant Retrieval), DEEP_ARCHIVE.",
        "Transitions=[{'Days': 30, 'StorageClass': 'STANDARD_IA'}, {'Days': 90, "
        "'StorageClass': 'GLACIER'}]; NoncurrentVersionExpiration={'NoncurrentDays': 30}.",
    ],
    solution=(
        "raw_rules = [\n"
        "    {\n"
        '        "ID": "raw-zone-archive",\n'
        '        "Status": "Enabled",\n'
        '        "Filter": {"Prefix": "raw/"},\n'
        '        "Transitions": [\n'
        '            {"Days": 30, "StorageClass": "STANDARD_IA"},\n'
        '            {"Days": 90, "StorageClass": "GLACIER"},\n'
        "        ],\n"
        '        "Expiration": {"Days": 365},\n'
        '        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},\n'
        "    }\n"
        "]\n"
        "s3.put_bucket_lifecycle_configuration(\n"
        '    Bucket=lake_bucket, LifecycleConfiguration={"Rules": raw_rules}\n'
        ")\n"
    ),
    explanation=(
        "Exam pattern: data read often at first and rarely later goes Standard -> Standard-IA "
        "-> a Glacier class by lifecycle rule; Intelligent-Tiering is the answer when the "
        "access pattern is unknown."
    ),
    reference=lambda: copy.deepcopy(_REFERENCE_RULES),
    typical_wrong=_wrong_rules,
)


# ------------------------------------------------------- q2: storage and input mode choice

_CHOICES = ("File", "FastFile", "Pipe", "FSx for Lustre", "EFS")
_SCENARIO_ANSWERS = {
    "a": "File",
    "b": "FastFile",
    "c": "Pipe",
    "d": "FSx for Lustre",
    "e": "EFS",
}
SCENARIOS = {
    "a": "XGBoost (built-in) on 4 GB of CSV in S3, retrained once a week.",
    "b": "A PyTorch script reads 3 TB of image files from S3, each once per epoch, in order; "
    "training must start without waiting for a full download, and the script opens files.",
    "c": "Linear Learner (built-in) on 800 GB of RecordIO-protobuf in S3, streamed record "
    "by record; the algorithm supports this mode and needs no files on disk.",
    "d": "Dozens of distributed training jobs re-read the same 20 TB dataset, linked to S3, "
    "and need hundreds of GB/s of throughput with sub-millisecond latency.",
    "e": "The data already lives in a shared NFS file system that EC2 jobs and notebooks "
    "write to, and training must read it in place.",
}
_CLUES = {
    "a": "A few GB that a built-in algorithm reads several times: nothing here needs "
    "streaming, and the default mode copies the data to the instance once.",
    "b": "The job must start before a full download and the script opens files: the mode "
    "that streams from S3 but still shows the objects as files.",
    "c": "A stream of records and no files on disk: the mode that feeds the algorithm "
    "through a FIFO.",
    "d": "Hundreds of GB/s and sub-millisecond latency for many jobs at once is what a "
    "Lustre file system linked to S3 is for.",
    "e": "The data is already on a shared NFS file system and must be read in place.",
}
_WHY = {
    "a": "4 GB downloads in about a minute to the ML storage volume (EBS): File mode, the "
    "default, is simplest and lets the algorithm read the data many times.",
    "b": "FastFile streams S3 objects on demand behind a file system view, so training starts "
    "at once and the script keeps using open(); it suits sequential reads.",
    "c": "Pipe mode streams records from S3 through a FIFO: no download, no disk, and "
    "RecordIO-protobuf is the format built for it.",
    "d": "FSx for Lustre is the high-performance file system for ML and HPC, linked to an S3 "
    "bucket: hundreds of GB/s, sub-millisecond latency, shared by many jobs.",
    "e": "EFS is the managed NFS file system; a training job mounts it where the data "
    "already is (the job needs a VPC configuration to reach it).",
}


def _normalise(choice: Any) -> str | None:
    if not isinstance(choice, str):
        return None
    flat = "".join(choice.lower().split()).replace("-", "").replace("_", "")
    for option in _CHOICES:
        if flat == "".join(option.lower().split()):
            return option
    aliases = {"fsx": "FSx for Lustre", "lustre": "FSx for Lustre", "fsxlustre": "FSx for Lustre"}
    aliases |= {"s3file": "File", "s3fastfile": "FastFile", "s3pipe": "Pipe", "amazonefs": "EFS"}
    return aliases.get(flat)


def _check_choices(answer: Any) -> CheckResult:
    if not isinstance(answer, Mapping):
        return CheckResult.fail(
            "Give a dict from scenario letter to choice, like {'a': 'File', 'b': ...}."
        )
    missing = [k for k in SCENARIOS if k not in answer]
    if missing:
        return CheckResult.fail(f"Answer every scenario: {', '.join(missing)} missing.")
    for key, expected in _SCENARIO_ANSWERS.items():
        chosen = _normalise(answer[key])
        if chosen is None:
            return CheckResult.fail(
                f"Scenario {key}: {answer[key]!r} is not one of {', '.join(_CHOICES)}."
            )
        if chosen != expected:
            return CheckResult.fail(f"Scenario {key}: not {chosen}. {_CLUES[key]}")
    return CheckResult.ok(" ".join(f"({k}) {why}" for k, why in _WHY.items()))


def _wrong_choices() -> list[Any]:
    swapped = dict(_SCENARIO_ANSWERS, b="Pipe", c="FastFile")
    efs_for_speed = dict(_SCENARIO_ANSWERS, d="EFS", e="FSx for Lustre")
    return [
        {k: "File" for k in SCENARIOS},
        swapped,
        efs_for_speed,
        dict(_SCENARIO_ANSWERS, a="EBS"),
        {"a": "File"},
        ["File", "FastFile", "Pipe", "FSx for Lustre", "EFS"],
    ]


q2 = CustomExercise(
    title="Where the training data lives and how the job reads it",
    prompt=(
        "For each scenario in SCENARIOS pick one of File, FastFile, Pipe (S3 input modes), "
        "FSx for Lustre or EFS (file system data sources). Give a dict {'a': ..., 'e': ...}."
    ),
    check=_check_choices,
    hints=[
        "File copies everything to the instance's EBS volume first; FastFile and Pipe stream "
        "from S3 instead, FastFile behind files, Pipe through a FIFO.",
        "Pipe needs an algorithm that reads a stream (the Amazon built-ins with "
        "RecordIO-protobuf or CSV); FastFile works with any script that opens files.",
        "FSx for Lustre is the answer for the highest throughput and lowest latency; EFS when "
        "the data is already on a shared NFS file system.",
    ],
    solution=(
        "choices = {'a': 'File', 'b': 'FastFile', 'c': 'Pipe', 'd': 'FSx for Lustre', 'e': 'EFS'}\n"
    ),
    reference=lambda: dict(_SCENARIO_ANSWERS),
    typical_wrong=_wrong_choices,
)


# ---------------------------------------------------------------------- q3: bucket policy


def lake_bucket_name(lab: Any) -> str:
    """The lake bucket notebook 01-1 creates: the kit bucket's name plus ``-lake``."""
    return f"{lab.bucket}-lake"


def _requests(bucket: str) -> list[tuple[str, str, dict[str, list[str]], bool, str]]:
    """(action, resource, context, must be denied, what the request is)."""
    obj = f"arn:aws:s3:::{bucket}/raw/churn/churn.csv"
    ctx = bucket_policy.request_context
    return [
        ("s3:PutObject", obj, ctx(sse="aws:kms"), False, "an SSE-KMS upload over HTTPS"),
        ("s3:GetObject", obj, ctx(), False, "a download over HTTPS"),
        ("s3:PutObject", obj, ctx(sse="AES256"), True, "an SSE-S3 (AES256) upload over HTTPS"),
        ("s3:PutObject", obj, ctx(), True, "an upload over HTTPS without an encryption header"),
        ("s3:GetObject", obj, ctx(secure_transport=False), True, "a download over plain HTTP"),
        (
            "s3:PutObject",
            obj,
            ctx(secure_transport=False, sse="aws:kms"),
            True,
            "an SSE-KMS upload over plain HTTP",
        ),
        (
            "s3:ListBucket",
            f"arn:aws:s3:::{bucket}",
            ctx(secure_transport=False),
            True,
            "a listing of the bucket over plain HTTP (its resource is the bucket ARN, without /*)",
        ),
    ]


def _public_allow(policy: Mapping[str, Any]) -> bool:
    statements = policy.get("Statement")
    statements = [statements] if isinstance(statements, Mapping) else statements or []
    for statement in statements:
        principal = statement.get("Principal") if isinstance(statement, Mapping) else None
        everyone = principal == "*" or (
            isinstance(principal, Mapping) and principal.get("AWS") == "*"
        )
        if isinstance(statement, Mapping) and statement.get("Effect") == "Allow" and everyone:
            return True
    return False


def _check_policy(answer: Any, lab: Any) -> CheckResult:
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError as error:
            return CheckResult.fail(f"That is not valid JSON: {error}")
    if not isinstance(answer, Mapping) or "Statement" not in answer:
        return CheckResult.fail(
            'Give the policy as a dict (or JSON text) with "Version" and a "Statement" list.'
        )
    if _public_allow(answer):
        return CheckResult.fail(
            'An "Allow" for "Principal": "*" opens the bucket to everyone on the internet; '
            "both rules here are Deny statements (your role's own IAM policy grants access)."
        )
    bucket = lake_bucket_name(lab)
    for action, resource, context, must_deny, what in _requests(bucket):
        try:
            decision = bucket_policy.decide(answer, action, resource, context)
        except ValueError as error:
            return CheckResult.fail(str(error))
        denied = decision.verdict == bucket_policy.DENIED
        if must_deny and not denied:
            return CheckResult.fail(f"Your policy lets through {what}; it must deny it.")
        if not must_deny and denied:
            return CheckResult.fail(
                f"Your policy denies {what} (statement {decision.statement}); that request "
                "must still work."
            )
    return CheckResult.ok(
        "HTTP requests and uploads without SSE-KMS are refused; HTTPS downloads and SSE-KMS "
        "uploads go through. The exam's classic pair: aws:SecureTransport and "
        "s3:x-amz-server-side-encryption."
    )


def _reference_policy(lab: Any) -> dict[str, Any]:
    bucket = lake_bucket_name(lab)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyUploadsWithoutKms",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            },
        ],
    }


def _wrong_policies(lab: Any) -> list[Any]:
    reference = _reference_policy(lab)
    tls_only = copy.deepcopy(reference)
    tls_only["Statement"] = tls_only["Statement"][:1]
    objects_only = copy.deepcopy(reference)
    objects_only["Statement"][0]["Resource"] = f"arn:aws:s3:::{lake_bucket_name(lab)}/*"
    only_aes = copy.deepcopy(reference)
    only_aes["Statement"][1]["Condition"] = {
        "StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}
    }
    inverted = copy.deepcopy(reference)
    inverted["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    public = copy.deepcopy(reference)
    public["Statement"].append(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    )
    return [tls_only, objects_only, only_aes, inverted, public, "not json", {"Version": "x"}]


q3 = CustomExercise(
    title="A bucket policy that enforces TLS and SSE-KMS",
    prompt=(
        "Write a bucket policy for the lake bucket (lake_bucket) that denies every request "
        "not made over TLS (HTTPS), and denies uploads (s3:PutObject) that do not ask for "
        "SSE-KMS. HTTPS downloads and SSE-KMS uploads must still work. Give the policy dict."
    ),
    check=_check_policy,
    hints=[
        "Two Deny statements with Principal '*'. A bucket policy names resources by ARN: "
        "arn:aws:s3:::<bucket> for the bucket itself, arn:aws:s3:::<bucket>/* for its objects.",
        "TLS: the condition key aws:SecureTransport is 'false' for plain HTTP: "
        "{'Bool': {'aws:SecureTransport': 'false'}}.",
        "Encryption: deny s3:PutObject when the header s3:x-amz-server-side-encryption is not "
        "'aws:kms': StringNotEquals is also true when the header is missing.",
    ],
    solution=(
        "policy = {\n"
        '    "Version": "2012-10-17",\n'
        '    "Statement": [\n'
        "        {\n"
        '            "Sid": "DenyInsecureTransport",\n'
        '            "Effect": "Deny",\n'
        '            "Principal": "*",\n'
        '            "Action": "s3:*",\n'
        '            "Resource": [\n'
        '                f"arn:aws:s3:::{lake_bucket}",\n'
        '                f"arn:aws:s3:::{lake_bucket}/*",\n'
        "            ],\n"
        '            "Condition": {"Bool": {"aws:SecureTransport": "false"}},\n'
        "        },\n"
        "        {\n"
        '            "Sid": "DenyUploadsWithoutKms",\n'
        '            "Effect": "Deny",\n'
        '            "Principal": "*",\n'
        '            "Action": "s3:PutObject",\n'
        '            "Resource": f"arn:aws:s3:::{lake_bucket}/*",\n'
        '            "Condition": {\n'
        '                "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}\n'
        "            },\n"
        "        },\n"
        "    ],\n"
        "}\n"
    ),
    explanation=(
        "An explicit Deny in a bucket policy wins over any Allow, for every principal, "
        "including the bucket owner's roles."
    ),
    reference=_reference_policy,
    typical_wrong=_wrong_policies,
)
