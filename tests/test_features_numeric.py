"""labs.features.churn_numeric and labs.features.model_effect (lab 03-1)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from labs import data
from labs.errors import LabsError
from labs.features.churn_numeric import NUMERIC_COLUMNS, churn_numeric
from labs.features.model_effect import compare_preprocessing


def test_churn_numeric_applies_the_fixes_of_lab_02_2():
    raw = data.load("churn")
    X, y = churn_numeric(raw)
    assert list(X.columns) == list(NUMERIC_COLUMNS) and len(X) == len(y) == len(raw)
    assert X["age"].dropna().between(18, 100).all() and X["age"].isna().sum() == 179 + 8
    assert X["monthly_charges"].max() < 200 and X["data_usage_gb"].max() < 1500
    assert X["total_charges"].isna().sum() == 0
    assert raw["monthly_charges"].max() > 1000, "the caller's frame is not modified"
    assert set(y.unique()) == {0, 1}


def test_churn_numeric_rejects_other_tables():
    with pytest.raises(LabsError, match="no column"):
        churn_numeric(pd.DataFrame({"age": [1.0]}))
    with pytest.raises(LabsError, match="DataFrame"):
        churn_numeric([1, 2])  # type: ignore[arg-type]


def _toy(n: int = 400) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"small": rng.normal(0, 1, n), "huge": rng.normal(0, 1, n) * 1e4})
    y = pd.Series(((X["small"] + X["huge"] / 1e4) > 0).astype(int))
    return X, y


def test_compare_preprocessing_scores_every_pair_on_the_same_folds():
    X, y = _toy()
    table = compare_preprocessing(
        X,
        y,
        {"as is": None, "standard": StandardScaler()},
        {
            "tree": DecisionTreeClassifier(max_depth=3, random_state=0),
            "logistic": LogisticRegression(),
        },
        folds=4,
    )
    assert list(table.index) == ["as is", "standard"]
    assert list(table.columns) == ["tree", "tree std", "logistic", "logistic std"]
    # A monotone transform changes nothing for a tree (same folds, same splits).
    assert table.loc["as is", "tree"] == pytest.approx(table.loc["standard", "tree"], abs=1e-12)
    assert table.loc["standard", "logistic"] > 0.95


def test_warnings_are_reported_once_per_pair():
    X, y = _toy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare_preprocessing(X, y, {"as is": None}, {"lr": LogisticRegression(max_iter=1)})
    mine = [w for w in caught if "as is + lr:" in str(w.message)]
    assert len(mine) == 1 and "converge" in str(mine[0].message)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([[1.0]], pd.Series([1]), {"a": None}, {"m": LogisticRegression()}), "DataFrame"),
        ((pd.DataFrame({"a": [1.0]}), [1], {"a": None}, {"m": LogisticRegression()}), "Series"),
        ((pd.DataFrame({"a": [1.0]}), pd.Series([1]), {}, {"m": LogisticRegression()}), "least"),
    ],
)
def test_compare_preprocessing_explains_bad_input(args, match):
    with pytest.raises(LabsError, match=match):
        compare_preprocessing(*args)


def test_compare_preprocessing_rejects_too_few_folds():
    X, y = _toy()
    with pytest.raises(LabsError, match="folds"):
        compare_preprocessing(X, y, {"a": None}, {"m": LogisticRegression()}, folds=1)
