"""(user, item) rows as the one-hot sparse matrix Factorization Machines trains on.

Each row gets a 1 in the column of its user and a 1 in the column of its item (plus one
column per value of any extra categorical column), so ``feature_dim`` is the number of
users + items (+ values). The column layout is fitted on the training rows and reused
for test and inference rows; an id never seen in training gets no column (its row has
only its other ones), as a cold-start user has no learned factors.

>>> import pandas as pd
>>> rows = pd.DataFrame({"user_id": ["U1", "U2"], "item_id": ["I9", "I9"]})
>>> enc = OneHotPairs.fit(rows)
>>> enc.feature_dim
3
>>> enc.transform(rows).toarray().tolist()
[[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
from scipy import sparse

from labs.algorithms import recordio


@dataclass(frozen=True)
class OneHotPairs:
    """A fitted one-hot layout: for each column, its values in order, and their offsets."""

    columns: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]

    @classmethod
    def fit(
        cls, rows: pd.DataFrame, columns: Sequence[str] = ("user_id", "item_id")
    ) -> OneHotPairs:
        """The layout of ``columns`` (sorted distinct values of each) seen in ``rows``."""
        missing = [c for c in columns if c not in rows.columns]
        if missing:
            raise KeyError(f"Columns {missing} are not in the table (it has {list(rows.columns)}).")
        values = tuple(tuple(sorted(rows[c].astype(str).unique())) for c in columns)
        return cls(tuple(columns), values)

    @property
    def feature_dim(self) -> int:
        """The number of one-hot columns: the ``feature_dim`` hyperparameter."""
        return sum(len(v) for v in self.values)

    def offsets(self) -> list[int]:
        """The first column of each block (users first, then items, then extras)."""
        return list(np.cumsum([0, *[len(v) for v in self.values]])[:-1])

    def column_of(self, column: str, value: str) -> int:
        """The one-hot column of ``value`` in ``column`` (KeyError if it was not seen)."""
        block = self.columns.index(column)
        position = self.values[block].index(str(value))
        return self.offsets()[block] + position

    def transform(self, rows: pd.DataFrame) -> sparse.csr_matrix:
        """The rows x feature_dim float32 CSR matrix; unseen values get no 1."""
        row_parts, col_parts = [], []
        for block, (column, offset) in enumerate(zip(self.columns, self.offsets(), strict=True)):
            index = pd.Index(self.values[block])
            positions = index.get_indexer(rows[column].astype(str))
            seen = positions >= 0
            row_parts.append(np.flatnonzero(seen))
            col_parts.append(positions[seen] + offset)
        r = np.concatenate(row_parts)
        c = np.concatenate(col_parts)
        data = np.ones(r.size, dtype=np.float32)
        return sparse.csr_matrix((data, (r, c)), shape=(len(rows), self.feature_dim))


def to_recordio(
    matrix: sparse.spmatrix,
    labels: Sequence[float] | np.ndarray | None,
    file: IO[bytes] | str | Path,
) -> int:
    """Write ``matrix`` (and labels) as sparse RecordIO-protobuf Float32 records; the count."""
    return recordio.write_sparse(file, matrix, None if labels is None else np.asarray(labels))


def recordio_bytes(matrix: sparse.spmatrix, labels: Sequence[float] | np.ndarray | None) -> bytes:
    """The RecordIO-protobuf bytes of :func:`to_recordio` (for ``put_object`` or a request)."""
    buffer = io.BytesIO()
    to_recordio(matrix, labels, buffer)
    return buffer.getvalue()
