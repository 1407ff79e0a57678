"""Script mode end to end on the local runtime: the learner's own training script runs.

Each test starts a real training job through the API (the SDK v3 ``ModelTrainer`` with a
``SourceCode``, or plain boto3 ``create_training_job`` in the classic form that SDK v2
and many AWS samples send), lets the runtime run it in the background, and checks what
SageMaker would show: the job's status and FailureReason, ``FinalMetricDataList``, the
model in ``model.tar.gz``, ``output.tar.gz``, checkpoints in S3, CloudWatch Logs. The
scripts in ``tests/fixtures/script_mode/`` take every path from the ``SM_*`` variables,
as the AWS documentation teaches, so they would run unchanged on SageMaker.

Jobs are started with ``wait=False`` and polled every 0.2 s through boto3, except where
the SDK's own ``wait`` (which polls every 5 s) is what is tested.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
import xgboost
from runtime_support import channel, churn_matrix, put_csv, wait_for_training_job
from sklearn.metrics import accuracy_score, roc_auc_score

from labs import data

FIXTURES = Path(__file__).parent / "fixtures" / "script_mode"
ACCURACY_METRIC = {"Name": "validation:accuracy", "Regex": r"validation-accuracy: ([0-9.]+)"}
SKLEARN_HYPERPARAMETERS = {"n-estimators": 30, "max-depth": 6, "criterion": "entropy"}
LOG_GROUP = "/aws/sagemaker/TrainingJobs"


# --- helpers ---------------------------------------------------------------------------


def image(lab: Any, framework: str) -> str:
    """The training image URI of ``framework`` as the SDK v3 ``image_uris`` gives it."""
    from sagemaker.core import image_uris

    if framework == "sklearn":
        return image_uris.retrieve(
            "sklearn", lab.region, version="1.2-1", instance_type="ml.m5.large"
        )
    if framework == "xgboost":
        return image_uris.retrieve("xgboost", lab.region, version="1.7-1")
    return image_uris.retrieve(
        "tensorflow",
        lab.region,
        version="2.13",
        instance_type="ml.m5.large",
        image_scope="training",
    )


def read_s3(lab: Any, uri: str) -> bytes:
    """The body of the S3 object at ``uri``."""
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    return lab.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def untar(body: bytes) -> dict[str, bytes]:
    """The regular files of a .tar.gz, by member name."""
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        return {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
            if member.isfile()
        }


def list_keys(lab: Any, uri: str) -> list[str]:
    """The keys below the S3 prefix ``uri``, relative to it, sorted."""
    bucket, prefix = uri.removeprefix("s3://").split("/", 1)
    prefix = prefix.rstrip("/") + "/"
    listed = lab.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"][len(prefix) :] for item in listed.get("Contents", []))


def log_messages(lab: Any, job_name: str) -> list[str]:
    """Every message of the job's CloudWatch log streams, oldest first."""
    logs = lab.client("logs")
    try:
        streams = logs.describe_log_streams(
            logGroupName=LOG_GROUP, logStreamNamePrefix=f"{job_name}/"
        )
    except logs.exceptions.ResourceNotFoundException:  # no job has logged yet
        return []
    messages: list[str] = []
    for stream in streams["logStreams"]:
        events = logs.get_log_events(
            logGroupName=LOG_GROUP, logStreamName=stream["logStreamName"], startFromHead=True
        )["events"]
        messages += [event["message"] for event in events]
    return messages


def output_path(job: dict[str, Any]) -> str:
    """``<S3OutputPath>/<job>/output``: where SageMaker puts model.tar.gz and output.tar.gz."""
    return f"{job['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{job['TrainingJobName']}/output"


def sourcedir_tarball(lab: Any, folder: Path, key: str) -> str:
    """Pack ``folder`` as SDK v2 does (files at the top level) and upload it; its S3 URI."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                tar.add(path, arcname=path.name)
    lab.client("s3").put_object(Bucket=lab.bucket, Key=key, Body=buffer.getvalue())
    return lab.s3_uri(key)


def classic_request(
    lab: Any,
    name: str,
    *,
    training_image: str,
    folder: Path,
    program: str,
    hyperparameters: dict[str, Any],
    channels: dict[str, str],
    metric_definitions: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A CreateTrainingJob request in the classic script-mode form SDK v2 sends.

    Every hyperparameter value is JSON-encoded (``"train.py"`` becomes ``'"train.py"'``),
    the code goes in a sourcedir.tar.gz named by ``sagemaker_submit_directory``, and the
    image's own entrypoint (the training toolkit) runs ``sagemaker_program``.
    """
    source = sourcedir_tarball(lab, folder, f"script-mode/{name}/source/sourcedir.tar.gz")
    framework = {
        "sagemaker_program": program,
        "sagemaker_submit_directory": source,
        "sagemaker_container_log_level": 20,
        "sagemaker_job_name": name,
        "sagemaker_region": lab.region,
    }
    algorithm: dict[str, Any] = {"TrainingImage": training_image, "TrainingInputMode": "File"}
    if metric_definitions:
        algorithm["MetricDefinitions"] = metric_definitions
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": algorithm,
        "RoleArn": lab.role_arn,
        "HyperParameters": {
            key: json.dumps(value) for key, value in {**hyperparameters, **framework}.items()
        },
        "InputDataConfig": [channel(name, uri) for name, uri in channels.items()],
        "OutputDataConfig": {"S3OutputPath": lab.s3_uri("script-mode/output")},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }


def model_trainer(lab: Any, framework: str, folder: str, entry_script: str, **kwargs: Any) -> Any:
    """An SDK v3 ``ModelTrainer`` running ``fixtures/script_mode/<folder>/<entry_script>``."""
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, SourceCode

    kwargs.setdefault("compute", Compute(instance_type="ml.m5.large", instance_count=1))
    return ModelTrainer(
        training_image=image(lab, framework),
        source_code=SourceCode(source_dir=str(FIXTURES / folder), entry_script=entry_script),
        role=lab.role_arn,
        sagemaker_session=lab.sagemaker_session,
        base_job_name=f"script-{folder}",
        **kwargs,
    )


def inputs(channels: dict[str, str]) -> list[Any]:
    """``InputData`` for the SDK v3 ``ModelTrainer``, one CSV channel per S3 prefix."""
    from sagemaker.train.configs import InputData

    return [
        InputData(channel_name=name, data_source=uri, content_type="text/csv")
        for name, uri in channels.items()
    ]


def start(trainer: Any, channels: dict[str, str] | None = None) -> str:
    """Start a ``ModelTrainer`` job without waiting; return the job's name."""
    trainer.train(input_data_config=inputs(channels or {}) or None, wait=False, logs=False)
    return trainer._latest_training_job.training_job_name


def finished(lab: Any, name: str, timeout: float = 60) -> dict[str, Any]:
    """Poll DescribeTrainingJob every 0.2 s until the job ends; its last description."""
    return wait_for_training_job(lab.client("sagemaker"), name, timeout=timeout)


def metrics(job: dict[str, Any]) -> dict[str, float]:
    """``FinalMetricDataList`` as ``{name: value}``."""
    return {m["MetricName"]: m["Value"] for m in job.get("FinalMetricDataList", [])}


def read_matrix(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of a label-first table."""
    return frame.iloc[:, 1:].to_numpy(), frame.iloc[:, 0].to_numpy()


# --- data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def churn(lab: Any) -> dict[str, Any]:
    """Churn (label first, no header) in S3 as train and validation channels."""
    train, validation = churn_matrix()
    return {
        "channels": {
            "train": put_csv(lab, "script-mode/churn/train/train.csv", train),
            "validation": put_csv(lab, "script-mode/churn/validation/validation.csv", validation),
        },
        "validation": validation,
    }


@pytest.fixture(scope="module")
def small_train(lab: Any) -> str:
    """A tiny train channel for the jobs that only check the contract."""
    table = pd.DataFrame([[1, 0.5, 2.0], [0, 1.5, 3.0], [1, 2.5, 4.0]])
    return put_csv(lab, "script-mode/small/train/part-0.csv", table)


# --- 1 and 8: ModelTrainer, wait=True, logs=True ---------------------------------------


class _Collect(logging.Handler):
    """Keeps the messages of the records it sees."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def sklearn_run(lab: Any, churn: dict[str, Any]) -> dict[str, Any]:
    """One ``ModelTrainer.train(wait=True, logs=True)`` on the scikit-learn image.

    The SDK prints the job's CloudWatch log lines through the ``sagemaker.core.resources``
    logger at INFO (``TrainingJob.wait(logs=True)``); nothing shows them unless logging
    is configured for INFO, so the fixture attaches its own handler.
    """
    from sagemaker.train.configs import MetricDefinition

    trainer = model_trainer(
        lab, "sklearn", "sklearn", "train.py", hyperparameters=SKLEARN_HYPERPARAMETERS
    ).with_metric_definitions(
        [MetricDefinition(name=ACCURACY_METRIC["Name"], regex=ACCURACY_METRIC["Regex"])]
    )
    sdk_logger = logging.getLogger("sagemaker.core.resources")
    handler, level = _Collect(), sdk_logger.level
    sdk_logger.addHandler(handler)
    sdk_logger.setLevel(logging.INFO)
    try:
        trainer.train(input_data_config=inputs(churn["channels"]), wait=True, logs=True)
    finally:
        sdk_logger.removeHandler(handler)
        sdk_logger.setLevel(level)
    name = trainer._latest_training_job.training_job_name
    job = lab.client("sagemaker").describe_training_job(TrainingJobName=name)
    return {"job": job, "sdk_log": handler.messages}


def test_model_trainer_sklearn_trains_saves_and_reports_the_metric(lab, churn, sklearn_run):
    job = sklearn_run["job"]
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["SecondaryStatus"] == "Completed"
    assert job["AlgorithmSpecification"]["MetricDefinitions"] == [ACCURACY_METRIC]

    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    assert artifact == f"{output_path(job)}/model.tar.gz"
    files = untar(read_s3(lab, artifact))
    assert list(files) == ["model.joblib"]
    model = joblib.load(io.BytesIO(files["model.joblib"]))
    # the hyperparameters reached the script through argparse
    assert (model.n_estimators, model.max_depth, model.criterion) == (30, 6, "entropy")
    features, labels = read_matrix(churn["validation"])
    accuracy = accuracy_score(labels, model.predict(features))
    assert accuracy > 0.8

    # the metric is the value the script printed (4 decimals), matched by the regex
    assert metrics(job) == {"validation:accuracy": pytest.approx(round(accuracy, 4), abs=1e-9)}
    printed = [m for m in log_messages(lab, job["TrainingJobName"]) if "validation-accuracy" in m]
    assert printed == [f"validation-accuracy: {accuracy:.4f}"]


def test_model_trainer_logs_true_shows_the_scripts_lines(sklearn_run):
    messages = "\n".join(sklearn_run["sdk_log"])
    assert "training on 3973 rows, validating on 1027 rows" in messages
    assert "validation-accuracy: " in messages
    assert "model saved" in messages


# --- 2: classic script mode through boto3 ----------------------------------------------


def test_boto3_classic_script_mode_runs_the_same_script(lab, churn):
    sm = lab.client("sagemaker")
    request = classic_request(
        lab,
        "script-classic-sklearn",
        training_image=image(lab, "sklearn"),
        folder=FIXTURES / "sklearn",
        program="train.py",
        hyperparameters=SKLEARN_HYPERPARAMETERS,
        channels=churn["channels"],
        metric_definitions=[ACCURACY_METRIC],
    )
    assert request["HyperParameters"]["sagemaker_program"] == '"train.py"'
    sm.create_training_job(**request)
    job = finished(lab, "script-classic-sklearn")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    files = untar(read_s3(lab, job["ModelArtifacts"]["S3ModelArtifacts"]))
    model = joblib.load(io.BytesIO(files["model.joblib"]))
    assert (model.n_estimators, model.max_depth, model.criterion) == (30, 6, "entropy")
    features, labels = read_matrix(churn["validation"])
    accuracy = accuracy_score(labels, model.predict(features))
    assert metrics(job) == {"validation:accuracy": pytest.approx(round(accuracy, 4), abs=1e-9)}
    # the toolkit logs the command it runs: sorted user hyperparameters, no sagemaker_*
    messages = log_messages(lab, "script-classic-sklearn")
    command = messages[messages.index("Invoking script with the following command:") + 1]
    assert command.endswith("train.py --criterion entropy --max-depth 6 --n-estimators 30")


# --- 3: the XGBoost and TensorFlow framework images ------------------------------------


def test_xgboost_framework_image_runs_a_script(lab, churn):
    trainer = model_trainer(
        lab,
        "xgboost",
        "xgboost",
        "train.py",
        hyperparameters={"num_round": 30, "max_depth": 3, "eta": 0.3},
    )
    job = finished(lab, start(trainer, churn["channels"]))
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    files = untar(read_s3(lab, job["ModelArtifacts"]["S3ModelArtifacts"]))
    booster = xgboost.Booster()
    booster.load_model(bytearray(files["xgboost-model"]))
    assert booster.num_boosted_rounds() == 30
    features, labels = read_matrix(churn["validation"])
    auc = roc_auc_score(labels, booster.predict(xgboost.DMatrix(features)))
    assert auc > 0.8
    messages = log_messages(lab, job["TrainingJobName"])
    assert f"validation-auc: {auc:.5f}" in messages
    assert any(m.startswith("[29]\ttrain-auc:") for m in messages)


def test_tensorflow_image_trains_a_keras_model(lab, tmp_path):
    digits = data.load("digits").head(300)
    table = digits[["label", *[c for c in digits.columns if c != "label"]]]
    train_uri = put_csv(lab, "script-mode/digits/train/digits.csv", table)
    trainer = model_trainer(
        lab,
        "tensorflow",
        "tensorflow",
        "train.py",
        hyperparameters={"epochs": 2, "batch-size": 64},
    )
    job = finished(lab, start(trainer, {"train": train_uri}), timeout=90)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    messages = log_messages(lab, job["TrainingJobName"])
    assert any(m.startswith("Epoch 2/2") for m in messages), messages[-20:]
    assert "epochs run: 2" in messages
    files = untar(read_s3(lab, job["ModelArtifacts"]["S3ModelArtifacts"]))
    (tmp_path / "model.keras").write_bytes(files["model.keras"])

    import tensorflow as tf

    model = tf.keras.models.load_model(tmp_path / "model.keras")
    probabilities = model.predict(table.iloc[:5, 1:].to_numpy() / 16.0, verbose=0)
    assert probabilities.shape == (5, 10)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)


# --- 4: the training-container contract ------------------------------------------------


CONTRACT_HYPERPARAMETERS = {"alpha": 0.5, "epochs": 3, "optimizer": "adam"}


def run_contract_job(lab: Any, kind: str, train_uri: str) -> dict[str, Any]:
    """Run fixtures/script_mode/contract as ``kind`` (``classic`` or ``model_trainer``)."""
    if kind == "classic":
        name = "script-contract-classic"
        request = classic_request(
            lab,
            name,
            training_image=image(lab, "sklearn"),
            folder=FIXTURES / "contract",
            program="train.py",
            hyperparameters=CONTRACT_HYPERPARAMETERS,
            channels={"train": train_uri},
        )
        lab.client("sagemaker").create_training_job(**request)
    else:
        trainer = model_trainer(
            lab, "sklearn", "contract", "train.py", hyperparameters=CONTRACT_HYPERPARAMETERS
        )
        name = start(trainer, {"train": train_uri})
    return finished(lab, name)


@pytest.mark.parametrize("kind", ["classic", "model_trainer"])
def test_the_script_sees_the_training_container_contract(lab, small_train, kind):
    job = run_contract_job(lab, kind, small_train)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    outputs = untar(read_s3(lab, f"{output_path(job)}/output.tar.gz"))
    report = json.loads(outputs["contract.json"])
    env = report["env"]
    opt_ml = Path(report["opt_ml"])

    assert Path(env["SM_MODEL_DIR"]) == opt_ml / "model"
    assert report["model_dir"]["is_dir"]
    assert Path(env["SM_CHANNEL_TRAIN"]) == opt_ml / "input" / "data" / "train"
    assert report["train_channel"]["files"] == ["part-0.csv"]
    assert report["input_data_train"]["is_dir"]
    assert report["input_data_train"]["files"] == ["part-0.csv"]
    assert Path(env["SM_OUTPUT_DATA_DIR"]) == opt_ml / "output" / "data"
    assert Path(env["SM_OUTPUT_DIR"]) == opt_ml / "output"
    assert Path(env["SM_INPUT_CONFIG_DIR"]) == opt_ml / "input" / "config"
    assert {"hyperparameters.json", "inputdataconfig.json", "resourceconfig.json"} <= set(
        report["config_files"]
    )
    assert json.loads(env["SM_HPS"]) == CONTRACT_HYPERPARAMETERS
    assert (env["SM_HP_ALPHA"], env["SM_HP_EPOCHS"], env["SM_HP_OPTIMIZER"]) == ("0.5", "3", "adam")
    assert int(env["SM_NUM_CPUS"]) >= 1
    assert env["SM_NUM_GPUS"] == "0"
    assert json.loads(env["SM_HOSTS"]) == ["algo-1"]
    assert env["SM_CURRENT_HOST"] == "algo-1"
    assert env["TRAINING_JOB_NAME"] == job["TrainingJobName"]
    assert report["args"]["alpha"] == 0.5 and report["args"]["epochs"] == 3
    assert report["args"]["optimizer"] == "adam"
    hyperparameters = report["hyperparameters.json"]
    assert all(isinstance(value, str) for value in hyperparameters.values())
    if kind == "classic":
        # SDK v2 JSON-encodes every value; the toolkit passes the user's, sorted, decoded
        assert hyperparameters["optimizer"] == '"adam"'
        assert hyperparameters["sagemaker_program"] == '"train.py"'
        assert json.loads(env["SM_CHANNELS"]) == ["train"]
        assert report["argv"] == ["--alpha", "0.5", "--epochs", "3", "--optimizer", "adam"]
    else:
        # ModelTrainer sends the user's only, strings as they are, in the given order
        assert hyperparameters == {"alpha": "0.5", "epochs": "3", "optimizer": "adam"}
        assert json.loads(env["SM_CHANNELS"]) == ["train", "code", "sm_drivers"]
        assert report["argv"] == ["--alpha", "0.5", "--epochs", "3", "--optimizer", "adam"]
    model = untar(read_s3(lab, job["ModelArtifacts"]["S3ModelArtifacts"]))
    assert model == {"model.txt": b"alpha=0.5\n"}


# --- 5: failures -----------------------------------------------------------------------


def run_failing(lab: Any, kind: str, script: str, train_uri: str) -> dict[str, Any]:
    """Run ``fixtures/script_mode/failing/<script>`` as ``kind``; its final description."""
    hyperparameters = {"alpha": -2.5}
    if kind == "model_trainer":
        trainer = model_trainer(lab, "sklearn", "failing", script, hyperparameters=hyperparameters)
        return finished(lab, start(trainer, {"train": train_uri}))
    name = f"script-{script.removesuffix('.py').replace('_', '-')}-classic"
    request = classic_request(
        lab,
        name,
        training_image=image(lab, "sklearn"),
        folder=FIXTURES / "failing",
        program=script,
        hyperparameters=hyperparameters,
        channels={"train": train_uri},
    )
    lab.client("sagemaker").create_training_job(**request)
    return finished(lab, name)


@pytest.mark.parametrize("kind", ["classic", "model_trainer"])
def test_an_exception_fails_the_job_with_its_message(lab, small_train, kind):
    job = run_failing(lab, kind, "raise_error.py", small_train)
    assert job["TrainingJobStatus"] == "Failed"
    assert job["SecondaryStatus"] == "Failed"
    assert job["FailureReason"].startswith("AlgorithmError: ")
    assert "ValueError: alpha must be positive, got -2.5" in job["FailureReason"]
    if kind == "classic":  # the training toolkit's wording
        assert job["FailureReason"].startswith("AlgorithmError: ExecuteUserScriptError:\n")
        assert "raise_error.py --alpha -2.5" in job["FailureReason"]
    assert "ModelArtifacts" not in job
    assert "loading data" in log_messages(lab, job["TrainingJobName"])


@pytest.mark.parametrize("kind", ["classic", "model_trainer"])
def test_the_failure_file_is_the_failure_reason(lab, small_train, kind):
    job = run_failing(lab, kind, "write_failure.py", small_train)
    assert job["TrainingJobStatus"] == "Failed"
    # the file's text, behind SageMaker's AlgorithmError prefix (the script exited non-zero)
    reason = "ClientError: the train channel has no label column"
    assert job["FailureReason"] == f"AlgorithmError: {reason}"


# --- 6: managed spot training with checkpoints -----------------------------------------


def resume_report(lab: Any, job: dict[str, Any]) -> dict[str, Any]:
    """The ``resume.json`` the checkpoint script saved in its model."""
    return json.loads(untar(read_s3(lab, job["ModelArtifacts"]["S3ModelArtifacts"]))["resume.json"])


def test_spot_training_checkpoints_reach_s3_and_later_jobs_resume(lab):
    from sagemaker.train.configs import CheckpointConfig, Compute, StoppingCondition

    checkpoint_uri = lab.s3_uri("script-mode/checkpoints/spot-run")
    trainer = model_trainer(
        lab,
        "sklearn",
        "checkpoint",
        "train.py",
        hyperparameters={"epochs": 2},
        compute=Compute(
            instance_type="ml.m5.large", instance_count=1, enable_managed_spot_training=True
        ),
        stopping_condition=StoppingCondition(
            max_runtime_in_seconds=600, max_wait_time_in_seconds=1200
        ),
        checkpoint_config=CheckpointConfig(s3_uri=checkpoint_uri),
    )
    first = finished(lab, start(trainer))
    assert first["TrainingJobStatus"] == "Completed", first.get("FailureReason")
    assert first["EnableManagedSpotTraining"] is True
    assert first["CheckpointConfig"]["S3Uri"] == checkpoint_uri
    assert first["StoppingCondition"]["MaxWaitTimeInSeconds"] == 1200
    assert list_keys(lab, checkpoint_uri) == ["epoch-000.json", "epoch-001.json"]
    assert resume_report(lab, first) == {"found_at_start": [], "first_epoch": 0, "last_epoch": 1}

    # the same CheckpointConfig: the job starts with the first job's checkpoints, and
    # what it saves before it crashes is in S3 too (SageMaker syncs as the job runs)
    trainer.hyperparameters = {"epochs": 2, "crash-at-epoch": 3}
    second = finished(lab, start(trainer))
    assert second["TrainingJobStatus"] == "Failed"
    assert "RuntimeError: simulated crash in epoch 3" in second["FailureReason"]
    messages = log_messages(lab, second["TrainingJobName"])
    assert "resuming from epoch-001.json at epoch 2" in messages
    assert list_keys(lab, checkpoint_uri) == [f"epoch-{n:03d}.json" for n in range(3)]

    trainer.hyperparameters = {"epochs": 2}
    third = finished(lab, start(trainer))
    assert third["TrainingJobStatus"] == "Completed", third.get("FailureReason")
    assert len({first["TrainingJobName"], second["TrainingJobName"], third["TrainingJobName"]}) == 3
    assert resume_report(lab, third) == {
        "found_at_start": [f"epoch-{n:03d}.json" for n in range(3)],
        "first_epoch": 3,
        "last_epoch": 4,
    }
    assert list_keys(lab, checkpoint_uri) == [f"epoch-{n:03d}.json" for n in range(5)]


# --- 7: StopTrainingJob -----------------------------------------------------------------


def test_stop_training_job_stops_the_script_and_keeps_its_model(lab):
    from sagemaker.train.configs import StoppingCondition

    sm = lab.client("sagemaker")
    trainer = model_trainer(
        lab,
        "sklearn",
        "sleeper",
        "train.py",
        stopping_condition=StoppingCondition(max_runtime_in_seconds=60),
    )
    name = start(trainer)
    try:
        # the script prints one line, then nothing: the line must reach CloudWatch anyway
        deadline = time.monotonic() + 30
        while not any("model saved" in m for m in log_messages(lab, name)):
            assert time.monotonic() < deadline, sm.describe_training_job(TrainingJobName=name)
            time.sleep(0.2)
        asked = time.monotonic()
        sm.stop_training_job(TrainingJobName=name)
        assert sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] in (
            "Stopping",
            "Stopped",
        )
        job = finished(lab, name, timeout=30)
        took = time.monotonic() - asked
    finally:
        if sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] == "InProgress":
            sm.stop_training_job(TrainingJobName=name)
    assert job["TrainingJobStatus"] == "Stopped"
    assert job["SecondaryStatus"] == "Stopped"
    assert took < 3, took
    files = untar(read_s3(lab, job["ModelArtifacts"]["S3ModelArtifacts"]))
    assert files == {"partial-model.txt": b"saved before the stop\n"}


def _alive(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


@pytest.mark.skipif(os.name == "nt", reason="POSIX process groups")
def test_python_ending_mid_job_ends_the_script_too():
    """A kernel shut down while its job runs exits at once, and takes the script with it."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, str(FIXTURES / "exit_mid_job.py")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        stdout, stderr = done.stdout, done.stderr
    except subprocess.TimeoutExpired as timeout:  # it waited for the job: the bug
        stdout, stderr, done = str(timeout.stdout or ""), str(timeout.stderr or ""), None
    found = re.search(r"model saved, training on \(pid (\d+)\)", stdout)
    assert found, (stdout, stderr[-3000:])
    pid = int(found[1])
    try:
        assert done is not None, "the Python process did not end while its job ran"
        assert done.returncode == 0, stderr[-3000:]
        assert "exiting with the job in progress" in stdout
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), f"the training script (pid {pid}) outlived the kit's process"
        assert time.monotonic() - started < 25
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
