"""Measure what a feature transformation does to a model: cross-validated, fold-safe.

:func:`compare_preprocessing` puts each preprocessing step in front of each model in a
scikit-learn ``Pipeline`` and cross-validates the pair on the same stratified folds. The
preprocessing is fitted inside every training fold only (scaler statistics, bin edges,
encodings), so nothing about the validation fold leaks into it.

>>> from labs.features.model_effect import compare_preprocessing
>>> compare_preprocessing(X, y, {"standard": StandardScaler()},
...                       {"logistic": LogisticRegression()})          # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = ["compare_preprocessing"]


def _check_inputs(X: Any, y: Any, folds: int) -> None:
    if not isinstance(X, pd.DataFrame):
        raise LabsError(f"Pass the features as a pandas DataFrame, not {type(X).__name__}.")
    if not isinstance(y, pd.Series) or len(y) != len(X):
        raise LabsError("Pass the target as a pandas Series with one value per row of X.")
    if not isinstance(folds, int) or folds < 2:
        raise LabsError(f"folds must be an integer of at least 2, not {folds!r}.")


def compare_preprocessing(
    X: pd.DataFrame,
    y: pd.Series,
    preprocessors: Mapping[str, Any],
    models: Mapping[str, Any],
    folds: int = 5,
    seed: int = 0,
    scoring: str = "roc_auc",
) -> pd.DataFrame:
    """Cross-validated score of every (preprocessing, model) pair.

    Args:
        X, y: the features and the target (a classification target: folds are stratified).
        preprocessors: name -> a scikit-learn transformer (or ``None`` for "as is"). Each is
            cloned, so the objects passed in stay unfitted.
        models: name -> a scikit-learn estimator, also cloned.
        folds, seed: ``StratifiedKFold(folds, shuffle=True, random_state=seed)``, the same
            folds for every pair, so the differences come from the pairs alone.
        scoring: a scikit-learn scorer name.

    A warning raised while fitting (a solver that did not converge, bins that collapsed)
    is repeated once per pair, prefixed with the pair's names, instead of once per fold.

    Returns:
        One row per preprocessor (in the order given) and, per model, two columns:
        ``<model>`` (the mean score over the folds) and ``<model> std`` (its standard
        deviation).
    """
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    _check_inputs(X, y, folds)
    if not preprocessors or not models:
        raise LabsError("Give at least one preprocessor and one model.")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    rows: dict[str, dict[str, float]] = {}
    # One thread: on a shared or small machine, parallel tree code fighting for the cores
    # is many times slower than one thread, and the results are the same.
    with threadpool_limits(1):
        for prep_name, prep in preprocessors.items():
            rows[prep_name] = _score_row(X, y, prep_name, prep, models, splitter, scoring)
    return pd.DataFrame.from_dict(rows, orient="index")


def _warn_once_each(caught: list[warnings.WarningMessage], pair: str) -> None:
    """Repeat each distinct warning of a pair once (not once per fold), naming the pair."""
    seen: set[tuple[type[Warning], str]] = set()
    for item in caught:
        first_line = str(item.message).strip().splitlines()[0] if str(item.message) else ""
        key = (item.category, first_line)
        if key not in seen:
            seen.add(key)
            warnings.warn(f"{pair}: {first_line}", item.category, stacklevel=4)


def _score_row(
    X: pd.DataFrame,
    y: pd.Series,
    prep_name: str,
    prep: Any,
    models: Mapping[str, Any],
    splitter: Any,
    scoring: str,
) -> dict[str, float]:
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    row: dict[str, float] = {}
    for model_name, model in models.items():
        steps = [clone(model)] if prep is None else [clone(prep), clone(model)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scores = cross_val_score(
                make_pipeline(*steps), X, y, cv=splitter, scoring=scoring, error_score="raise"
            )
        _warn_once_each(caught, f"{prep_name} + {model_name}")
        row[model_name] = float(np.mean(scores))
        row[f"{model_name} std"] = float(np.std(scores))
    return row
