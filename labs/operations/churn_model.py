"""A trained churn XGBoost model for the operations labs, trained once per lab.

Labs 05-1 to 05-6 deploy, batch-score, A/B test and monitor a churn model; training it is
lab 04-2's subject. :func:`ensure_churn_xgboost` gives them one: it writes the churn
train and validation channels (the same 80/20 stratified split as lab 04-2, label first,
no header), runs a built-in XGBoost training job through plain boto3 and returns where
the model is. It is idempotent: a second call finds the completed job and its
``model.tar.gz`` and trains nothing. Each ``max_depth`` is its own model, so a lab can
train two different models for an A/B test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["ChurnData", "ChurnModel", "churn_tables", "ensure_churn_xgboost"]

#: The XGBoost framework version of the kit's built-in XGBoost jobs.
XGBOOST_VERSION = "1.7-1"
_DATA_PREFIX = "operations/churn-data"


@dataclass(frozen=True)
class ChurnData:
    """The churn tables in built-in CSV layout: label first, numbers only."""

    train: pd.DataFrame
    validation: pd.DataFrame
    validation_ids: pd.Series

    @property
    def features(self) -> list[str]:
        """The feature columns, in the order the model expects them."""
        return list(self.validation.columns[1:])

    @property
    def X_validation(self) -> pd.DataFrame:
        """The validation features (no label)."""
        return self.validation.iloc[:, 1:]

    def scoring_table(self) -> pd.DataFrame:
        """The validation customers as a scoring job gets them: ``customer_id``, features."""
        table = self.X_validation.copy()
        table.insert(0, "customer_id", self.validation_ids.to_numpy())
        return table

    @property
    def y_validation(self) -> pd.Series:
        """The validation labels (1 = the customer churned)."""
        return self.validation.iloc[:, 0].astype(int)


@dataclass(frozen=True)
class ChurnModel:
    """A completed training job: its name, image and ``model.tar.gz``, and its data."""

    job_name: str
    image_uri: str
    model_data_url: str
    train_uri: str
    validation_uri: str
    data: ChurnData


def churn_tables() -> ChurnData:
    """Churn split 80/20 (stratified, seed 0), encoded as lab 04-2 encodes it."""
    from sklearn.model_selection import train_test_split

    from labs import data
    from labs.modeling.tabular import builtin_csv_tables

    churn = data.load("churn")
    train_rows, validation_rows = train_test_split(
        churn, test_size=0.2, stratify=churn["churn"], random_state=0
    )
    train, validation = builtin_csv_tables(
        train_rows, validation_rows, "churn", drop=("customer_id",)
    )
    return ChurnData(
        train.reset_index(drop=True),
        validation.reset_index(drop=True),
        validation_rows["customer_id"].reset_index(drop=True),
    )


def _ensure_channels(lab: Any, tables: ChurnData) -> tuple[str, str]:
    from labs.modeling.label_first import put_label_first_csv

    s3 = lab.client("s3")
    uris = []
    for name, table in (("train", tables.train), ("validation", tables.validation)):
        key = f"{_DATA_PREFIX}/{name}/{name}.csv"
        try:
            s3.head_object(Bucket=lab.bucket, Key=key)
            uris.append(f"s3://{lab.bucket}/{key.rsplit('/', 1)[0]}/")
        except s3.exceptions.ClientError:
            uris.append(put_label_first_csv(s3, lab.bucket, key, table))
    return uris[0], uris[1]


def _artifact_exists(s3: Any, uri: str) -> bool:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError:
        return False
    return True


def _usable_job(lab: Any, stem: str) -> dict[str, Any] | None:
    """The newest completed job named ``stem...`` whose model is still in S3."""
    sm, s3 = lab.client("sagemaker"), lab.client("s3")
    listed = sm.list_training_jobs(
        NameContains=stem, StatusEquals="Completed", SortBy="CreationTime", SortOrder="Descending"
    )["TrainingJobSummaries"]
    for summary in listed:
        if not summary["TrainingJobName"].startswith(stem):
            continue
        job = sm.describe_training_job(TrainingJobName=summary["TrainingJobName"])
        artifact = job.get("ModelArtifacts", {}).get("S3ModelArtifacts", "")
        if artifact and _artifact_exists(s3, artifact):
            return job
    return None


def _wait(sm: Any, name: str, timeout: float, poll: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = sm.describe_training_job(TrainingJobName=name)
        if job["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"training job {name} is still {job['TrainingJobStatus']}")
        time.sleep(poll)


def ensure_churn_xgboost(
    lab: Any, *, max_depth: int = 4, num_round: int = 60, timeout: float = 1800
) -> ChurnModel:
    """A completed built-in XGBoost churn job of this depth; train it only if there is none.

    The job is named ``churn-ops-xgb-d<max_depth>-<timestamp>``; any completed job with that
    stem whose ``model.tar.gz`` is still in S3 is reused. The job writes below
    ``operations/churn-models/`` in the kit bucket, and is tagged with the kit's tags.
    Raises ``RuntimeError`` with SageMaker's reason when the job fails.
    """
    from sagemaker.core import image_uris

    if not isinstance(max_depth, int) or not 1 <= max_depth <= 12:
        raise ValueError(f"max_depth is a whole number from 1 to 12, not {max_depth!r}")
    tables = churn_tables()
    image = image_uris.retrieve("xgboost", region=lab.region, version=XGBOOST_VERSION)
    train_uri, validation_uri = _ensure_channels(lab, tables)
    stem = f"churn-ops-xgb-d{max_depth}-"
    job = _usable_job(lab, stem)
    if job is None:
        sm = lab.client("sagemaker")
        name = f"{stem}{time.strftime('%Y%m%d-%H%M%S')}"

        def channel(channel_name: str, uri: str) -> dict[str, Any]:
            source = {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "FullyReplicated",
            }
            return {
                "ChannelName": channel_name,
                "DataSource": {"S3DataSource": source},
                "ContentType": "text/csv",
            }

        sm.create_training_job(
            TrainingJobName=name,
            AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
            RoleArn=lab.role_arn,
            HyperParameters={
                "objective": "binary:logistic",
                "eval_metric": "auc",
                "num_round": str(num_round),
                "max_depth": str(max_depth),
                "eta": "0.1",
                "subsample": "0.8",
                "seed": "0",
            },
            InputDataConfig=[channel("train", train_uri), channel("validation", validation_uri)],
            OutputDataConfig={"S3OutputPath": lab.s3_uri("operations/churn-models")},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            StoppingCondition={"MaxRuntimeInSeconds": 900},
            Tags=lab.tags(),
        )
        job = _wait(sm, name, timeout, 0.5 if lab.mode == "local" else 15)
        if job["TrainingJobStatus"] != "Completed":
            raise RuntimeError(
                f"training job {name} is {job['TrainingJobStatus']}: "
                f"{job.get('FailureReason', 'no reason given')}"
            )
    return ChurnModel(
        job_name=job["TrainingJobName"],
        image_uri=image,
        model_data_url=job["ModelArtifacts"]["S3ModelArtifacts"],
        train_uri=train_uri,
        validation_uri=validation_uri,
        data=tables,
    )
