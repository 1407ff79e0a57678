"""Exercises of notebook 05-1-real-time-endpoints: client latency percentiles, a serverless
endpoint config, and the right inference option for each workload."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from labs.exercises._aws_state import describe_named, swap_answers
from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise, ValueExercise

# ------------------------------------------------------------- q1: p50 and p99 in ms


def _reference_percentiles(seconds: list[float]) -> tuple[float, float]:
    p50, p99 = np.percentile(np.asarray(seconds, dtype=float), [50, 99])
    return float(p50 * 1000), float(p99 * 1000)


def _mean_and_max(seconds: list[float]) -> tuple[float, float]:
    """Returns the mean and the maximum: p50 is the median (np.percentile(x, 50)), not the
    mean, and p99 is the 99th percentile, not the single slowest call."""
    values = np.asarray(seconds, dtype=float)
    return float(values.mean() * 1000), float(values.max() * 1000)


def _in_seconds(seconds: list[float]) -> tuple[float, float]:
    """Returns the percentiles in seconds: multiply by 1000 for milliseconds."""
    p50, p99 = np.percentile(np.asarray(seconds, dtype=float), [50, 99])
    return float(p50), float(p99)


def _fraction_not_percent(seconds: list[float]) -> tuple[float, float]:
    """Passes 0.5 and 0.99 to np.percentile, which takes percents (50 and 99); 0.99 is
    almost the fastest call. np.quantile is the one that takes fractions."""
    p50, p99 = np.percentile(np.asarray(seconds, dtype=float), [0.5, 0.99])
    return float(p50 * 1000), float(p99 * 1000)


_SLOW_TAIL = [0.004] * 95 + [0.050, 0.060, 0.080, 0.120, 0.400]

q1 = FunctionExercise(
    title="p50 and p99 latency from client timings",
    prompt=(
        "Write latency_percentiles(seconds) that takes a list of call durations in seconds "
        "and returns (p50_ms, p99_ms): the median and the 99th percentile, in milliseconds, "
        "with numpy's default (linear) percentiles."
    ),
    cases=[
        Case(([0.010, 0.020, 0.030, 0.040],), label="latency_percentiles([10, 20, 30, 40 ms])"),
        Case((_SLOW_TAIL,), label="latency_percentiles(95 calls of 4 ms and a slow tail)"),
        Case(([0.003, 0.002, 0.009, 0.004, 0.250],), label="latency_percentiles(5 calls)"),
    ],
    reference_function=_reference_percentiles,
    hints=[
        "np.percentile(values, [50, 99]) gives both at once; percentiles are in percent.",
        "The timings are in seconds: multiply by 1000 for milliseconds.",
        "p50, p99 = np.percentile(np.asarray(seconds), [50, 99]) * 1000",
    ],
    solution=(
        "def latency_percentiles(seconds):\n"
        "    p50, p99 = np.percentile(np.asarray(seconds, dtype=float), [50, 99]) * 1000\n"
        "    return float(p50), float(p99)\n"
    ),
    explanation=(
        "Latency targets are written as percentiles (p99 under 100 ms) because the mean "
        "hides the slow tail that some users always see."
    ),
    typical_wrong=[_mean_and_max, _in_seconds, _fraction_not_percent, "not a function"],
)


# ------------------------------------------------ q2: a serverless endpoint config


def _check_serverless_config(answer: Any, lab: Any) -> CheckResult:
    sm = lab.client("sagemaker")
    config = describe_named(
        answer,
        "endpoint config",
        lambda name: sm.describe_endpoint_config(EndpointConfigName=name),
        "create it with sm.create_endpoint_config first.",
    )
    if isinstance(config, CheckResult):
        return config
    variants = config.get("ProductionVariants", [])
    if len(variants) != 1:
        return CheckResult.fail(f"The config has {len(variants)} variants; give it one.")
    [variant] = variants
    serverless = variant.get("ServerlessConfig")
    if not serverless:
        return CheckResult.fail(
            f"The variant runs on {variant.get('InitialInstanceCount', '?')} x "
            f"{variant.get('InstanceType', '?')} instances: a serverless variant has a "
            "ServerlessConfig and no InstanceType or InitialInstanceCount."
        )
    memory = serverless.get("MemorySizeInMB")
    if memory != 2048:
        return CheckResult.fail(
            f"MemorySizeInMB is {memory}; the task asks for 2 GB (2048). Serverless memory "
            "comes in 1 GB steps from 1024 to 6144 MB, and CPU grows with it."
        )
    if serverless.get("MaxConcurrency") != 5:
        return CheckResult.fail(
            f"MaxConcurrency is {serverless.get('MaxConcurrency')}; the task asks for at most "
            "5 invocations at a time."
        )
    try:
        sm.describe_model(ModelName=variant["ModelName"])
    except sm.exceptions.ClientError:
        return CheckResult.fail(
            f"The variant names a model that does not exist: {variant['ModelName']}."
        )
    return CheckResult.ok(
        f"{answer.strip()} is serverless: 2 GB, at most 5 concurrent invocations, billed per "
        "millisecond of compute and scaled to zero when idle (expect a cold start after that)."
    )


def _exercise_model(lab: Any) -> str:
    """A model for the harness's configs (a model is only a record until an endpoint runs it)."""
    from sagemaker.core import image_uris

    sm, name = lab.client("sagemaker"), "rte-exercise-model"
    try:
        sm.describe_model(ModelName=name)
    except sm.exceptions.ClientError:
        sm.create_model(
            ModelName=name,
            PrimaryContainer={
                "Image": image_uris.retrieve("xgboost", region=lab.region, version="1.7-1"),
                "ModelDataUrl": lab.s3_uri("exercises/rte/model.tar.gz"),
            },
            ExecutionRoleArn=lab.role_arn,
        )
    return name


def _config(lab: Any, stem: str, variant: dict[str, Any]) -> str:
    name = f"{stem}-{time.time_ns()}"
    variant = {"VariantName": "AllTraffic", "ModelName": _exercise_model(lab), **variant}
    lab.client("sagemaker").create_endpoint_config(
        EndpointConfigName=name, ProductionVariants=[variant]
    )
    return name


def _reference_serverless(lab: Any) -> str:
    return _config(
        lab, "rte-serverless", {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}
    )


def _wrong_serverless(lab: Any) -> list[Any]:
    return [
        _config(lab, "rte-instances", {"InstanceType": "ml.m5.large", "InitialInstanceCount": 1}),
        _config(
            lab, "rte-4gb", {"ServerlessConfig": {"MemorySizeInMB": 4096, "MaxConcurrency": 5}}
        ),
        _config(
            lab, "rte-wide", {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 50}}
        ),
        "no-such-config",
        7,
    ]


q2 = CustomExercise(
    title="A serverless endpoint config",
    prompt=(
        "With boto3, create an endpoint config with one variant (VariantName 'AllTraffic') "
        "of your XGBoost model that is serverless: 2 GB of memory and at most 5 concurrent "
        "invocations. Give the check the config's name."
    ),
    check=_check_serverless_config,
    hints=[
        "A serverless variant has ServerlessConfig instead of InstanceType and "
        "InitialInstanceCount.",
        "ServerlessConfig takes MemorySizeInMB (1024 to 6144 in 1 GB steps) and "
        "MaxConcurrency (1 to 200).",
        "ProductionVariants=[{'VariantName': 'AllTraffic', 'ModelName': xgb_model_name, "
        "'ServerlessConfig': {'MemorySizeInMB': 2048, 'MaxConcurrency': 5}}]",
    ],
    solution=(
        'serverless_config = f"churn-serverless-{suffix}"\n'
        "sm.create_endpoint_config(\n"
        "    EndpointConfigName=serverless_config,\n"
        "    ProductionVariants=[\n"
        "        {\n"
        '            "VariantName": "AllTraffic",\n'
        '            "ModelName": xgb_model_name,\n'
        '            "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},\n'
        "        }\n"
        "    ],\n"
        '    Tags=lab.tags("05-1-real-time-endpoints"),\n'
        ")\n"
    ),
    reference=_reference_serverless,
    typical_wrong=_wrong_serverless,
)


# ------------------------------------------------ q3: which inference option

OPTIONS = ("real-time", "serverless", "asynchronous", "batch transform")

_EXPECTED_OPTIONS = {
    "fraud score for each card payment, under 100 ms, steady traffic all day": "real-time",
    "an internal tool used a few times an hour; a slow first answer is fine": "serverless",
    "800 MB scans to score, each takes 5 minutes, results within the hour": "asynchronous",
    "score all 3 million customers each night from a file in S3": "batch transform",
}


def _swap(first: str, second: str) -> dict[str, str]:
    return swap_answers(_EXPECTED_OPTIONS, first, second)


q3 = ValueExercise(
    title="Pick the inference option for each workload",
    prompt=(
        "Map each workload in `workloads` to one of "
        + ", ".join(repr(o) for o in OPTIONS)
        + ". Use each option once."
    ),
    expected=_EXPECTED_OPTIONS,
    ignore_case=True,
    wrong_answer_reasons=[
        (
            _swap("asynchronous", "batch transform"),
            "An 800 MB request that takes minutes needs asynchronous inference (up to 1 GB, "
            "up to one hour); a nightly file in S3 with no one waiting is batch transform.",
        ),
        (
            _swap("real-time", "serverless"),
            "Steady traffic with a 100 ms target needs instances that are always warm "
            "(real-time); rare requests that tolerate a cold start suit serverless.",
        ),
        (
            _swap("serverless", "asynchronous"),
            "Serverless takes 4 MB and 60 s at most; 800 MB and 5 minutes need asynchronous "
            "inference.",
        ),
    ],
    hints=[
        "Ask first: is someone waiting for each answer? If not, batch transform or async.",
        "Limits: real-time 6 MB and 60 s, serverless 4 MB and 60 s, async 1 GB and 1 hour.",
        "Serverless scales to zero and cold-starts: right for rare, spiky, tolerant traffic.",
    ],
    solution=(
        "choices = dict(zip(workloads, "
        '["real-time", "serverless", "asynchronous", "batch transform"]))\n'
    ),
)

#: The workloads of q3, in the order the notebook shows them.
workloads = list(_EXPECTED_OPTIONS)
