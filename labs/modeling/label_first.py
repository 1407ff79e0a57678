"""Tables in the layout SageMaker's built-in XGBoost reads: CSV, label first, no header.

Built-in XGBoost (and Linear Learner with CSV) takes numbers only, the label in the first
column and no header row. :func:`label_first` turns a kit dataset into that layout (text
columns one-hot encoded, missing values left as NaN, which XGBoost treats as missing), and
:func:`put_label_first_csv` writes one to S3 and returns the channel's S3 prefix.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["label_first", "put_label_first_csv"]


def label_first(frame: pd.DataFrame, target: str, drop: Sequence[str] = ()) -> pd.DataFrame:
    """``frame`` as floats with ``target`` first: text columns one-hot, ``drop`` removed.

    Raises ``ValueError`` when ``target`` or a column of ``drop`` is not in ``frame``.
    """
    missing = [c for c in (target, *drop) if c not in frame.columns]
    if missing:
        raise ValueError(f"columns not in the table: {', '.join(missing)}")
    features = frame.drop(columns=[target, *drop])
    encoded = pd.get_dummies(features, dtype=float).astype(float)
    return pd.concat([frame[target].astype(float), encoded], axis=1)


def put_label_first_csv(s3: Any, bucket: str, key: str, table: pd.DataFrame) -> str:
    """Upload ``table`` to ``s3://bucket/key`` as CSV without header or index.

    Returns the S3 URI of the object's folder (``s3://bucket/prefix/``), the form a
    training channel's ``S3Prefix`` takes.
    """
    if "/" not in key:
        raise ValueError(f"put the file in a folder (prefix/file.csv), not at the top: {key!r}")
    buffer = io.StringIO()
    table.to_csv(buffer, header=False, index=False)
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue().encode())
    return f"s3://{bucket}/{key.rsplit('/', 1)[0]}/"
