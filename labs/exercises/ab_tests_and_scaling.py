"""Exercises of notebook 05-3-ab-tests-and-scaling: a multi-AZ target-tracking policy on a
variant, the capacity target tracking aims for, and which hosting pattern fits."""

from __future__ import annotations

import math
import time
from typing import Any

from labs.exercises._aws_state import swap_answers
from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise, ValueExercise

DIMENSION = "sagemaker:variant:DesiredInstanceCount"
METRIC = "SageMakerVariantInvocationsPerInstance"

# ------------------------------------- q1: autoscaling for a variant, at least two instances


def _check_scaling(answer: Any, lab: Any) -> CheckResult:
    if not isinstance(answer, str) or answer.count("/") != 3:
        return CheckResult.fail(
            "Give the scalable target's ResourceId: 'endpoint/<endpoint name>/variant/<variant>'."
        )
    kind, endpoint, word, variant = answer.strip().split("/")
    if kind != "endpoint" or word != "variant":
        return CheckResult.fail(f"{answer!r} is not of the form endpoint/<name>/variant/<variant>.")
    sm = lab.client("sagemaker")
    try:
        described = sm.describe_endpoint(EndpointName=endpoint)
    except sm.exceptions.ClientError:
        return CheckResult.fail(f"There is no endpoint named {endpoint!r}.")
    names = [v["VariantName"] for v in described.get("ProductionVariants", [])]
    if variant not in names:
        return CheckResult.fail(f"{endpoint} has no variant {variant!r}; it has {names}.")
    scaling = lab.client("application-autoscaling")
    targets = scaling.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[answer], ScalableDimension=DIMENSION
    )["ScalableTargets"]
    if not targets:
        return CheckResult.fail(
            "The variant is not a scalable target yet: call register_scalable_target with "
            f"ServiceNamespace='sagemaker' and ScalableDimension='{DIMENSION}'."
        )
    [target] = targets
    if target["MinCapacity"] < 2:
        return CheckResult.fail(
            f"MinCapacity is {target['MinCapacity']}: with one instance a single Availability "
            "Zone or instance failure stops the variant. Keep at least 2."
        )
    if target["MaxCapacity"] < target["MinCapacity"]:
        return CheckResult.fail("MaxCapacity is below MinCapacity.")
    policies = scaling.describe_scaling_policies(
        ServiceNamespace="sagemaker", ResourceId=answer, ScalableDimension=DIMENSION
    )["ScalingPolicies"]
    tracking = [p for p in policies if p["PolicyType"] == "TargetTrackingScaling"]
    if not tracking:
        return CheckResult.fail(
            "There is no target-tracking policy on it: call put_scaling_policy with "
            "PolicyType='TargetTrackingScaling'."
        )
    config = tracking[0]["TargetTrackingScalingPolicyConfiguration"]
    metric = config.get("PredefinedMetricSpecification", {}).get("PredefinedMetricType")
    if metric != METRIC:
        return CheckResult.fail(
            f"The policy tracks {metric or 'a custom metric'}; track {METRIC}, the invocations "
            "per instance per minute."
        )
    if not config.get("TargetValue", 0) > 0:
        return CheckResult.fail("TargetValue must be a positive number of invocations per minute.")
    return CheckResult.ok(
        f"{answer}: {target['MinCapacity']} to {target['MaxCapacity']} instances, tracking "
        f"{config['TargetValue']:g} invocations per instance per minute."
    )


def _exercise_endpoint(lab: Any) -> str:
    """An endpoint for the harness, with one variant named ``challenger``."""
    from labs.operations.churn_model import ensure_churn_xgboost

    sm, name = lab.client("sagemaker"), "ab-exercise-endpoint"
    try:
        sm.describe_endpoint(EndpointName=name)
        return name
    except sm.exceptions.ClientError:
        pass
    churn_model = ensure_churn_xgboost(lab)
    sm.create_model(
        ModelName=name,
        PrimaryContainer={
            "Image": churn_model.image_uri,
            "ModelDataUrl": churn_model.model_data_url,
        },
        ExecutionRoleArn=lab.role_arn,
    )
    variant = {
        "VariantName": "challenger",
        "ModelName": name,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    sm.get_waiter("endpoint_in_service").wait(EndpointName=name)
    return name


def _scale(
    lab: Any, variant: str, minimum: int, metric: str | None = METRIC, endpoint: str = ""
) -> str:
    endpoint = endpoint or _exercise_endpoint(lab)
    resource = f"endpoint/{endpoint}/variant/{variant}"
    scaling = lab.client("application-autoscaling")
    scaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource,
        ScalableDimension=DIMENSION,
        MinCapacity=minimum,
        MaxCapacity=4,
    )
    if metric is not None:
        scaling.put_scaling_policy(
            PolicyName=f"tracking-{time.time_ns()}",
            ServiceNamespace="sagemaker",
            ResourceId=resource,
            ScalableDimension=DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 600.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
            },
        )
    return resource


def _second_endpoint(lab: Any, stem: str) -> str:
    """Another endpoint with a ``challenger`` variant (each wrong answer has its own)."""
    sm = lab.client("sagemaker")
    model = _exercise_endpoint(lab)  # the model has the endpoint's name
    name = f"{stem}-{time.time_ns()}"
    variant = {
        "VariantName": "challenger",
        "ModelName": model,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    sm.get_waiter("endpoint_in_service").wait(EndpointName=name)
    return name


def _reference_scaling(lab: Any) -> str:
    return _scale(lab, "challenger", 2)


def _wrong_scaling(lab: Any) -> list[Any]:
    return [
        _scale(lab, "challenger", 1, endpoint=_second_endpoint(lab, "ab-min-one")),
        _scale(lab, "challenger", 2, metric=None, endpoint=_second_endpoint(lab, "ab-no-policy")),
        _scale(
            lab,
            "challenger",
            2,
            metric="SageMakerVariantProvisionedConcurrencyUtilization",
            endpoint=_second_endpoint(lab, "ab-wrong-metric"),
        ),
        f"endpoint/{_exercise_endpoint(lab)}/variant/nope",
        "endpoint/no-such-endpoint/variant/challenger",
        "challenger",
    ]


q1 = CustomExercise(
    title="Autoscale the challenger variant, never below two instances",
    prompt=(
        "Make the challenger variant of your endpoint a scalable target of Application Auto "
        "Scaling with at least 2 instances (MinCapacity 2) and at most 4, and give it a "
        "target-tracking policy on SageMakerVariantInvocationsPerInstance with the target "
        "value you computed. Give the check the ResourceId."
    ),
    check=_check_scaling,
    hints=[
        "ResourceId is 'endpoint/<endpoint name>/variant/<variant name>'; the dimension is "
        f"'{DIMENSION}' and the namespace 'sagemaker'.",
        "register_scalable_target(..., MinCapacity=2, MaxCapacity=4), then put_scaling_policy("
        "..., PolicyType='TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration=...).",
        "The configuration: {'TargetValue': target, 'PredefinedMetricSpecification': "
        f"{{'PredefinedMetricType': '{METRIC}'}}}}",
    ],
    solution=(
        'challenger_resource = f"endpoint/{endpoint_name}/variant/challenger"\n'
        "scaling.register_scalable_target(\n"
        '    ServiceNamespace="sagemaker",\n'
        "    ResourceId=challenger_resource,\n"
        f'    ScalableDimension="{DIMENSION}",\n'
        "    MinCapacity=2,\n"
        "    MaxCapacity=4,\n"
        ")\n"
        "scaling.put_scaling_policy(\n"
        '    PolicyName="challenger-invocations",\n'
        '    ServiceNamespace="sagemaker",\n'
        "    ResourceId=challenger_resource,\n"
        f'    ScalableDimension="{DIMENSION}",\n'
        '    PolicyType="TargetTrackingScaling",\n'
        "    TargetTrackingScalingPolicyConfiguration={\n"
        '        "TargetValue": target,\n'
        f'        "PredefinedMetricSpecification": {{"PredefinedMetricType": "{METRIC}"}},\n'
        "    },\n"
        ")\n"
    ),
    reference=_reference_scaling,
    typical_wrong=_wrong_scaling,
)


# ------------------------------------------------- q2: the capacity target tracking wants


def _reference_desired(current: int, rate: float, target: float, low: int, high: int) -> int:
    needed = math.ceil(round(current * rate / target, 9))
    return max(low, min(high, needed))


def _unclamped(current: int, rate: float, target: float, low: int, high: int) -> int:
    """Ignores MinCapacity and MaxCapacity: the policy never goes outside the scalable
    target's bounds."""
    return math.ceil(current * rate / target)


def _rounded(current: int, rate: float, target: float, low: int, high: int) -> int:
    """Rounds to the nearest instance: round up, or each instance stays above the target."""
    return max(low, min(high, round(current * rate / target)))


def _per_instance_only(current: int, rate: float, target: float, low: int, high: int) -> int:
    """Forgets the current instances: the metric is per instance, so the traffic is
    current x metric."""
    return max(low, min(high, math.ceil(rate / target)))


q2 = FunctionExercise(
    title="The instance count target tracking aims for",
    prompt=(
        "Write desired_instances(current, invocations_per_instance, target, min_capacity, "
        "max_capacity): the fewest instances that bring the per-instance invocations (per "
        "minute) to the target or below, for the same total traffic, kept within the bounds."
    ),
    cases=[
        Case((2, 900.0, 600.0, 2, 6), label="2 instances at 900/min, target 600"),
        Case((4, 100.0, 600.0, 2, 6), label="4 instances at 100/min, target 600"),
        Case((3, 2400.0, 600.0, 2, 8), label="3 instances at 2400/min, target 600, max 8"),
        Case((2, 610.0, 600.0, 1, 10), label="2 instances just over the target"),
    ],
    reference_function=_reference_desired,
    hints=[
        "Total traffic is current x invocations_per_instance; divide it by the target.",
        "Round up (math.ceil): a fraction of an instance is a whole instance.",
        "Then clamp: max(min_capacity, min(max_capacity, needed)).",
    ],
    solution=(
        "import math\n\n\n"
        "def desired_instances(current, invocations_per_instance, target, min_capacity, "
        "max_capacity):\n"
        "    needed = math.ceil(current * invocations_per_instance / target)\n"
        "    return max(min_capacity, min(max_capacity, needed))\n"
    ),
    typical_wrong=[_unclamped, _rounded, _per_instance_only, "not a function"],
)


# ---------------------------------------------------------- q3: which hosting pattern

PATTERNS = (
    "production variants",
    "shadow test",
    "multi-model endpoint",
    "inference pipeline",
)

_EXPECTED = {
    "send 10% of live traffic to a new model and compare business results": "production variants",
    "try a new model on a copy of live traffic without users seeing its answers": "shadow test",
    "serve 2,000 per-store models of one framework, most rarely called": "multi-model endpoint",
    "run a scikit-learn preprocessor, then XGBoost, behind one endpoint": "inference pipeline",
}


def _swapped(first: str, second: str) -> dict[str, str]:
    return swap_answers(_EXPECTED, first, second)


q3 = ValueExercise(
    title="Which hosting pattern?",
    prompt="Map each need in `needs` to one of " + ", ".join(repr(p) for p in PATTERNS) + ".",
    expected=_EXPECTED,
    ignore_case=True,
    wrong_answer_reasons=[
        (
            _swapped("production variants", "shadow test"),
            "Production variants answer real users (an A/B test); a shadow variant gets a copy "
            "of the traffic and its answers are only logged.",
        ),
        (
            _swapped("multi-model endpoint", "inference pipeline"),
            "Many similar models loaded on demand behind one container is a multi-model "
            "endpoint; containers run one after another is an inference pipeline.",
        ),
    ],
    hints=[
        "Who sees the new model's answers? Users (A/B) or nobody (shadow)?",
        "Many models in one container, loaded from S3 when called: multi-model endpoint.",
        "Several containers in sequence on each request: inference pipeline (up to 15).",
    ],
    solution="choices = dict(zip(needs, PATTERNS))  # in the order the needs are listed\n",
)

#: The needs of q3, in the order the notebook lists them.
needs = list(_EXPECTED)
