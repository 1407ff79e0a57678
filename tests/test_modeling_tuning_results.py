"""labs.modeling.tuning_results: the best-so-far curve and each child job's final metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from runtime_support import XGBOOST_IMAGE, channel, churn_matrix, put_csv
from test_runtime_tuning import wait_for_tuning

from labs.modeling.tuning_results import best_so_far, child_metrics


def test_best_so_far_follows_launch_order_and_skips_missing_values():
    frame = pd.DataFrame(
        {
            "FinalObjectiveValue": [0.7, np.nan, 0.9, 0.8],
            "TrainingStartTime": pd.to_datetime(
                [
                    "2026-01-01 00:00:03",
                    "2026-01-01 00:00:01",
                    "2026-01-01 00:00:02",
                    "2026-01-01 00:00:04",
                ]
            ),
        }
    )
    # launch order: nan, 0.9, 0.7, 0.8
    curve = best_so_far(frame)
    assert curve.index.tolist() == [1, 2, 3, 4]
    assert np.isnan(curve.iloc[0]) and curve.iloc[1:].tolist() == [0.9, 0.9, 0.9]
    assert best_so_far(frame, maximize=False).iloc[1:].tolist() == [0.9, 0.7, 0.7]
    with pytest.raises(ValueError, match="TrainingStartTime"):
        best_so_far(frame.drop(columns="TrainingStartTime"))


def test_child_metrics_reads_train_and_validation_metrics_of_every_child(lab):
    train, validation = churn_matrix(seed=2)
    uris = (
        put_csv(lab, "tuning-results/train/train.csv", train),
        put_csv(lab, "tuning-results/validation/validation.csv", validation),
    )
    sm = lab.client("sagemaker")
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="child-metrics",
        HyperParameterTuningJobConfig={
            "Strategy": "Grid",
            "HyperParameterTuningJobObjective": {
                "Type": "Maximize",
                "MetricName": "validation:auc",
            },
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "CategoricalParameterRanges": [{"Name": "max_depth", "Values": ["1", "10"]}]
            },
        },
        TrainingJobDefinition={
            "StaticHyperParameters": {
                "num_round": "20",
                "objective": "binary:logistic",
                "eval_metric": "auc",
            },
            "AlgorithmSpecification": {"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
            "RoleArn": lab.role_arn,
            "InputDataConfig": [channel("train", uris[0]), channel("validation", uris[1])],
            "OutputDataConfig": {"S3OutputPath": lab.s3_uri("tuning-results/output")},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 5,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 300},
        },
    )
    assert wait_for_tuning(sm, "child-metrics")["HyperParameterTuningJobStatus"] == "Completed"
    table = child_metrics(sm, "child-metrics")
    assert sorted(table["max_depth"]) == [1.0, 10.0]
    assert (table["status"] == "Completed").all()
    deep = table.set_index("max_depth").loc[10.0]
    assert deep["train:auc"] > deep["validation:auc"]
    with pytest.raises(Exception, match=r"child-metrics-missing|not found|does not exist"):
        child_metrics(sm, "child-metrics-missing")
