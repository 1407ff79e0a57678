"""labs.features.imbalance, .leakage and .augmentation, and the checks of lab 03-5."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labs.errors import LabsError
from labs.exercises.imbalance_and_augmentation import q1, q2
from labs.features import augmentation, imbalance, leakage


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch):
    """Progress from the checks below goes to a temporary folder, not the learner's."""
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_churn_features_are_numeric_with_nan_kept():
    X, y = imbalance.churn_features()
    assert X.shape == (5000, 67) and "customer_id" not in X.columns
    assert all(pd.api.types.is_float_dtype(t) for t in X.dtypes)
    assert X["age"].isna().sum() > 0, "imputation belongs after the split"
    assert int(y.sum()) == 926


def test_churn_split_is_stratified_and_fixed():
    X, y = imbalance.churn_features()
    X_train, X_test, y_train, y_test = imbalance.churn_split(X, y)
    assert (len(X_train), len(X_test)) == (4000, 1000)
    assert int(y_train.sum()) == 741 and int(y_test.sum()) == 185
    again = imbalance.churn_split(X, y)[1]
    assert X_test.index.equals(again.index)


def test_scale_pos_weight_is_negatives_over_positives():
    assert imbalance.scale_pos_weight([0, 0, 0, 1]) == 3.0
    assert imbalance.scale_pos_weight(pd.Series([1, 1, 0, 1])) == pytest.approx(1 / 3)
    with pytest.raises(LabsError, match="no positive"):
        imbalance.scale_pos_weight([0, 0])
    with pytest.raises(LabsError, match="0 \\(negative\\) and 1"):
        imbalance.scale_pos_weight([0, 2])


def test_threshold_scores():
    y = [1, 1, 0, 0, 0]
    scores = [0.9, 0.3, 0.6, 0.1, 0.2]
    at_half = imbalance.threshold_scores(y, scores)
    assert at_half == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "flagged": 0.4}
    low = imbalance.threshold_scores(y, scores, threshold=0.25)
    assert low["recall"] == 1.0 and low["precision"] == pytest.approx(2 / 3)
    assert imbalance.threshold_scores(y, scores, threshold=0.95)["precision"] == 0.0
    with pytest.raises(LabsError, match="one per row"):
        imbalance.threshold_scores(y, [0.5])


def test_shared_rows_counts_copies_with_nan_equal():
    a = pd.DataFrame({"x": [1.0, np.nan, 3.0], "z": [0.0, 1.0, 0.0]})
    b = pd.DataFrame({"z": [1.0, 0.0, 5.0], "x": [np.nan, 3.0, 3.0]}, index=[7, 8, 9])
    assert leakage.shared_rows(a, b) == 2  # column order and index do not matter
    assert leakage.shared_rows(a, b[["x", "z"]].to_numpy()) == 2
    assert leakage.shared_rows(a, a.iloc[:0]) == 0
    with pytest.raises(LabsError, match="lacks the columns"):
        leakage.shared_rows(a, b[["x"]])
    with pytest.raises(LabsError, match="DataFrame"):
        leakage.shared_rows(a, [1, 2])


def test_oversampling_before_the_split_leaks_and_after_does_not():
    from imblearn.over_sampling import RandomOverSampler

    X, y = imbalance.churn_features()
    X_all, y_all = RandomOverSampler(random_state=0).fit_resample(X, y)
    leaky_train, leaky_test, _, _ = imbalance.churn_split(X_all, y_all)
    assert leakage.shared_rows(leaky_train, leaky_test) > 500
    X_train, X_test, y_train, _ = imbalance.churn_split(X, y)
    X_over, _ = RandomOverSampler(random_state=0).fit_resample(X_train, y_train)
    assert leakage.shared_rows(X_over, X_test) == 0


def test_shift_images_moves_ink_and_blanks_the_edge():
    image = np.arange(9.0).reshape(1, 9)
    shift = augmentation.shift_images(image, 1, 0, side=3).reshape(3, 3).tolist()
    assert shift == [[0, 0, 1], [0, 3, 4], [0, 6, 7]]
    up_left = augmentation.shift_images(image, -1, -1, side=3).reshape(3, 3).tolist()
    assert up_left == [[4, 5, 0], [7, 8, 0], [0, 0, 0]]
    assert augmentation.shift_images(image, 0, 0, side=3).tolist() == image.tolist()
    with pytest.raises(LabsError, match="out of sight"):
        augmentation.shift_images(image, 3, 0, side=3)
    with pytest.raises(LabsError, match="rows of 64 pixels"):
        augmentation.shift_images(image, 1, 0)


def test_augment_with_shifts_repeats_labels():
    X = np.ones((3, 64))
    y = np.array([4, 5, 6])
    X_aug, y_aug = augmentation.augment_with_shifts(X, y)
    assert X_aug.shape == (15, 64) and y_aug.tolist() == [4, 5, 6] * 5
    assert X_aug[3:].sum(axis=1).tolist() == [56.0] * 12  # one row or column of 8 blanked
    with pytest.raises(LabsError, match="one label each"):
        augmentation.augment_with_shifts(X, y[:2])


def test_q1_names_the_usual_mistakes():
    assert q1.check(3259 / 741, show=False).correct
    inverse = q1.check(741 / 3259, show=False)
    assert not inverse.correct and "inverse" in inverse.message
    whole = q1.check(4074 / 926, show=False)
    assert not whole.correct and "5,000" in whole.message


@pytest.mark.parametrize(
    ("index", "words"),
    [
        (0, "test split"),
        (1, "not balanced"),
        (2, "over-sampling"),
        (3, "not rows of X_train"),
        (4, "not balanced"),
        (5, "one label for each row"),
        (6, "the pair"),
    ],
)
def test_q2_explains_each_typical_mistake(index, words):
    wrong = q2.typical_wrong()[index]
    result = q2.check(wrong, show=False)
    assert not result.correct and words in result.message
