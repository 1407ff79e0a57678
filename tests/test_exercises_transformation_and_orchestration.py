"""Exercise-specific checks of labs/exercises/transformation_and_orchestration.py."""

from __future__ import annotations

import copy
import json

import pytest

from labs.exercises import Status
from labs.exercises import transformation_and_orchestration as ex


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_q1_accepts_service_names_as_people_write_them():
    answer = {"a": "AWS Glue", "b": "Amazon EMR", "c": "aws batch", "d": "SageMaker Processing"}
    assert ex.q1.check(answer, show=False).correct


def test_q1_explains_every_wrong_scenario():
    result = ex.q1.check({"a": "EMR", "b": "Glue", "c": "Batch", "d": "Processing"}, show=False)
    assert result.status is Status.INCORRECT
    assert result.message.startswith("2 of 4 right.")
    assert "a: EMR can do it" in result.message and "b: Glue is serverless Spark" in result.message


def test_q1_every_wrong_choice_has_its_own_reason():
    for letter, right in ex.ANSWERS.items():
        for service in ex.SERVICES:
            if service != right:
                assert (letter, service) in ex.WHY_NOT


def test_q2_takes_json_and_the_default_backoff_rate():
    definition = ex.base_definition()
    definition["States"]["PrepareSplits"]["Retry"] = [
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 30, "MaxAttempts": 2}
    ]
    assert ex.q2.check(json.dumps(definition), show=False).correct


def test_q2_explains_the_usual_mistakes():
    assert (
        "counts the retries"
        in ex.q2.check(ex._with_retry(IntervalSeconds=30, MaxAttempts=3), show=False).message
    )
    on_glue = ex.base_definition()
    on_glue["States"]["BuildHourlyFeatures"]["Retry"] = [{"ErrorEquals": ["States.ALL"]}]
    assert "the wrong state" in ex.q2.check(on_glue, show=False).message
    assert "1 when left out" in ex.q2.check(ex._with_retry(MaxAttempts=2), show=False).message
    broken = copy.deepcopy(ex._reference_retry())
    broken["States"]["PrepareSplits"]["Catch"][0]["Next"] = "Nowhere"
    assert "not a state" in ex.q2.check(broken, show=False).message
