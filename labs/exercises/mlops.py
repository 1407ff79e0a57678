"""Exercises of notebook 05-6-mlops: a condition threshold that makes the pipeline register,
reading the Model Registry, and a traffic shifting mode for each deployment."""

from __future__ import annotations

import json
import math
import time
from typing import Any

from labs.exercises._aws_state import swap_answers
from labs.exercises.core import CheckResult, CustomExercise, ValueExercise
from labs.operations.pipeline_steps import processing_report

GROUP = "churn-mlops"  # the notebook's model package group
THRESHOLD = "AucThreshold"

# ------------------------------------------------------------ shared AWS reads


def _execution_parameters(sm: Any, arn: str) -> dict[str, str]:
    listed = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)
    return {p["Name"]: p["Value"] for p in listed.get("PipelineParameters") or []}


def _steps(sm: Any, arn: str) -> dict[str, dict[str, Any]]:
    listed = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)
    return {s["StepName"]: s for s in listed["PipelineExecutionSteps"]}


def evaluation_auc(lab: Any, arn: str) -> float:
    """The test AUC the execution's ``Evaluate`` step wrote to ``evaluation.json``."""
    report = processing_report(lab.client("sagemaker"), lab.client("s3"), arn)
    return float(report["metrics"]["auc"]["value"])


# ------------------------------------------------ q1: the highest bar the model clears


def _check_threshold_run(answer: Any, lab: Any) -> CheckResult:
    if not isinstance(answer, str) or ":pipeline/" not in answer or "/execution/" not in answer:
        return CheckResult.fail(
            "Give the execution's ARN (arn:aws:sagemaker:...:pipeline/<name>/execution/<id>), "
            "for example `execution.arn` of the object `pipeline.start(...)` returns."
        )
    sm = lab.client("sagemaker")
    try:
        described = sm.describe_pipeline_execution(PipelineExecutionArn=answer)
    except sm.exceptions.ClientError:
        return CheckResult.fail(f"There is no pipeline execution {answer}.")
    status = described["PipelineExecutionStatus"]
    if status in ("Executing", "Stopping"):
        return CheckResult.fail("The execution is still running: wait for it, then check again.")
    parameters = _execution_parameters(sm, answer)
    if THRESHOLD not in parameters:
        return CheckResult.fail(
            f"The execution ran with the default {THRESHOLD}: pass your threshold, e.g. "
            f"pipeline.start(parameters={{'{THRESHOLD}': ...}})."
        )
    threshold = float(parameters[THRESHOLD])
    try:
        auc = evaluation_auc(lab, answer)
    except (ValueError, sm.exceptions.ClientError, lab.client("s3").exceptions.NoSuchKey):
        return CheckResult.fail(
            f"The execution {status} without a test AUC from its Evaluate step: "
            f"{described.get('FailureReason', 'no evaluation.json')}"
        )
    target = math.floor(auc * 100) / 100
    if status != "Succeeded":
        reason = described.get("FailureReason", "")
        if threshold > auc:
            return CheckResult.fail(
                f"{THRESHOLD} {threshold} is above the model's test AUC {auc}: the condition "
                f"was false and the pipeline stopped at the Fail step ({reason})."
            )
        return CheckResult.fail(f"The execution {status}: {reason}")
    register = _steps(sm, answer).get("Register")
    if register is None or register["StepStatus"] != "Succeeded":
        return CheckResult.fail("The execution succeeded but registered no model package.")
    if not math.isclose(threshold, target, abs_tol=1e-9):
        return CheckResult.fail(
            f"{THRESHOLD} {threshold} lets the model through, but the bar can be higher: the "
            f"task asks for the test AUC ({auc}) rounded down to two decimals."
        )
    package = register["Metadata"]["RegisterModel"]["Arn"]
    return CheckResult.ok(
        f"Test AUC {auc} >= {threshold}: the condition was true and the pipeline registered "
        f"{package.rsplit('/', 2)[-2]} version {package.rsplit('/', 1)[-1]}, waiting for approval."
    )


_EXERCISE_PIPELINE = "mlops-exercise"
_EXERCISE_GROUP = "mlops-exercise-group"
_EXERCISE_AUC = 0.8731
_EVALUATE_SCRIPT = (
    "import json, os, sys\n"
    "os.makedirs(sys.argv[1], exist_ok=True)\n"
    "with open(os.path.join(sys.argv[1], 'evaluation.json'), 'w') as f:\n"
    f"    json.dump({{'metrics': {{'auc': {{'value': {_EXERCISE_AUC}}}}}}}, f)\n"
)


def _exercise_pipeline(lab: Any) -> str:
    """A small pipeline shaped like the notebook's: Evaluate -> CheckAuc -> Register | Fail."""
    from sagemaker.core import image_uris

    sm, s3 = lab.client("sagemaker"), lab.client("s3")
    try:
        sm.describe_pipeline(PipelineName=_EXERCISE_PIPELINE)
        return _EXERCISE_PIPELINE
    except sm.exceptions.ClientError:
        pass
    groups = sm.list_model_package_groups(NameContains=_EXERCISE_GROUP)
    if not groups["ModelPackageGroupSummaryList"]:
        sm.create_model_package_group(ModelPackageGroupName=_EXERCISE_GROUP)
    code_key = "exercises/mlops/code/evaluate.py"
    s3.put_object(Bucket=lab.bucket, Key=code_key, Body=_EVALUATE_SCRIPT.encode())
    image = image_uris.retrieve("sklearn", lab.region, version="1.2-1")
    auc = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Evaluation"},
            "Path": "metrics.auc.value",
        }
    }
    evaluate = {
        "Name": "Evaluate",
        "Type": "Processing",
        "Arguments": {
            "RoleArn": lab.role_arn,
            "AppSpecification": {
                "ImageUri": image,
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/evaluate.py"],
                "ContainerArguments": ["/opt/ml/processing/evaluation"],
            },
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 5,
                }
            },
            "ProcessingInputs": [
                {
                    "InputName": "code",
                    "S3Input": {
                        "S3Uri": lab.s3_uri(code_key),
                        "LocalPath": "/opt/ml/processing/input/code",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "evaluation",
                        "S3Output": {
                            "S3Uri": lab.s3_uri("exercises/mlops/evaluation"),
                            "LocalPath": "/opt/ml/processing/evaluation",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
        },
        "PropertyFiles": [
            {
                "PropertyFileName": "Evaluation",
                "OutputName": "evaluation",
                "FilePath": "evaluation.json",
            }
        ],
    }
    register = {
        "Name": "Register",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": _EXERCISE_GROUP,
            "ModelApprovalStatus": "PendingManualApproval",
            "InferenceSpecification": {
                "Containers": [
                    {"Image": image, "ModelDataUrl": lab.s3_uri("exercises/mlops/model.tar.gz")}
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        },
    }
    fail = {"Name": "AucTooLow", "Type": "Fail", "Arguments": {"ErrorMessage": "AUC too low"}}
    check = {
        "Name": "CheckAuc",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "GreaterThanOrEqualTo",
                    "LeftValue": auc,
                    "RightValue": {"Get": f"Parameters.{THRESHOLD}"},
                }
            ],
            "IfSteps": [register],
            "ElseSteps": [fail],
        },
    }
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": THRESHOLD, "Type": "Float", "DefaultValue": 0.8}],
        "Steps": [evaluate, check],
    }
    sm.create_pipeline(
        PipelineName=_EXERCISE_PIPELINE,
        PipelineDefinition=json.dumps(definition),
        RoleArn=lab.role_arn,
    )
    return _EXERCISE_PIPELINE


def _run(lab: Any, threshold: float | None) -> str:
    sm = lab.client("sagemaker")
    extra = {}
    if threshold is not None:
        extra["PipelineParameters"] = [{"Name": THRESHOLD, "Value": str(threshold)}]
    arn = sm.start_pipeline_execution(PipelineName=_exercise_pipeline(lab), **extra)[
        "PipelineExecutionArn"
    ]
    deadline = time.monotonic() + 120
    while sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] in (
        "Executing",
        "Stopping",
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{arn} did not finish in 120 s")
        time.sleep(0.2)
    return arn


def _reference_threshold_run(lab: Any) -> str:
    return _run(lab, math.floor(_EXERCISE_AUC * 100) / 100)


def _wrong_threshold_runs(lab: Any) -> list[Any]:
    return [_run(lab, 0.9), _run(lab, 0.5), _run(lab, None), "churn-mlops", 0.87]


q1 = CustomExercise(
    title="The highest bar the model clears",
    prompt=(
        "Start the pipeline again with AucThreshold set to the first run's test AUC rounded "
        "down to two decimals (the highest bar this model still clears), wait for it, and "
        "give the check the execution's ARN. The check reads the execution's parameters, its "
        "steps and the evaluation.json its Evaluate step wrote."
    ),
    check=_check_threshold_run,
    hints=[
        "The first run's AUC is in its evaluation.json; `first_auc` holds it.",
        "math.floor(first_auc * 100) / 100 rounds down to two decimals.",
        "execution = pipeline.start(parameters={'AucThreshold': math.floor(first_auc * 100) "
        "/ 100}); execution.wait(delay=1); then pass execution.arn.",
    ],
    solution=(
        "import math\n\n"
        "my_run = pipeline.start(parameters={'AucThreshold': math.floor(first_auc * 100) / 100})\n"
        "my_run.wait(delay=1, max_attempts=120)\n"
        "threshold_run = my_run.arn\n"
    ),
    explanation=(
        "A Condition step is the pipeline's quality gate: only a model that clears the bar "
        "reaches the registry, and the bar is a parameter you set per run."
    ),
    reference=_reference_threshold_run,
    typical_wrong=_wrong_threshold_runs,
)


# ------------------------------------------------------- q2: read the Model Registry


def _registry_state(lab: Any, group: str) -> dict[str, Any]:
    sm = lab.client("sagemaker")
    pages = sm.get_paginator("list_model_packages").paginate(ModelPackageGroupName=group)
    packages = [p for page in pages for p in page["ModelPackageSummaryList"]]
    approved = sorted(
        p["ModelPackageVersion"] for p in packages if p["ModelApprovalStatus"] == "Approved"
    )
    return {"versions": len(packages), "approved": approved}


def _check_registry(answer: Any, lab: Any) -> CheckResult:
    if not isinstance(answer, dict) or set(answer) != {"versions", "approved"}:
        return CheckResult.fail(
            "Give a dict with two keys: {'versions': <number of versions>, 'approved': "
            "[<approved version numbers>]}."
        )
    actual = _registry_state(lab, GROUP)
    approved = answer["approved"]
    if not isinstance(approved, list) or not all(isinstance(v, int) for v in approved):
        return CheckResult.fail(
            "'approved' should list version numbers (ModelPackageVersion, 1, 2, ...), not ARNs "
            "or statuses."
        )
    if answer["versions"] != actual["versions"]:
        hint = ""
        if answer["versions"] == len(actual["approved"]):
            hint = " (that is the number of Approved versions: count every version)"
        return CheckResult.fail(
            f"The group {GROUP} holds {actual['versions']} version(s), not {answer['versions']}"
            f"{hint}."
        )
    if sorted(approved) != actual["approved"]:
        return CheckResult.fail(
            f"Versions {sorted(approved)} are not the Approved ones: read ModelApprovalStatus "
            "of each version (PendingManualApproval and Rejected are not approved)."
        )
    return CheckResult.ok(
        f"{GROUP}: {actual['versions']} version(s), approved {actual['approved']}. Only an "
        "Approved version should reach production; approving one is the event a CI/CD "
        "deploy pipeline listens for."
    )


def _ensure_registry(lab: Any) -> None:
    """In a kit without the notebook's group (the test suite), make one with two versions."""
    sm = lab.client("sagemaker")
    if sm.list_model_package_groups(NameContains=GROUP)["ModelPackageGroupSummaryList"]:
        return
    from sagemaker.core import image_uris

    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    image = image_uris.retrieve("xgboost", region=lab.region, version="1.7-1")
    for status in ("Approved", "PendingManualApproval"):
        sm.create_model_package(
            ModelPackageGroupName=GROUP,
            ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [
                    {"Image": image, "ModelDataUrl": lab.s3_uri("exercises/mlops/model.tar.gz")}
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )


def _reference_registry(lab: Any) -> dict[str, Any]:
    _ensure_registry(lab)
    return _registry_state(lab, GROUP)


def _wrong_registries(lab: Any) -> list[Any]:
    state = _reference_registry(lab)
    arns = [
        f"arn:aws:sagemaker:{lab.region}:000000000000:model-package/{GROUP}/{v}"
        for v in state["approved"]
    ]
    return [
        {"versions": len(state["approved"]), "approved": state["approved"]}
        if len(state["approved"]) != state["versions"]
        else {"versions": state["versions"] + 1, "approved": state["approved"]},
        {"versions": state["versions"], "approved": list(range(1, state["versions"] + 1))},
        {"versions": state["versions"], "approved": arns or ["Approved"]},
        state["versions"],
    ]


q2 = CustomExercise(
    title="Read the Model Registry",
    prompt=(
        f"How many versions does the model package group {GROUP!r} hold, and which of them "
        "are Approved? Answer with {'versions': <count>, 'approved': [<version numbers>]}, "
        "read from ListModelPackages. The check reads the registry itself."
    ),
    check=_check_registry,
    hints=[
        "sm.list_model_packages(ModelPackageGroupName=GROUP) lists the versions of one group.",
        "Each summary has ModelPackageVersion and ModelApprovalStatus.",
        "Count all summaries; keep ModelPackageVersion where ModelApprovalStatus == 'Approved'.",
    ],
    solution=(
        "listed = sm.list_model_packages(ModelPackageGroupName=GROUP)\n"
        'packages = listed["ModelPackageSummaryList"]\n'
        "registry = {\n"
        '    "versions": len(packages),\n'
        '    "approved": sorted(\n'
        '        p["ModelPackageVersion"]\n'
        "        for p in packages\n"
        '        if p["ModelApprovalStatus"] == "Approved"\n'
        "    ),\n"
        "}\n"
    ),
    reference=_reference_registry,
    typical_wrong=_wrong_registries,
)


# ----------------------------------------------- q3: a traffic shifting mode per update

_MODES = {
    "switch all traffic at once, then watch the alarms for 10 minutes before the old fleet "
    "goes": "ALL_AT_ONCE",
    "send 5% of traffic to the new model for 15 minutes, then the rest": "CANARY",
    "move traffic in four equal steps of 25%, 10 minutes apart": "LINEAR",
}

updates = list(_MODES)


def _swapped(first: str, second: str) -> dict[str, str]:
    return swap_answers(_MODES, first, second)


q3 = ValueExercise(
    title="A traffic shifting mode for each update",
    prompt=(
        "Map each endpoint update in `updates` to the BlueGreenUpdatePolicy "
        "TrafficRoutingConfiguration Type it needs: 'ALL_AT_ONCE', 'CANARY' or 'LINEAR'."
    ),
    expected=_MODES,
    wrong_answer_reasons=[
        (
            _swapped("CANARY", "LINEAR"),
            "CANARY shifts one small slice (CanarySize), bakes, then shifts the rest; LINEAR "
            "shifts equal steps (LinearStepSize) with a bake after each.",
        ),
        (
            _swapped("ALL_AT_ONCE", "CANARY"),
            "ALL_AT_ONCE moves 100% in one step and bakes after it; a 5% first step is a canary.",
        ),
        (
            _swapped("ALL_AT_ONCE", "LINEAR"),
            "Four equal steps are LINEAR; one step of 100% is ALL_AT_ONCE.",
        ),
    ],
    hints=[
        "Count the traffic steps: one, two (a small one first), or several equal ones.",
        "The baking period (WaitIntervalInSeconds) follows each step in every mode.",
    ],
    solution="modes = dict(zip(updates, ['ALL_AT_ONCE', 'CANARY', 'LINEAR']))\n",
    explanation=(
        "All three are blue/green: the new (green) fleet is provisioned next to the old (blue) "
        "one, and any alarm in AutoRollbackConfiguration sends all traffic back to blue."
    ),
)
