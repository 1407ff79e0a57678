"""labs.modeling.baselines and labs.modeling.error_costs: the numbers lab 04-1 builds on."""

from __future__ import annotations

import numpy as np
import pytest

from labs.exercises.framing_the_problem import q1
from labs.modeling import baselines, error_costs


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch):
    """Progress from the checks below goes to a temporary folder, not the learner's."""
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_majority_class_predicts_the_most_common_label():
    assert baselines.majority_class([0, 1, 0, 0, 1], 3).tolist() == [0, 0, 0]
    assert baselines.majority_class([1, 1, 0], 2).tolist() == [1, 1]
    assert baselines.majority_class([0, 1], 1).tolist() == [0]  # a tie goes to the smaller
    with pytest.raises(ValueError, match="at least one"):
        baselines.majority_class([], 2)


def test_forecast_baselines():
    history = [1.0, 2.0, 3.0, 10.0, 20.0, 30.0]
    assert baselines.mean_forecast(history, 2).tolist() == [11.0, 11.0]
    assert baselines.naive_forecast(history, 2).tolist() == [30.0, 30.0]
    assert baselines.seasonal_naive(history, 3, 4).tolist() == [10.0, 20.0, 30.0, 10.0]
    assert baselines.seasonal_naive(history, 1, 2).tolist() == [30.0, 30.0]
    with pytest.raises(ValueError, match="season"):
        baselines.seasonal_naive(history, 7, 2)
    with pytest.raises(ValueError, match="non-empty"):
        baselines.mean_forecast([], 2)


def test_cost_by_threshold_counts_errors_and_prices_them():
    y = np.array([1, 1, 0, 0, 0])
    scores = np.array([0.9, 0.3, 0.6, 0.2, 0.1])
    table = error_costs.cost_by_threshold(
        y, scores, cost_fp=10, cost_fn=100, thresholds=[0.0, 0.25, 0.5, 1.0]
    )
    assert table["false_positives"].tolist() == [3, 1, 1, 0]
    assert table["false_negatives"].tolist() == [0, 0, 1, 2]
    assert table["cost"].tolist() == [30, 10, 110, 200]
    assert table.loc[0.5, "precision"] == 0.5 and table.loc[0.5, "recall"] == 0.5
    assert error_costs.cheapest_threshold(table) == 0.25
    with pytest.raises(ValueError, match="one score per row"):
        error_costs.cost_by_threshold([0, 1], [0.5], cost_fp=1, cost_fn=1)


def test_break_even_threshold():
    assert error_costs.break_even_threshold(50, 500) == pytest.approx(1 / 11)
    assert error_costs.break_even_threshold(1, 1) == 0.5
    with pytest.raises(ValueError):
        error_costs.break_even_threshold(0, 0)


def test_scenario_check_names_the_first_wrong_scenario():
    answer = q1.reference()
    answer["c"] = "xgboost"  # case-insensitive choice, but the wrong one
    result = q1.check(answer)
    assert not result and "Scenario c" in result.message and "label" in result.message
    assert not q1.check(dict(q1.reference(), d="ARIMA"))  # not among the choices
    assert q1.check({k.upper(): v.lower() for k, v in q1.reference().items()})
