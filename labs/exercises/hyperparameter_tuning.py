"""Exercises of notebook 04-4-hyperparameter-tuning: a tuning job's settings, SageMaker's rules."""

from __future__ import annotations

from typing import Any

from labs.exercises._aws_state import describe_named
from labs.exercises.core import CheckResult, CustomExercise, ValueExercise

_XGBOOST_IMAGE = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1"


def _check_tuning_job(answer: Any, lab: Any) -> CheckResult:
    sm = lab.client("sagemaker")
    described = describe_named(
        answer,
        "tuning job",
        lambda name: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name),
        "take the name from tuner.latest_tuning_job.hyper_parameter_tuning_job_name.",
    )
    if isinstance(described, CheckResult):
        return described
    config = described["HyperParameterTuningJobConfig"]
    strategy = config.get("Strategy")
    if strategy not in ("Bayesian", "Random"):
        return CheckResult.fail(
            f"The job uses the {strategy} strategy: use Bayesian or Random. (Hyperband does "
            "its own early stopping and rejects TrainingJobEarlyStoppingType='Auto'.)"
        )
    if config.get("TrainingJobEarlyStoppingType", "Off") != "Auto":
        return CheckResult.fail(
            "Early stopping is Off: pass early_stopping_type='Auto' to HyperparameterTuner."
        )
    ranges = config.get("ParameterRanges", {}).get("ContinuousParameterRanges", [])
    eta = next((r for r in ranges if r.get("Name") == "eta"), None)
    if eta is None:
        return CheckResult.fail("eta is not tuned as a continuous range: add it.")
    if eta.get("ScalingType") != "Logarithmic":
        return CheckResult.fail(
            f"eta is searched on a {eta.get('ScalingType', 'Auto')} scale: from 0.01 to 0.5 it "
            "spans more than an order of magnitude, so use scaling_type='Logarithmic'."
        )
    limits = config.get("ResourceLimits", {})
    if limits.get("MaxNumberOfTrainingJobs", 0) > 8 or limits.get("MaxParallelTrainingJobs", 0) > 2:
        return CheckResult.fail("Keep the budget small: at most 8 jobs, at most 2 in parallel.")
    status = described["HyperParameterTuningJobStatus"]
    if status == "Failed":
        return CheckResult.fail(f"The job failed: {described.get('FailureReason', '')}")
    return CheckResult.ok(
        f"{answer.strip()} searches eta on a log scale with {strategy} search and stops weak "
        f"jobs early (status {status})."
    )


def _start_job(
    lab: Any,
    name: str,
    *,
    strategy: str = "Random",
    early_stopping: str = "Auto",
    scaling: str = "Logarithmic",
) -> str:
    """Start a small XGBoost tuning job on the churn data (uploaded if needed)."""
    from labs import data
    from labs.modeling.label_first import label_first, put_label_first_csv

    s3 = lab.client("s3")
    table = label_first(data.load("churn"), "churn", drop=["customer_id"])
    uri = put_label_first_csv(s3, lab.bucket, "exercises/tuning/train/train.csv", table)
    lab.client("sagemaker").create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "train:auc"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "eta", "MinValue": "0.01", "MaxValue": "0.5", "ScalingType": scaling}
                ]
            },
            "TrainingJobEarlyStoppingType": early_stopping,
        },
        TrainingJobDefinition={
            "StaticHyperParameters": {
                "num_round": "5",
                "objective": "binary:logistic",
                "eval_metric": "auc",
            },
            "AlgorithmSpecification": {
                "TrainingImage": _XGBOOST_IMAGE.format(region=lab.region),
                "TrainingInputMode": "File",
            },
            "RoleArn": lab.role_arn,
            "InputDataConfig": [
                {
                    "ChannelName": "train",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
                    "ContentType": "text/csv",
                }
            ],
            "OutputDataConfig": {"S3OutputPath": lab.s3_uri("exercises/tuning/output")},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 5,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        },
        Tags=lab.tags("04-4-hyperparameter-tuning"),
    )
    return name


def _typical_wrong_jobs(lab: Any) -> list[Any]:
    return [
        _start_job(lab, "ex-tune-linear", scaling="Linear"),
        _start_job(lab, "ex-tune-no-stop", early_stopping="Off"),
        _start_job(lab, "ex-tune-hyperband", strategy="Hyperband", early_stopping="Off"),
        "no-such-tuning-job",
        42,
    ]


q1 = CustomExercise(
    title="A tuning job with early stopping and a log-scaled learning rate",
    prompt=(
        "Start a Bayesian or Random tuning job (at most 8 jobs, at most 2 in parallel) that "
        "searches eta from 0.01 to 0.5 on a Logarithmic scale and stops weak jobs early "
        "(early_stopping_type='Auto'). Give the check the tuning job's name."
    ),
    check=_check_tuning_job,
    hints=[
        "Copy the HyperparameterTuner cell of the notebook and change two arguments.",
        "ContinuousParameter(0.01, 0.5, scaling_type='Logarithmic') and "
        "early_stopping_type='Auto'; keep strategy='Random' or 'Bayesian'.",
        "After tuner.tune(...), the name is "
        "tuner.latest_tuning_job.hyper_parameter_tuning_job_name.",
    ],
    solution=(
        "my_tuner = HyperparameterTuner(\n"
        "    model_trainer=make_trainer(num_round=100),\n"
        '    objective_metric_name="validation:auc",\n'
        '    hyperparameter_ranges={"eta": ContinuousParameter(0.01, 0.5, '
        'scaling_type="Logarithmic")},\n'
        '    strategy="Random",\n'
        '    early_stopping_type="Auto",\n'
        "    max_jobs=6,\n"
        "    max_parallel_jobs=2,\n"
        '    base_tuning_job_name="my-tuning",\n'
        ")\n"
        "my_tuner.tune(inputs=channels, wait=True)\n"
        "my_tuning_job = my_tuner.latest_tuning_job.hyper_parameter_tuning_job_name\n"
    ),
    reference=lambda lab: _start_job(lab, "ex-tune-reference"),
    typical_wrong=_typical_wrong_jobs,
)

#: Your turn 2 of the notebook: tuning set-ups, some of which SageMaker AI rejects.
SETUPS: dict[str, str] = {
    "a": "Bayesian, eta from 0.001 to 0.3 with Logarithmic scaling",
    "b": "Grid over eta as a ContinuousParameter(0.01, 0.3)",
    "c": "Random, alpha from 0 to 10 with Logarithmic scaling",
    "d": "Hyperband with TrainingJobEarlyStoppingType 'Auto'",
    "e": "Bayesian, subsample from 0.5 to 0.99 with ReverseLogarithmic scaling",
    "f": "warm start from 6 parent tuning jobs",
    "g": "Random with max_parallel_jobs equal to max_jobs",
}

q2 = ValueExercise(
    title="Which tuning set-ups does SageMaker AI reject?",
    prompt="Give the set of letters of SETUPS that SageMaker AI refuses to run.",
    expected={"b", "c", "d", "f"},
    ordered=False,
    ignore_case=True,
    wrong_answer_reasons=[
        (
            {"b", "d", "f"},
            "Logarithmic scaling needs every value above 0: alpha from 0 cannot be scaled "
            "logarithmically (c is rejected too).",
        ),
        (
            {"b", "c", "d", "e", "f"},
            "ReverseLogarithmic is valid for continuous ranges within 0 <= x < 1, which "
            "0.5 to 0.99 is: e runs.",
        ),
        (
            {"b", "c", "d", "f", "g"},
            "Running every job in parallel is allowed (Random search does not learn from "
            "earlier jobs anyway); it only wastes Bayesian search's ability to learn.",
        ),
        (
            {"c", "d", "f"},
            "Grid search takes categorical ranges only: b is rejected.",
        ),
    ],
    hints=[
        "Four rules decide it: Grid takes categorical ranges only; Logarithmic needs "
        "values > 0; Hyperband needs job-level early stopping Off; warm start takes at most "
        "5 parents.",
        "ReverseLogarithmic is for continuous values in 0 <= x < 1 (such as a momentum "
        "or subsample close to 1).",
    ],
    solution='rejected = {"b", "c", "d", "f"}\n',
    reference=lambda: {"b", "c", "d", "f"},
)
