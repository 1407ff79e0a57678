"""Exercises of notebook 05-2-batch-transform: score a labelled file and keep id, label and
prediction together; the cost of a transform job."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from botocore.exceptions import WaiterError

from labs.exercises._aws_state import describe_named
from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise

#: Where the notebook (and the reference solution) put the labelled customers:
#: ``customer_id,churn,<67 features>`` per line, no header.
LABELLED_PREFIX = "batch-transform/labelled/"

# ------------------------------------------- q1: score a labelled file, keep id and label


def _outputs(lab: Any, output_uri: str) -> list[list[str]]:
    s3 = lab.client("s3")
    bucket, _, prefix = output_uri.removeprefix("s3://").partition("/")
    prefix = prefix.rstrip("/") + "/"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    rows: list[list[str]] = []
    for item in sorted(listed, key=lambda i: i["Key"]):
        if item["Key"].endswith(".out"):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode()
            rows += [line.split(",") for line in body.splitlines() if line.strip()]
    return rows


def _input_lines(lab: Any, job: dict[str, Any]) -> int:
    s3 = lab.client("s3")
    uri = job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    count = 0
    for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode()
        count += sum(1 for line in body.splitlines() if line.strip())
    return count


def _check_labelled_job(answer: Any, lab: Any) -> CheckResult:
    sm = lab.client("sagemaker")
    job = describe_named(
        answer,
        "transform job",
        lambda name: sm.describe_transform_job(TransformJobName=name),
        "use the name you gave create_transform_job.",
    )
    if isinstance(job, CheckResult):
        return job
    status = job["TransformJobStatus"]
    if status == "InProgress":
        return CheckResult.fail(
            "The job is still InProgress: wait for it (the transform_job_completed_or_stopped "
            "waiter) and check again."
        )
    if status != "Completed":
        return CheckResult.fail(
            f"The job is {status}: {job.get('FailureReason', 'no reason given').rstrip('.')}. "
            "Did the model "
            "get the label as a feature? The InputFilter must drop both id and label."
        )
    source = job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
    if not source.rstrip("/").endswith(LABELLED_PREFIX.rstrip("/")):
        return CheckResult.fail(f"The job read {source}; score the file below {LABELLED_PREFIX}.")
    processing = job.get("DataProcessing", {})
    if processing.get("JoinSource") != "Input":
        return CheckResult.fail(
            "The output holds predictions only: set DataProcessing JoinSource='Input' so each "
            "prediction is appended to its input line."
        )
    rows = _outputs(lab, job["TransformOutput"]["S3OutputPath"])
    widths = {len(row) for row in rows}
    if widths != {3}:
        return CheckResult.fail(
            f"Output lines have {sorted(widths)} fields; keep exactly customer_id, churn and "
            "the prediction with an OutputFilter."
        )
    if len(rows) != _input_lines(lab, job):
        return CheckResult.fail("The output has another number of lines than the input.")
    try:
        ids_ok = all(row[0].startswith("C") for row in rows)
        labels_ok = all(float(row[1]) in (0.0, 1.0) for row in rows)
        scores_ok = all(0.0 <= float(row[2]) <= 1.0 for row in rows)
    except ValueError:
        return CheckResult.fail("The three fields are not customer_id, churn and a probability.")
    if not (ids_ok and labels_ok and scores_ok):
        return CheckResult.fail(
            "The fields are not customer_id, churn (0 or 1) and a probability, in that order: "
            "check the OutputFilter's column numbers."
        )
    return CheckResult.ok(
        f"{len(rows)} lines of customer_id, churn, prediction: ready for an offline evaluation "
        "with no join of your own."
    )


def _exercise_model(lab: Any) -> str:
    from labs.operations.churn_model import ensure_churn_xgboost

    churn_model = ensure_churn_xgboost(lab)
    sm, name = lab.client("sagemaker"), "bt-exercise-model"
    try:
        sm.describe_model(ModelName=name)
    except sm.exceptions.ClientError:
        sm.create_model(
            ModelName=name,
            PrimaryContainer={
                "Image": churn_model.image_uri,
                "ModelDataUrl": churn_model.model_data_url,
            },
            ExecutionRoleArn=lab.role_arn,
        )
        table = churn_model.data.scoring_table()
        table.insert(1, "churn", churn_model.data.y_validation.to_numpy())
        lab.client("s3").put_object(
            Bucket=lab.bucket,
            Key=f"{LABELLED_PREFIX}customers.csv",
            Body=table.iloc[:200].to_csv(header=False, index=False).encode(),
        )
    return name


def _run(lab: Any, stem: str, **data_processing: str) -> str:
    model = _exercise_model(lab)
    name = f"{stem}-{time.time_ns()}"
    sm = lab.client("sagemaker")
    request: dict[str, Any] = {
        "TransformJobName": name,
        "ModelName": model,
        "TransformInput": {
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": lab.s3_uri(LABELLED_PREFIX) + "/",
                }
            },
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "TransformOutput": {
            "S3OutputPath": lab.s3_uri("exercises/batch", name),
            "Accept": "text/csv",
            "AssembleWith": "Line",
        },
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
    }
    if data_processing:
        request["DataProcessing"] = data_processing
    sm.create_transform_job(**request)
    # A failed job is one of the typical wrong answers; the check reads its reason.
    with contextlib.suppress(WaiterError):
        sm.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName=name)
    return name


def _reference_job(lab: Any) -> str:
    return _run(lab, "bt-ref", InputFilter="$[2:]", JoinSource="Input", OutputFilter="$[0,1,-1]")


def _wrong_jobs(lab: Any) -> list[Any]:
    return [
        _run(lab, "bt-label-as-feature", InputFilter="$[1:]", JoinSource="Input"),
        _run(lab, "bt-no-join", InputFilter="$[2:]"),
        _run(lab, "bt-everything", InputFilter="$[2:]", JoinSource="Input"),
        _run(
            lab,
            "bt-wrong-columns",
            InputFilter="$[2:]",
            JoinSource="Input",
            OutputFilter="$[0,2,-1]",
        ),
        "no-such-transform-job",
        None,
    ]


q1 = CustomExercise(
    title="Score a labelled file and keep id, label and prediction",
    prompt=(
        f"The file below {LABELLED_PREFIX} has customer_id, churn (the label), then the 67 "
        "features on each line. Run a transform job with the churn model so that each output "
        "line is customer_id,churn,prediction. Wait for it, then give the check its name."
    ),
    check=_check_labelled_job,
    hints=[
        "The model must see only the features: InputFilter drops the first two columns.",
        "JoinSource='Input' appends the prediction to the whole input line; an OutputFilter "
        "then keeps some of its columns (negative indexes count from the end).",
        'DataProcessing={"InputFilter": "$[2:]", "JoinSource": "Input", '
        '"OutputFilter": "$[0,1,-1]"}',
    ],
    solution=(
        'labelled_job = f"churn-labelled-{suffix}"\n'
        "sm.create_transform_job(\n"
        "    TransformJobName=labelled_job,\n"
        "    ModelName=model_name,\n"
        "    TransformInput={\n"
        '        "DataSource": {\n'
        '            "S3DataSource": {\n'
        '                "S3DataType": "S3Prefix",\n'
        '                "S3Uri": lab.s3_uri("batch-transform/labelled") + "/",\n'
        "            }\n"
        "        },\n"
        '        "ContentType": "text/csv",\n'
        '        "SplitType": "Line",\n'
        "    },\n"
        "    TransformOutput={\n"
        '        "S3OutputPath": lab.s3_uri("batch-transform/scored-labelled"),\n'
        '        "Accept": "text/csv",\n'
        '        "AssembleWith": "Line",\n'
        "    },\n"
        '    TransformResources={"InstanceType": INSTANCE_TYPE, "InstanceCount": 1},\n'
        '    DataProcessing={"InputFilter": "$[2:]", "JoinSource": "Input", '
        '"OutputFilter": "$[0,1,-1]"},\n'
        "    Tags=lab.tags(NOTEBOOK),\n"
        ")\n"
        'sm.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName=labelled_job)\n'
    ),
    reference=_reference_job,
    typical_wrong=_wrong_jobs,
)


# ------------------------------------------------------------- q2: a transform job's cost


def _reference_cost(
    records: int, records_per_second: float, hourly_price: float, instances: int = 1
) -> float:
    hours = records / (records_per_second * instances) / 3600
    return hours * hourly_price * instances


def _no_hours(
    records: int, records_per_second: float, hourly_price: float, instances: int = 1
) -> float:
    """Multiplies seconds by an hourly price: divide the seconds by 3600 first."""
    return records / (records_per_second * instances) * hourly_price * instances


def _instances_ignored_in_time(
    records: int, records_per_second: float, hourly_price: float, instances: int = 1
) -> float:
    """Forgets that instances share the records: with n instances the job runs n times
    shorter, so n instances cost the same as one."""
    return records / records_per_second / 3600 * hourly_price * instances


def _one_instance_billed(
    records: int, records_per_second: float, hourly_price: float, instances: int = 1
) -> float:
    """Bills one instance: every instance of the job is billed while the job runs."""
    return records / (records_per_second * instances) / 3600 * hourly_price


q2 = FunctionExercise(
    title="What a batch transform job costs",
    prompt=(
        "Write transform_cost(records, records_per_second, hourly_price, instances=1): the USD "
        "a transform job costs when each of its `instances` scores `records_per_second` and "
        "they share `records` evenly, each instance billed `hourly_price` per hour while the "
        "job runs (ignore start-up time)."
    ),
    cases=[
        Case((3_600_000, 1000.0, 0.115), label="transform_cost(3.6 million, 1000/s, $0.115)"),
        Case((3_600_000, 1000.0, 0.115, 4), label="the same on 4 instances"),
        Case((50_000, 250.0, 0.23, 2), label="transform_cost(50,000, 250/s, $0.23, 2)"),
    ],
    reference_function=_reference_cost,
    hints=[
        "Run time: records / (records_per_second * instances) seconds; divide by 3600 for hours.",
        "Every instance is billed for the run time: hours * hourly_price * instances.",
        "Check yourself: 4 instances finish 4 times sooner and cost the same as one.",
    ],
    solution=(
        "def transform_cost(records, records_per_second, hourly_price, instances=1):\n"
        "    hours = records / (records_per_second * instances) / 3600\n"
        "    return hours * hourly_price * instances\n"
    ),
    explanation=(
        "Scaling a transform job out shortens it without making it dearer (start-up aside); "
        "an endpoint, by contrast, costs the same whether it scores a million rows or none."
    ),
    typical_wrong=[_no_hours, _instances_ignored_in_time, _one_instance_billed, "not a function"],
)
