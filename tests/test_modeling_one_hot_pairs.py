"""One-hot (user, item) encoding for Factorization Machines: layout, unseen ids, RecordIO."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labs.algorithms import recordio
from labs.modeling.one_hot_pairs import OneHotPairs, recordio_bytes, to_recordio

ROWS = pd.DataFrame(
    {
        "user_id": ["U2", "U1", "U2", "U3"],
        "item_id": ["I7", "I7", "I5", "I5"],
        "item_genre": ["drama", "drama", "comedy", "comedy"],
    }
)


def test_layout_is_users_then_items_sorted() -> None:
    enc = OneHotPairs.fit(ROWS)
    assert enc.feature_dim == 3 + 2
    assert enc.offsets() == [0, 3]
    assert enc.column_of("user_id", "U3") == 2 and enc.column_of("item_id", "I5") == 3
    X = enc.transform(ROWS)
    assert X.shape == (4, 5) and X.dtype == np.float32
    assert X.toarray().tolist() == [
        [0, 1, 0, 0, 1],
        [1, 0, 0, 0, 1],
        [0, 1, 0, 1, 0],
        [0, 0, 1, 1, 0],
    ]


def test_extra_columns_and_unseen_values() -> None:
    enc = OneHotPairs.fit(ROWS, ("user_id", "item_id", "item_genre"))
    assert enc.feature_dim == 7
    new = pd.DataFrame({"user_id": ["U9"], "item_id": ["I5"], "item_genre": ["drama"]})
    X = enc.transform(new)
    # the unseen user gets no column: only its item and genre are set (cold start)
    assert X.nnz == 2
    assert sorted(X.indices.tolist()) == [enc.column_of("item_id", "I5"), 6]
    with pytest.raises(KeyError, match="not in the table"):
        OneHotPairs.fit(ROWS, ("user_id", "movie_id"))


def test_recordio_writes_sparse_float32_records(tmp_path) -> None:
    enc = OneHotPairs.fit(ROWS)
    X = enc.transform(ROWS)
    assert to_recordio(X, [5, 3, 4, 1], tmp_path / "r.rec") == 4
    read, labels = recordio.read_records(tmp_path / "r.rec")
    assert read.shape == (4, 5) and (read != X).nnz == 0
    assert labels.tolist() == [5.0, 3.0, 4.0, 1.0]
    [first] = recordio.read_messages(tmp_path / "r.rec")[:1]
    tensor = first.features["values"].float32_tensor
    assert list(tensor.keys) == [1, 4] and list(tensor.shape) == [5]
    assert recordio_bytes(X, None) != recordio_bytes(X, [1, 1, 1, 1])
