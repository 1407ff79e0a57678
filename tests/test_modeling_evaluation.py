"""Helpers of lab 04-3 (evaluation): label-first CSV, XGBoost artifacts, cost matrix, MAPE."""

from __future__ import annotations

import io
import tarfile

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from labs.modeling.cost_matrix import break_even_probability, cost_curve
from labs.modeling.label_first import label_first, put_label_first_csv
from labs.modeling.model_artifacts import load_xgboost_model
from labs.modeling.regression_metrics import mape, regression_metrics


def test_label_first_puts_the_target_first_and_one_hot_encodes_text():
    frame = pd.DataFrame(
        {"id": [1, 2], "colour": ["red", "blue"], "size": [3.0, None], "y": [0, 1]}
    )
    table = label_first(frame, "y", drop=["id"])
    assert list(table.columns) == ["y", "size", "colour_blue", "colour_red"]
    assert table.dtypes.eq(float).all()
    assert np.isnan(table.loc[1, "size"])
    with pytest.raises(ValueError, match="not in the table: nope"):
        label_first(frame, "nope")


def test_put_label_first_csv_writes_no_header_and_returns_the_prefix(lab):
    table = pd.DataFrame({"y": [1.0, 0.0], "x": [0.5, 1.5]})
    uri = put_label_first_csv(lab.client("s3"), lab.bucket, "eval-tests/train/t.csv", table)
    assert uri == f"s3://{lab.bucket}/eval-tests/train/"
    body = lab.client("s3").get_object(Bucket=lab.bucket, Key="eval-tests/train/t.csv")["Body"]
    assert body.read().decode().splitlines() == ["1.0,0.5", "0.0,1.5"]
    with pytest.raises(ValueError, match="folder"):
        put_label_first_csv(lab.client("s3"), lab.bucket, "top.csv", table)


def _put_tar(lab, key: str, files: dict[str, bytes]) -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, raw in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    lab.client("s3").put_object(Bucket=lab.bucket, Key=key, Body=buffer.getvalue())
    return f"s3://{lab.bucket}/{key}"


def test_load_xgboost_model_reads_the_booster_from_model_tar_gz(lab):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(float)
    booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, label=y), 5)
    raw = bytes(booster.save_raw(raw_format="ubj"))
    uri = _put_tar(lab, "eval-tests/model.tar.gz", {"xgboost-model": raw})
    loaded = load_xgboost_model(lab.client("s3"), uri)
    np.testing.assert_allclose(loaded.predict(xgb.DMatrix(X)), booster.predict(xgb.DMatrix(X)))
    empty = _put_tar(lab, "eval-tests/empty.tar.gz", {"other.txt": b"x"})
    with pytest.raises(ValueError, match=r"other\.txt, not an xgboost-model"):
        load_xgboost_model(lab.client("s3"), empty)
    with pytest.raises(ValueError, match="expected s3://"):
        load_xgboost_model(lab.client("s3"), "model.tar.gz")


def test_cost_curve_counts_outcomes_and_prices_them():
    y = [0, 0, 1, 1]
    scores = [0.1, 0.6, 0.4, 0.9]
    table = cost_curve(y, scores, [[0, 10], [100, 5]], thresholds=[0.0, 0.5, 1.0])
    assert table.loc[0.5, ["tn", "fp", "fn", "tp"]].tolist() == [1, 1, 1, 1]
    assert table.loc[0.5, "cost"] == 10 + 100 + 5
    assert table.loc[0.0, "cost"] == 2 * 10 + 2 * 5  # everyone flagged
    assert table.loc[1.0, "cost"] == 2 * 100  # nobody flagged
    with pytest.raises(ValueError, match="2x2"):
        cost_curve(y, scores, [[0, 1]])
    with pytest.raises(ValueError, match="one score per row"):
        cost_curve(y, scores[:3], [[0, 1], [1, 0]])


def test_break_even_probability_accounts_for_the_cost_of_a_true_positive():
    assert break_even_probability([[0, 50], [500, 0]]) == pytest.approx(50 / 550)
    assert break_even_probability([[0, 50], [500, 50]]) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="at least as much"):
        break_even_probability([[0, 50], [10, 50]])


def test_regression_metrics_match_their_definitions():
    actual = [10.0, 0.0, 20.0, 40.0]
    predicted = [12.0, 1.0, 18.0, 30.0]
    got = regression_metrics(actual, predicted)
    errors = np.array([-2.0, -1.0, 2.0, 10.0])
    assert got["rmse"] == pytest.approx(np.sqrt(np.mean(errors**2)))
    assert got["mae"] == pytest.approx(3.75)
    sst = np.sum((np.array(actual) - 17.5) ** 2)
    assert got["r2"] == pytest.approx(1 - np.sum(errors**2) / sst)
    assert got["mape"] == pytest.approx(100 * (0.2 + 0.1 + 0.25) / 3)
    assert got["mape_left_out"] == 1
    assert mape([5.0], [5.0]) == (0.0, 0)
    with pytest.raises(ValueError, match="every actual value is 0"):
        mape([0.0, 0.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="as many predictions"):
        regression_metrics([1.0], [1.0, 2.0])
