"""Exercise-specific tests for lab 03-2: the references agree with scikit-learn / numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labs.exercises import Status
from labs.exercises import categorical_and_time_features as ex


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_oof_reference_never_uses_a_rows_own_fold():
    # Each category appears in one fold only: every row falls back to the other folds' mean.
    encoded = ex._reference_oof(["a", "a", "b", "b"], [1, 1, 0, 0], [0, 0, 1, 1])
    assert encoded == [0.0, 0.0, 1.0, 1.0]


def test_oof_accepts_a_numpy_answer():
    def with_numpy(categories, target, folds):
        categories, target, folds = map(np.asarray, (categories, target, folds))
        out = np.empty(len(target))
        for i, (c, f) in enumerate(zip(categories, folds, strict=True)):
            other = folds != f
            same = other & (categories == c)
            out[i] = target[same].mean() if same.any() else target[other].mean()
        return out

    assert ex.q1.check(with_numpy, show=False).status is Status.CORRECT


def test_cyclical_puts_the_ends_of_the_cycle_next_to_each_other():
    pairs = np.asarray(ex._reference_cyclical([0, 23, 12], 24))
    assert np.linalg.norm(pairs[0] - pairs[1]) < 0.3 < np.linalg.norm(pairs[0] - pairs[2])


def test_cyclical_accepts_a_numpy_array():
    def with_numpy(values, period):
        angle = 2 * np.pi * np.asarray(values) / period
        return np.column_stack([np.sin(angle), np.cos(angle)])

    assert ex.q2.check(with_numpy, show=False).status is Status.CORRECT
