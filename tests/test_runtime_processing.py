"""Processing jobs on the local runtime run for real, through boto3 and the SDK v3."""

from __future__ import annotations

import gzip
import io
import json
import re
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from botocore.exceptions import ClientError

FIXTURES = Path(__file__).parent / "fixtures" / "processing"
LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
CODE = "/opt/ml/processing/input/code"
SPLITS = ("train", "validation", "test")
SPLIT_ARGUMENTS = [
    "--input-dir",
    "/opt/ml/processing/input/data",
    "--train-dir",
    "/opt/ml/processing/train",
    "--validation-dir=/opt/ml/processing/validation",
    "--test-dir",
    "/opt/ml/processing/test",
]


@pytest.fixture(scope="module")
def sklearn_image(lab) -> str:
    from sagemaker.core import image_uris

    return image_uris.retrieve("sklearn", lab.region, version="1.2-1")


@pytest.fixture(scope="module")
def churn_rows(lab) -> int:
    return len(read_csv(lab, lab.ensure_dataset("churn"), header=0))


def upload_script(lab, name: str) -> str:
    """Upload a fixture script to S3; return its URI (a one-object S3Prefix input)."""
    key = f"processing-tests/code/{name}"
    lab.client("s3").upload_file(str(FIXTURES / name), lab.bucket, key)
    return lab.s3_uri(key)


def s3_input(name: str, uri: str, local_path: str, **extra: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            **extra,
        },
    }


def s3_output(name: str, uri: str, local_path: str) -> dict[str, Any]:
    return {
        "OutputName": name,
        "S3Output": {"S3Uri": uri, "LocalPath": local_path, "S3UploadMode": "EndOfJob"},
    }


def processing_request(
    lab,
    name: str,
    image: str,
    script: str,
    arguments: list[str] | None = None,
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A CreateProcessingJob request running ``script`` as ScriptProcessor would."""
    app: dict[str, Any] = {
        "ImageUri": image,
        "ContainerEntrypoint": ["python3", f"{CODE}/{script}"],
    }
    if arguments:
        app["ContainerArguments"] = arguments
    return {
        "ProcessingJobName": name,
        "RoleArn": lab.role_arn,
        "AppSpecification": app,
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 5,
            }
        },
        "ProcessingInputs": [*(inputs or []), s3_input("code", upload_script(lab, script), CODE)],
        "ProcessingOutputConfig": {"Outputs": outputs or []},
        "StoppingCondition": {"MaxRuntimeInSeconds": 300},
        **extra,
    }


def wait_for_processing_job(sm, name: str, timeout: float = 60) -> dict[str, Any]:
    """Poll DescribeProcessingJob until the job ends; return the last description."""
    deadline = time.monotonic() + timeout
    while True:
        described = sm.describe_processing_job(ProcessingJobName=name)
        if described["ProcessingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} still {described['ProcessingJobStatus']}")
        time.sleep(0.1)


def log_messages(lab, name: str) -> tuple[str, list[str]]:
    """The job's log stream name and its messages."""
    logs = lab.client("logs")
    streams = logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=f"{name}/")
    stream = streams["logStreams"][0]["logStreamName"]
    events = logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=stream)["events"]
    return stream, [event["message"] for event in events]


def read_csv(lab, uri: str, header: int | None = None) -> pd.DataFrame:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body = lab.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return pd.read_csv(io.BytesIO(body), header=header)


def keys_under(lab, prefix: str) -> list[str]:
    listed = lab.client("s3").list_objects_v2(Bucket=lab.bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def assert_clean_splits(lab, prefix: str, churn_rows: int) -> None:
    """Three label-first CSV splits under ``prefix``: no header, no gaps, every row once."""
    splits = {split: read_csv(lab, lab.s3_uri(prefix, split, f"{split}.csv")) for split in SPLITS}
    assert sum(len(frame) for frame in splits.values()) == churn_rows
    assert len(splits["train"]) > len(splits["validation"]) > 0
    assert len({frame.shape[1] for frame in splits.values()}) == 1
    for frame in splits.values():
        assert set(frame[0].unique()) == {0, 1}  # the label first, no header row
        assert not frame.isna().any().any()


def test_boto3_processing_job_cleans_and_splits_churn(lab, sklearn_image, churn_rows):
    sm = lab.client("sagemaker")
    request = processing_request(
        lab,
        "boto3-churn-prep",
        sklearn_image,
        "prepare_churn.py",
        arguments=SPLIT_ARGUMENTS,
        inputs=[s3_input("data", lab.ensure_dataset("churn"), "/opt/ml/processing/input/data")],
        outputs=[
            s3_output(
                split, lab.s3_uri("processing-tests/boto3", split), f"/opt/ml/processing/{split}"
            )
            for split in SPLITS
        ],
    )
    sm.create_processing_job(**request)
    assert sm.describe_processing_job(ProcessingJobName="boto3-churn-prep")[
        "ProcessingJobStatus"
    ] in ("InProgress", "Completed")
    job = wait_for_processing_job(sm, "boto3-churn-prep")

    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    assert "FailureReason" not in job
    assert job["CreationTime"] <= job["ProcessingStartTime"] < job["ProcessingEndTime"]
    assert job["LastModifiedTime"] >= job["ProcessingEndTime"]
    assert job["ProcessingResources"] == request["ProcessingResources"]
    assert job["AppSpecification"]["ContainerArguments"] == SPLIT_ARGUMENTS
    assert_clean_splits(lab, "processing-tests/boto3", churn_rows)
    summaries = sm.list_processing_jobs(NameContains="boto3-churn-prep")["ProcessingJobSummaries"]
    assert [s["ProcessingJobStatus"] for s in summaries] == ["Completed"]

    stream, messages = log_messages(lab, "boto3-churn-prep")
    assert re.fullmatch(r"boto3-churn-prep/algo-1-\d{10}", stream)
    assert f"read {churn_rows} rows from 1 file(s)" in messages
    assert any(
        m.startswith("wrote ") and m.endswith(" train rows with 70 features") for m in messages
    )


def test_sdk_script_processor_runs_and_waits(lab, sklearn_image, churn_rows):
    from sagemaker.core.processing import ScriptProcessor
    from sagemaker.core.shapes import (
        ProcessingInput,
        ProcessingOutput,
        ProcessingS3Input,
        ProcessingS3Output,
    )

    processor = ScriptProcessor(
        role=lab.role_arn,
        image_uri=sklearn_image,  # a scikit-learn image: the SDK picks command ["python3"]
        instance_type="ml.m5.xlarge",
        instance_count=1,
        base_job_name="sdk-churn-prep",
        sagemaker_session=lab.sagemaker_session,
        max_runtime_in_seconds=300,
    )
    processor.run(
        code=str(FIXTURES / "prepare_churn.py"),
        inputs=[
            ProcessingInput(
                input_name="data",
                s3_input=ProcessingS3Input(
                    s3_uri=lab.ensure_dataset("churn"),
                    local_path="/opt/ml/processing/input/data",
                    s3_data_type="S3Prefix",
                    s3_input_mode="File",
                ),
            )
        ],
        outputs=[
            ProcessingOutput(
                output_name=split,
                s3_output=ProcessingS3Output(
                    s3_uri=lab.s3_uri("processing-tests/sdk", split),
                    local_path=f"/opt/ml/processing/{split}",
                    s3_upload_mode="EndOfJob",
                ),
            )
            for split in SPLITS
        ],
        arguments=SPLIT_ARGUMENTS,
        wait=True,  # the SDK polls every 10 s: this test takes about 11 s
        logs=False,
    )
    job = processor.latest_job
    job.refresh()
    assert job.processing_job_status == "Completed", job.failure_reason
    assert job.app_specification.container_entrypoint == [
        "python3",
        f"{CODE}/prepare_churn.py",
    ]
    assert job.processing_start_time <= job.processing_end_time
    assert_clean_splits(lab, "processing-tests/sdk", churn_rows)


def test_sdk_framework_processor_runs_its_runproc_script(lab, sklearn_image, churn_rows):
    from sagemaker.core.processing import FrameworkProcessor
    from sagemaker.core.shapes import ProcessingInput, ProcessingS3Input

    processor = FrameworkProcessor(
        image_uri=sklearn_image,
        command=["python3"],
        role=lab.role_arn,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        base_job_name="sdk-fw-prep",
        sagemaker_session=lab.sagemaker_session,
    )
    processor.run(
        code="prepare_churn.py",
        source_dir=str(FIXTURES),
        inputs=[
            ProcessingInput(
                input_name="data",
                s3_input=ProcessingS3Input(
                    s3_uri=lab.ensure_dataset("churn"),
                    local_path="/opt/ml/processing/input/data",
                    s3_data_type="S3Prefix",
                    s3_input_mode="File",
                ),
            )
        ],
        outputs=[],
        # Every output directory is named: a default the runtime never sees
        # (/opt/ml/processing/test) would write outside the job's sandbox.
        arguments=[
            *SPLIT_ARGUMENTS[:2],
            *("--train-dir", "/opt/ml/processing/scratch/train"),
            "--validation-dir=/opt/ml/processing/scratch/validation",
            *("--test-dir", "/opt/ml/processing/scratch/test"),
        ],
        wait=False,
        logs=False,
    )
    name = processor.latest_job.processing_job_name
    job = wait_for_processing_job(lab.client("sagemaker"), name)
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["AppSpecification"]["ContainerEntrypoint"][0] == "/bin/bash"
    assert f"read {churn_rows} rows from 1 file(s)" in log_messages(lab, name)[1]


def test_non_zero_exit_fails_with_the_scripts_error(lab, sklearn_image):
    sm = lab.client("sagemaker")
    sm.create_processing_job(
        **processing_request(
            lab,
            "failing-validation",
            sklearn_image,
            "fail_validation.py",
            arguments=["--message-file", "/opt/ml/output/message"],
            outputs=[
                s3_output("report", lab.s3_uri("processing-tests/failed"), "/opt/ml/processing/out")
            ],
        )
    )
    job = wait_for_processing_job(sm, "failing-validation")
    assert job["ProcessingJobStatus"] == "Failed"
    reason = job["FailureReason"]
    assert reason.startswith("AlgorithmError: ") and len(reason) <= 1024
    assert "KeyError: \"column 'churn_flag' not found in the input data\"" in reason
    assert job["ExitMessage"] == "schema check failed: column churn_flag is missing"
    assert job["ProcessingEndTime"] >= job["ProcessingStartTime"]
    assert keys_under(lab, "processing-tests/failed") == []
    messages = log_messages(lab, "failing-validation")[1]
    assert "validating the input schema" in messages


def test_an_image_without_an_entrypoint_fails_naming_the_image(lab):
    image = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    sm = lab.client("sagemaker")
    request = processing_request(lab, "no-entrypoint", image, "show_arguments.py")
    del request["AppSpecification"]["ContainerEntrypoint"]
    sm.create_processing_job(**request)
    job = wait_for_processing_job(sm, "no-entrypoint")
    assert job["ProcessingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: ")
    assert repr(image) in job["FailureReason"]
    assert "ContainerEntrypoint" in job["FailureReason"]


def test_an_empty_input_prefix_fails_before_the_script_runs(lab, sklearn_image):
    sm = lab.client("sagemaker")
    empty = lab.s3_uri("processing-tests/nothing-here/")
    request = processing_request(
        lab,
        "empty-input",
        sklearn_image,
        "show_arguments.py",
        inputs=[s3_input("data", empty, "/opt/ml/processing/input/data")],
    )
    sm.create_processing_job(**request)
    job = wait_for_processing_job(sm, "empty-input")
    assert job["ProcessingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: No S3 objects found under S3 URL")
    assert not any(m.startswith("labs: running") for m in log_messages(lab, "empty-input")[1])


def test_a_job_name_is_unique(lab, sklearn_image):
    sm = lab.client("sagemaker")
    request = processing_request(lab, "no-entrypoint-twice", sklearn_image, "show_arguments.py")
    del request["AppSpecification"]["ContainerEntrypoint"]
    sm.create_processing_job(**request)
    with pytest.raises(ClientError) as raised:
        sm.create_processing_job(**request)
    assert raised.value.response["Error"]["Code"] == "ResourceInUse"
    wait_for_processing_job(sm, "no-entrypoint-twice")


def wait_for_log_line(lab, name: str, line: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        streams = lab.client("logs").describe_log_streams(
            logGroupName=LOG_GROUP, logStreamNamePrefix=f"{name}/"
        )["logStreams"]
        if streams and line in log_messages(lab, name)[1]:
            return
        assert time.monotonic() < deadline, f"{name} never logged {line!r}"
        time.sleep(0.1)


def test_stop_processing_job_stops_a_running_script(lab, sklearn_image):
    sm = lab.client("sagemaker")
    sm.create_processing_job(
        **processing_request(lab, "sleeping-job", sklearn_image, "sleep_forever.py")
    )
    wait_for_log_line(lab, "sleeping-job", "started")
    asked = time.monotonic()
    sm.stop_processing_job(ProcessingJobName="sleeping-job")
    status = sm.describe_processing_job(ProcessingJobName="sleeping-job")["ProcessingJobStatus"]
    assert status in ("Stopping", "Stopped")
    job = wait_for_processing_job(sm, "sleeping-job", timeout=10)
    assert job["ProcessingJobStatus"] == "Stopped"
    assert time.monotonic() - asked < 5
    assert "FailureReason" not in job and "ProcessingEndTime" in job
    with pytest.raises(ClientError, match="Stopped and cannot be stopped"):
        sm.stop_processing_job(ProcessingJobName="sleeping-job")
    with pytest.raises(ClientError, match="Could not find processing job"):
        sm.stop_processing_job(ProcessingJobName="no-such-job")


def test_max_runtime_stops_the_job(lab, sklearn_image):
    sm = lab.client("sagemaker")
    sm.create_processing_job(
        **processing_request(
            lab,
            "over-time",
            sklearn_image,
            "sleep_forever.py",
            StoppingCondition={"MaxRuntimeInSeconds": 1},
        )
    )
    job = wait_for_processing_job(sm, "over-time", timeout=10)
    assert job["ProcessingJobStatus"] == "Stopped"
    assert (job["ProcessingEndTime"] - job["ProcessingStartTime"]).total_seconds() < 5
    messages = log_messages(lab, "over-time")[1]
    assert any("MaxRuntimeInSeconds" in m for m in messages)


def test_arguments_environment_and_inputs_reach_the_script(lab, sklearn_image):
    s3 = lab.client("s3")
    s3.put_object(
        Bucket=lab.bucket,
        Key="processing-tests/extra/thresholds.csv.gz",
        Body=gzip.compress(b"feature,threshold\nage,65\n"),
    )
    for name in ("a.txt", "b.txt", "not-listed.txt"):
        s3.put_object(Bucket=lab.bucket, Key=f"processing-tests/pool/{name}", Body=name.encode())
    manifest = [{"prefix": lab.s3_uri("processing-tests/pool") + "/"}, "a.txt", "b.txt"]
    s3.put_object(
        Bucket=lab.bucket,
        Key="processing-tests/manifests/listed.manifest",
        Body=json.dumps(manifest).encode(),
    )
    arguments = [
        "--input-dir",
        "/opt/ml/processing/input/extra",
        "--output-dir=/opt/ml/processing/report",
        "--mode",
        "strict mode, with spaces",
        "--threshold",
        "0.75",
    ]
    sm = lab.client("sagemaker")
    sm.create_processing_job(
        **processing_request(
            lab,
            "show-arguments",
            sklearn_image,
            "show_arguments.py",
            arguments=arguments,
            inputs=[
                s3_input(
                    "extra",
                    lab.s3_uri("processing-tests/extra/"),
                    "/opt/ml/processing/input/extra",
                    S3CompressionType="Gzip",
                ),
                s3_input(
                    "listed",
                    lab.s3_uri("processing-tests/manifests/listed.manifest"),
                    "/opt/ml/processing/input/extra/listed",
                    S3DataType="ManifestFile",
                ),
            ],
            outputs=[
                s3_output(
                    "report", lab.s3_uri("processing-tests/report"), "/opt/ml/processing/report"
                )
            ],
            Environment={"LABS_TEST_STAGE": "staging"},
        )
    )
    job = wait_for_processing_job(sm, "show-arguments")
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["Environment"] == {"LABS_TEST_STAGE": "staging"}
    body = lab.client("s3").get_object(
        Bucket=lab.bucket, Key="processing-tests/report/report.json"
    )["Body"]
    report = json.loads(body.read())
    assert len(report["argv"]) == len(arguments)
    assert report["mode"] == "strict mode, with spaces"
    assert report["threshold"] == 0.75
    assert report["input_is_inside_job_root"]
    assert report["env"] == "staging"
    assert report["inputs"] == {
        "thresholds.csv": "feature,threshold\nage,65\n",  # gzip, decompressed
        "listed/a.txt": "a.txt",  # the objects the manifest lists, and only those
        "listed/b.txt": "b.txt",
    }
