"""Exercise-specific tests for lab 03-1: the reasons the checks give (beyond the harness)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.preprocessing import RobustScaler

from labs.exercises import Status
from labs.exercises import numeric_features as ex


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def _check(exercise, answer) -> tuple[Status, str]:
    result = exercise.check(answer, show=False)
    return result.status, result.message


def test_robust_scale_agrees_with_scikit_learn():
    def with_sklearn(values):
        return list(RobustScaler().fit_transform(np.asarray(values).reshape(-1, 1))[:, 0])

    assert _check(ex.q1, with_sklearn)[0] is Status.CORRECT


def test_box_cox_answer_and_reasons():
    expected = ex.q2.reference()
    assert expected == {
        "age",
        "monthly_charges",
        "evening_minutes",
        "night_minutes",
        "intl_minutes",
    }
    assert _check(ex.q2, sorted(expected))[0] is Status.CORRECT  # a list is fine too
    status, message = _check(ex.q2, expected | {"data_usage_gb"})
    assert status is Status.INCORRECT and "strictly" in message and "Yeo-Johnson" in message
    status, message = _check(ex.q2, expected - {"age"})
    assert status is Status.INCORRECT and "age" in message
    status, message = _check(ex.q2, {"colour"})
    assert status is Status.INCORRECT and "not one of" in message
