"""Exercises of 02-4-clustering-for-eda beyond the shared harness."""

from __future__ import annotations

import pytest

import labs.data
from labs.eda import clustering
from labs.exercises import Status
from labs.exercises.clustering_for_eda import DIGITS_KS, q1, q2


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_q1_solution_code_is_correct():
    digits = labs.data.load("digits")
    namespace = {"digits_scan": clustering.scan_k(digits.drop(columns="label"), DIGITS_KS)}
    exec(q1.solution_code, namespace)
    assert q1.check(namespace["best_k"], show=False).correct


def test_q1_lowest_inertia_is_explained():
    result = q1.check(max(DIGITS_KS), show=False)
    assert result.status is Status.INCORRECT and "inertia always falls" in result.message


def test_q2_is_a_column_of_the_profile_and_case_insensitive():
    expected = q2.expected()
    assert expected == "data_usage_gb"  # the 10 injected extreme data users (churn card)
    assert q2.check(expected.upper(), show=False).correct


def test_q2_smallest_cluster_mistake_is_named():
    result = q2.check("monthly_charges", show=False)
    assert result.status is Status.INCORRECT and "smallest cluster" in result.message
