"""labs.eda.outliers and labs.eda.imputation: the three outlier rules and the two ways of
comparing missing-value strategies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labs.eda import imputation, outliers
from labs.errors import LabsError


def test_iqr_fences_and_flags():
    values = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, np.nan, 40])
    low, high = outliers.iqr_fences(values)
    q1, q3 = values.quantile([0.25, 0.75])
    assert (low, high) == pytest.approx((q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)))
    flagged = outliers.iqr_outliers(values)
    assert flagged.tolist() == [False] * 9 + [True]  # NaN is never flagged
    assert outliers.iqr_fences(values, k=3)[1] > high


def test_zscore_is_masked_by_the_outliers_it_should_find():
    ages = pd.Series([30.0] * 20 + [40.0] * 20 + [120.0, 999.0, 999.0])
    z = outliers.zscore_outliers(ages)
    assert set(ages[z]) == {999.0}  # 120 hides behind the inflated standard deviation
    assert set(ages[outliers.range_outliers(ages, 18, 100)]) == {120.0, 999.0}
    assert not outliers.zscore_outliers(pd.Series([5.0, 5.0, 5.0])).any()  # std 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: outliers.iqr_fences(pd.Series(["a", "b"])),
        lambda: outliers.iqr_fences([1, 2, 3]),
        lambda: outliers.iqr_fences(pd.Series([np.nan, np.nan])),
        lambda: outliers.range_outliers(pd.Series([1.0]), 10, 5),
    ],
)
def test_outlier_rules_reject_bad_input(call):
    with pytest.raises(LabsError):
        call()


@pytest.fixture(scope="module")
def related() -> tuple[pd.DataFrame, pd.Series]:
    """b follows a closely; c is noise; b is missing where a is large (MAR)."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=600)
    frame = pd.DataFrame(
        {"a": a, "b": 3 * a + rng.normal(scale=0.2, size=600), "c": rng.normal(size=600)}
    )
    y = pd.Series((a + rng.normal(scale=0.5, size=600) > 0).astype(int))
    frame.loc[frame["a"] > 0.8, "b"] = np.nan
    frame.loc[rng.random(600) < 0.1, "c"] = np.nan
    return frame, y


def test_reconstruction_prefers_imputers_that_use_other_columns(related):
    frame, _ = related
    errors = imputation.reconstruction_error(frame, "b", ["mean", "knn", "iterative"])
    assert errors.loc["iterative", "mae"] < 0.2 * errors.loc["mean", "mae"]
    assert errors.loc["knn", "mae"] < 0.5 * errors.loc["mean", "mae"]
    assert errors["hidden"].iloc[0] == int(frame["b"].notna().sum() * 0.2)
    noise = imputation.reconstruction_error(frame, "c", ["mean", "iterative"])
    assert noise.loc["iterative", "mae"] == pytest.approx(noise.loc["mean", "mae"], rel=0.1)


def test_compare_on_model_counts_rows_and_scores_every_strategy(related):
    frame, y = related
    result = imputation.compare_on_model(frame, y, ["drop", "median", "median+indicator"])
    assert list(result.index) == ["drop", "median", "median+indicator"]
    assert result.loc["drop", "rows"] == frame.notna().all(axis=1).sum()
    assert result.loc["median", "rows"] == len(frame)
    assert (result["auc"] > 0.8).all() and (result["auc"] <= 1).all()


def test_imputation_rejects_bad_input(related):
    frame, y = related
    with pytest.raises(LabsError, match="Unknown strategy"):
        imputation.make_imputer("zero")
    with pytest.raises(LabsError, match="not numeric"):
        imputation.compare_on_model(frame.assign(s="x"), y, ["median"])
    with pytest.raises(LabsError, match="no column"):
        imputation.reconstruction_error(frame, "z")
    with pytest.raises(LabsError, match="fraction"):
        imputation.reconstruction_error(frame, "b", fraction=1.5)
