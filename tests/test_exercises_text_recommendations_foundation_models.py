"""Exercise-specific tests for lab 04-8: the reasons the checks give (beyond the harness)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labs.exercises import Status
from labs.exercises import text_recommendations_foundation_models as ex
from labs.modeling.blazingtext_lines import sentence


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def _check(exercise, answer) -> tuple[Status, str]:
    result = exercise.check(answer, show=False)
    return result.status, result.message


def test_the_line_is_built_from_the_real_review():
    label, text = ex._review()
    assert label == "negative" and text.startswith("The instructions are standard.")
    assert ex.q1.reference() == f"__label__negative {sentence(text)}"


def test_a_label_at_the_end_of_the_line_is_valid_as_in_blazingtext():
    label, text = ex._review()
    assert _check(ex.q1, f"{sentence(text)} __label__{label}")[0] is Status.CORRECT
    assert _check(ex.q1, f"  __label__{label}   {sentence(text)}  ")[0] is Status.CORRECT


def test_line_mistakes_are_named():
    label, text = ex._review()
    status, message = _check(ex.q1, f"__label__{label} {sentence(text)}\n__label__{label} x")
    assert status is Status.INCORRECT and "One review is one line" in message
    status, message = _check(ex.q1, f"__label__{label} {text.lower()}")
    assert status is Status.INCORRECT and "expected 'the instructions are standard ." in message
    status, message = _check(ex.q1, f"__label__{label} {sentence(text).title()}")
    assert status is Status.INCORRECT and "Lower-case" in message


def test_choices_accept_any_case_and_explain_each_wrong_pick():
    answer = {k.lower(): v.upper() for k, v in ex.q3.reference().items()}
    assert _check(ex.q3, answer)[0] is Status.CORRECT
    status, message = _check(ex.q3, {**ex.q3.reference(), "A": "built-in", "C": "jumpstart"})
    assert status is Status.INCORRECT
    assert message.startswith("A: not built-in:") and "C: not jumpstart:" in message


def test_fm_settings_come_from_the_real_ratings_layout():
    reference = ex.q2.reference()
    assert reference == {"predictor_type": "binary_classifier", "feature_dim": 800 + 400 + 6}
    answer = {"predictor_type": " binary_classifier ", "feature_dim": np.int64(1206)}
    assert _check(ex.q2, answer)[0] is Status.CORRECT
    status, message = _check(ex.q2, {"predictor_type": "binary_classifier", "feature_dim": 1210})
    assert status is Status.INCORRECT and "OneHotPairs" in message
    status, message = _check(ex.q2, {"predictor_type": "binary_classifier", "feature_dim": "x"})
    assert status is Status.INCORRECT and "whole number" in message
