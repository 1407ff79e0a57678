"""Exercise-specific tests for lab 02-1: the reasons a learner sees and the spellings the
plot-reading check accepts (beyond the shared harness)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from labs import data
from labs.exercises import Status
from labs.exercises import profiling_and_visualisation as ex


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def _check(exercise, answer) -> tuple[Status, str]:
    result = exercise.check(answer, show=False)
    return result.status, result.message


def test_spearman_accepts_a_rounded_answer_and_names_pearson():
    churn = data.load("churn")
    exact = churn["monthly_charges"].corr(churn["data_usage_gb"], method="spearman")
    assert _check(ex.q1, round(exact, 2))[0] is Status.CORRECT
    pearson = churn["monthly_charges"].corr(churn["data_usage_gb"])
    status, message = _check(ex.q1, pearson)
    assert status is Status.INCORRECT and "Pearson" in message


def test_p_value_without_yates_correction_is_explained():
    from scipy import stats

    churn = data.load("churn")
    table = pd.crosstab(churn["paperless_billing"], churn["churn"])
    uncorrected = stats.chi2_contingency(table, correction=False).pvalue
    status, message = _check(ex.q2, uncorrected)
    assert status is Status.INCORRECT and "Yates" in message
    assert _check(ex.q2, stats.chi2_contingency(table).pvalue)[0] is Status.CORRECT


def test_plot_readings_accept_other_spellings():
    answer = dict(ex.q3.reference(), a="Skew", b="Outlier", e="non-linear", f=" UNRELATED ")
    assert _check(ex.q3, answer)[0] is Status.CORRECT


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"e": "unrelated"}, "U-shape"),
        ({"c": "nonlinear"}, "move together"),
        ({"d": "trend"}, "is not one of"),
    ],
)
def test_plot_readings_give_the_clue_of_the_first_wrong_letter(change, reason):
    status, message = _check(ex.q3, dict(ex.q3.reference(), **change))
    assert status is Status.INCORRECT and reason in message


def test_every_conclusion_is_used_once():
    answers = ex.q3.reference()
    assert sorted(answers.values()) == sorted(ex.CONCLUSIONS)
    assert sorted(answers) == sorted(ex.PLOTS)
