"""Compare ways of handling missing values, measured two ways.

- :func:`compare_on_model`: the cross-validated ROC AUC of the same model (scaling and a
  logistic regression) with each imputer fitted inside every training fold, so nothing
  about the validation fold leaks into the fill values. ``"drop"`` trains and scores on the
  complete rows only, and reports how many rows that leaves.
- :func:`reconstruction_error`: hide some of the values that *are* known in one column,
  impute them, and measure how far the guesses land from the truth (mean absolute error).

Strategies (:data:`STRATEGIES`): ``mean``, ``median``, ``most_frequent`` (the mode),
``median+indicator`` (the median plus a 0/1 "was missing" column per incomplete feature),
``knn`` (the mean of the 5 nearest rows, on standardised features) and ``iterative``
(each incomplete column regressed on the others, in rounds: scikit-learn's
``IterativeImputer``, the MICE idea).

>>> from labs.eda import imputation
>>> imputation.compare_on_model(X, y, ["drop", "median", "knn"])       # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = ["STRATEGIES", "compare_on_model", "make_imputer", "reconstruction_error"]

STRATEGIES: tuple[str, ...] = (
    "mean",
    "median",
    "most_frequent",
    "median+indicator",
    "knn",
    "iterative",
)


def make_imputer(strategy: str, seed: int = 0) -> Any:
    """A scikit-learn imputer for ``strategy`` (one of :data:`STRATEGIES`).

    It expects standardised numeric input (``knn`` measures distances).
    """
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer

    if strategy in ("mean", "median", "most_frequent"):
        return SimpleImputer(strategy=strategy)
    if strategy == "median+indicator":
        return SimpleImputer(strategy="median", add_indicator=True)
    if strategy == "knn":
        return KNNImputer(n_neighbors=5)
    if strategy == "iterative":
        return IterativeImputer(random_state=seed, max_iter=10)
    raise LabsError(f"Unknown strategy {strategy!r}: choose from {', '.join(STRATEGIES)}.")


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise LabsError(f"Expected a pandas DataFrame, not {type(frame).__name__}.")
    other = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if other:
        raise LabsError(f"Impute numeric columns only; these are not numeric: {other}.")
    return frame.astype(float)


def compare_on_model(
    X: pd.DataFrame,
    y: pd.Series,
    strategies: Sequence[str] = ("drop", *STRATEGIES),
    folds: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Cross-validated ROC AUC of a logistic regression with each missing-value strategy.

    Every strategy sees the same stratified folds (``shuffle=True, random_state=seed``);
    ``"drop"`` keeps only the rows without a missing value (before splitting). Returns one
    row per strategy with ``rows`` (rows used), ``auc`` (mean over folds), ``auc_std`` and
    ``seconds``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features = _numeric(X)
    target = pd.Series(y, index=features.index)
    if len(target) != len(features) or target.isna().any():
        raise LabsError("y must have one label per row of X, with none missing.")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    rows: dict[str, dict[str, float]] = {}
    for strategy in strategies:
        started = time.perf_counter()
        if strategy == "drop":
            complete = features.notna().all(axis=1)
            data, labels = features[complete], target[complete]
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        else:
            data, labels = features, target
            model = make_pipeline(
                StandardScaler(),
                make_imputer(strategy, seed),
                StandardScaler(),
                LogisticRegression(max_iter=1000),
            )
        scores = cross_val_score(model, data, labels, cv=splitter, scoring="roc_auc")
        rows[strategy] = {
            "rows": len(data),
            "auc": float(scores.mean()),
            "auc_std": float(scores.std()),
            "seconds": time.perf_counter() - started,
        }
    result = pd.DataFrame.from_dict(rows, orient="index")
    result["rows"] = result["rows"].astype(int)
    return result


def reconstruction_error(
    X: pd.DataFrame,
    column: str,
    strategies: Sequence[str] = STRATEGIES,
    fraction: float = 0.2,
    seed: int = 0,
) -> pd.DataFrame:
    """How close each strategy's guesses come to values we know, in ``column``.

    Hides ``fraction`` of the known values of ``column`` (chosen at random with ``seed``),
    imputes the table on standardised features, and compares the guesses, back in the
    column's units, with the hidden truth. Returns one row per strategy with ``mae`` (mean
    absolute error) and ``bias`` (mean of guess minus truth), and ``hidden`` (how many).
    """
    features = _numeric(X)
    if column not in features.columns:
        raise LabsError(f"There is no column {column!r} in X.")
    if not 0 < fraction < 1:
        raise LabsError(f"fraction must be between 0 and 1, not {fraction}.")
    known = features.index[features[column].notna()]
    rng = np.random.default_rng(seed)
    hidden = rng.choice(known, size=max(1, int(len(known) * fraction)), replace=False)
    truth = features.loc[hidden, column].to_numpy()
    masked = features.copy()
    masked.loc[hidden, column] = np.nan
    centre, scale = masked.mean(), masked.std().replace(0, 1)
    standard = (masked - centre) / scale
    position = list(features.index).index
    rows_at = [position(i) for i in hidden]
    col_at = list(features.columns).index(column)
    results: dict[str, dict[str, float]] = {}
    for strategy in strategies:
        imputer = make_imputer(strategy, seed)
        filled = np.asarray(imputer.fit_transform(standard))[:, : features.shape[1]]
        guesses = filled[rows_at, col_at] * scale[column] + centre[column]
        results[strategy] = {
            "mae": float(np.mean(np.abs(guesses - truth))),
            "bias": float(np.mean(guesses - truth)),
            "hidden": len(hidden),
        }
    result = pd.DataFrame.from_dict(results, orient="index")
    result["hidden"] = result["hidden"].astype(int)
    return result
