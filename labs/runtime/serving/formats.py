"""Request and response bodies of the built-in algorithms' inference formats.

Sources: the developer guide pages "Common data formats for inference" (request formats
shared by the Amazon algorithms: CSV without label, JSON ``{"instances": [...]}`` with
``features`` or ``data.features`` dense or sparse, JSON Lines, RecordIO-protobuf) and the
algorithms' response-format pages (JSON ``{"predictions": [...]}``, JSON Lines one record
per line, RecordIO with the values under ``label``).

Decoders return a 2-D matrix (numpy, or scipy CSR for sparse input) or raise
:class:`PayloadError` with a message that names the problem (line, column, value).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import sparse

from labs.algorithms import recordio

_QUOTE = 40  # characters of a bad value quoted in a message


class PayloadError(ValueError):
    """A request body that does not parse as its content type says."""


def text_of(body: bytes) -> str:
    """The body as UTF-8 text."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(
            f"the body is not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None


def _number(cell: str, line: int, column: int, allow_missing: bool) -> float:
    value = cell.strip()
    if value == "":
        if allow_missing:
            return math.nan
        raise PayloadError(f"line {line}, column {column}: missing value")
    try:
        return float(value)
    except ValueError:
        raise PayloadError(
            f"line {line}, column {column}: {value[:_QUOTE]!r} is not a number"
        ) from None


def parse_csv(text: str, *, allow_missing: bool = False, label_size: int = 0) -> np.ndarray:
    """Rows of comma-separated numbers (blank lines skipped) as a float matrix.

    ``allow_missing`` reads empty cells as NaN (XGBoost); ``label_size`` columns are
    dropped from the left (``text/csv;label_size=1``). Rows must all have the same width.
    """
    rows: list[list[float]] = []
    width = None
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split(",")
        if width is None:
            width, first = len(cells), number
        elif len(cells) != width:
            raise PayloadError(
                f"line {number} has {len(cells)} columns but line {first} has {width}: "
                "every row needs the same number of features"
            )
        rows.append([_number(c, number, i + 1, allow_missing) for i, c in enumerate(cells)])
    if not rows:
        raise PayloadError("the CSV body has no rows")
    matrix = np.asarray(rows, dtype=np.float64)
    if label_size:
        if matrix.shape[1] <= label_size:
            raise PayloadError(f"rows have no features after the {label_size} label column(s)")
        matrix = matrix[:, label_size:]
    return matrix


def parse_libsvm(text: str) -> sparse.csr_matrix:
    """``[label] index:value ...`` lines (zero-based indexes; the label is optional).

    Tokens without a colon (the label, ``qid:``-less extras) are skipped, as in the XGBoost
    container's inference parser.
    """
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        for token in content.split():
            key, sep, value = token.partition(":")
            if not sep:
                continue
            if key == "qid":
                continue
            if not key.isdigit():
                raise PayloadError(f"line {number}: {token[:_QUOTE]!r} is not index:value")
            try:
                parsed = float(value)
            except ValueError:
                raise PayloadError(
                    f"line {number}: {token[:_QUOTE]!r} has a value that is not a number"
                ) from None
            indices.append(int(key))
            values.append(parsed)
        indptr.append(len(indices))
    if len(indptr) == 1:
        raise PayloadError("the libsvm body has no rows")
    width = max(indices) + 1 if indices else 0
    return sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(indptr) - 1, width),
    )


def parse_recordio(body: bytes) -> Any:
    """The features of RecordIO-protobuf records (dense numpy or sparse CSR)."""
    try:
        features, _labels = recordio.read_records(io.BytesIO(body))
    except recordio.RecordIOError as error:
        raise PayloadError(str(error).replace("<stream>", "the request body")) from None
    except Exception as error:  # protobuf raises DecodeError and others
        raise PayloadError(f"not RecordIO-protobuf: {error}") from None
    if features.shape[0] == 0:
        raise PayloadError("the RecordIO-protobuf body holds no records")
    return features


# JSON and JSON Lines (the Amazon algorithms' request formats)

_JSON_HINT = (
    'expected {"instances": [{"features": [1.5, 16.0, 14.0]}, ...]} or '
    '{"instances": [{"data": {"features": {"values": [...]}}}]}'
)


def parse_json(text: str) -> Any:
    """JSON text; PayloadError names the position of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PayloadError(
            f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None


def instances_of(document: Any) -> list[Any]:
    """The instances of a JSON request: ``{"instances": [...]}`` or one instance object."""
    if isinstance(document, dict) and "instances" in document:
        instances = document["instances"]
        if not isinstance(instances, list) or not instances:
            raise PayloadError(f'"instances" must be a non-empty list: {_JSON_HINT}')
        return instances
    if isinstance(document, dict) and ("features" in document or "data" in document):
        return [document]
    raise PayloadError(f"unexpected JSON layout: {_JSON_HINT}")


def _row(instance: Any, position: int) -> tuple[list[float], list[int] | None, int | None]:
    """``(values, keys, width)`` of one instance (keys/width only for sparse ones)."""
    where = f"instance {position}"
    if isinstance(instance, list):
        features: Any = instance
    elif isinstance(instance, dict) and "features" in instance:
        features = instance["features"]
    elif isinstance(instance, dict) and isinstance(instance.get("data"), dict):
        features = instance["data"].get("features")
    else:
        raise PayloadError(f"{where} has no features: {_JSON_HINT}")
    keys = width = None
    if isinstance(features, dict):
        values = features.get("values")
        if features.get("keys"):
            keys = features["keys"]
            shape = features.get("shape")
            if not isinstance(shape, list) or len(shape) != 1:
                raise PayloadError(f'{where}: sparse features need "shape": [feature_dim]')
            width = int(shape[0])
    else:
        values = features
    if not isinstance(values, list) or not values:
        raise PayloadError(f"{where}: features must be a non-empty list of numbers")
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        raise PayloadError(f"{where}: features must be numbers, got {values[:5]!r}") from None
    if keys is not None and len(keys) != len(numbers):
        raise PayloadError(f"{where}: {len(keys)} keys but {len(numbers)} values")
    return numbers, keys, width


def matrix_of(instances: Sequence[Any]) -> Any:
    """Stack instances into a matrix: dense numpy, or CSR when any instance is sparse."""
    rows = [_row(instance, i) for i, instance in enumerate(instances)]
    if all(keys is None for _, keys, _ in rows):
        widths = {len(values) for values, _, _ in rows}
        if len(widths) > 1:
            raise PayloadError(
                "instances have different numbers of features: "
                + ", ".join(str(w) for w in sorted(widths))
            )
        return np.asarray([values for values, _, _ in rows], dtype=np.float64)
    width = max((w or len(v)) for v, _, w in rows)
    indptr, indices, data = [0], [], []
    for values, keys, _ in rows:
        columns = keys if keys is not None else list(range(len(values)))
        for column, value in zip(columns, values, strict=True):
            if not 0 <= int(column) < width:
                raise PayloadError(f"sparse key {column} is outside shape [{width}]")
            indices.append(int(column))
            data.append(value)
        indptr.append(len(indices))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def parse_jsonlines(text: str) -> list[Any]:
    """The JSON objects of a JSON Lines body, one per non-blank line."""
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise PayloadError(f"line {number} is not JSON: {error.msg}") from None
    if not documents:
        raise PayloadError("the JSON Lines body has no records")
    return documents


# Response encoders


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as plain Python values for json.dumps."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def json_response(key: str, records: Iterable[dict[str, Any]]) -> bytes:
    """``{"<key>": [record, ...]}`` (key ``predictions``, ``projections`` or ``scores``)."""
    plain = [{k: _plain(v) for k, v in record.items()} for record in records]
    return json.dumps({key: plain}).encode()


def jsonlines_response(records: Iterable[dict[str, Any]]) -> bytes:
    """One JSON object per line."""
    lines = [json.dumps({k: _plain(v) for k, v in record.items()}) for record in records]
    return ("\n".join(lines) + "\n").encode()


def recordio_response(records: Iterable[dict[str, Any]]) -> bytes:
    """One RecordIO-protobuf Record per prediction, each value a float32 tensor in
    ``label`` (the Amazon algorithms' ``application/x-recordio-protobuf`` response)."""
    record_type = recordio.record_class()
    stream = io.BytesIO()
    for item in records:
        record = record_type()
        for key, value in item.items():
            values = np.atleast_1d(np.asarray(value, dtype=np.float32)).ravel()
            record.label[key].float32_tensor.values.extend(values.tolist())
        recordio.write_recordio(stream, record.SerializeToString())
    return stream.getvalue()


def csv_response(records: Iterable[dict[str, Any]], keys: Sequence[str]) -> bytes:
    """One line per prediction: the values of ``keys`` in that order."""
    lines = []
    for record in records:
        cells = []
        for key in keys:
            value = _plain(record.get(key))
            cells.append(f'"{value}"' if isinstance(value, list) else str(value))
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()
