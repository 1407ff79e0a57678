"""The deep-learning lab's data: the series' churn split and a digits split, as tables and arrays.

Churn is split as in labs 04-2 to 04-4 (80/20, stratified on the label, ``random_state=0``)
and encoded with :func:`labs.modeling.tabular.builtin_csv_tables`, so validation AUCs are
comparable across the series. The 8x8 digits are split 64/16/20 into train, validation and
a test set that no training job sees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from labs.modeling.tabular import builtin_csv_tables

__all__ = ["arrays", "churn_split", "digits_split"]


def churn_split(churn: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Label-first numeric ``(train, validation)`` tables of the churn data set."""
    train, validation = train_test_split(
        churn, test_size=0.2, stratify=churn["churn"], random_state=0
    )
    return builtin_csv_tables(train, validation, "churn", drop=("customer_id",))


def digits_split(digits: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Label-first ``(train, validation, test)`` tables of the digits data set (64/16/20)."""
    if "label" not in digits.columns:
        raise ValueError("the digits table needs its 'label' column")
    table = digits[["label", *[c for c in digits.columns if c != "label"]]]
    rest, test = train_test_split(table, test_size=0.2, stratify=table["label"], random_state=0)
    train, validation = train_test_split(
        rest, test_size=0.2, stratify=rest["label"], random_state=0
    )
    return train, validation, test


def arrays(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(features, labels)`` of a label-first table, as float32 arrays for Keras."""
    values = table.to_numpy(dtype="float32")
    return values[:, 1:], values[:, 0]
