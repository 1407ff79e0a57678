"""Train and validation tables in the CSV layout of SageMaker AI's built-in algorithms.

XGBoost and Linear Learner take ``text/csv`` training data with the label in the first
column, no header and numbers only; Linear Learner also takes no missing values.
:func:`builtin_csv_tables` turns a training and a validation table into that layout,
learning every encoding and fill value from the training rows only, so nothing about the
validation rows leaks into training.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["builtin_csv_tables"]


def builtin_csv_tables(
    train: pd.DataFrame, validation: pd.DataFrame, label: str, drop: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numeric, label-first copies of ``train`` and ``validation``.

    Text columns are one-hot encoded with the training categories (a category only the
    validation rows have gets all zeros); missing numbers are filled with the training
    median; ``drop`` names columns to leave out (identifiers). Column names are kept so a
    learner can read the tables; :func:`labs.modeling.label_first.put_label_first_csv` writes them
    without a header.
    """
    if label not in train.columns or label not in validation.columns:
        raise ValueError(f"both tables need the label column {label!r}")
    features = [c for c in train.columns if c != label and c not in drop]
    text = [c for c in features if not pd.api.types.is_numeric_dtype(train[c])]
    numbers = [c for c in features if c not in text]
    medians = train[numbers].median()

    def encode(frame: pd.DataFrame) -> pd.DataFrame:
        numeric = frame[numbers].fillna(medians).astype(float)
        dummies = [
            pd.get_dummies(
                pd.Categorical(frame[c], categories=sorted(train[c].dropna().unique())),
                prefix=c,
                dtype=float,
            ).set_index(frame.index)
            for c in text
        ]
        table = pd.concat([numeric, *dummies], axis=1)
        table.insert(0, label, frame[label].astype(float))
        return table

    return encode(train), encode(validation)
