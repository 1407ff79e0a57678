"""Exercises of notebook 04-2-training-on-sagemaker: an early-stopped XGBoost job, job cost."""

from __future__ import annotations

import time
from typing import Any

from labs.exercises._aws_state import describe_named
from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise

#: Where the notebook (and the reference solution) put the churn channels.
TRAIN_PREFIX = "training-on-sagemaker/train/"
VALIDATION_PREFIX = "training-on-sagemaker/validation/"


def _check_early_stopped_job(answer: Any, lab: Any) -> CheckResult:
    sm = lab.client("sagemaker")
    job = describe_named(
        answer,
        "training job",
        lambda name: sm.describe_training_job(TrainingJobName=name),
        "use the name your trainer printed (trainer._latest_training_job.training_job_name).",
    )
    if isinstance(job, CheckResult):
        return job
    image = job["AlgorithmSpecification"].get("TrainingImage", "")
    if "xgboost" not in image:
        return CheckResult.fail(f"That job ran {image.rsplit('/', 1)[-1]}, not built-in XGBoost.")
    if job["TrainingJobStatus"] != "Completed":
        reason = job.get("FailureReason", "")
        return CheckResult.fail(f"The job is {job['TrainingJobStatus']}. {reason}".strip())
    hyperparameters = job.get("HyperParameters", {})
    if "early_stopping_rounds" not in hyperparameters:
        return CheckResult.fail(
            "The job has no early_stopping_rounds hyperparameter, so it trained all num_round "
            "rounds: set early_stopping_rounds (e.g. 10)."
        )
    channels = {c["ChannelName"] for c in job.get("InputDataConfig", [])}
    if "validation" not in channels:
        return CheckResult.fail(
            "Early stopping watches the validation channel, and the job has none: add an "
            "InputData with channel_name='validation'."
        )
    metrics = {m["MetricName"] for m in job.get("FinalMetricDataList", [])}
    if "validation:auc" not in metrics:
        return CheckResult.fail(
            "The job does not report validation:auc: set eval_metric to auc so early stopping "
            "watches the AUC."
        )
    return CheckResult.ok(
        f"{job['TrainingJobName']} stopped early on the validation AUC after "
        f"{job.get('TrainingTimeInSeconds', '?')} s of training."
    )


def _xgboost_job(lab: Any, name: str, channels: tuple[str, ...], **hyperparameters: Any) -> str:
    from sagemaker.core import image_uris

    sm = lab.client("sagemaker")
    prefixes = {"train": TRAIN_PREFIX, "validation": VALIDATION_PREFIX}
    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={
            "TrainingImage": image_uris.retrieve("xgboost", region=lab.region, version="1.7-1"),
            "TrainingInputMode": "File",
        },
        RoleArn=lab.role_arn,
        HyperParameters={k: str(v) for k, v in hyperparameters.items()},
        InputDataConfig=[
            {
                "ChannelName": channel,
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": lab.s3_uri(prefixes[channel]) + "/",
                    }
                },
                "ContentType": "text/csv",
            }
            for channel in channels
        ],
        OutputDataConfig={"S3OutputPath": lab.s3_uri("training-on-sagemaker/output")},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 900},
        Tags=lab.tags("04-2-training-on-sagemaker"),
    )
    deadline = time.monotonic() + 300
    while sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] == "InProgress":
        if time.monotonic() > deadline:
            raise TimeoutError(f"training job {name} did not finish in 300 s")
        time.sleep(0.5)
    return name


def _ensure_channels(lab: Any) -> None:
    """Put the churn channels where the notebook puts them, if they are not there yet."""
    import io

    import pandas as pd
    from sklearn.model_selection import train_test_split

    from labs.modeling.label_first import put_label_first_csv
    from labs.modeling.tabular import builtin_csv_tables

    s3 = lab.client("s3")
    listed = s3.list_objects_v2(Bucket=lab.bucket, Prefix=VALIDATION_PREFIX)
    if listed.get("KeyCount", 0):
        return
    bucket, key = lab.ensure_dataset("churn").removeprefix("s3://").split("/", 1)
    churn = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    train, validation = train_test_split(
        churn, test_size=0.2, stratify=churn["churn"], random_state=0
    )
    train, validation = builtin_csv_tables(train, validation, "churn", drop=("customer_id",))
    put_label_first_csv(s3, lab.bucket, f"{TRAIN_PREFIX}train.csv", train)
    put_label_first_csv(s3, lab.bucket, f"{VALIDATION_PREFIX}validation.csv", validation)


def _unique(stem: str) -> str:
    return f"{stem}-{time.strftime('%H%M%S')}-{time.monotonic_ns() % 100000}"


def _reference_job(lab: Any) -> str:
    _ensure_channels(lab)
    return _xgboost_job(
        lab,
        _unique("q1-reference"),
        ("train", "validation"),
        objective="binary:logistic",
        eval_metric="auc",
        num_round=200,
        early_stopping_rounds=10,
        max_depth=3,
    )


def _wrong_jobs(lab: Any) -> list[Any]:
    _ensure_channels(lab)
    no_early_stopping = _xgboost_job(
        lab,
        _unique("q1-no-early-stopping"),
        ("train", "validation"),
        objective="binary:logistic",
        eval_metric="auc",
        num_round=5,
    )
    error_metric = _xgboost_job(
        lab,
        _unique("q1-error-metric"),
        ("train", "validation"),
        objective="binary:logistic",
        eval_metric="error",
        num_round=40,
        early_stopping_rounds=5,
    )
    return [no_early_stopping, error_metric, "churn-xgboost-that-never-ran", 42]


q1 = CustomExercise(
    title="Train XGBoost with early stopping",
    prompt=(
        "Start a built-in XGBoost job on the churn channels with a validation channel, "
        "eval_metric auc and early_stopping_rounds, wait for it, and give its name."
    ),
    check=_check_early_stopped_job,
    hints=[
        "Copy the XGBoost ModelTrainer cell and change base_job_name and the hyperparameters.",
        "Early stopping needs three things: early_stopping_rounds, a validation channel to "
        "watch, and the metric to watch (eval_metric='auc').",
        "After trainer.train(wait=True), the name is trainer._latest_training_job."
        "training_job_name.",
    ],
    solution=(
        "my_trainer = ModelTrainer(\n"
        "    training_image=xgboost_image,\n"
        "    role=lab.role_arn,\n"
        "    compute=Compute(instance_type=INSTANCE_TYPE, instance_count=1),\n"
        "    stopping_condition=StoppingCondition(max_runtime_in_seconds=900),\n"
        "    hyperparameters={\n"
        '        "objective": "binary:logistic",\n'
        '        "eval_metric": "auc",\n'
        '        "num_round": 300,\n'
        '        "early_stopping_rounds": 10,\n'
        '        "max_depth": 3,\n'
        "    },\n"
        "    input_data_config=channels,\n"
        "    output_data_config=output,\n"
        "    sagemaker_session=lab.sagemaker_session,\n"
        '    base_job_name="my-xgboost",\n'
        "    tags=kit_tags,\n"
        ")\n"
        "my_trainer.train(wait=True, logs=False)\n"
        "my_job_name = my_trainer._latest_training_job.training_job_name\n"
    ),
    reference=_reference_job,
    typical_wrong=_wrong_jobs,
)


def _training_cost(description: dict[str, Any], hourly_price: float) -> float:
    resources = description["ResourceConfig"]
    return description["BillableTimeInSeconds"] * resources["InstanceCount"] * hourly_price / 3600


def _job(training: int, billable: int, instances: int = 1) -> dict[str, Any]:
    return {
        "TrainingTimeInSeconds": training,
        "BillableTimeInSeconds": billable,
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": instances},
    }


def _training_time(description: dict, hourly_price: float) -> float:
    """Bills TrainingTimeInSeconds: AWS bills BillableTimeInSeconds, which managed spot
    training makes smaller."""
    instances = description["ResourceConfig"]["InstanceCount"]
    return description["TrainingTimeInSeconds"] * instances * hourly_price / 3600


def _one_instance(description: dict, hourly_price: float) -> float:
    """Bills one instance: BillableTimeInSeconds is per instance, so multiply by
    ResourceConfig['InstanceCount']."""
    return description["BillableTimeInSeconds"] * hourly_price / 3600


def _per_second(description: dict, hourly_price: float) -> float:
    """Treats the hourly price as a price per second: divide the seconds by 3600."""
    instances = description["ResourceConfig"]["InstanceCount"]
    return description["BillableTimeInSeconds"] * instances * hourly_price


q2 = FunctionExercise(
    title="The on-demand cost of a training job",
    prompt=(
        "Write training_cost(description, hourly_price) that returns the USD cost of a "
        "finished job from its describe_training_job answer and the instance's hourly price."
    ),
    cases=[
        Case(args=(_job(3600, 3600), 0.23), label="one hour on one ml.m5.xlarge"),
        Case(args=(_job(300, 300, instances=4), 0.23), label="five minutes on four instances"),
        Case(
            args=(_job(500, 100, instances=2), 0.23),
            label="managed spot: 500 s trained, 100 s billed, two instances",
        ),
    ],
    reference_function=_training_cost,
    rel_tol=1e-6,
    hints=[
        "Prices are per instance-hour; the job reports seconds.",
        "Use BillableTimeInSeconds (what AWS bills; lower than TrainingTimeInSeconds with "
        "managed spot), times ResourceConfig['InstanceCount'].",
    ],
    solution=(
        "def training_cost(description, hourly_price):\n"
        '    seconds = description["BillableTimeInSeconds"]\n'
        '    instances = description["ResourceConfig"]["InstanceCount"]\n'
        "    return seconds * instances * hourly_price / 3600\n"
    ),
    typical_wrong=[_training_time, _one_instance, _per_second],
)
