"""The same table as CSV, JSON Lines, Parquet or RecordIO-protobuf: write, read, measure.

The data-engineering labs compare the file formats that SageMaker and the analytics
services read, on the kit's own data:

- ``csv``: text with a header row (SageMaker's built-in algorithms want no header and the
  label first; :func:`encode` writes what you ask for).
- ``jsonl``: JSON Lines, one JSON object per line (what DeepAR and many streams use).
- ``parquet``: Apache Parquet, columnar, compressed per column chunk (what Athena, Glue
  and Spark read best).
- ``recordio``: RecordIO-protobuf, the Amazon algorithms' own format: one
  ``aialgs.data.Record`` per row with the label in ``label`` and every other column in
  ``features``, float32 (numeric columns only), written by :mod:`labs.algorithms.recordio`.

``compression`` is ``None`` or ``"gzip"`` for the row formats (the whole file is gzipped, as
``aws s3 cp`` of a ``.csv.gz`` would be), and ``"snappy"`` (the default), ``"gzip"``,
``"zstd"`` or ``None`` for Parquet (Parquet compresses each column chunk inside the file).
Parquet timestamps are stored in milliseconds, the precision every engine reads.
Gzip output is deterministic (no timestamp in the header), so sizes repeat exactly.
"""

from __future__ import annotations

import gzip
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from labs.algorithms import recordio

__all__ = [
    "FORMATS",
    "PARQUET_COMPRESSIONS",
    "ROW_COMPRESSIONS",
    "Variant",
    "decode",
    "encode",
    "measure",
]

FORMATS = ("csv", "jsonl", "parquet", "recordio")
ROW_COMPRESSIONS = (None, "gzip")
PARQUET_COMPRESSIONS = (None, "snappy", "gzip", "zstd")


@dataclass(frozen=True)
class Variant:
    """One way to store a table: a format and a compression (``None`` for none)."""

    file_format: str
    compression: str | None = None

    @property
    def label(self) -> str:
        """A short name for tables and plots: ``"csv"``, ``"csv+gzip"``, ``"parquet+snappy"``."""
        return self.file_format + (f"+{self.compression}" if self.compression else "")


def _check(file_format: str, compression: str | None) -> None:
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}: use one of {', '.join(FORMATS)}.")
    allowed = PARQUET_COMPRESSIONS if file_format == "parquet" else ROW_COMPRESSIONS
    if compression not in allowed:
        names = ", ".join(repr(c) for c in allowed)
        raise ValueError(f"{file_format} takes compression {names}, not {compression!r}.")


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def encode(
    frame: pd.DataFrame,
    file_format: str,
    *,
    compression: str | None = None,
    label: str | None = None,
    header: bool = True,
) -> bytes:
    """``frame`` as the bytes of one file in ``file_format``.

    Args:
        frame: the table.
        file_format: ``"csv"``, ``"jsonl"``, ``"parquet"`` or ``"recordio"``.
        compression: see the module docstring; Parquet defaults to ``"snappy"`` when you pass
            ``"snappy"`` and stores uncompressed pages with ``None``.
        label: for RecordIO, the column stored as the record's label (required there).
        header: for CSV, whether to write the header row.

    Raises:
        ValueError: an unknown format or compression, or a RecordIO table with a
            non-numeric column or without its label column.
    """
    _check(file_format, compression)
    if file_format == "parquet":
        buffer = io.BytesIO()
        # Millisecond timestamps: what Athena, Hive and Spark all read (pandas keeps ns).
        frame.to_parquet(
            buffer,
            index=False,
            compression=compression,
            coerce_timestamps="ms",
            allow_truncated_timestamps=True,
        )
        return buffer.getvalue()
    if file_format == "csv":
        data = frame.to_csv(index=False, header=header).encode()
    elif file_format == "jsonl":
        data = frame.to_json(orient="records", lines=True, date_format="iso").encode()
    else:
        data = _recordio_bytes(frame, label)
    return _gzip(data) if compression == "gzip" else data


def _recordio_bytes(frame: pd.DataFrame, label: str | None) -> bytes:
    if label is None or label not in frame.columns:
        raise ValueError(
            "RecordIO-protobuf stores a label and a feature vector: name the label column "
            f"with label=... (one of {list(frame.columns)})."
        )
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if text:
        raise ValueError(
            f"RecordIO-protobuf holds numbers only; encode the columns {text} as numbers first."
        )
    features = frame.drop(columns=[label]).to_numpy(dtype=np.float32)
    return recordio.dense_bytes(features, frame[label].to_numpy(dtype=np.float32))


def decode(
    data: bytes,
    file_format: str,
    *,
    compression: str | None = None,
    columns: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read bytes written by :func:`encode` back into a DataFrame.

    ``columns`` reads only those columns: Parquet then skips the other column chunks, CSV
    still parses every line but keeps fewer columns, JSON Lines and RecordIO parse
    everything and drop the rest (which is what makes the formats' read times differ).
    ``names`` names RecordIO's columns, label first (default ``label, f0, f1, ...``).
    """
    _check(file_format, compression)
    wanted = list(columns) if columns is not None else None
    if file_format == "parquet":
        return pd.read_parquet(io.BytesIO(data), columns=wanted)
    raw = gzip.decompress(data) if compression == "gzip" else data
    if file_format == "csv":
        return pd.read_csv(io.BytesIO(raw), usecols=wanted)
    if file_format == "jsonl":
        frame = pd.read_json(io.BytesIO(raw), lines=True, convert_dates=False)
        return frame[wanted] if wanted is not None else frame
    features, labels = recordio.read_records(io.BytesIO(raw))
    width = features.shape[1] if features.ndim == 2 else 0
    column_names = list(names) if names else ["label", *(f"f{i}" for i in range(width))]
    if len(column_names) != width + 1:
        raise ValueError(f"names has {len(column_names)} entries for {width + 1} columns")
    label_values = labels if labels is not None else np.full(len(features), np.nan)
    frame = pd.DataFrame(np.column_stack([label_values, features]), columns=column_names)
    return frame[wanted] if wanted is not None else frame


def _best_time(action: object, repeats: int) -> float:
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def measure(
    frame: pd.DataFrame,
    variants: Sequence[Variant],
    *,
    columns: Sequence[str] | None = None,
    label: str | None = None,
    repeats: int = 3,
) -> pd.DataFrame:
    """Size and timings of ``frame`` in each variant, measured here and now.

    Returns one row per variant (index: :attr:`Variant.label`) with ``size_bytes``,
    ``write_seconds``, ``read_seconds`` (the whole table) and, when ``columns`` is given,
    ``read_columns_seconds`` (only those columns). Times are the best of ``repeats`` runs,
    which keeps a busy machine's noise out of them as far as one can.
    """
    rows = []
    for variant in variants:
        fmt, comp = variant.file_format, variant.compression
        data = encode(frame, fmt, compression=comp, label=label)
        row: dict[str, object] = {
            "format": fmt,
            "compression": comp or "none",
            "size_bytes": len(data),
            "write_seconds": _best_time(
                lambda fmt=fmt, comp=comp: encode(frame, fmt, compression=comp, label=label),
                repeats,
            ),
            "read_seconds": _best_time(
                lambda fmt=fmt, comp=comp, data=data: decode(data, fmt, compression=comp),
                repeats,
            ),
        }
        if columns is not None:
            names = [label, *(c for c in frame.columns if c != label)] if label else None
            row["read_columns_seconds"] = _best_time(
                lambda fmt=fmt, comp=comp, data=data, names=names: decode(
                    data, fmt, compression=comp, columns=columns, names=names
                ),
                repeats,
            )
        rows.append(row)
    return pd.DataFrame(rows, index=[v.label for v in variants])
