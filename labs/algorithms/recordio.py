"""RecordIO-protobuf, the input format of SageMaker's Amazon algorithms, read and written.

SDK v3 dropped ``sagemaker.amazon.common`` (its RecordIO functions raise
NotImplementedError), so the kit provides the same three operations:

- :func:`write_dense` (SDK v2 ``write_numpy_to_dense_tensor``)
- :func:`write_sparse` (SDK v2 ``write_spmatrix_to_sparse_tensor``)
- :func:`read_records` (a matrix and labels back; :func:`read_messages` gives the records)

The wire format is SageMaker's: every record is an ``aialgs.data.Record`` protobuf
message (``record.proto`` of the SageMaker Python SDK v2 and of the developer guide page
"Common Data Formats for Training") inside MXNet RecordIO framing: the magic number
0xCED7230A and the record length as little-endian uint32 (the top 3 bits of the length
word are MXNet's continuation flag), then the payload padded with zeros to a multiple of
4 bytes. Features go under the map key ``"values"`` of ``features`` and the label under
``"values"`` of ``label``, as ``Float32Tensor`` (``values`` = 1, ``keys`` = 2,
``shape`` = 3, all packed); ``Value`` holds ``float32_tensor`` = 2, ``float64_tensor`` = 3,
``int32_tensor`` = 7, ``bytes`` = 9; ``Record`` has ``features`` = 1, ``label`` = 2,
``uid`` = 3, ``metadata`` = 4, ``configuration`` = 5.

The message classes are built at import time from a descriptor (no generated code), in a
private descriptor pool so they never clash with another copy of ``record_pb2``.

The writers always store float32 tensors (the SDK v2 picked the tensor type from the array
dtype; the Amazon algorithms read float32, and the SDK's ``record_set()`` converted to
float32 first). The reader accepts float32, float64 and int32 tensors, dense or sparse.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from scipy import sparse

__all__ = [
    "MAGIC",
    "RecordIOError",
    "iter_payloads",
    "read_messages",
    "read_records",
    "record_class",
    "write_dense",
    "write_recordio",
    "write_sparse",
]

MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", MAGIC)
_LENGTH_MASK = (1 << 29) - 1

_F = descriptor_pb2.FieldDescriptorProto


class RecordIOError(ValueError):
    """A file that is not valid RecordIO-protobuf (the message says where and why)."""


def _field(
    message: descriptor_pb2.DescriptorProto,
    name: str,
    number: int,
    ftype: int,
    label: int = _F.LABEL_OPTIONAL,
    type_name: str = "",
    packed: bool = False,
    oneof: int | None = None,
) -> None:
    field = message.field.add(name=name, number=number, type=ftype, label=label)
    if type_name:
        field.type_name = type_name
    if packed:
        field.options.packed = True
    if oneof is not None:
        field.oneof_index = oneof


def _tensor(file: descriptor_pb2.FileDescriptorProto, name: str, value_type: int) -> None:
    message = file.message_type.add(name=name)
    _field(message, "values", 1, value_type, _F.LABEL_REPEATED, packed=True)
    _field(message, "keys", 2, _F.TYPE_UINT64, _F.LABEL_REPEATED, packed=True)
    _field(message, "shape", 3, _F.TYPE_UINT64, _F.LABEL_REPEATED, packed=True)


def _map_entry(record: descriptor_pb2.DescriptorProto, entry_name: str) -> None:
    entry = record.nested_type.add(name=entry_name)
    entry.options.map_entry = True
    _field(entry, "key", 1, _F.TYPE_STRING)
    _field(entry, "value", 2, _F.TYPE_MESSAGE, type_name=".aialgs.data.Value")


def _build_file() -> descriptor_pb2.FileDescriptorProto:
    """The descriptor of SageMaker's record.proto (package aialgs.data, proto2)."""
    file = descriptor_pb2.FileDescriptorProto(
        name="labs/aialgs/record.proto", package="aialgs.data", syntax="proto2"
    )
    _tensor(file, "Float32Tensor", _F.TYPE_FLOAT)
    _tensor(file, "Float64Tensor", _F.TYPE_DOUBLE)
    _tensor(file, "Int32Tensor", _F.TYPE_INT32)

    raw = file.message_type.add(name="Bytes")
    _field(raw, "value", 1, _F.TYPE_BYTES, _F.LABEL_REPEATED)
    _field(raw, "content_type", 2, _F.TYPE_STRING)

    value = file.message_type.add(name="Value")
    value.oneof_decl.add(name="value")
    for name, number, type_name in (
        ("float32_tensor", 2, ".aialgs.data.Float32Tensor"),
        ("float64_tensor", 3, ".aialgs.data.Float64Tensor"),
        ("int32_tensor", 7, ".aialgs.data.Int32Tensor"),
        ("bytes", 9, ".aialgs.data.Bytes"),
    ):
        _field(value, name, number, _F.TYPE_MESSAGE, type_name=type_name, oneof=0)

    record = file.message_type.add(name="Record")
    _map_entry(record, "FeaturesEntry")
    _map_entry(record, "LabelEntry")
    _field(
        record,
        "features",
        1,
        _F.TYPE_MESSAGE,
        _F.LABEL_REPEATED,
        ".aialgs.data.Record.FeaturesEntry",
    )
    _field(record, "label", 2, _F.TYPE_MESSAGE, _F.LABEL_REPEATED, ".aialgs.data.Record.LabelEntry")
    _field(record, "uid", 3, _F.TYPE_STRING)
    _field(record, "metadata", 4, _F.TYPE_STRING)
    _field(record, "configuration", 5, _F.TYPE_STRING)
    return file


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_build_file())
Record: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("aialgs.data.Record"))


def record_class() -> Any:
    """The ``aialgs.data.Record`` message class (built from a descriptor at import time)."""
    return Record


# RecordIO framing


def write_recordio(file: IO[bytes], payload: bytes) -> None:
    """Write one RecordIO record: magic, length (little-endian uint32), payload, padding."""
    length = len(payload)
    if length > _LENGTH_MASK:
        raise ValueError(f"A RecordIO record holds at most {_LENGTH_MASK} bytes, not {length}")
    file.write(_MAGIC_BYTES)
    file.write(struct.pack("<I", length))
    file.write(payload)
    file.write(b"\x00" * (-length % 4))


def iter_payloads(file: IO[bytes], name: str = "<stream>") -> Iterator[bytes]:
    """The payloads of the RecordIO records in ``file`` (multi-part records joined)."""
    parts: list[bytes] = []
    offset = 0
    while True:
        header = file.read(8)
        if not header:
            break
        if len(header) < 8:
            raise RecordIOError(f"{name}: truncated RecordIO header at byte {offset}")
        magic, word = struct.unpack("<II", header)
        if magic != MAGIC:
            raise RecordIOError(
                f"{name}: bytes {offset}-{offset + 3} are {header[:4]!r}, not the RecordIO "
                f"magic number 0x{MAGIC:08x}: this is not a RecordIO-protobuf file"
            )
        flag, length = word >> 29, word & _LENGTH_MASK
        payload = file.read(length)
        if len(payload) < length:
            raise RecordIOError(f"{name}: record at byte {offset} is truncated")
        file.read(-length % 4)
        offset += 8 + length + (-length % 4)
        if flag == 0:
            yield payload
        elif flag in (1, 2):  # first or middle part: MXNet split the record at a magic number
            parts.append(payload)
        else:
            yield _MAGIC_BYTES.join([*parts, payload])
            parts = []
    if parts:
        raise RecordIOError(f"{name}: the last multi-part record is incomplete")


@contextmanager
def _opened(file: Any, mode: str) -> Iterator[IO[bytes]]:
    if isinstance(file, (str, Path)):
        with open(file, mode) as handle:
            yield handle
    else:
        yield file


# Writers


def _check_labels(labels: np.ndarray | None, rows: int) -> np.ndarray | None:
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError("Labels must be a vector (one label per row)")
    if labels.shape[0] != rows:
        raise ValueError(f"{labels.shape[0]} labels for {rows} rows")
    return labels.astype(np.float32)


def write_dense(file: IO[bytes] | str | Path, features: np.ndarray, labels: Any = None) -> int:
    """Write each row of ``features`` (and its label) as one dense Record; returns the count.

    ``file`` is a binary file object or a path. Features and labels are stored as float32.
    """
    array = np.asarray(features)
    if array.ndim != 2:
        raise ValueError("Features must be a matrix (rows x columns)")
    array = array.astype(np.float32)
    label_values = _check_labels(labels, array.shape[0])
    record = Record()
    with _opened(file, "wb") as out:
        for index, row in enumerate(array):
            record.Clear()
            record.features["values"].float32_tensor.values.extend(row.tolist())
            if label_values is not None:
                record.label["values"].float32_tensor.values.append(float(label_values[index]))
            write_recordio(out, record.SerializeToString())
    return array.shape[0]


def write_sparse(file: IO[bytes] | str | Path, matrix: Any, labels: Any = None) -> int:
    """Write each row of a scipy sparse matrix as one sparse Record (values, keys, shape)."""
    if not sparse.issparse(matrix):
        raise TypeError("write_sparse needs a scipy.sparse matrix (use write_dense for arrays)")
    csr = sparse.csr_matrix(matrix, dtype=np.float32)
    csr.sort_indices()
    rows, columns = csr.shape
    label_values = _check_labels(labels, rows)
    record = Record()
    with _opened(file, "wb") as out:
        for index in range(rows):
            start, end = csr.indptr[index], csr.indptr[index + 1]
            record.Clear()
            tensor = record.features["values"].float32_tensor
            tensor.values.extend(csr.data[start:end].tolist())
            tensor.keys.extend(csr.indices[start:end].astype(np.uint64).tolist())
            tensor.shape.append(columns)
            if label_values is not None:
                record.label["values"].float32_tensor.values.append(float(label_values[index]))
            write_recordio(out, record.SerializeToString())
    return rows


# Readers


def read_messages(file: IO[bytes] | str | Path) -> list[Any]:
    """The ``Record`` messages in ``file`` (a binary file object or a path)."""
    name = str(file) if isinstance(file, (str, Path)) else getattr(file, "name", "<stream>")
    messages = []
    with _opened(file, "rb") as handle:
        for number, payload in enumerate(iter_payloads(handle, name)):
            record = Record()
            try:
                record.ParseFromString(payload)
            except Exception as error:  # protobuf raises its own DecodeError
                raise RecordIOError(
                    f"{name}: record {number} is not an aialgs.data.Record protobuf ({error})"
                ) from error
            messages.append(record)
    return messages


def _tensor_of(value: Any, where: str) -> Any:
    kind = value.WhichOneof("value")
    if kind in ("float32_tensor", "float64_tensor", "int32_tensor"):
        return getattr(value, kind)
    raise RecordIOError(f"{where}: holds {kind or 'nothing'}, not a numeric tensor")


def read_records(file: IO[bytes] | str | Path) -> tuple[Any, np.ndarray | None]:
    """Features and labels from a RecordIO-protobuf file.

    Returns ``(X, y)``: ``X`` a float32 array, or a CSR matrix when the records are sparse
    (they have ``keys``); ``y`` the first value of each record's ``"values"`` label, or
    ``None`` when no record has a label.
    """
    name = str(file) if isinstance(file, (str, Path)) else getattr(file, "name", "<stream>")
    return records_to_arrays(read_messages(file), name)


def records_to_arrays(records: list[Any], name: str = "<stream>") -> tuple[Any, np.ndarray | None]:
    """Stack ``Record`` messages into ``(X, y)`` as :func:`read_records` describes."""
    rows: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    widths: list[int] = []
    labels: list[float] = []
    is_sparse = False
    for number, record in enumerate(records):
        where = f"{name}: record {number}"
        if "values" not in record.features:
            raise RecordIOError(f"{where} has no features['values'] tensor")
        tensor = _tensor_of(record.features["values"], f"{where} features['values']")
        values = np.asarray(tensor.values, dtype=np.float32)
        rows.append(values)
        if tensor.keys:
            is_sparse = True
            keys.append(np.asarray(tensor.keys, dtype=np.int64))
            widths.append(int(tensor.shape[0]) if tensor.shape else int(max(tensor.keys)) + 1)
        else:
            keys.append(np.arange(len(values), dtype=np.int64))
            widths.append(int(tensor.shape[0]) if tensor.shape else len(values))
        if "values" in record.label:
            label = _tensor_of(record.label["values"], f"{where} label['values']")
            if not label.values:
                raise RecordIOError(f"{where} has an empty label tensor")
            labels.append(float(label.values[0]))
    if labels and len(labels) != len(rows):
        raise RecordIOError(f"{name}: {len(labels)} of {len(rows)} records have a label")
    y = np.asarray(labels, dtype=np.float32) if labels else None
    if not rows:
        return np.zeros((0, 0), dtype=np.float32), y
    if is_sparse:
        width = max(widths)
        indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])])
        matrix = sparse.csr_matrix(
            (np.concatenate(rows), np.concatenate(keys), indptr), shape=(len(rows), width)
        )
        return matrix, y
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        first = len(rows[0])
        odd = next(i for i, r in enumerate(rows) if len(r) != first)
        raise RecordIOError(
            f"{name}: record {odd} has {len(rows[odd])} features but record 0 has {first}"
        )
    return np.vstack(rows), y


def dense_bytes(features: np.ndarray, labels: Any = None) -> bytes:
    """The RecordIO-protobuf bytes of :func:`write_dense` (handy for requests and tests)."""
    buffer = io.BytesIO()
    write_dense(buffer, features, labels)
    return buffer.getvalue()
