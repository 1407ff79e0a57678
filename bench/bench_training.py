"""Benchmark: a local XGBoost training job against ``xgboost.train`` on the same data.

A benchmark, not a test: it prints figures measured in one run and asserts nothing.
Run it with ``.venv/bin/python bench/bench_training.py`` (``--rounds N`` to change the fit).

- direct: ``xgboost.train`` on the churn matrix, in this process, as a learner would call it.
- local job: ``CreateTrainingJob`` with the built-in XGBoost image, the same data (CSV in
  the local S3) and hyperparameters, timed from the API call until DescribeTrainingJob
  says Completed (polled every 50 ms): download, parse, train, log, upload, report.
- ratio = local job / direct; overhead = local job - direct, in seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

import xgboost

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from runtime_support import XGBOOST_IMAGE, channel, churn_matrix, put_csv

import labs

PARAMS = {"objective": "binary:logistic", "eval_metric": "auc", "max_depth": 6, "eta": 0.05}


def direct(train, validation, rounds: int) -> float:
    """Seconds for xgboost.train on in-memory matrices, with the same evaluation sets."""
    started = time.perf_counter()
    dtrain = xgboost.DMatrix(train.iloc[:, 1:].to_numpy(), label=train.iloc[:, 0].to_numpy())
    dvalid = xgboost.DMatrix(
        validation.iloc[:, 1:].to_numpy(), label=validation.iloc[:, 0].to_numpy()
    )
    xgboost.train(
        PARAMS,
        dtrain,
        rounds,
        evals=[(dtrain, "train"), (dvalid, "validation")],
        verbose_eval=False,
    )
    return time.perf_counter() - started


def local_job(lab, name: str, uris: tuple[str, str], rounds: int) -> float:
    """Seconds from CreateTrainingJob to Completed for the same fit on the local runtime."""
    sm = lab.client("sagemaker")
    started = time.perf_counter()
    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        RoleArn=lab.role_arn,
        HyperParameters={"num_round": str(rounds), **{k: str(v) for k, v in PARAMS.items()}},
        InputDataConfig=[channel("train", uris[0]), channel("validation", uris[1])],
        OutputDataConfig={"S3OutputPath": lab.s3_uri("bench/output")},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    while True:
        status = sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"]
        if status != "InProgress":
            break
        time.sleep(0.05)
    if status != "Completed":
        raise SystemExit(f"{name} ended {status}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with contextlib.redirect_stdout(io.StringIO()):
        lab = labs.start()
    train, validation = churn_matrix()
    uris = (
        put_csv(lab, "bench/train/train.csv", train),
        put_csv(lab, "bench/validation/validation.csv", validation),
    )
    local_job(lab, "bench-warmup", uris, 5)  # first-job imports are not the steady state
    pairs = []
    for i in range(args.repeat):
        pairs.append(
            (
                direct(train, validation, args.rounds),
                local_job(lab, f"bench-{i}", uris, args.rounds),
            )
        )
    d = statistics.median(p[0] for p in pairs)
    j = statistics.median(p[1] for p in pairs)
    print(
        f"XGBoost on churn ({len(train)} train rows), {args.rounds} rounds, median of {args.repeat}"
    )
    print(f"  xgboost.train directly   {d:7.2f} s")
    print(f"  local training job       {j:7.2f} s")
    print(f"  ratio job / direct       {j / d:7.2f}")
    print(f"  fixed overhead           {j - d:7.2f} s")


if __name__ == "__main__":
    main()
