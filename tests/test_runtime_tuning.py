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


def test_sdk_hyperparameter_tuner_with_analytics(lab, churn_uris):
    from sagemaker.core import image_uris
    from sagemaker.core.parameter import ContinuousParameter, IntegerParameter
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, InputData
    from sagemaker.train.tuner import HyperparameterTuner

    trainer = ModelTrainer(
        training_image=image_uris.retrieve("xgboost", region=lab.region, version="1.7-1"),
        role=lab.role_arn,
        compute=Compute(instance_type="ml.m5.xlarge", instance_count=1),
        hyperparameters={"num_round": 30, "objective": "binary:logistic", "eval_metric": "auc"},
        sagemaker_session=lab.sagemaker_session,
        base_job_name="sdk-tune",
    )
    tuner = HyperparameterTuner(
        model_trainer=trainer,
        objective_metric_name="validation:auc",
        hyperparameter_ranges={
            "eta": ContinuousParameter(0.01, 0.5, scaling_type="Logarithmic"),
            "max_depth": IntegerParameter(1, 8),
        },
        strategy="Bayesian",
        max_jobs=12,
        max_parallel_jobs=2,
        random_seed=3,
    )
    tuner.tune(
        inputs=[
            InputData(channel_name="train", data_source=churn_uris[0], content_type="text/csv"),
            InputData(
                channel_name="validation", data_source=churn_uris[1], content_type="text/csv"
            ),
        ],
        wait=False,
    )
    name = tuner.latest_tuning_job.hyper_parameter_tuning_job_name
    tuning = wait_for_tuning(lab.client("sagemaker"), name)
    assert tuning["HyperParameterTuningJobStatus"] == "Completed", tuning.get("FailureReason")
    frame = tuner.analytics().dataframe()
    assert len(frame) == 12
    assert (
        tuner.best_training_job()
        == frame.sort_values("FinalObjectiveValue").iloc[-1]["TrainingJobName"]
    )
    assert frame["FinalObjectiveValue"].max() > frame["FinalObjectiveValue"].median()


def test_early_stopping_auto_stops_weak_jobs(lab, churn_uris):
    request = tuning_request(
        lab,
        "auto-stop",
        churn_uris,
        strategy="Random",
        max_jobs=10,
        parallel=2,
        config={"TrainingJobEarlyStoppingType": "Auto"},
    )
    definition = request["TrainingJobDefinition"]
    definition["StaticHyperParameters"]["num_round"] = "400"
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "10"}],
        "ContinuousParameterRanges": [
            {"Name": "eta", "MinValue": "0.001", "MaxValue": "0.3", "ScalingType": "Logarithmic"},
            {"Name": "subsample", "MinValue": "0.1", "MaxValue": "1"},
        ],
    }
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(**request)
    tuning = wait_for_tuning(sm, "auto-stop")
    assert tuning["HyperParameterTuningJobStatus"] == "Completed", tuning.get("FailureReason")
    counters = tuning["TrainingJobStatusCounters"]
    assert counters["Stopped"] >= 1, counters
    assert counters["Completed"] + counters["Stopped"] == 10


def test_warm_start_sees_the_parent_jobs(lab, churn_uris):
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(
        **tuning_request(lab, "warm-parent", churn_uris, strategy="Random", max_jobs=4)
    )
    parent = wait_for_tuning(sm, "warm-parent")
    assert parent["HyperParameterTuningJobStatus"] == "Completed"
    request = tuning_request(
        lab,
        "warm-child",
        churn_uris,
        max_jobs=2,
        WarmStartConfig={
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "warm-parent"}],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        },
    )
    sm.create_hyper_parameter_tuning_job(**request)
    child = wait_for_tuning(sm, "warm-child")
    assert child["HyperParameterTuningJobStatus"] == "Completed", child.get("FailureReason")
    assert len(children(sm, "warm-child")) == 2
    parent_best = parent["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    overall = child["OverallBestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]
    assert overall["Value"] >= parent_best


def test_warm_start_takes_at_most_five_parents(lab, churn_uris):
    parents = [{"HyperParameterTuningJobName": f"p{i}"} for i in range(6)]
    request = tuning_request(
        lab,
        "warm-six",
        churn_uris,
        WarmStartConfig={
            "ParentHyperParameterTuningJobs": parents,
            "WarmStartType": "TransferLearning",
        },
    )
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(**request)
    tuning = wait_for_tuning(sm, "warm-six")
    assert tuning["HyperParameterTuningJobStatus"] == "Failed"
    assert "at most 5" in tuning["FailureReason"]


def test_hyperband_stops_jobs_early_on_its_own(lab, churn_uris):
    request = tuning_request(
        lab,
        "hyperband",
        churn_uris,
        strategy="Hyperband",
        max_jobs=9,
        parallel=2,
        config={
            "StrategyConfig": {"HyperbandStrategyConfig": {"MinResource": 10, "MaxResource": 300}}
        },
    )
    request["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"] = "300"
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(**request)
    tuning = wait_for_tuning(sm, "hyperband")
    assert tuning["HyperParameterTuningJobStatus"] == "Completed", tuning.get("FailureReason")
    counters = tuning["TrainingJobStatusCounters"]
    assert counters["Stopped"] >= 1, counters


def test_no_job_starts_once_the_interpreter_is_exiting(lab, churn_uris):
    """At exit the pool refuses new work ("cannot schedule new futures after shutdown"): a
    tuning job's next child must come back Stopped instead of being submitted."""
    from labs.runtime import executor

    sm = lab.client("sagemaker")
    request = tuning_request(lab, "exiting-child", churn_uris)["TrainingJobDefinition"]
    executor._exiting.set()
    try:
        sm.create_training_job(
            TrainingJobName="exiting-child",
            AlgorithmSpecification=request["AlgorithmSpecification"],
            RoleArn=request["RoleArn"],
            HyperParameters=request["StaticHyperParameters"],
            InputDataConfig=request["InputDataConfig"],
            OutputDataConfig=request["OutputDataConfig"],
            ResourceConfig=request["ResourceConfig"],
            StoppingCondition={"MaxRuntimeInSeconds": 600},
        )
        described = sm.describe_training_job(TrainingJobName="exiting-child")
    finally:
        executor._exiting.clear()
    assert described["TrainingJobStatus"] == "Stopped"
    assert "ModelArtifacts" not in described or not described["ModelArtifacts"]
