"""Helpers of lab 05-7: the AI-service catalogue, labelled calls, spot training."""

from __future__ import annotations

import pytest

from labs.exercises.choosing_ai_services import REQUIREMENTS
from labs.operations import ai_services
from labs.operations.service_calls import try_call
from labs.operations.spot_training import churn_training_request, expected_cost, spot_savings


def test_find_by_short_or_full_name():
    assert ai_services.find("transcribe").name == "Amazon Transcribe"
    assert ai_services.find("Amazon  Fraud Detector").name == "Amazon Fraud Detector"
    assert ai_services.find("SageMaker").name == "Amazon SageMaker AI"
    assert ai_services.find("Kendra") is None


def test_catalogue_marks_the_closed_services_with_a_way_forward():
    table = ai_services.catalogue()
    closed = table[table["status"].str.contains("closed to new customers")]
    assert {"Amazon Forecast", "Amazon Fraud Detector", "Amazon Comprehend"} <= set(closed.index)
    assert (closed["instead"].str.len() > 0).all()
    assert "15 September 2025" in table.loc["Amazon Lex", "status"]


def test_every_requirement_names_a_service_of_the_catalogue():
    for _, expected, _ in REQUIREMENTS.values():
        assert ai_services.find(expected) is not None, expected


def test_try_call_labels_a_canned_answer_and_an_unimplemented_call(lab, capsys):
    report = try_call(
        lab,
        "comprehend",
        "detect_sentiment",
        local_note="fixed answer",
        Text="ok",
        LanguageCode="en",
    )
    assert report.ok and "Sentiment" in report.response
    report.show(keys=("Sentiment",))
    out = capsys.readouterr().out
    assert "comprehend.detect_sentiment(Text='ok', LanguageCode='en')" in out
    assert "[local AWS] fixed answer" in out
    missing = try_call(lab, "comprehend", "detect_sentiment", Text="ok")  # no LanguageCode
    assert not missing.ok and missing.error


def test_spot_savings_formula_and_expected_cost():
    assert spot_savings(100, 500) == pytest.approx(80.0)  # the API reference's example
    with pytest.raises(ValueError):
        spot_savings(10, 0)
    costs = expected_cost(
        1.0, 10, spot_discount=0.7, interruptions=2, lost_hours_per_interruption=0.5
    )
    assert costs["on_demand"] == pytest.approx(10.0)
    assert costs["spot"] == pytest.approx(0.3 * 11)
    assert costs["saving_percent"] == pytest.approx(67.0)
    with pytest.raises(ValueError):
        expected_cost(1.0, 1, spot_discount=1.0)


def test_churn_training_request_runs_and_spot_needs_max_wait(lab):
    sm = lab.client("sagemaker")
    request = churn_training_request(lab, "tests-spot-no-wait", num_round=3)
    assert [c["ChannelName"] for c in request["InputDataConfig"]] == ["train", "validation"]
    request["EnableManagedSpotTraining"] = True
    with pytest.raises(sm.exceptions.ClientError, match="MaxWaitTimeInSeconds"):
        sm.create_training_job(**request)
