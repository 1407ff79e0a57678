"""Profile a table and test each feature against a binary target.

:func:`profile` is the one-table summary that a profiling tool (an AWS Glue DataBrew profile
job, the SageMaker Data Wrangler data quality and insights report) shows first: per column
its type, missing values, distinct values, the usual summary statistics and the skew.

:func:`association_with_target` runs one significance test per feature against a 0/1
target: the chi-square test of independence for categorical columns, and for numeric
columns both Welch's t-test (do the means differ?) and the Mann-Whitney U test (does one
group tend to have larger values? a rank test that outliers cannot drag around).

>>> from labs import data
>>> from labs.eda import profiling
>>> churn = data.load("churn")
>>> profiling.profile(churn).loc["age", "missing"]
179
>>> tests = profiling.association_with_target(churn, "churn", ["contract", "state"])
>>> bool(tests.loc["state", "p_value"] > 0.05)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from labs.errors import LabsError

__all__ = ["association_with_target", "profile"]

_NUMERIC_STATS = ["mean", "std", "min", "25%", "50%", "75%", "max"]


def profile(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per column of ``frame``: its summary statistics and data-quality counts.

    Columns of the result: ``dtype``, ``count`` (non-missing values), ``missing``,
    ``missing_pct``, ``distinct`` (non-missing distinct values), ``top`` (the most frequent
    value) and, for numeric columns only (NaN elsewhere), ``mean``, ``std``, ``min``,
    ``25%``, ``50%``, ``75%``, ``max`` and ``skew`` (Fisher-Pearson, bias-corrected, as
    ``pandas.Series.skew``).
    """
    if not isinstance(frame, pd.DataFrame):
        raise LabsError(f"profile() takes a pandas DataFrame, not {type(frame).__name__}.")
    rows: dict[str, dict[str, object]] = {}
    for name in frame.columns:
        column = frame[name]
        counts = column.value_counts(dropna=True)
        row: dict[str, object] = {
            "dtype": str(column.dtype),
            "count": int(column.count()),
            "missing": int(column.isna().sum()),
            "missing_pct": round(100 * float(column.isna().mean()), 2) if len(column) else 0.0,
            "distinct": len(counts),
            "top": counts.index[0] if len(counts) else None,
        }
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        described = column.describe() if numeric else None
        for stat in _NUMERIC_STATS:
            row[stat] = float(described[stat]) if described is not None else np.nan
        row["skew"] = float(column.skew()) if numeric else np.nan
        rows[str(name)] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def _binary_target(frame: pd.DataFrame, target: str) -> pd.Series:
    if target not in frame.columns:
        raise LabsError(f"There is no column {target!r}: the columns are {list(frame.columns)}.")
    values = frame[target]
    labels = set(values.dropna().unique().tolist())
    if not labels <= {0, 1}:
        raise LabsError(
            f"The target {target!r} must hold only 0 and 1 (found {sorted(labels, key=str)})."
        )
    return values


def association_with_target(
    frame: pd.DataFrame, target: str, features: Sequence[str] | None = None
) -> pd.DataFrame:
    """A significance test of each feature against the binary (0/1) ``target``.

    Categorical (non-numeric) features get the chi-square test of independence on their
    contingency table with the target (``scipy.stats.chi2_contingency``, which applies
    Yates' continuity correction to 2x2 tables). Numeric features get Welch's t-test
    (``p_value``) and the Mann-Whitney U test (``p_value_rank``) between the two classes,
    each after dropping missing values. Missing categories are left out of the table.

    Returns one row per feature, sorted by ``p_value``, with ``kind``, ``test``,
    ``statistic``, ``p_value``, ``p_value_rank`` (NaN for categorical features), and
    ``mean_0`` / ``mean_1`` (numeric) or ``distinct`` (categorical).
    """
    labels = _binary_target(frame, target)
    chosen = [c for c in frame.columns if c != target] if features is None else list(features)
    unknown = [c for c in chosen if c not in frame.columns]
    if unknown:
        raise LabsError(f"Unknown feature column(s): {unknown}.")
    rows: dict[str, dict[str, object]] = {}
    for name in chosen:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            ones = column[labels == 1].dropna()
            zeros = column[labels == 0].dropna()
            if len(ones) < 2 or len(zeros) < 2:
                raise LabsError(f"Column {name!r} has fewer than 2 values in one of the classes.")
            welch = stats.ttest_ind(ones, zeros, equal_var=False)
            ranks = stats.mannwhitneyu(ones, zeros, alternative="two-sided")
            rows[str(name)] = {
                "kind": "numeric",
                "test": "Welch t-test",
                "statistic": float(welch.statistic),
                "p_value": float(welch.pvalue),
                "p_value_rank": float(ranks.pvalue),
                "mean_0": float(zeros.mean()),
                "mean_1": float(ones.mean()),
                "distinct": np.nan,
            }
        else:
            table = pd.crosstab(column, labels)
            if table.shape[0] < 2 or table.shape[1] < 2:
                raise LabsError(f"Column {name!r} needs 2 or more categories in both classes.")
            result = stats.chi2_contingency(table)
            rows[str(name)] = {
                "kind": "categorical",
                "test": "chi-square",
                "statistic": float(result.statistic),
                "p_value": float(result.pvalue),
                "p_value_rank": np.nan,
                "mean_0": np.nan,
                "mean_1": np.nan,
                "distinct": int(table.shape[0]),
            }
    result = pd.DataFrame.from_dict(rows, orient="index")
    result["distinct"] = result["distinct"].astype("Int64")
    return result.sort_values("p_value", kind="stable")
