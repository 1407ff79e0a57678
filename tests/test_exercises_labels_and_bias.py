"""Exercises of 02-3-labels-and-bias beyond the shared harness: each mistake gets its own reason."""

from __future__ import annotations

import math

import numpy as np
import pytest

from labs.exercises import Status
from labs.exercises.labels_and_bias import q1, q2


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_q1_solution_code_runs_and_is_correct(lab):
    import labs.data
    from labs.eda import bias

    churn = labs.data.load("churn")
    namespace = {"adults": churn[churn["age"].between(18, 89)].copy(), "bias": bias}
    exec(q1.solution_code, namespace)
    assert q1.check(namespace["senior_metrics"], lab=lab, show=False).correct


def test_q1_expected_values_are_the_seniors_facet(lab):
    expected = q1.expected(lab)
    assert 0.75 < expected["CI"] < 0.85
    assert 0 < expected["DPL"] < 0.05


@pytest.mark.parametrize(
    ("mutate", "phrase"),
    [
        (lambda e: {"CI": -e["CI"], "DPL": -e["DPL"]}, "seniors facet a"),
        (lambda e: {"CI": e["CI"], "DPL": -e["DPL"]}, "DPL has the wrong sign"),
        (lambda e: {"CI": -e["CI"], "DPL": e["DPL"]}, "CI has the wrong sign"),
    ],
)
def test_q1_sign_mistakes_are_named(lab, mutate, phrase):
    result = q1.check(mutate(q1.expected(lab)), lab=lab, show=False)
    assert result.status is Status.INCORRECT and phrase in result.message


def test_q1_wrong_shape_is_incorrect_not_an_error(lab):
    result = q1.check((0.79, 0.015), lab=lab, show=False)
    assert result.status is Status.INCORRECT


def test_q2_accepts_a_plain_python_answer():
    def js_divergence(p_a, p_d):
        def kl(p, q):
            return sum(x * math.log(x / y) for x, y in zip(p, q, strict=True) if x > 0)

        mid = [(x + y) / 2 for x, y in zip(p_a, p_d, strict=True)]
        return 0.5 * (kl(p_a, mid) + kl(p_d, mid))

    assert q2.check(js_divergence, show=False).correct


def test_q2_names_the_failing_case():
    def kl_not_js(p_a, p_d):
        a, d = np.asarray(p_a), np.asarray(p_d)
        return float(np.sum(a * np.log(a / d)))

    result = q2.check(kl_not_js, show=False)
    assert result.status is Status.INCORRECT and "loan example" in result.message
