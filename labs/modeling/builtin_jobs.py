"""Shortcuts for notebooks that train many built-in algorithm jobs on CSV channels.

Each wraps the calls lab 04-2 shows in full: :func:`put_csv` uploads a table as headerless
CSV (the built-ins' format; unsupervised ones take no label column), :func:`csv_trainer`
builds the SDK v3 ``ModelTrainer`` for a built-in image with CSV channels, and
:func:`model_from_job` registers a finished job's ``model.tar.gz`` with ``CreateModel`` so a
batch transform or an endpoint can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["csv_trainer", "model_from_job", "put_csv"]


def put_csv(lab: Any, key: str, table: Any) -> str:
    """Upload ``table`` (DataFrame or array) to the kit bucket as CSV with no header or index.

    Returns the object's S3 URI.
    """
    body = pd.DataFrame(table).to_csv(header=False, index=False).encode()
    lab.client("s3").put_object(Bucket=lab.bucket, Key=key, Body=body)
    return lab.s3_uri(key)


def csv_trainer(
    lab: Any,
    algorithm: str,
    hyperparameters: Mapping[str, Any],
    channels: Mapping[str, str],
    *,
    base_job_name: str,
    output_uri: str,
    notebook: str,
    instance_type: str = "ml.m5.large",
) -> Any:
    """A ``ModelTrainer`` for the built-in ``algorithm`` (``"pca"``, ``"kmeans"``, ...).

    ``channels`` maps channel names to S3 URIs of ``text/csv`` data; the image is
    ``image_uris.retrieve(algorithm, region)``; the jobs are tagged for ``notebook``.
    """
    from sagemaker.core import image_uris
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, InputData, OutputDataConfig, StoppingCondition

    return ModelTrainer(
        training_image=image_uris.retrieve(algorithm, region=lab.region),
        role=lab.role_arn,
        compute=Compute(instance_type=instance_type, instance_count=1),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=900),
        hyperparameters=dict(hyperparameters),
        input_data_config=[
            InputData(channel_name=name, data_source=uri, content_type="text/csv")
            for name, uri in channels.items()
        ],
        output_data_config=OutputDataConfig(s3_output_path=output_uri),
        sagemaker_session=lab.sagemaker_session,
        base_job_name=base_job_name,
        tags=lab.sdk_tags(notebook),
    )


def model_from_job(lab: Any, job_name: str, model_name: str, notebook: str) -> str:
    """``CreateModel`` from a Completed training job's image and artifact; the model name."""
    sagemaker = lab.client("sagemaker")
    job = sagemaker.describe_training_job(TrainingJobName=job_name)
    if job["TrainingJobStatus"] != "Completed":
        raise ValueError(
            f"training job {job_name} is {job['TrainingJobStatus']}: only a Completed job "
            "has a model to register"
        )
    sagemaker.create_model(
        ModelName=model_name,
        PrimaryContainer={
            "Image": job["AlgorithmSpecification"]["TrainingImage"],
            "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"],
        },
        ExecutionRoleArn=lab.role_arn,
        Tags=lab.tags(notebook),
    )
    return model_name
