"""RecordIO-protobuf (labs.algorithms.recordio): round trips and the exact bytes on the wire."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from scipy import sparse

from labs.algorithms import recordio

MAGIC = struct.pack("<I", 0xCED7230A)


# A minimal protobuf encoder, written independently of the module, to state the expected bytes.


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _floats(values: list[float]) -> bytes:
    return struct.pack(f"<{len(values)}f", *values)


def _uint64s(values: list[int]) -> bytes:
    return b"".join(_varint(v) for v in values)


def _entry(key: str, value: bytes) -> bytes:
    """A map<string, Value> entry: key = 1, value = 2."""
    return _field(1, key.encode()) + _field(2, value)


def _float32_value(values: list[float], keys: list[int] = (), shape: list[int] = ()) -> bytes:
    """Value{float32_tensor (2): Float32Tensor{values 1, keys 2, shape 3 (packed)}}."""
    tensor = _field(1, _floats(values))
    if keys:
        tensor += _field(2, _uint64s(keys))
    if shape:
        tensor += _field(3, _uint64s(shape))
    return _field(2, tensor)


def _record(features: bytes, label: bytes | None) -> bytes:
    """Record{features (1): map entry "values", label (2): map entry "values"}."""
    body = _field(1, _entry("values", features))
    if label is not None:
        body += _field(2, _entry("values", label))
    return body


def _framed(payload: bytes, flag: int = 0) -> bytes:
    padding = b"\x00" * (-len(payload) % 4)
    return MAGIC + struct.pack("<I", flag << 29 | len(payload)) + payload + padding


# Byte-level checks


def test_dense_record_bytes_match_the_hand_built_encoding() -> None:
    buffer = io.BytesIO()
    recordio.write_dense(buffer, np.array([[1.0, 2.0], [0.5, -3.25]]), np.array([1, 0]))
    expected = _framed(_record(_float32_value([1.0, 2.0]), _float32_value([1.0]))) + _framed(
        _record(_float32_value([0.5, -3.25]), _float32_value([0.0]))
    )
    assert buffer.getvalue() == expected
    # The first record, spelled out: magic, length 44, then the protobuf message.
    assert buffer.getvalue()[:8] == bytes.fromhex("0a23d7ce2c000000")


def test_sparse_record_bytes_match_the_hand_built_encoding() -> None:
    matrix = sparse.csr_matrix(np.array([[0.0, 1.5, 0.0, 4.0]]))
    buffer = io.BytesIO()
    recordio.write_sparse(buffer, matrix, np.array([7.0]))
    expected = _framed(
        _record(_float32_value([1.5, 4.0], keys=[1, 3], shape=[4]), _float32_value([7.0]))
    )
    assert buffer.getvalue() == expected


def test_records_are_padded_to_four_bytes() -> None:
    buffer = io.BytesIO()
    recordio.write_sparse(buffer, sparse.csr_matrix([[0.0, 2.0, 0.0, 0.0]]))  # 26 bytes
    data = buffer.getvalue()
    length = struct.unpack("<I", data[4:8])[0]
    assert length % 4 != 0
    assert len(data) == 8 + length + (-length % 4)
    assert data[8 + length :] == b"\x00" * (-length % 4)


# Round trips


def test_dense_round_trip_with_and_without_labels() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 7))
    y = rng.integers(0, 3, size=50)
    buffer = io.BytesIO()
    assert recordio.write_dense(buffer, X, y) == 50
    buffer.seek(0)
    X_back, y_back = recordio.read_records(buffer)
    np.testing.assert_array_equal(X_back, X.astype(np.float32))
    np.testing.assert_array_equal(y_back, y.astype(np.float32))

    unlabelled = recordio.dense_bytes(X)
    X_back, y_back = recordio.read_records(io.BytesIO(unlabelled))
    assert y_back is None
    assert X_back.shape == (50, 7)


def test_sparse_round_trip_keeps_width_and_empty_rows(tmp_path) -> None:
    dense = sparse.random(30, 12, density=0.2, random_state=1).toarray()
    dense[4] = 0  # an empty row
    matrix = sparse.csr_matrix(dense)
    path = tmp_path / "data.rec"
    recordio.write_sparse(path, matrix, np.arange(30))
    X, y = recordio.read_records(path)
    assert sparse.issparse(X)
    assert X.shape == (30, 12)
    np.testing.assert_allclose(X.toarray(), matrix.toarray().astype(np.float32))
    np.testing.assert_array_equal(y, np.arange(30, dtype=np.float32))


def test_reads_float64_and_int32_tensors_like_sdk_v2_writes() -> None:
    """SDK v2 stored float64 arrays as Float64Tensor and int labels as Int32Tensor."""
    double = _field(3, _field(1, struct.pack("<2d", 0.25, 8.0)))  # Value.float64_tensor
    int32 = _field(7, _field(1, _varint(2)))  # Value.int32_tensor
    data = _framed(_record(double, int32))
    X, y = recordio.read_records(io.BytesIO(data))
    np.testing.assert_array_equal(X, [[0.25, 8.0]])
    np.testing.assert_array_equal(y, [2.0])


def test_message_class_has_the_record_proto_field_numbers() -> None:
    record = recordio.record_class()()
    fields = {f.name: f.number for f in record.DESCRIPTOR.fields}
    assert fields == {"features": 1, "label": 2, "uid": 3, "metadata": 4, "configuration": 5}
    value = record.features["values"]
    assert {f.name: f.number for f in value.DESCRIPTOR.fields} == {
        "float32_tensor": 2,
        "float64_tensor": 3,
        "int32_tensor": 7,
        "bytes": 9,
    }
    tensor = value.float32_tensor
    assert {f.name: f.number for f in tensor.DESCRIPTOR.fields} == {
        "values": 1,
        "keys": 2,
        "shape": 3,
    }


def test_multi_part_records_are_joined_with_the_magic_number() -> None:
    """MXNet splits a record whose payload contains the magic number; the reader rejoins it."""
    payload = _record(_float32_value([1.0, 2.0]), None)
    cut = 6
    data = _framed(payload[:cut], flag=1) + _framed(payload[cut:], flag=3)
    joined = list(recordio.iter_payloads(io.BytesIO(data)))
    assert joined == [payload[:cut] + MAGIC + payload[cut:]]


# Bad input


def test_a_csv_file_is_not_recordio() -> None:
    with pytest.raises(recordio.RecordIOError, match="not the RecordIO magic number"):
        recordio.read_records(io.BytesIO(b"1,2,3\n4,5,6\n"))


def test_truncated_record_is_reported() -> None:
    data = recordio.dense_bytes(np.ones((2, 3)))
    with pytest.raises(recordio.RecordIOError, match="truncated"):
        recordio.read_records(io.BytesIO(data[:-6]))


def test_writers_check_their_arguments() -> None:
    with pytest.raises(ValueError, match="matrix"):
        recordio.write_dense(io.BytesIO(), np.ones(3))
    with pytest.raises(ValueError, match="labels for"):
        recordio.write_dense(io.BytesIO(), np.ones((3, 2)), np.ones(2))
    with pytest.raises(TypeError, match="sparse"):
        recordio.write_sparse(io.BytesIO(), np.ones((3, 2)))
