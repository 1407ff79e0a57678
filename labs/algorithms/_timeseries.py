"""Time series as DeepAR reads them: JSON Lines records (optionally gzipped) or Parquet.

Source: "Input/Output Interface for the DeepAR Algorithm" in the SageMaker AI developer
guide. Each record is one series:

- ``start``: a timestamp string ``YYYY-MM-DD HH:MM:SS`` (or ``YYYY-MM-DD``), no time zone;
- ``target``: an array of numbers, ``"NaN"`` or ``null`` for a missing value;
- ``cat`` (optional): an array of non-negative integers, the series' categorical features;
- ``dynamic_feat`` (optional): an array of arrays of numbers, one per feature, each as long
  as ``target`` (in the test channel and at inference: ``target`` plus the forecast
  horizon).

:func:`parse_record` checks one decoded record (the endpoint uses it too);
:func:`read_series` reads every file of a channel. Mistakes are AlgorithmErrors that name
the file, the line and the field.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labs.algorithms import inputs
from labs.algorithms.base import AlgorithmError, Channel, client_error

JSONLINES = "application/jsonlines"
PARQUET = "application/x-parquet"
#: Content types the channels take; ``json`` and ``parquet`` are what the SDK examples pass.
CONTENT_TYPES = (JSONLINES, "application/json", "json", "json.gz", PARQUET, "parquet")
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"


@dataclass
class Series:
    """One time series: its start, values (NaN where missing) and features."""

    start: pd.Timestamp
    target: np.ndarray
    cat: tuple[int, ...] = ()
    dynamic_feat: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def __len__(self) -> int:
        return int(self.target.size)

    @property
    def observed(self) -> int:
        """How many values of ``target`` are not missing."""
        return int(np.count_nonzero(~np.isnan(self.target)))


class RecordError(ValueError):
    """A record that is not a valid DeepAR series; the text says which field and why."""


def parse_timestamp(value: Any) -> pd.Timestamp:
    """``start`` as a naive Timestamp; RecordError for a value that is not one."""
    if isinstance(value, pd.Timestamp):
        stamp = value
    elif isinstance(value, str) and value.strip():
        try:
            stamp = pd.Timestamp(value.strip())
        except (ValueError, TypeError):
            raise RecordError(
                f'"start" {value!r} is not a timestamp: write it as "YYYY-MM-DD HH:MM:SS"'
            ) from None
    else:
        raise RecordError(f'"start" must be a string such as "2024-01-01 00:00:00", got {value!r}')
    if stamp is pd.NaT or pd.isna(stamp):
        raise RecordError(f'"start" {value!r} is not a timestamp')
    if stamp.tzinfo is not None:
        raise RecordError(f'"start" {value!r} has a time zone: DeepAR takes none')
    return stamp


def _number(value: Any, where: str) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise RecordError(f"{where}: {value!r} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip().lower() == "nan":
        return math.nan
    raise RecordError(f'{where}: {value!r} is not a number (write a missing value as "NaN")')


def _values(raw: Any, name: str) -> np.ndarray:
    if isinstance(raw, np.ndarray):
        raw = raw.tolist()
    if not isinstance(raw, (list, tuple)):
        raise RecordError(f'"{name}" must be an array of numbers, got {type(raw).__name__}')
    return np.array([_number(v, f'"{name}" item {i}') for i, v in enumerate(raw)], dtype=float)


def _cat(raw: Any) -> tuple[int, ...]:
    items = raw.tolist() if isinstance(raw, np.ndarray) else raw
    if isinstance(items, int) and not isinstance(items, bool):
        items = [items]
    if not isinstance(items, (list, tuple)):
        raise RecordError(f'"cat" must be an array of non-negative integers, got {raw!r}')
    codes = []
    for item in items:
        number = (
            float(item) if isinstance(item, (int, float)) and not isinstance(item, bool) else -1.0
        )
        if number < 0 or not number.is_integer():
            raise RecordError(
                f'"cat" must hold non-negative integers (0, 1, 2...), got {item!r}: encode '
                "each category as a number first"
            )
        codes.append(int(number))
    return tuple(codes)


def _dynamic(raw: Any, length: int) -> np.ndarray:
    rows = raw.tolist() if isinstance(raw, np.ndarray) else raw
    if not isinstance(rows, (list, tuple)) or not all(
        isinstance(r, (list, tuple, np.ndarray)) for r in rows
    ):
        raise RecordError('"dynamic_feat" must be an array of arrays, e.g. [[0, 1, 0, ...]]')
    features = [_values(r, f"dynamic_feat[{i}]") for i, r in enumerate(rows)]
    for i, values in enumerate(features):
        if values.size != length:
            raise RecordError(
                f'"dynamic_feat"[{i}] has {values.size} values but must have {length}'
            )
        if np.isnan(values).any():
            raise RecordError(f'"dynamic_feat"[{i}] has missing values: DeepAR needs them all')
    return np.vstack(features) if features else np.zeros((0, length))


def parse_record(record: Any, extra: int = 0) -> Series:
    """Check one decoded record and return it as a :class:`Series`.

    ``extra`` is how many more ``dynamic_feat`` values than ``target`` values the record
    needs: 0 in the train channel, ``prediction_length`` at inference.
    """
    if not isinstance(record, Mapping):
        raise RecordError(f"a record must be a JSON object, got {type(record).__name__}")
    for name in ("start", "target"):
        if name not in record:
            raise RecordError(f'the record has no "{name}" field')
    unknown = sorted(set(record) - {"start", "target", "cat", "dynamic_feat"})
    if unknown:
        raise RecordError(
            f"unknown field(s) {', '.join(repr(u) for u in unknown)}: a DeepAR record has "
            '"start", "target", and optionally "cat" and "dynamic_feat"'
        )
    start = parse_timestamp(record["start"])
    target = _values(record["target"], "target")
    cat = _cat(record["cat"]) if record.get("cat") is not None else ()
    raw_dynamic = record.get("dynamic_feat")
    dynamic = (
        _dynamic(raw_dynamic, target.size + extra)
        if raw_dynamic is not None
        else np.zeros((0, target.size + extra))
    )
    return Series(start, target, cat, dynamic)


def _open_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise client_error(f"File {path.name!r} is not a valid gzip file: {error}") from None
    return raw.decode("utf-8", errors="replace")


def _json_records(path: Path) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(_open_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            raise client_error(
                f"Unable to parse JSON Lines data: line {number} of file {path.name!r} is not "
                f"valid JSON ({error.msg}). Each line must be one JSON object such as "
                '{"start": "2024-01-01 00:00:00", "target": [1.0, 2.0]}.'
            ) from None


def _parquet_records(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types
        raise client_error(f"Failed to load parquet file {path.name!r}: {error}") from None
    for number, row in enumerate(frame.to_dict("records"), start=1):
        yield number, {k: v for k, v in row.items() if v is not None}


def _is_parquet(path: Path, content_type: str | None) -> bool:
    if content_type and "parquet" in content_type.lower():
        return True
    if path.suffix == ".parquet":
        return True
    with path.open("rb") as handle:
        return handle.read(4) == _PARQUET_MAGIC


def read_series(channel: Channel, extra: int = 0) -> list[Series]:
    """Every series in ``channel``'s files; AlgorithmError names the file, line and field."""
    if channel.content_type is not None and str(channel.content_type).strip():
        kind, _ = inputs.parse_content_type(
            channel.content_type.lower(), CONTENT_TYPES, "DeepAR", channel.name
        )
    else:
        kind = None
    files = inputs.data_files(channel.path)
    if not files:
        raise client_error(
            f"No data in channel {channel.name!r}: the folder {channel.path} holds no data "
            "files. Check the channel's S3 prefix."
        )
    series: list[Series] = []
    for path in files:
        records = _parquet_records(path) if _is_parquet(path, kind) else _json_records(path)
        for number, record in records:
            try:
                series.append(parse_record(record, extra))
            except RecordError as error:
                raise client_error(
                    f"Invalid record in channel {channel.name!r}, file {path.name!r}, "
                    f"line {number}: {error}"
                ) from None
    if not series:
        raise client_error(f"No data in channel {channel.name!r}: every file is empty.")
    _check_consistent(series, channel.name)
    return series


def _check_consistent(series: list[Series], channel: str) -> None:
    cats = {len(s.cat) for s in series}
    if len(cats) > 1:
        raise client_error(
            f"Channel {channel!r}: some series have {min(cats)} categorical feature(s) and "
            f'others {max(cats)}. If you use "cat", every series must have the same number.'
        )
    dynamic = {s.dynamic_feat.shape[0] for s in series}
    if len(dynamic) > 1:
        raise client_error(
            f"Channel {channel!r}: some series have {min(dynamic)} dynamic feature(s) and "
            f"others {max(dynamic)}. Every series needs the same dynamic_feat arrays."
        )


def to_jsonline(series: Series) -> str:
    """One series back as a JSON line (NaN written as ``"NaN"``), for tests and helpers."""
    record: dict[str, Any] = {
        "start": str(series.start),
        "target": ["NaN" if math.isnan(v) else v for v in series.target.tolist()],
    }
    if series.cat:
        record["cat"] = list(series.cat)
    if series.dynamic_feat.shape[0]:
        record["dynamic_feat"] = series.dynamic_feat.tolist()
    return json.dumps(record)


__all__ = [
    "CONTENT_TYPES",
    "AlgorithmError",
    "RecordError",
    "Series",
    "parse_record",
    "parse_timestamp",
    "read_series",
    "to_jsonline",
]
