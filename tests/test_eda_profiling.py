"""labs.eda.profiling and labs.eda.plots: the profile table, the tests against a target,
and the correlation heatmap."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from labs.eda import plots, profiling
from labs.errors import LabsError


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1.0, 2.0, np.nan, 4.0, 100.0, 3.0],
            "colour": ["red", "red", "blue", None, "red", "blue"],
            "flag": [True, False, True, True, False, False],
            "y": [0, 0, 1, 1, 1, 0],
        }
    )


def test_profile_counts_and_statistics(small):
    table = profiling.profile(small)
    assert list(table.index) == ["x", "colour", "flag", "y"]
    x = table.loc["x"]
    assert (x["count"], x["missing"], x["distinct"]) == (5, 1, 5)
    assert x["missing_pct"] == pytest.approx(16.67)
    assert x["mean"] == pytest.approx(22.0)
    assert x["50%"] == pytest.approx(3.0)
    assert x["max"] == 100.0
    assert x["skew"] == pytest.approx(small["x"].skew())
    assert x["skew"] > 2  # one large value makes a long right tail
    colour = table.loc["colour"]
    assert (colour["missing"], colour["distinct"], colour["top"]) == (1, 2, "red")
    assert np.isnan(colour["mean"]) and np.isnan(colour["skew"])
    assert np.isnan(table.loc["flag", "mean"])  # booleans are not summarised as numbers


def test_profile_rejects_a_series():
    with pytest.raises(LabsError, match="DataFrame"):
        profiling.profile(pd.Series([1, 2]))


def test_association_tests_match_scipy(small):
    result = profiling.association_with_target(small, "y", ["x", "colour"])
    ones = small.loc[small["y"] == 1, "x"].dropna()
    zeros = small.loc[small["y"] == 0, "x"].dropna()
    assert result.loc["x", "p_value"] == pytest.approx(
        stats.ttest_ind(ones, zeros, equal_var=False).pvalue
    )
    assert result.loc["x", "p_value_rank"] == pytest.approx(
        stats.mannwhitneyu(ones, zeros, alternative="two-sided").pvalue
    )
    table = pd.crosstab(small["colour"], small["y"])
    assert result.loc["colour", "p_value"] == pytest.approx(stats.chi2_contingency(table).pvalue)
    assert result.loc["colour", "distinct"] == 2
    assert list(result["p_value"]) == sorted(result["p_value"])


def test_association_on_churn_finds_the_real_signal():
    from labs import data

    churn = data.load("churn").drop(columns=["customer_id"])
    result = profiling.association_with_target(churn, "churn")
    assert len(result) == churn.shape[1] - 1
    assert result.loc["contract", "p_value"] < 1e-50
    assert result.loc["state", "p_value"] > 0.05  # state plays no part in the churn model
    # The unit errors in monthly_charges blow up its variance: the t-test misses the
    # difference that the rank test sees.
    assert result.loc["monthly_charges", "p_value"] > 0.05
    assert result.loc["monthly_charges", "p_value_rank"] < 1e-10


@pytest.mark.parametrize(
    ("target", "message"),
    [("nope", "no column"), ("x", "only 0 and 1")],
)
def test_association_rejects_a_bad_target(small, target, message):
    with pytest.raises(LabsError, match=message):
        profiling.association_with_target(small, target)


def test_association_rejects_unknown_features(small):
    with pytest.raises(LabsError, match="Unknown feature"):
        profiling.association_with_target(small, "y", ["z"])


def test_correlation_heatmap_draws_every_cell():
    frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 6, 9], "c": [4, 3, 2, 1]})
    ax = plots.correlation_heatmap(frame.corr(), title="t")
    try:
        texts = [t.get_text() for t in ax.texts]
        assert len(texts) == 9 and "1.00" in texts and "-1.00" in texts
        assert ax.get_title() == "t"
        assert ax.images[0].get_clim() == (-1, 1)
    finally:
        plt.close(ax.figure)


def test_correlation_heatmap_needs_a_square_frame():
    with pytest.raises(LabsError, match="square"):
        plots.correlation_heatmap(pd.DataFrame({"a": [1.0], "b": [2.0]}))
