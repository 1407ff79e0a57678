"""Shared helpers for the runtime tests: data in S3 and waiting for jobs."""

from __future__ import annotations

import contextlib
import io
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labs import data

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def churn_matrix(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Churn as numbers, label first, split 80/20 into train and validation."""
    frame = data.load("churn").drop(columns=["customer_id"])
    label = frame.pop("churn").astype(int)
    features = pd.get_dummies(frame, dtype=float).astype(float).fillna(-1.0)
    table = pd.concat([label, features], axis=1)
    rng = np.random.default_rng(seed)
    mask = rng.random(len(table)) < 0.8
    return table[mask], table[~mask]


def put_csv(lab: Any, key: str, table: pd.DataFrame) -> str:
    """Upload ``table`` as CSV without header or index; return its S3 prefix URI."""
    buffer = io.StringIO()
    table.to_csv(buffer, header=False, index=False)
    lab.client("s3").put_object(Bucket=lab.bucket, Key=key, Body=buffer.getvalue().encode())
    return lab.s3_uri(key.rsplit("/", 1)[0]) + "/"


def wait_for_training_job(sagemaker: Any, name: str, timeout: float = 120) -> dict[str, Any]:
    """Poll DescribeTrainingJob until the job ends; return the last description."""
    deadline = time.monotonic() + timeout
    while True:
        described = sagemaker.describe_training_job(TrainingJobName=name)
        if described["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} still {described['TrainingJobStatus']}")
        time.sleep(0.2)


def channel(name: str, uri: str, content_type: str = "text/csv") -> dict[str, Any]:
    """One InputDataConfig entry for an S3 prefix."""
    return {
        "ChannelName": name,
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
        "ContentType": content_type,
    }


# Data sets for the built-in algorithms (tests/test_runtime_builtins.py)


def digits_split(
    seed: int = 0, train_fraction: float = 0.75
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 8x8 digits as ``(X_train, y_train, X_test, y_test)`` float arrays, shuffled split."""
    frame = data.load("digits")
    y = frame.pop("label").to_numpy(dtype=float)
    X = frame.to_numpy(dtype=float)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(train_fraction * len(y))
    return X[order[:cut]], y[order[:cut]], X[order[cut:]], y[order[cut:]]


def events_matrix(every: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Running machines' readings z-scored per machine, and ``is_anomaly``; every n-th row.

    The four sensors are centred on each machine's median and divided by its standard
    deviation, so one detector serves all twelve machines.
    """
    frame = data.load("events")
    frame = frame[frame["status"] == "running"].iloc[::every]
    sensors = ["temperature_c", "vibration_mm_s", "pressure_bar", "rpm"]
    grouped = frame.groupby("device_id")[sensors]
    z = (frame[sensors] - grouped.transform("median")) / grouped.transform("std")
    return z.to_numpy(dtype=float), frame["is_anomaly"].to_numpy(dtype=float)


def labelled(X: np.ndarray, y: np.ndarray | None = None) -> pd.DataFrame:
    """A table with the label (if any) as its first column, as the built-ins read CSV."""
    table = pd.DataFrame(X)
    if y is not None:
        table.insert(0, "label", y)
    return table


def put_bytes(lab: Any, key: str, body: bytes) -> str:
    """Upload ``body`` to the kit bucket at ``key``; return the S3 prefix URI that holds it."""
    lab.client("s3").put_object(Bucket=lab.bucket, Key=key, Body=body)
    return lab.s3_uri(key.rsplit("/", 1)[0]) + "/"


def put_recordio(lab: Any, key: str, X: np.ndarray, y: np.ndarray | None = None) -> str:
    """Upload ``X`` (and labels ``y``) as dense RecordIO-protobuf; return its S3 prefix URI."""
    from labs.algorithms import recordio

    buffer = io.BytesIO()
    recordio.write_dense(buffer, X, y)
    return put_bytes(lab, key, buffer.getvalue())


def put_libsvm(lab: Any, key: str, table: pd.DataFrame) -> str:
    """Upload ``table`` (label first) as libsvm with zero-based indexes; return its prefix URI.

    Zeros are left out, as libsvm writers do (XGBoost reads an absent entry as missing).
    """
    lines = []
    for row in table.to_numpy(dtype=float):
        pairs = " ".join(f"{i}:{float(v)!r}" for i, v in enumerate(row[1:]) if v != 0)
        lines.append(f"{row[0]:g} {pairs}".rstrip())
    return put_bytes(lab, key, ("\n".join(lines) + "\n").encode())


def model_dir_of(lab: Any, artifact_uri: str, target: Path) -> Path:
    """Download ``model.tar.gz`` from ``artifact_uri`` and unpack it into ``target``."""
    bucket, key = artifact_uri.removeprefix("s3://").split("/", 1)
    body = lab.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        tar.extractall(target, filter="data")
    return target


def train_in_process(
    spec: Any,
    tmp_path: Path,
    hyperparameters: dict[str, Any],
    channels: dict[str, Path],
    content_type: str | None = None,
) -> tuple[list[str], list[tuple[str, float, int | None]]]:
    """Validate string hyperparameters and call ``spec.train()`` in this process.

    Returns the log lines and the reported ``(metric, value, epoch)`` tuples; an
    :class:`~labs.algorithms.AlgorithmError` (a learner's mistake) propagates.
    """
    from labs.algorithms import Channel, TrainingContext

    values = spec.validate({k: str(v) for k, v in hyperparameters.items()})
    logs: list[str] = []
    metrics: list[tuple[str, float, int | None]] = []
    spec.train(
        TrainingContext(
            hyperparameters=values,
            channels={n: Channel(n, p, content_type) for n, p in channels.items()},
            model_dir=tmp_path / "model",
            output_dir=tmp_path / "output",
            log=logs.append,
            metric=lambda n, v, e: metrics.append((n, v, e)),
            should_stop=lambda: False,
        )
    )
    return logs, metrics


@contextlib.contextmanager
def deployed(lab: Any, name: str, image: str, model_data: str) -> Iterator[str]:
    """A model, endpoint config and one-instance endpoint, all called ``name``, InService.

    Yields the endpoint name; deletes all three on the way out, pass or fail.
    """
    sm = lab.client("sagemaker")
    sm.create_model(
        ModelName=name,
        PrimaryContainer={"Image": image, "ModelDataUrl": model_data},
        ExecutionRoleArn=lab.role_arn,
    )
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
    try:
        deadline = time.monotonic() + 60
        while sm.describe_endpoint(EndpointName=name)["EndpointStatus"] == "Creating":
            assert time.monotonic() < deadline, f"endpoint {name} still Creating after 60 s"
            time.sleep(0.05)
        yield name
    finally:
        sm.delete_endpoint(EndpointName=name)
        sm.delete_endpoint_config(EndpointConfigName=name)
        sm.delete_model(ModelName=name)
