"""Helpers of lab 05-4: post-training bias metrics, TreeSHAP explanations, alarm rules."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from labs.errors import LabsError
from labs.operations.alarm_rule import evaluate_alarm
from labs.operations.posttraining_bias import confusion, posttraining_bias
from labs.operations.shap_values import tree_shap

# Facet a: TP=2 FN=1 FP=1 TN=2; facet d: TP=0 FN=2 FP=1 TN=1 (worked out by hand).
LABELS = [1, 1, 0, 0, 0, 1, 1, 0, 0, 1]
PREDICTED = [1, 0, 0, 1, 0, 1, 0, 0, 1, 0]
IN_D = [False] * 6 + [True] * 4


def test_confusion_counts() -> None:
    counts = confusion(np.array(LABELS[:6], bool), np.array(PREDICTED[:6], bool))
    assert (counts.TP, counts.FP, counts.FN, counts.TN) == (2, 1, 1, 2)


def test_posttraining_metrics_match_the_hand_computed_example() -> None:
    report = posttraining_bias(LABELS, PREDICTED, IN_D)
    expected = {
        "DPPL": 0.5 - 0.25,
        "DI": 0.25 / 0.5,
        "DCA": 3 / 3 - 2 / 1,
        "DCR": 2 / 3 - 3 / 3,
        "RD": 2 / 3 - 0,
        "SD": 1 / 2 - 2 / 3,
        "DAR": 2 / 3 - 0,
        "DRR": 1 / 3 - 2 / 3,
        "AD": 4 / 6 - 1 / 4,
        "TE": 2 / 1 - 1 / 1,
    }
    assert report.metrics() == pytest.approx(expected)
    table = report.to_frame()
    assert list(table.index) == list(expected) and table.loc["DI", "value"] == pytest.approx(0.5)
    assert report.as_dict()["facet_d"] == {"TP": 0, "FP": 1, "FN": 2, "TN": 1}


def test_string_labels_and_a_zero_denominator() -> None:
    labels = ["yes", "no", "yes", "no"]
    predicted = ["yes", "no", "no", "no"]  # facet d has no false positive
    report = posttraining_bias(labels, predicted, [False, False, True, True], positive="yes")
    assert report.facet_d.FP == 0 and report.facet_d.FN == 1
    assert math.isinf(report.TE) and report.TE > 0
    assert math.isclose(report.DPPL, 0.5)


@pytest.mark.parametrize(
    ("in_d", "message"),
    [([True] * 10, "Facet a is empty"), ([False] * 10, "Facet d is empty"), ([True], "one value")],
)
def test_bias_mistakes_are_clear(in_d: list[bool], message: str) -> None:
    with pytest.raises(LabsError, match=message):
        posttraining_bias(LABELS, PREDICTED, in_d)


@pytest.fixture(scope="module")
def booster_and_data() -> tuple[Any, pd.DataFrame]:
    import xgboost as xgb

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 3)), columns=["strong", "weak", "unused"])
    logit = 2.0 * X["strong"] + 0.4 * X["weak"]
    y = (rng.random(400) < 1 / (1 + np.exp(-logit))).astype(int)
    data = xgb.DMatrix(X[["strong", "weak"]].assign(unused=0.0).to_numpy(), label=y)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 0}
    return xgb.train(params, data, num_boost_round=30), X


def test_tree_shap_adds_up_and_ranks_the_features(
    booster_and_data: tuple[Any, pd.DataFrame],
) -> None:
    import xgboost as xgb

    booster, X = booster_and_data
    explanation = tree_shap(booster, X)
    assert explanation.values.shape == X.shape
    assert explanation.additivity_error() < 1e-4
    ranking = explanation.global_importance()
    assert list(ranking.index) == ["strong", "weak", "unused"]
    assert ranking["unused"] == 0.0  # a feature the trees never split on gets nothing
    local = explanation.local(0, top=2)
    assert len(local) == 2 and abs(local.iloc[0]) >= abs(local.iloc[1])
    margin = booster.predict(xgb.DMatrix(X.to_numpy()), output_margin=True)[:5]
    assert np.allclose(
        explanation.values.iloc[:5].sum(axis=1) + explanation.base_value, margin, atol=1e-4
    )
    for figure in (explanation.plot_global(3), explanation.plot_local(0, 3)):
        assert len(figure.axes[0].patches) == 3


def test_tree_shap_mistakes(booster_and_data: tuple[Any, pd.DataFrame]) -> None:
    booster, X = booster_and_data
    with pytest.raises(LabsError, match="takes 3 features"):
        tree_shap(booster, X.iloc[:, :2])
    with pytest.raises(LabsError, match="non-empty DataFrame"):
        tree_shap(booster, X.to_numpy())
    with pytest.raises(LabsError, match="row 999"):
        tree_shap(booster, X.head()).local(999)


def test_alarm_rule_states(lab: Any) -> None:
    cloudwatch = lab.client("cloudwatch")
    run = uuid.uuid4().hex[:8]
    namespace, metric = f"labs-tests-{run}", "feature_baseline_drift_x"

    def alarm(name: str, **changes: Any) -> str:
        settings = {
            "AlarmName": name,
            "Namespace": namespace,
            "MetricName": metric,
            "Statistic": "Maximum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 0.1,
            "ComparisonOperator": "GreaterThanThreshold",
            **changes,
        }
        cloudwatch.put_metric_alarm(**settings)
        return name

    missing = evaluate_alarm(cloudwatch, alarm(f"a-{run}"))
    assert missing.state == "INSUFFICIENT_DATA" and missing.values == []
    assert (
        evaluate_alarm(cloudwatch, alarm(f"b-{run}", TreatMissingData="notBreaching")).state == "OK"
    )

    now = datetime.now(UTC)
    cloudwatch.put_metric_data(
        Namespace=namespace, MetricData=[{"MetricName": metric, "Value": 0.25, "Timestamp": now}]
    )
    verdict = evaluate_alarm(cloudwatch, f"a-{run}", now=now)
    assert verdict.state == "ALARM" and verdict.values == [0.25] and verdict.breaching == 1
    assert "GreaterThanThreshold 0.1" in verdict.reason
    higher = evaluate_alarm(cloudwatch, alarm(f"c-{run}", Threshold=0.3), now=now)
    assert higher.state == "OK"
    later = evaluate_alarm(cloudwatch, f"a-{run}", now=now + timedelta(hours=2))
    assert later.state == "INSUFFICIENT_DATA"
    with pytest.raises(LabsError, match="no metric alarm"):
        evaluate_alarm(cloudwatch, f"missing-{run}")
    cloudwatch.delete_alarms(AlarmNames=[f"a-{run}", f"b-{run}", f"c-{run}"])


def test_waits_return_what_arrived_or_say_what_is_missing(lab: Any) -> None:
    from labs.operations.monitor_waits import wait_for_captures, wait_for_execution
    from labs.runtime.capture import CaptureWriter

    s3 = lab.client("s3")
    destination = lab.s3_uri("wait-tests", uuid.uuid4().hex)
    with pytest.raises(LabsError, match="Only 0 of 1 capture records"):
        wait_for_captures(s3, destination + "/ep/", 1, timeout=0)
    writer = CaptureWriter(
        {
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": destination,
            "CaptureOptions": [{"CaptureMode": "Input"}],
        },
        s3,
        "ep",
    )
    writer.record("AllTraffic", b"1,2", "text/csv", b"0.5", "text/csv")
    writer.close()
    assert len(wait_for_captures(s3, destination + "/ep/", 1, timeout=5)) == 1
    with pytest.raises(LabsError, match="still not started"):
        wait_for_execution(lab.client("sagemaker"), f"nothing-{uuid.uuid4().hex[:6]}", timeout=0)


def test_drift_metrics_are_read_per_feature(lab: Any) -> None:
    from labs.operations.monitor_waits import DATA_METRICS, wait_for_drift_metrics

    cloudwatch = lab.client("cloudwatch")
    endpoint, schedule = f"ep-{uuid.uuid4().hex[:6]}", "sched"
    dimensions = [
        {"Name": "Endpoint", "Value": endpoint},
        {"Name": "MonitoringSchedule", "Value": schedule},
    ]
    now = datetime.now(UTC)
    cloudwatch.put_metric_data(
        Namespace=DATA_METRICS,
        MetricData=[
            {
                "MetricName": "feature_baseline_drift_a",
                "Dimensions": dimensions,
                "Value": v,
                "Timestamp": now,
            }
            for v in (0.05, 0.3)
        ],
    )
    drift = wait_for_drift_metrics(cloudwatch, endpoint, schedule, ["a"], timeout=0)
    assert drift.to_dict() == {"a": 0.3}
    with pytest.raises(LabsError, match=r"\['b'\]"):
        wait_for_drift_metrics(cloudwatch, endpoint, schedule, ["a", "b"], timeout=0)
