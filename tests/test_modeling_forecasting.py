"""Helpers of lab 04-7: DeepAR records, forecast metrics, endpoint requests; its exercises."""

from __future__ import annotations

import doctest
import io
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from labs.algorithms._timeseries import parse_record
from labs.exercises import Status
from labs.exercises import forecasting as exercises
from labs.modeling import deepar_lines, deepar_requests, forecast_metrics
from labs.modeling.deepar_lines import series_records, to_jsonlines, train_test_records, truncate


def test_doctests_of_the_helpers():
    for module in (deepar_lines, forecast_metrics):
        assert doctest.testmod(module).failed == 0


def table() -> pd.DataFrame:
    dates = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-01", "2024-01-02"])
    return pd.DataFrame(
        {
            "date": dates,
            "store": ["b", "b", "b", "a", "a"],
            "promo": [1, 0, 1, 0, 0],
            "units": [3.0, 5.0, 7.0, 1.0, np.nan],
        }
    )


def test_series_records_fill_the_grid_and_code_the_categories():
    records = series_records(
        table(), "units", keys=["store"], cat_columns=["store"], dynamic_columns=["promo"]
    )
    assert [r["cat"] for r in records] == [[0], [1]]  # sorted: a then b
    a, b = records
    assert a == {
        "start": "2024-01-01 00:00:00",
        "target": [1.0, "NaN"],
        "cat": [0],
        "dynamic_feat": [[0.0, 0.0]],
    }
    assert b["target"] == [3.0, 5.0, "NaN", 7.0]  # 3 January is missing: NaN, not a gap
    assert b["dynamic_feat"] == [[1.0, 0.0, 0.0, 1.0]]
    # every record is valid DeepAR input
    for line in to_jsonlines(records).splitlines():
        parse_record(json.loads(line))
    with pytest.raises(KeyError, match="no column"):
        series_records(table(), "sales", keys=["store"])


def test_train_test_records_hold_back_the_horizon():
    records = series_records(table(), "units", keys=["store"], dynamic_columns=["promo"])
    train, test = train_test_records(records, 1)
    assert [len(r["target"]) for r in test] == [2, 4]
    assert [len(r["target"]) for r in train] == [1, 3]
    assert train[1]["dynamic_feat"] == [[1.0, 0.0, 0.0]]
    train, test = train_test_records(records[1:], 1, test_end=3)
    assert test[0]["target"] == [3.0, 5.0, "NaN"] and train[0]["target"] == [3.0, 5.0]
    with pytest.raises(ValueError, match="too short"):
        train_test_records(records, 2, test_end=2)
    assert truncate(records[1], 1)["dynamic_feat"] == [[1.0]]


def test_forecast_metrics_by_hand():
    y, q = [10.0, 20.0, 30.0], [5.0, 22.0, 30.0]
    # under by 5 costs 0.9 each, over by 2 costs 0.1 each: 2 * (4.5 + 0.2) / 60
    assert forecast_metrics.weighted_quantile_loss(y, q, 0.9) == pytest.approx(9.4 / 60)
    assert forecast_metrics.weighted_quantile_loss(y, q, 0.5) == pytest.approx(
        forecast_metrics.wape(y, q)
    )
    assert forecast_metrics.mean_weighted_quantile_loss(y, {"0.1": q, "0.9": q}) == pytest.approx(
        (9.4 / 60 + 2 * (0.5 + 1.8) / 60) / 2
    )
    assert forecast_metrics.rmse(y, q) == pytest.approx(np.sqrt((25 + 4) / 3))
    assert forecast_metrics.coverage([1, 5, 9, np.nan], [0, 6, 8, 0], [2, 7, 9, 1]) == 2 / 3
    with pytest.raises(ValueError, match="between 0 and 1"):
        forecast_metrics.weighted_quantile_loss(y, q, 1.5)
    with pytest.raises(ValueError, match="same shape"):
        forecast_metrics.rmse(y, q[:2])
    with pytest.raises(ValueError, match="every actual value is 0"):
        forecast_metrics.wape([0, 0], [1, 1])


class FakeRuntime:
    """Answers invoke_endpoint like a DeepAR endpoint: the mean is the last value."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def invoke_endpoint(self, EndpointName: str, ContentType: str, Body: str) -> dict[str, Any]:
        request = json.loads(Body)
        self.requests.append(request)
        quantiles = request["configuration"]["quantiles"]
        predictions = []
        for instance in request["instances"]:
            last = instance["target"][-1]
            predictions.append(
                {
                    "mean": [last] * 2,
                    "quantiles": {q: [last * float(q)] * 2 for q in quantiles},
                }
            )
        return {"Body": io.BytesIO(json.dumps({"predictions": predictions}).encode())}


def test_forecast_batches_the_requests_and_stacks_the_answers():
    runtime = FakeRuntime()
    records = [{"start": "2024-01-01", "target": [1.0, float(k)]} for k in range(5)]
    result = deepar_requests.forecast(runtime, "ep", records, quantiles=["0.5"], batch=2)
    assert [len(r["instances"]) for r in runtime.requests] == [2, 2, 1]
    assert runtime.requests[0]["configuration"] == {
        "num_samples": 100,
        "output_types": ["mean", "quantiles"],
        "quantiles": ["0.5"],
    }
    assert result["mean"].shape == (5, 2) and result["mean"][3].tolist() == [3.0, 3.0]
    assert result["0.5"][4].tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="at least one record"):
        deepar_requests.forecast(runtime, "ep", [])


def test_q1_accepts_a_json_line_and_names_common_mistakes(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_HOME", str(tmp_path))
    right = exercises.q1.reference()
    assert exercises.q1.check(json.dumps(right), show=False).status is Status.CORRECT
    shuffled = {**right, "target": sorted(right["target"])}
    result = exercises.q1.check(shuffled, show=False)
    assert result.status is Status.INCORRECT and "wrong order" in result.message
    late = exercises.q1.check({**right, "start": "2024-03-02"}, show=False)
    assert "starts on 2024-03-01" in late.message
    assert exercises.q1.check("{not json", show=False).status is Status.INCORRECT


def test_q2_accepts_a_context_near_the_horizon(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_HOME", str(tmp_path))
    for context in (14, 21, 28):
        answer = {"prediction_length": 14, "context_length": context}
        assert exercises.q2.check(answer, show=False).status is Status.CORRECT
    result = exercises.q2.check({"prediction_length": 14, "context_length": 60}, show=False)
    assert result.status is Status.INCORRECT and "about the same" in result.message
