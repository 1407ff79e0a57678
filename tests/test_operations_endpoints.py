"""Helpers of the operations labs 05-1 to 05-3 (labs/operations/): the shared churn model,
script folders and their upload, the churn inference script, and latency figures."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import tarfile
from types import ModuleType

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from labs.operations import scripts
from labs.operations.churn_model import churn_tables, ensure_churn_xgboost
from labs.operations.latency import latency_summary, time_calls, variant_latency
from labs.operations.source_code import script_environment, upload_source_dir

# ------------------------------------------------------------------ the churn model


def test_churn_tables_are_label_first_numbers_split_80_20() -> None:
    tables = churn_tables()
    assert len(tables.train) == 4 * len(tables.validation)
    assert tables.validation.columns[0] == "churn"
    assert tables.features == list(tables.train.columns[1:])
    assert not tables.train.isna().any().any()
    assert set(tables.y_validation.unique()) == {0, 1}
    assert tables.X_validation.shape[1] == len(tables.features)


def test_ensure_churn_xgboost_trains_once_per_depth(lab) -> None:
    sm = lab.client("sagemaker")
    first = ensure_churn_xgboost(lab, max_depth=3, num_round=10)
    again = ensure_churn_xgboost(lab, max_depth=3, num_round=10)
    assert again.job_name == first.job_name  # found, not trained twice
    jobs = sm.list_training_jobs(NameContains="churn-ops-xgb-d3-")["TrainingJobSummaries"]
    assert len(jobs) == 1
    job = sm.describe_training_job(TrainingJobName=first.job_name)
    assert job["HyperParameters"]["max_depth"] == "3"
    assert first.model_data_url == job["ModelArtifacts"]["S3ModelArtifacts"]
    assert "xgboost" in first.image_uri

    # A job whose model.tar.gz was deleted is not reused: the next call trains a new one.
    bucket, key = first.model_data_url.removeprefix("s3://").split("/", 1)
    lab.client("s3").delete_object(Bucket=bucket, Key=key)
    retrained = ensure_churn_xgboost(lab, max_depth=3, num_round=10)
    assert retrained.job_name != first.job_name


def test_ensure_churn_xgboost_refuses_a_bad_depth(lab) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        ensure_churn_xgboost(lab, max_depth=0)


# ------------------------------------------------------------ scripts and their upload


def test_script_folder_is_found_and_an_unknown_one_is_named() -> None:
    folder = scripts.folder("sklearn_churn")
    assert (folder / "inference.py").is_file() and (folder / "train.py").is_file()
    with pytest.raises(ValueError, match="sklearn_churn"):
        scripts.folder("no_such_scripts")


def test_upload_source_dir_tars_the_folder_without_caches(lab, tmp_path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "serve.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "util.py").write_text("y = 2\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "serve.cpython-311.pyc").write_bytes(b"\0")
    s3 = lab.client("s3")
    uri = upload_source_dir(s3, tmp_path, lab.s3_uri("tests/source/sourcedir.tar.gz"))
    body = s3.get_object(Bucket=lab.bucket, Key="tests/source/sourcedir.tar.gz")["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        assert sorted(archive.getnames()) == ["pkg/util.py", "serve.py"]
    assert script_environment("serve.py", uri) == {
        "SAGEMAKER_PROGRAM": "serve.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": uri,
    }
    with pytest.raises(ValueError, match="not a folder"):
        upload_source_dir(s3, tmp_path / "missing", uri)
    with pytest.raises(ValueError, match="s3://"):
        upload_source_dir(s3, tmp_path, "bucket/key.tar.gz")


# ------------------------------------------------------------ the inference script


def _inference_module() -> ModuleType:
    path = scripts.folder("sklearn_churn") / "inference.py"
    spec = importlib.util.spec_from_file_location("churn_inference_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_inference_script_reads_csv_and_json_and_refuses_other_types(tmp_path) -> None:
    inference = _inference_module()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    fitted = LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
    joblib.dump(fitted, tmp_path / "model.joblib")
    model = inference.model_fn(str(tmp_path))

    from_csv = inference.input_fn("1,2,3\n4,5,6\n", "text/csv")
    from_json = inference.input_fn(
        json.dumps({"instances": [[1, 2, 3], [4, 5, 6]]}), "application/json"
    )
    one_row = inference.input_fn(b"1,2,3", "text/csv; charset=utf-8")
    np.testing.assert_array_equal(from_csv, from_json)
    assert one_row.shape == (1, 3)

    prediction = inference.predict_fn(from_csv, model)
    np.testing.assert_allclose(prediction, fitted.predict_proba(from_csv)[:, 1])
    body, content_type = inference.output_fn(prediction, "application/json")
    assert content_type == "application/json"
    assert json.loads(body)["predictions"] == pytest.approx(list(prediction), abs=1e-6)
    body, content_type = inference.output_fn(prediction, "text/csv")
    assert content_type == "text/csv" and len(body.splitlines()) == 2

    with pytest.raises(inference.UnsupportedType, match="'text/plain' is not supported"):
        inference.input_fn("1,2,3", "text/plain")
    with pytest.raises(inference.UnsupportedType, match="'application/x-npy' is not supported"):
        inference.output_fn(prediction, "application/x-npy")


# --------------------------------------------------------------------- latency


def test_latency_summary_in_milliseconds() -> None:
    summary = latency_summary([0.001] * 98 + [0.1, 0.2])
    assert summary["p50_ms"] == pytest.approx(1.0)
    assert summary["p99_ms"] == pytest.approx(np.percentile([0.001] * 98 + [0.1, 0.2], 99) * 1000)
    assert summary["max_ms"] == pytest.approx(200.0)
    assert summary["mean_ms"] == pytest.approx((0.098 + 0.3) / 100 * 1000)
    with pytest.raises(ValueError):
        latency_summary([])


def test_time_calls_times_each_call() -> None:
    calls = []
    seconds = time_calls(lambda: calls.append(1), 5)
    assert len(calls) == 5 and seconds.shape == (5,) and (seconds >= 0).all()
    with pytest.raises(ValueError):
        time_calls(lambda: None, 0)


def test_variant_latency_reads_cloudwatch_and_times_out_when_short(lab) -> None:
    cloudwatch = lab.client("cloudwatch")
    now = dt.datetime.now(dt.UTC)
    dimensions = [
        {"Name": "EndpointName", "Value": "lat-test"},
        {"Name": "VariantName", "Value": "A"},
    ]
    for name, value in (("Invocations", 1), ("ModelLatency", 3000), ("OverheadLatency", 500)):
        cloudwatch.put_metric_data(
            Namespace="AWS/SageMaker",
            MetricData=[
                {"MetricName": name, "Dimensions": dimensions, "Value": value, "Timestamp": now}
                for _ in range(4)
            ],
        )
    since = now - dt.timedelta(minutes=1)
    result = variant_latency(cloudwatch, "lat-test", "A", since, invocations=4, timeout=5)
    assert result == {"invocations": 4, "model_latency_ms": 3.0, "overhead_latency_ms": 0.5}
    with pytest.raises(TimeoutError, match="4 of 10"):
        variant_latency(cloudwatch, "lat-test", "A", since, invocations=10, timeout=0.3, poll=0.1)


# ------------------------------------------------------- batch transform output, cost


def test_read_csv_outputs_joins_every_out_object_in_key_order(lab) -> None:
    from labs.operations.transform_output import read_csv_outputs

    s3 = lab.client("s3")
    for key, body in (
        ("tests/tx-out/b.csv.out", b"C3,0.3\n"),
        ("tests/tx-out/a.csv.out", b"C1,0.1\nC2,0.2\n"),
        ("tests/tx-out/notes.txt", b"not an output"),
    ):
        s3.put_object(Bucket=lab.bucket, Key=key, Body=body)
    table = read_csv_outputs(s3, lab.s3_uri("tests/tx-out"), ["id", "p"])
    assert table["id"].tolist() == ["C1", "C2", "C3"]
    assert table["p"].tolist() == [0.1, 0.2, 0.3]
    with pytest.raises(ValueError, match="OutputFilter"):
        read_csv_outputs(s3, lab.s3_uri("tests/tx-out"), ["id", "label", "p"])
    with pytest.raises(ValueError, match=r"no \.out objects"):
        read_csv_outputs(s3, lab.s3_uri("tests/tx-nothing"), ["id"])


def test_run_seconds_needs_a_finished_job() -> None:
    from labs.operations.transform_output import run_seconds

    start = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
    finished = {"TransformStartTime": start, "TransformEndTime": start + dt.timedelta(seconds=90)}
    assert run_seconds(finished) == 90
    with pytest.raises(ValueError, match="InProgress"):
        run_seconds({"TransformStartTime": start, "TransformJobStatus": "InProgress"})


def test_endpoint_vs_transform_prices_both_from_the_kit_table() -> None:
    from labs.aws import prices
    from labs.operations.serving_cost import endpoint_vs_transform

    hourly = prices.load().hourly("us-east-1", "ml.m5.large")
    table = endpoint_vs_transform(
        "us-east-1", "ml.m5.large", records=3_600_000, records_per_second=1000, instance_count=2
    )
    assert table.loc["batch transform", "instance_hours"] == pytest.approx(1.0)  # 0.5 h x 2
    assert table.loc["batch transform", "cost_usd"] == pytest.approx(hourly)
    assert table.loc["real-time endpoint", "instance_hours"] == pytest.approx(48)
    assert table.loc["real-time endpoint", "cost_usd"] == pytest.approx(48 * hourly)
    unpriced = endpoint_vs_transform("us-east-1", "ml.nope.large", records=1, records_per_second=1)
    assert unpriced["cost_usd"].isna().all()
    with pytest.raises(ValueError, match="records_per_second"):
        endpoint_vs_transform("us-east-1", "ml.m5.large", records=1, records_per_second=0)


# ------------------------------------------------------- variants and target tracking


def test_invocations_by_variant_waits_for_the_total_and_times_out(lab) -> None:
    from labs.operations.variant_metrics import invocations_by_variant

    cloudwatch = lab.client("cloudwatch")
    now = dt.datetime.now(dt.UTC)
    for variant, n in (("blue", 3), ("green", 1)):
        cloudwatch.put_metric_data(
            Namespace="AWS/SageMaker",
            MetricData=[
                {
                    "MetricName": "Invocations",
                    "Dimensions": [
                        {"Name": "EndpointName", "Value": "ab-test-metrics"},
                        {"Name": "VariantName", "Value": variant},
                    ],
                    "Value": 1,
                    "Timestamp": now,
                }
                for _ in range(n)
            ],
        )
    since = now - dt.timedelta(minutes=1)
    counts = invocations_by_variant(
        cloudwatch, "ab-test-metrics", ["blue", "green"], since, total=4, timeout=5
    )
    assert counts == {"blue": 3.0, "green": 1.0}
    with pytest.raises(TimeoutError, match="4 of 9"):
        invocations_by_variant(
            cloudwatch, "ab-test-metrics", ["blue", "green"], since, total=9, timeout=0.3, poll=0.1
        )


def test_target_value_follows_the_load_testing_formula() -> None:
    from labs.operations.target_tracking import target_value

    assert target_value(20) == 600  # 20 RPS x 0.5 x 60
    assert target_value(20, safety_factor=0.25) == 300
    with pytest.raises(ValueError):
        target_value(0)
    with pytest.raises(ValueError):
        target_value(10, safety_factor=1.5)


@pytest.mark.parametrize(
    ("current", "rate", "target", "low", "high", "expected"),
    [
        (2, 900, 600, 2, 6, 3),  # 1,800 per minute over 600 each: 3
        (2, 600, 600, 2, 6, 2),  # exactly on target: no change
        (4, 100, 600, 2, 6, 2),  # little traffic: down to the minimum
        (3, 2400, 600, 2, 8, 8),  # 12 wanted, capped at 8
        (2, 0, 600, 1, 4, 1),
    ],
)
def test_desired_capacity(current, rate, target, low, high, expected) -> None:
    from labs.operations.target_tracking import desired_capacity

    assert desired_capacity(current, rate, target, low, high) == expected


def test_desired_capacity_refuses_bad_bounds() -> None:
    from labs.operations.target_tracking import desired_capacity

    with pytest.raises(ValueError, match="MinCapacity"):
        desired_capacity(2, 100, 600, 3, 2)
    with pytest.raises(ValueError, match="target"):
        desired_capacity(2, 100, 0, 1, 2)
