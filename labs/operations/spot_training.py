"""Managed spot training: a training request to start from, and what spot saves.

:func:`churn_training_request` builds an ordinary (on-demand) built-in XGBoost
``CreateTrainingJob`` request on the churn data, for a lab to turn into a spot job.
:func:`spot_savings` is the savings formula of the API reference
(``DescribeTrainingJob.BillableTimeInSeconds``); :func:`expected_cost` compares on-demand
and spot for a job that may be interrupted.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DATA_PREFIX", "churn_training_request", "expected_cost", "spot_savings"]

DATA_PREFIX = "ai-services/churn"
XGBOOST_VERSION = "1.7-1"


def _channels(lab: Any) -> dict[str, str]:
    """The churn train and validation channels in S3 (label first, no header), written once."""
    from labs.modeling.label_first import put_label_first_csv
    from labs.operations.churn_model import churn_tables

    s3 = lab.client("s3")
    found = s3.list_objects_v2(Bucket=lab.bucket, Prefix=f"{DATA_PREFIX}/").get("KeyCount", 0)
    if found >= 2:
        return {name: lab.s3_uri(f"{DATA_PREFIX}/{name}/") for name in ("train", "validation")}
    tables = churn_tables()
    return {
        "train": put_label_first_csv(
            s3, lab.bucket, f"{DATA_PREFIX}/train/train.csv", tables.train
        ),
        "validation": put_label_first_csv(
            s3, lab.bucket, f"{DATA_PREFIX}/validation/validation.csv", tables.validation
        ),
    }


def churn_training_request(lab: Any, name: str, *, num_round: int = 30) -> dict[str, Any]:
    """An on-demand built-in XGBoost ``CreateTrainingJob`` request named ``name`` on churn.

    Output goes below ``ai-services/output/``; the job runs at most 10 minutes. Pass it to
    ``sm.create_training_job(**request)`` as is, or change it first.
    """
    from sagemaker.core import image_uris

    image = image_uris.retrieve("xgboost", region=lab.region, version=XGBOOST_VERSION)
    channels = _channels(lab)
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": lab.role_arn,
        "HyperParameters": {
            "objective": "binary:logistic",
            "eval_metric": "auc",
            "num_round": str(num_round),
            "max_depth": "4",
            "eta": "0.2",
        },
        "InputDataConfig": [
            {
                "ChannelName": channel,
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
                "ContentType": "text/csv",
            }
            for channel, uri in channels.items()
        ],
        "OutputDataConfig": {"S3OutputPath": lab.s3_uri("ai-services/output")},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "Tags": lab.tags(),
    }


def spot_savings(billable_seconds: float, training_seconds: float) -> float:
    """Percent saved by managed spot training: ``(1 - billable / training) * 100``."""
    if training_seconds <= 0 or billable_seconds < 0:
        raise ValueError("training time must be positive and billable time not negative")
    return (1 - billable_seconds / training_seconds) * 100


def expected_cost(
    hourly: float,
    hours: float,
    *,
    spot_discount: float,
    interruptions: int = 0,
    lost_hours_per_interruption: float = 0.0,
) -> dict[str, float]:
    """On-demand cost against spot cost for a job of ``hours`` at ``hourly`` USD.

    ``spot_discount`` is the fraction saved on the hourly price (0.7 = 70 % off);
    each interruption repeats ``lost_hours_per_interruption`` of work (the work done
    since the last checkpoint). Returns both costs and the saving in percent.
    """
    if not 0 <= spot_discount < 1:
        raise ValueError("spot_discount is a fraction from 0 (no discount) to below 1")
    on_demand = hourly * hours
    spot_hours = hours + interruptions * lost_hours_per_interruption
    spot = hourly * (1 - spot_discount) * spot_hours
    return {"on_demand": on_demand, "spot": spot, "saving_percent": (1 - spot / on_demand) * 100}
