"""Reading the data a baseline or a monitoring run looks at into a pandas DataFrame.

Three sources: a DataFrame, CSV objects in S3 (one object or every object under a prefix),
and endpoint capture records (:func:`labs.runtime.capture.read_captures`). CSV is read as
text, as Model Monitor's Spark reader does, so :mod:`.values` decides each value's type.
A CSV without a header gets Spark's column names ``_c0``, ``_c1``, ..., which is also what
Model Monitor calls the columns of captured endpoint input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from labs.runtime.capture import decode_payload
from labs.runtime.monitoring.errors import MonitoringError

#: The content types whose captured input the local monitor reads (CSV rows).
CSV_TYPES = ("text/csv", "application/csv", "text/plain")


def positional_name(index: int) -> str:
    """Spark's name for the ``index``-th column of a CSV without a header."""
    return f"_c{index}"


def read_csv_text(text: str, *, header: bool, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A CSV document as a DataFrame of strings (an empty field is missing)."""
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if header:
        if not rows:
            raise MonitoringError("The CSV data is empty: there is not even a header row.")
        names, rows = rows[0], rows[1:]
    else:
        width = max((len(row) for row in rows), default=0)
        names = [positional_name(i) for i in range(width)]
    if columns is not None:
        names = list(columns) + [positional_name(i) for i in range(len(columns), len(names))]
    width = len(names)
    padded = [(row + [""] * width)[:width] for row in rows]
    frame = pd.DataFrame(padded, columns=names, dtype=object)
    return frame.replace("", None)


def read_s3_csv(s3: Any, uri: str, *, header: bool, columns: Sequence[str] | None) -> pd.DataFrame:
    """Every CSV object at ``uri`` (one object, or all under a prefix) as one DataFrame."""
    if not uri.startswith("s3://"):
        raise MonitoringError(f"{uri!r} is not an S3 URI (s3://bucket/key).")
    bucket, _, prefix = uri[5:].partition("/")
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(o["Key"] for o in page.get("Contents", []) if not o["Key"].endswith("/"))
    except s3.exceptions.NoSuchBucket:
        raise MonitoringError(f"Bucket {bucket!r} does not exist ({uri}).") from None
    if not keys:
        raise MonitoringError(f"No object found at {uri}: upload the dataset there first.")
    frames = [
        read_csv_text(
            s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8"),
            header=header,
            columns=columns,
        )
        for key in sorted(keys)
    ]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def frame_of(data: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of ``data`` with string column names (``_cN`` for unnamed ones)."""
    frame = data.copy()
    names = [
        str(name) if isinstance(name, str) else positional_name(i)
        for i, name in enumerate(frame.columns)
    ]
    if columns is not None:
        names = list(columns) + names[len(columns) :]
    if len(set(names)) != len(names):
        raise MonitoringError(f"The dataset has repeated column names: {names}.")
    frame.columns = names
    return frame.reset_index(drop=True)


def captured_input(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The endpoint input of capture records as a headerless CSV table (``_c0``, ...)."""
    lines: list[str] = []
    count = 0
    for record in records:
        count += 1
        part = record.get("captureData", {}).get("endpointInput")
        if part is None:
            raise MonitoringError(
                "A capture record has no endpointInput: the endpoint captured its output only. "
                'Capture the input too (CaptureOptions [{"CaptureMode": "Input"}, ...]) to '
                "monitor data quality."
            )
        content_type = str(part.get("observedContentType", "")).split(";")[0].strip().lower()
        if content_type not in CSV_TYPES:
            raise MonitoringError(
                f"A capture record's input is {content_type or 'of unknown type'}; the local "
                "monitor reads CSV endpoint input (text/csv). Send CSV to the endpoint, or turn "
                "the captured data into a DataFrame yourself and monitor that."
            )
        text = decode_payload(part).decode("utf-8", errors="replace")
        lines.extend(line for line in text.splitlines() if line.strip())
    if count == 0:
        raise MonitoringError(
            "There are no capture records to monitor: invoke the endpoint, call "
            "labs.runtime.capture.flush_all(), then read the captures again."
        )
    return read_csv_text("\n".join(lines), header=False)


def map_to_baseline(
    frame: pd.DataFrame, baseline_features: Sequence[str], feature_names: Sequence[str] | None
) -> pd.DataFrame:
    """Name ``frame``'s columns as the baseline's features.

    With ``feature_names`` the columns are renamed in order. Columns without a header
    (``_c0``, ``_c1``, ...) are matched to the baseline features by position, as Model
    Monitor matches headerless endpoint input; named columns keep their names. Columns
    beyond the baseline's keep their ``_cN`` name (they are extra columns).
    """
    names = list(frame.columns)
    if feature_names is not None:
        if len(feature_names) > len(names):
            raise MonitoringError(
                f"feature_names has {len(feature_names)} names but the data has only "
                f"{len(names)} columns."
            )
        names[: len(feature_names)] = list(feature_names)
    else:
        for i, name in enumerate(names):
            if name == positional_name(i) and i < len(baseline_features):
                names[i] = baseline_features[i]
    if len(set(names)) != len(names):
        raise MonitoringError(f"Two columns would both be called the same: {names}.")
    renamed = frame.copy()
    renamed.columns = names
    return renamed
