"""Hyperparameter tuning jobs run real child jobs chosen by a real optimizer."""

from __future__ import annotations

import statistics
import time

import pytest
from runtime_support import XGBOOST_IMAGE, channel, churn_matrix, put_csv


@pytest.fixture(scope="module")
def churn_uris(lab):
    train, validation = churn_matrix(seed=1)
    return (
        put_csv(lab, "tuning-tests/train/train.csv", train),
        put_csv(lab, "tuning-tests/validation/validation.csv", validation),
    )


def tuning_request(lab, name, churn_uris, strategy="Bayesian", max_jobs=12, parallel=2, **extra):
    config = {
        "Strategy": strategy,
        "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
        "ResourceLimits": {
            "MaxNumberOfTrainingJobs": max_jobs,
            "MaxParallelTrainingJobs": parallel,
        },
        "ParameterRanges": {
            "ContinuousParameterRanges": [
                {"Name": "eta", "MinValue": "0.01", "MaxValue": "0.5", "ScalingType": "Logarithmic"}
            ],
            "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "8"}],
        },
        "TrainingJobEarlyStoppingType": "Off",
        "RandomSeed": 7,
    }
    config.update(extra.pop("config", {}))
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": config,
        "TrainingJobDefinition": {
            "StaticHyperParameters": {
                "num_round": "30",
                "objective": "binary:logistic",
                "eval_metric": "auc",
            },
            "AlgorithmSpecification": {"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
            "RoleArn": lab.role_arn,
            "InputDataConfig": [
                channel("train", churn_uris[0]),
                channel("validation", churn_uris[1]),
            ],
            "OutputDataConfig": {"S3OutputPath": lab.s3_uri("tuning-tests/output")},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 5,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        },
        **extra,
    }


def wait_for_tuning(sm, name, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        if described["HyperParameterTuningJobStatus"] in ("Completed", "Failed", "Stopped"):
            return described
        assert time.monotonic() < deadline, described["TrainingJobStatusCounters"]
        time.sleep(0.5)


def children(sm, name):
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=name
    )
    return [s for page in pages for s in page["TrainingJobSummaries"]]


def test_bayesian_tuning_finds_a_best_job_better_than_the_median_child(lab, churn_uris):
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(**tuning_request(lab, "bayes-xgb", churn_uris))
    tuning = wait_for_tuning(sm, "bayes-xgb")
    assert tuning["HyperParameterTuningJobStatus"] == "Completed", tuning.get("FailureReason")
    assert tuning["TrainingJobStatusCounters"]["Completed"] == 12
    jobs = children(sm, "bayes-xgb")
    assert len(jobs) == 12
    values = [j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for j in jobs]
    best = tuning["BestTrainingJob"]
    best_value = best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert best_value == max(values)
    assert best_value > statistics.median(values)
    assert set(best["TunedHyperParameters"]) == {"eta", "max_depth"}
    described = sm.describe_training_job(TrainingJobName=best["TrainingJobName"])
    assert described["TuningJobArn"] == tuning["HyperParameterTuningJobArn"]
    assert described["HyperParameters"]["_tuning_objective_metric"] == "validation:auc"
    assert 0.01 <= float(described["HyperParameters"]["eta"]) <= 0.5


def test_grid_accepts_only_categorical_ranges(lab, churn_uris):
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(
        **tuning_request(lab, "grid-bad", churn_uris, strategy="Grid", max_jobs=4)
    )
    tuning = wait_for_tuning(sm, "grid-bad")
    assert tuning["HyperParameterTuningJobStatus"] == "Failed"
    assert "categorical" in tuning["FailureReason"]


def test_grid_runs_every_combination_once(lab, churn_uris):
    request = tuning_request(lab, "grid-ok", churn_uris, strategy="Grid", max_jobs=50, parallel=2)
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "CategoricalParameterRanges": [
            {"Name": "max_depth", "Values": ["2", "4", "6"]},
            {"Name": "eta", "Values": ["0.1", "0.3"]},
        ]
    }
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(**request)
    tuning = wait_for_tuning(sm, "grid-ok")
    assert tuning["HyperParameterTuningJobStatus"] == "Completed", tuning.get("FailureReason")
    combos = {tuple(sorted(j["TunedHyperParameters"].items())) for j in children(sm, "grid-ok")}
    assert len(combos) == 6


def test_hyperband_needs_job_early_stopping_off(lab, churn_uris):
    request = tuning_request(
        lab,
        "hyperband-bad",
        churn_uris,
        strategy="Hyperband",
        config={"TrainingJobEarlyStoppingType": "Auto"},
    )
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(**request)
    tuning = wait_for_tuning(sm, "hyperband-bad")
    assert tuning["HyperParameterTuningJobStatus"] == "Failed"
    assert "TrainingJobEarlyStoppingType must be Off" in tuning["FailureReason"]


def test_logarithmic_scaling_rejects_non_positive_ranges(lab, churn_uris):
    request = tuning_request(lab, "log-bad", churn_uris)
    request["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"][0][
        "MinValue"
    ] = "0"
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(**request)
    tuning = wait_for_tuning(sm, "log-bad")
    assert tuning["HyperParameterTuningJobStatus"] == "Failed"
    assert "MinValue > 0" in tuning["FailureReason"]
