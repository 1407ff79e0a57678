"""Score a CSV in S3 with a SageMaker AI batch transform job and read the answers back.

The built-in Amazon algorithms (PCA, K-Means, Random Cut Forest, ...) answer
``application/jsonlines`` with one JSON object per input line, in input order, when the
job splits the input by line (``SplitType="Line"``) and assembles the output by line
(``AssembleWith="Line"``) ("Use batch transform to run inference" in the SageMaker AI
developer guide). :func:`transform_lines` runs such a job and returns those objects.
"""

from __future__ import annotations

import json
import time
from typing import Any

__all__ = ["transform_lines"]


def transform_lines(
    sagemaker: Any,
    s3: Any,
    *,
    job_name: str,
    model_name: str,
    input_uri: str,
    output_uri: str,
    instance_type: str = "ml.m5.large",
    tags: list[dict[str, str]] | None = None,
    timeout: float = 900,
) -> list[dict[str, Any]]:
    """Run a batch transform of the CSV at ``input_uri`` (one object) and return its lines.

    ``output_uri`` is an S3 prefix; the answer is ``<output_uri>/<input file name>.out``.
    Raises RuntimeError naming the FailureReason when the job fails.
    """
    sagemaker.create_transform_job(
        TransformJobName=job_name,
        ModelName=model_name,
        BatchStrategy="MultiRecord",
        MaxPayloadInMB=6,
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        TransformOutput={
            "S3OutputPath": output_uri,
            "Accept": "application/jsonlines",
            "AssembleWith": "Line",
        },
        TransformResources={"InstanceType": instance_type, "InstanceCount": 1},
        **({"Tags": tags} if tags else {}),
    )
    deadline = time.monotonic() + timeout
    while True:
        job = sagemaker.describe_transform_job(TransformJobName=job_name)
        if job["TransformJobStatus"] not in ("InProgress", "Stopping"):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"transform job {job_name} did not finish in {timeout:.0f} s")
        time.sleep(0.2)
    if job["TransformJobStatus"] != "Completed":
        raise RuntimeError(
            f"transform job {job_name} {job['TransformJobStatus']}: {job.get('FailureReason')}"
        )
    file_name = input_uri.rstrip("/").rsplit("/", 1)[-1]
    out_bucket, out_prefix = output_uri.removeprefix("s3://").split("/", 1)
    out_key = f"{out_prefix.rstrip('/')}/{file_name}.out"
    body = s3.get_object(Bucket=out_bucket, Key=out_key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines() if line.strip()]
