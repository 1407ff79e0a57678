"""The kit's Model Monitor stand-in (labs.runtime.monitoring) on the churn data.

A baseline is suggested from 80 % of the churn features (the label and the customer id
left out, as the endpoint never sees them); the other 20 % is the "same distribution"
traffic, and a copy of it with planted problems is the drifted traffic. File formats are
checked against the SageMaker Developer Guide's schemas for statistics.json,
constraints.json and constraint_violations.json.
"""

from __future__ import annotations

import io
import json
import math
import uuid
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from labs import data
from labs.runtime.capture import CaptureWriter, read_captures
from labs.runtime.monitoring import (
    Baseline,
    MonitoringError,
    MonitoringReport,
    run_monitoring,
    suggest_baseline,
)
from labs.runtime.monitoring.statistics import SKETCH_K

CHECK_TYPES = {
    "data_type_check",
    "completeness_check",
    "baseline_drift_check",
    "missing_column_check",
    "extra_column_check",
    "categorical_values_check",
}


@pytest.fixture(scope="module")
def churn() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, held_out): the churn features split 80/20 at random."""
    features = data.load("churn").drop(columns=["customer_id", "churn"])
    mask = np.random.default_rng(11).random(len(features)) < 0.8
    return features[mask].reset_index(drop=True), features[~mask].reset_index(drop=True)


@pytest.fixture(scope="module")
def baseline(churn: tuple[pd.DataFrame, pd.DataFrame]) -> Baseline:
    return suggest_baseline(churn[0])


def drifted(held_out: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    """``held_out`` with one planted problem per feature listed in EXPECTED_DRIFT."""
    rng = np.random.default_rng(seed)
    frame = held_out.copy()
    frame["monthly_charges"] = frame["monthly_charges"] * 1.6 + 10  # scaled and shifted
    frame["day_minutes"] = frame["day_minutes"] + 100  # shifted
    new_state = rng.choice(len(frame), int(0.08 * len(frame)), replace=False)
    frame.loc[new_state, "state"] = "ZZ"  # a category the baseline never saw
    gaps = rng.choice(len(frame), int(0.3 * len(frame)), replace=False)
    frame["tenure_months"] = frame["tenure_months"].astype(float)
    frame.loc[gaps, "tenure_months"] = np.nan  # missing values in a complete column
    frame["customer_service_calls"] = frame["customer_service_calls"].astype(object)
    frame.loc[:4, "customer_service_calls"] = "unknown"  # strings in an Integral column
    return frame.drop(columns=["intl_minutes"])  # a missing column


EXPECTED_DRIFT = {
    ("monthly_charges", "baseline_drift_check"),
    ("day_minutes", "baseline_drift_check"),
    ("state", "categorical_values_check"),
    ("tenure_months", "completeness_check"),
    ("customer_service_calls", "data_type_check"),
    ("intl_minutes", "missing_column_check"),
}


def found(report: MonitoringReport) -> set[tuple[str, str]]:
    return {(v["feature_name"], v["constraint_check_type"]) for v in report.violations}


# ----------------------------------------------------------------------------- baselines


def test_baseline_statistics_match_pandas(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    train = churn[0]
    body = baseline.statistics
    assert body["version"] == 0 and body["dataset"] == {"item_count": len(train)}
    features = {f["name"]: f for f in body["features"]}
    assert list(features) == list(train.columns)
    for name, column in train.items():
        feature = features[name]
        if pd.api.types.is_numeric_dtype(column):
            whole = bool((column.dropna() % 1 == 0).all())
            assert feature["inferred_type"] == ("Integral" if whole else "Fractional"), name
            numeric = feature["numerical_statistics"]
            assert numeric["common"] == {
                "num_present": int(column.notna().sum()),
                "num_missing": int(column.isna().sum()),
            }
            assert numeric["mean"] == pytest.approx(column.mean())
            assert numeric["sum"] == pytest.approx(column.sum())
            assert numeric["std_dev"] == pytest.approx(column.std(ddof=0))
            assert (numeric["min"], numeric["max"]) == (column.min(), column.max())
            kll = numeric["distribution"]["kll"]
            assert len(kll["buckets"]) == 10
            assert sum(b["count"] for b in kll["buckets"]) == column.notna().sum()
            assert kll["buckets"][0]["lower_bound"] == column.min()
            assert kll["buckets"][-1]["upper_bound"] == column.max()
            assert set(kll["sketch"]["parameters"]) == {"c", "k"}
            assert len(kll["sketch"]["data"][0]) == min(SKETCH_K, column.notna().sum())
        else:
            assert feature["inferred_type"] == "String", name
            strings = feature["string_statistics"]
            assert strings["common"]["num_present"] == int(column.notna().sum())
            assert strings["distinct_count"] == column.nunique()
            buckets = strings["distribution"]["categorical"]["buckets"]
            assert {b["value"]: b["count"] for b in buckets} == column.value_counts().to_dict()
    # Types the data card implies: whole numbers with gaps stay Integral.
    assert features["age"]["inferred_type"] == "Integral"
    assert features["tenure_months"]["inferred_type"] == "Integral"
    assert features["monthly_charges"]["inferred_type"] == "Fractional"


def test_suggested_constraints_have_the_documented_shape(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    train = churn[0]
    body = baseline.constraints
    assert body["version"] == 0
    assert body["monitoring_config"] == {
        "evaluate_constraints": "Enabled",
        "emit_metrics": "Enabled",
        "datatype_check_threshold": 1.0,
        "domain_content_threshold": 1.0,
        "distribution_constraints": {
            "perform_comparison": "Enabled",
            "comparison_threshold": 0.1,
            "comparison_method": "Robust",
        },
    }
    features = {f["name"]: f for f in body["features"]}
    assert features["age"]["completeness"] == pytest.approx(train["age"].notna().mean())
    assert features["tenure_months"]["completeness"] == 1.0
    assert features["tenure_months"]["num_constraints"] == {"is_non_negative": True}
    assert features["state"]["string_constraints"]["domains"] == sorted(train["state"].unique())
    for feature in body["features"]:
        assert feature["inferred_type"] in {"Integral", "Fractional", "String", "Unknown"}
        assert ("num_constraints" in feature) == (feature["inferred_type"] != "String")


def test_baseline_of_the_churn_csv_in_s3(lab: Any) -> None:
    uri = lab.ensure_dataset("churn")
    from_s3 = suggest_baseline(uri, s3=lab.client("s3"))
    frame = data.load("churn")
    assert from_s3.features == list(frame.columns)
    assert from_s3.statistics["dataset"]["item_count"] == len(frame)
    features = {f["name"]: f for f in from_s3.statistics["features"]}
    assert features["customer_id"]["inferred_type"] == "String"
    # An identifier has no category list, so no domain or drift check.
    assert "distribution" not in features["customer_id"]["string_statistics"]
    assert "string_constraints" not in from_s3.constraint("customer_id")
    assert features["churn"]["inferred_type"] == "Integral"
    assert features["total_charges"]["numerical_statistics"]["mean"] == pytest.approx(
        frame["total_charges"].mean()
    )


def test_headerless_csv_columns_are_named_like_spark(lab: Any) -> None:
    s3 = lab.client("s3")
    key = f"monitor-tests/{uuid.uuid4().hex}/train.csv"
    s3.put_object(Bucket=lab.bucket, Key=key, Body=b"1,a,2.5\n2,b,3.5\n3,,4.0\n")
    baseline = suggest_baseline(lab.s3_uri(key), header=False, s3=s3)
    assert baseline.features == ["_c0", "_c1", "_c2"]
    assert [f["inferred_type"] for f in baseline.statistics["features"]] == [
        "Integral",
        "String",
        "Fractional",
    ]
    assert baseline.constraint("_c1")["completeness"] == pytest.approx(2 / 3)
    named = suggest_baseline(lab.s3_uri(key), header=False, columns=["n", "s", "x"], s3=s3)
    assert named.features == ["n", "s", "x"]


# ----------------------------------------------------------------------------- monitoring


def test_same_distribution_has_no_violations(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    report = run_monitoring(churn[1], baseline)
    assert report.ok, str(report)
    assert report.violations == []
    # Every feature was compared, and none came close to the threshold.
    assert {c.feature for c in report.comparisons} == set(baseline.features)
    assert max(c.linf_simple for c in report.comparisons) < 0.06
    assert report.statistics["dataset"]["item_count"] == len(churn[1])


def test_drifted_batch_raises_the_right_violations_and_nothing_else(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    report = run_monitoring(drifted(churn[1]), baseline)
    assert found(report) == EXPECTED_DRIFT, str(report)
    assert not report.ok
    assert sorted(report.drifted_features) == ["day_minutes", "monthly_charges"]
    for violation in report.violations:
        assert set(violation) == {"feature_name", "constraint_check_type", "description"}
        assert violation["constraint_check_type"] in CHECK_TYPES
    by_check = {v["constraint_check_type"]: v["description"] for v in report.violations}
    assert "'ZZ'" in by_check["categorical_values_check"]
    assert "Expected completeness: 100.0%" in by_check["completeness_check"]
    assert "5 value(s) of another type" in by_check["data_type_check"]
    assert "exceeds threshold: 0.1" in by_check["baseline_drift_check"]


def test_an_extra_column_is_flagged(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    frame = churn[1].assign(loyalty_points=1)
    assert found(run_monitoring(frame, baseline)) == {("loyalty_points", "extra_column_check")}


def test_drift_distance_is_the_ks_statistic_with_the_robust_correction(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    train, held_out = churn
    small = held_out.sample(60, random_state=5).reset_index(drop=True)
    robust = run_monitoring(small, baseline)
    for comparison in robust.comparisons:
        if comparison.kind != "numeric":
            continue
        base = train[comparison.feature].dropna().to_numpy()
        now = small[comparison.feature].dropna().to_numpy()
        ks = stats.ks_2samp(base, now).statistic
        # The baseline keeps 2048 quantiles of its ~4000 values: within half a rank step.
        assert comparison.linf_simple == pytest.approx(ks, abs=1 / SKETCH_K)
        n, m = len(base), len(now)
        margin = 1.8 * math.sqrt((n + m) / (n * m))
        assert comparison.distance == pytest.approx(max(0.0, comparison.linf_simple - margin))
    assert robust.drifted_features == []

    simple = Baseline(baseline.statistics, json.loads(json.dumps(baseline.constraints)))
    simple.monitoring_config["distribution_constraints"]["comparison_method"] = "Simple"
    loose = run_monitoring(small, simple)
    # 60 rows are too few for the plain distance: sampling noise alone crosses 0.1.
    assert loose.drifted_features
    for comparison in loose.comparisons:
        assert comparison.distance == comparison.linf_simple


def test_thresholds_and_overrides_are_honoured(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    tuned = Baseline(baseline.statistics, json.loads(json.dumps(baseline.constraints)))
    tuned.monitoring_config["distribution_constraints"]["comparison_threshold"] = 0.7
    tuned.monitoring_config["datatype_check_threshold"] = 0.9
    tuned.constraint("tenure_months")["monitoringConfigOverrides"] = {
        "evaluate_constraints": "Disabled"
    }
    tuned.constraint("state")["monitoring_config_overrides"] = {"domain_content_threshold": 0.5}
    report = run_monitoring(drifted(churn[1]), tuned)
    assert found(report) == {("intl_minutes", "missing_column_check")}

    tuned.monitoring_config["evaluate_constraints"] = "Disabled"
    assert run_monitoring(drifted(churn[1]), tuned).ok


def test_round_trip_through_s3(
    lab: Any, churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    s3 = lab.client("s3")
    root = lab.s3_uri("monitor-tests", uuid.uuid4().hex)
    written = suggest_baseline(churn[0], output_s3_uri=f"{root}/baseline", s3=s3)
    assert written.baseline_config() == {
        "ConstraintsResource": {"S3Uri": f"{root}/baseline/constraints.json"},
        "StatisticsResource": {"S3Uri": f"{root}/baseline/statistics.json"},
    }
    loaded = Baseline.load(f"{root}/baseline", s3)
    assert loaded.statistics == json.loads(json.dumps(baseline.statistics))
    assert loaded.constraints == baseline.constraints

    report = run_monitoring(
        drifted(churn[1]), f"{root}/baseline", output_s3_uri=f"{root}/run-1", s3=s3
    )
    assert found(report) == EXPECTED_DRIFT

    def read(name: str) -> Any:
        body = s3.get_object(Bucket=lab.bucket, Key=f"{root[len(lab.s3_uri()) :]}/run-1/{name}")
        return body["Body"].read().decode()

    assert json.loads(read("constraint_violations.json")) == {"violations": report.violations}
    statistics = json.loads(read("statistics.json"))
    assert statistics == json.loads(json.dumps(report.statistics))
    assert statistics["dataset"]["item_count"] == len(churn[1])
    assert "6 violation(s)" in read("report.txt")
    assert set(report.output_uris) == {
        "statistics.json",
        "constraint_violations.json",
        "report.txt",
    }


def test_monitoring_from_real_capture_records(
    lab: Any, churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    s3 = lab.client("s3")
    destination = lab.s3_uri("monitor-tests", uuid.uuid4().hex, "capture")

    def capture(frame: pd.DataFrame, endpoint: str) -> list[dict[str, Any]]:
        writer = CaptureWriter(
            {
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": destination,
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
            },
            s3,
            endpoint,
        )
        # What a client sends: CSV rows without a header, 25 rows per request.
        for start in range(0, len(frame), 25):
            body = io.StringIO()
            frame.iloc[start : start + 25].to_csv(body, header=False, index=False)
            writer.record("AllTraffic", body.getvalue().encode(), "text/csv", b"0.1", "text/csv")
        writer.close()
        return read_captures(s3, f"{destination}/{endpoint}/")

    held_out = churn[1]
    report = run_monitoring(capture(held_out, "steady"), baseline)
    assert report.ok, str(report)
    assert report.statistics["dataset"]["item_count"] == len(held_out)
    assert [f["name"] for f in report.statistics["features"]] == baseline.features

    shifted = held_out.assign(monthly_charges=held_out["monthly_charges"] + 40)
    report = run_monitoring(capture(shifted, "shifted"), baseline)
    assert found(report) == {("monthly_charges", "baseline_drift_check")}

    # One column more than the baseline: it keeps Model Monitor's headerless name.
    extra = held_out.assign(spare=7)
    report = run_monitoring(capture(extra, "extra"), baseline)
    assert found(report) == {("_c25", "extra_column_check")}


def test_feature_names_rename_headerless_columns(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    headerless = pd.DataFrame(churn[1].to_numpy())  # integer column labels: no header
    assert run_monitoring(headerless, baseline).ok
    names = list(churn[1].columns)
    swapped = names[:]
    swapped[0], swapped[1] = swapped[1], swapped[0]  # age <-> state: wrong names
    report = run_monitoring(headerless, baseline, feature_names=swapped)
    # "age" now holds state codes, "state" holds ages (and their gaps).
    assert found(report) == {
        ("age", "data_type_check"),
        ("state", "categorical_values_check"),
        ("state", "completeness_check"),
    }


# ----------------------------------------------------------------------------- the report


def test_report_table_and_plot(
    churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    report = run_monitoring(drifted(churn[1]), baseline)
    text = str(report)
    assert text.startswith(f"Monitoring run over {len(churn[1])} rows: 6 violation(s).")
    assert "monthly_charges" in text and "missing_column_check" in text
    table = report.to_frame()
    assert list(table.columns) == ["feature_name", "constraint_check_type", "description"]
    assert len(table) == 6
    assert "<table" in report._repr_html_()

    figure = report.plot()
    titles = [axes.get_title() for axes in figure.axes]
    assert len(titles) == 2
    assert titles[0].startswith("monthly_charges") and "threshold 0.1" in titles[0]
    categorical = report.plot(["state"])
    assert len(categorical.axes[0].patches) == 2 * 21  # 20 baseline states and ZZ, twice
    for fig in (figure, categorical, run_monitoring(churn[1], baseline).plot()):
        fig.savefig(io.BytesIO(), format="png")


# ----------------------------------------------------------------------------- mistakes


def test_learner_mistakes_are_clear_errors(
    lab: Any, churn: tuple[pd.DataFrame, pd.DataFrame], baseline: Baseline
) -> None:
    with pytest.raises(MonitoringError, match="DataFrame or a list of capture records"):
        run_monitoring("s3://bucket/captures", baseline)
    with pytest.raises(MonitoringError, match="no capture records"):
        run_monitoring([], baseline)
    output_only = [{"captureData": {"endpointOutput": {"data": "1", "encoding": "CSV"}}}]
    with pytest.raises(MonitoringError, match="captured its output only"):
        run_monitoring(output_only, baseline)
    with pytest.raises(MonitoringError, match="There is no file at"):
        Baseline.load(lab.s3_uri("monitor-tests", "nowhere"), lab.client("s3"))
    with pytest.raises(MonitoringError, match="Save the baseline to S3 first"):
        baseline.baseline_config()
    broken = json.loads(json.dumps(baseline.constraints))
    broken["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Fancy"
    with pytest.raises(MonitoringError, match="'Robust' or 'Simple'"):
        Baseline(baseline.statistics, broken)
    with pytest.raises(MonitoringError, match="no rows"):
        suggest_baseline(churn[0].iloc[:0])
    with pytest.raises(MonitoringError, match="No object found"):
        suggest_baseline(lab.s3_uri("monitor-tests", "missing.csv"), s3=lab.client("s3"))
