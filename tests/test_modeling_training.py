"""labs.modeling.tabular and labs.modeling.job_report, on tables and on a real local job."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from runtime_support import XGBOOST_IMAGE, channel, put_csv, wait_for_training_job

from labs.modeling import job_report, tabular


def test_builtin_csv_tables_learn_the_encoding_from_the_training_rows():
    train = pd.DataFrame(
        {"id": ["a", "b", "c"], "y": [1, 0, 1], "x": [1.0, np.nan, 3.0], "plan": ["A", "B", "A"]}
    )
    validation = pd.DataFrame(
        {"id": ["d", "e"], "y": [0, 1], "x": [np.nan, 5.0], "plan": ["C", "B"]}
    )
    t, v = tabular.builtin_csv_tables(train, validation, "y", drop=("id",))
    assert list(t.columns) == ["y", "x", "plan_A", "plan_B"] == list(v.columns)
    assert t["x"].tolist() == [1.0, 2.0, 3.0]  # the training median fills the gap
    assert v["x"].tolist() == [2.0, 5.0]  # the training median, not the validation one
    assert v[["plan_A", "plan_B"]].to_numpy().tolist() == [[0.0, 0.0], [0.0, 1.0]]  # unseen C
    assert not t.isna().any().any() and all(dtype.kind == "f" for dtype in t.dtypes)
    with pytest.raises(ValueError, match="label column"):
        tabular.builtin_csv_tables(train, validation, "churn")


def test_xgboost_curve_and_best_round_from_log_lines():
    lines = [
        "Train matrix has 4 rows",
        "[0]#011train-auc:0.80000#011validation-auc:0.70000",
        "[1]\ttrain-auc:0.90000\tvalidation-auc:0.75000",
        "[2]#011train-auc:0.95000#011validation-auc:0.74000",
        "Stopping. Best iteration:\n[1]#011train-auc:0.90000#011validation-auc:0.75000",
    ]
    curve = job_report.xgboost_curve(lines)
    assert list(curve.columns) == ["train:auc", "validation:auc"]
    assert curve["validation:auc"].tolist() == [0.7, 0.75, 0.74]
    assert job_report.xgboost_best_round(lines) == 1
    assert job_report.xgboost_best_round(lines[:-1]) is None
    assert job_report.xgboost_curve(["no rounds here"]).empty


def test_job_cost_uses_billable_seconds_and_instance_count():
    job = {
        "BillableTimeInSeconds": 1800,
        "TrainingTimeInSeconds": 3600,
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 2},
    }
    assert job_report.job_cost(job, "us-east-1") == pytest.approx(0.23)  # 2 x 0.5 h x $0.23
    job["ResourceConfig"]["InstanceType"] = "ml.unknown.large"
    assert job_report.job_cost(job, "us-east-1") is None


def test_report_of_a_real_early_stopped_job(lab):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 3))
    y = (x[:, 0] + 0.5 * rng.normal(size=600) > 0).astype(float)
    table = pd.DataFrame(np.column_stack([y, x]))
    train_uri = put_csv(lab, "modeling-tests/train/train.csv", table.iloc[:400])
    validation_uri = put_csv(lab, "modeling-tests/validation/validation.csv", table.iloc[400:])
    sm = lab.client("sagemaker")
    sm.create_training_job(
        TrainingJobName="modeling-report",
        AlgorithmSpecification={"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        RoleArn=lab.role_arn,
        HyperParameters={
            "num_round": "200",
            "early_stopping_rounds": "5",
            "objective": "binary:logistic",
            "eval_metric": "auc",
            "eta": "0.3",
        },
        InputDataConfig=[channel("train", train_uri), channel("validation", validation_uri)],
        OutputDataConfig={"S3OutputPath": lab.s3_uri("modeling-tests/output")},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 300},
    )
    job = wait_for_training_job(sm, "modeling-report")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    metrics = job_report.final_metrics(job)
    lines = job_report.log_messages(lab.client("logs"), "modeling-report")
    curve = job_report.xgboost_curve(lines)
    best = job_report.xgboost_best_round(lines)
    assert best is not None and len(curve) == best + 6 < 200
    assert metrics["validation:auc"] == pytest.approx(curve.loc[best, "validation:auc"], abs=1e-4)
    assert job_report.job_cost(job, lab.region) is not None
