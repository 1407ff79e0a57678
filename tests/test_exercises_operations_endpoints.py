"""Exercise-specific tests for labs 05-1 to 05-3: the solutions the learner is shown run and
pass their own check (the shared harness only compiles them), and checks that read AWS state
say why an answer is wrong."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from labs.exercises import Status
from labs.exercises import ab_tests_and_scaling as ab
from labs.exercises import batch_transform as bt
from labs.exercises import real_time_endpoints as rte


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def _run_solution(code: str, **names: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"np": np, "math": math, **names}
    exec(code, namespace)
    return namespace


@pytest.mark.parametrize(
    ("exercise", "function"),
    [
        (rte.q1, "latency_percentiles"),
        (bt.q2, "transform_cost"),
        (ab.q2, "desired_instances"),
    ],
    ids=["real_time_endpoints.q1", "batch_transform.q2", "ab_tests_and_scaling.q2"],
)
def test_function_solutions_pass_their_check(exercise, function) -> None:
    namespace = _run_solution(exercise.solution_code)
    assert exercise.check(namespace[function]).status is Status.CORRECT


def test_mapping_solutions_pass_their_check() -> None:
    choices = _run_solution(rte.q3.solution_code, workloads=rte.workloads)["choices"]
    assert rte.q3.check(choices).status is Status.CORRECT
    choices = _run_solution(ab.q3.solution_code, needs=ab.needs, PATTERNS=ab.PATTERNS)["choices"]
    assert ab.q3.check(choices).status is Status.CORRECT


def test_serverless_check_names_what_is_wrong(lab) -> None:
    instances, four_gb, wide = rte._wrong_serverless(lab)[:3]
    assert "no InstanceType" in rte.q2.check(instances, lab=lab).message
    assert "2 GB (2048)" in rte.q2.check(four_gb, lab=lab).message
    assert "at most 5" in rte.q2.check(wide, lab=lab).message


def test_transform_check_says_the_label_reached_the_model(lab) -> None:
    failed = bt._run(lab, "bt-test-label", InputFilter="$[1:]", JoinSource="Input")
    result = bt.q1.check(failed, lab=lab)
    assert result.status is Status.INCORRECT
    assert "Failed" in result.message and "label" in result.message


def test_scaling_check_wants_two_instances_and_the_invocations_metric(lab) -> None:
    endpoint = ab._second_endpoint(lab, "ab-test-one")
    one = ab._scale(lab, "challenger", 1, endpoint=endpoint)
    assert "at least 2" in ab.q1.check(one, lab=lab).message
    assert "no variant 'nope'" in ab.q1.check(f"endpoint/{endpoint}/variant/nope", lab=lab).message
