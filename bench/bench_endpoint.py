"""Benchmark: InvokeEndpoint on a local endpoint against a direct predict, one row at a time.

A benchmark, not a test: it prints figures measured in one run and asserts nothing.
Run it with ``.venv/bin/python bench/bench_endpoint.py`` (``--requests N``, ``--clients K``).

- direct: ``booster.predict(DMatrix(row))`` on the model loaded from the job's
  ``model.tar.gz``, in this process: the floor for one prediction.
- endpoint: ``sagemaker-runtime invoke_endpoint`` with the same row as CSV, through boto3,
  the local AWS (moto) and the variant's model server: what a learner's call costs.
- p50 and p99 of each, their ratio, and requests per second for one client and for
  ``--clients`` concurrent clients (threads, each with its own boto3 client).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import io
import statistics
import sys
import tarfile
import time
from pathlib import Path

import boto3
import numpy as np
import xgboost

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from runtime_support import (
    XGBOOST_IMAGE,
    channel,
    churn_matrix,
    put_csv,
    wait_for_training_job,
)

import labs


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) of ``samples``, in milliseconds."""
    return float(np.percentile(np.array(samples) * 1000, q))


def train_and_deploy(lab) -> tuple[xgboost.Booster, np.ndarray]:
    """Train XGBoost on churn with a local job, deploy it as ``bench-ep``, load it directly."""
    sm = lab.client("sagemaker")
    train, validation = churn_matrix()
    sm.create_training_job(
        TrainingJobName="bench-ep-train",
        AlgorithmSpecification={"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        RoleArn=lab.role_arn,
        HyperParameters={"objective": "binary:logistic", "num_round": "100", "max_depth": "6"},
        InputDataConfig=[
            channel("train", put_csv(lab, "bench-ep/train/t.csv", train)),
            channel("validation", put_csv(lab, "bench-ep/validation/v.csv", validation)),
        ],
        OutputDataConfig={"S3OutputPath": lab.s3_uri("bench-ep/output")},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    artifact = wait_for_training_job(sm, "bench-ep-train")["ModelArtifacts"]["S3ModelArtifacts"]
    sm.create_model(
        ModelName="bench-ep",
        PrimaryContainer={"Image": XGBOOST_IMAGE, "ModelDataUrl": artifact},
        ExecutionRoleArn=lab.role_arn,
    )
    sm.create_endpoint_config(
        EndpointConfigName="bench-ep",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "bench-ep",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName="bench-ep", EndpointConfigName="bench-ep")
    sm.get_waiter("endpoint_in_service").wait(EndpointName="bench-ep")
    bucket, key = artifact[5:].split("/", 1)
    tar = lab.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        raw = archive.extractfile("xgboost-model").read()
    booster = xgboost.Booster()
    booster.load_model(bytearray(raw))
    return booster, validation.iloc[:, 1:].to_numpy(dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with contextlib.redirect_stdout(io.StringIO()):
        lab = labs.start()
    booster, X = train_and_deploy(lab)
    rows = [X[i % len(X) : i % len(X) + 1] for i in range(args.requests)]
    bodies = [",".join(repr(float(v)) for v in row[0]) for row in rows]
    runtime = lab.client("sagemaker-runtime")
    for body in bodies[:50]:  # warm up both paths
        runtime.invoke_endpoint(EndpointName="bench-ep", ContentType="text/csv", Body=body)
        booster.predict(xgboost.DMatrix(rows[0]))

    direct, endpoint = [], []
    for row, body in zip(rows, bodies, strict=True):
        started = time.perf_counter()
        booster.predict(xgboost.DMatrix(row))
        direct.append(time.perf_counter() - started)
        started = time.perf_counter()
        answer = runtime.invoke_endpoint(EndpointName="bench-ep", ContentType="text/csv", Body=body)
        answer["Body"].read()
        endpoint.append(time.perf_counter() - started)

    def client_run(chunk: list[str]) -> int:
        own = boto3.Session(region_name=lab.region).client("sagemaker-runtime")
        for body in chunk:
            own.invoke_endpoint(EndpointName="bench-ep", ContentType="text/csv", Body=body)
        return len(chunk)

    chunks = [bodies[i :: args.clients] for i in range(args.clients)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        served = sum(pool.map(client_run, chunks))
    concurrent_seconds = time.perf_counter() - started

    d50, d99 = percentile(direct, 50), percentile(direct, 99)
    e50, e99 = percentile(endpoint, 50), percentile(endpoint, 99)
    print(f"XGBoost churn model (100 trees), one CSV row per request, {args.requests} requests")
    print(f"  direct predict      p50 {d50:7.3f} ms   p99 {d99:7.3f} ms")
    print(f"  InvokeEndpoint      p50 {e50:7.3f} ms   p99 {e99:7.3f} ms")
    print(f"  ratio endpoint/direct  p50 {e50 / d50:6.1f}x   p99 {e99 / d99:6.1f}x")
    print(f"  requests/s, 1 client      {len(endpoint) / sum(endpoint):8.0f}")
    print(f"  requests/s, {args.clients} clients     {served / concurrent_seconds:8.0f}")
    print(f"  direct predicts/s         {len(direct) / sum(direct):8.0f}")
    print(f"  (median endpoint overhead {statistics.median(endpoint) * 1000 - d50:.2f} ms)")
    lab.client("sagemaker").delete_endpoint(EndpointName="bench-ep")


if __name__ == "__main__":
    main()
