"""The churn table's numeric features, cleaned as lab 02-2 decided, for series 03.

Lab 02-2 found and fixed the churn table's problems; the feature-engineering labs start
from the result. :func:`churn_numeric` repeats those fixes on a fresh copy:

- impossible ages (below 18 or above 100, including the 999 "unknown" code) become missing;
- the six monthly charges typed in cents are divided by 100;
- the ten injected extreme data users (above 1,500 GB) become missing;
- ``total_charges`` of customers with no tenure yet is 0 (a structural gap).

Other gaps (age, data usage, the satisfaction score) stay: fill them inside a pipeline, so
the fill values are learned from the training folds only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = ["NUMERIC_COLUMNS", "churn_numeric"]

#: The numeric columns of the churn table that are features (not the id, not the target).
NUMERIC_COLUMNS: tuple[str, ...] = (
    "age",
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "data_usage_gb",
    "day_minutes",
    "evening_minutes",
    "night_minutes",
    "intl_minutes",
    "customer_service_calls",
)


def churn_numeric(churn: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """``(X, y)``: the numeric features (float, cleaned) and the ``churn`` target.

    Args:
        churn: the churn table as ``labs.data.load("churn")`` gives it (or as read back from
            S3); loaded from the kit's data when omitted.
    """
    if churn is None:
        from labs import data

        churn = data.load("churn")
    if not isinstance(churn, pd.DataFrame):
        raise LabsError(f"Pass the churn table as a DataFrame, not {type(churn).__name__}.")
    absent = [c for c in (*NUMERIC_COLUMNS, "churn") if c not in churn.columns]
    if absent:
        raise LabsError(f"This is not the churn table: it has no column {absent[0]!r}.")
    X = churn[list(NUMERIC_COLUMNS)].astype(float)
    X.loc[(X["age"] < 18) | (X["age"] > 100), "age"] = np.nan
    X.loc[X["monthly_charges"] > 1000, "monthly_charges"] /= 100
    X.loc[X["data_usage_gb"] > 1500, "data_usage_gb"] = np.nan
    X["total_charges"] = X["total_charges"].fillna(0.0)
    return X, churn["churn"].astype(int)
