"""The digits dataset: scikit-learn's bundled 8x8 handwritten digits, nothing downloaded."""

from __future__ import annotations

import pandas as pd


def load_digits() -> pd.DataFrame:
    """1,797 images as rows: ``pixel_0`` .. ``pixel_63`` (int 0-16, row-major) and ``label``."""
    from sklearn.datasets import load_digits as sk_load_digits

    bunch = sk_load_digits()
    df = pd.DataFrame(bunch.data.astype("int64"), columns=[f"pixel_{i}" for i in range(64)])
    df["label"] = bunch.target.astype("int64")
    return df
