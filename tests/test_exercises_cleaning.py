"""Exercise-specific tests for lab 02-2: the reasons the checks give (beyond the harness)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from labs.exercises import Status
from labs.exercises import cleaning as ex


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def _check(exercise, answer) -> tuple[Status, str]:
    result = exercise.check(answer, show=False)
    return result.status, result.message


def test_missingness_accepts_spellings_and_explains_mistakes():
    answer = dict(ex.q1.reference(), total_charges="Structural", age=" mcar ")
    assert _check(ex.q1, answer)[0] is Status.CORRECT
    status, message = _check(ex.q1, dict(ex.q1.reference(), data_usage_gb="MNAR"))
    assert status is Status.INCORRECT and "internet_service" in message


def test_stop_words_reasons():
    status, message = _check(ex.q3, ENGLISH_STOP_WORDS - {"not"})
    assert status is Status.INCORRECT and "never" in message and "no," in message
    status, message = _check(ex.q3, {"the"})
    assert status is Status.INCORRECT and "keep the rest" in message
    # A few more words taken out (e.g. 'very') is still a fine list.
    assert _check(ex.q3, ENGLISH_STOP_WORDS - ex.NEGATIONS - {"very", "but"})[0] is Status.CORRECT


def test_iqr_fences_as_a_pandas_function_passes():
    import pandas as pd

    def iqr_fences(values):
        q1, q3 = pd.Series(values, dtype=float).quantile([0.25, 0.75])
        return q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)

    assert _check(ex.q2, iqr_fences)[0] is Status.CORRECT
