"""Shared helpers for the runtime tests: data in S3 and waiting for jobs."""

from __future__ import annotations

import io
import time
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
