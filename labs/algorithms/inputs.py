"""Reading a training channel's files the way SageMaker's built-in algorithms do.

A channel is a folder; every file in it (recursively, sorted by path) is data, except
names starting with ``.`` or ``_`` (``.DS_Store``, Spark's ``_SUCCESS``), as in the
algorithms' containers. The content type decides the parser:

- ``text/csv`` (``;label_size=N`` optional): numbers only, no header, the first
  ``label_size`` columns are the label (the default depends on the algorithm: 1 for
  supervised algorithms, 0 for unsupervised ones). Empty cells are missing values,
  allowed only where the algorithm allows them (XGBoost).
- ``text/libsvm``: ``<label>[:<weight>] [qid:<id>] <index>:<value> ...`` with zero-based
  indexes, as XGBoost reads it.
- ``application/x-recordio-protobuf``: :mod:`labs.algorithms.recordio`.
- ``application/x-parquet`` (XGBoost): a table whose first column is the label.

Problems are :class:`~labs.algorithms.base.AlgorithmError` naming the file, the line and
what to change (a header row, a word where a number belongs, rows of unequal length, an
empty channel, a file in another format than the content type says).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from labs.algorithms import recordio
from labs.algorithms.base import AlgorithmError, Channel, client_error

CSV = "text/csv"
LIBSVM = "text/libsvm"
RECORDIO = "application/x-recordio-protobuf"
PARQUET = "application/x-parquet"

#: Other spellings of the same content types that SageMaker algorithms accept.
ALIASES = {
    "csv": CSV,
    "libsvm": LIBSVM,
    "text/x-libsvm": LIBSVM,
    "recordio-protobuf": RECORDIO,
    "application/x-recordio": RECORDIO,
    "parquet": PARQUET,
}

_EXAMPLE = 20  # characters of a bad line quoted in a message


@dataclass
class Dataset:
    """The data of one channel: features, labels and where they came from."""

    X: Any
    y: np.ndarray | None
    content_type: str
    files: list[Path]
    weights: np.ndarray | None = None
    qid: np.ndarray | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Number of records."""
        return int(self.X.shape[0])

    @property
    def columns(self) -> int:
        """Number of features."""
        return int(self.X.shape[1])

    def dense(self) -> np.ndarray:
        """The features as a dense float array (sparse input is expanded)."""
        return self.X.toarray() if sparse.issparse(self.X) else np.asarray(self.X)


def parse_content_type(
    raw: str | None, accepted: Sequence[str], algorithm: str, channel: str = "train"
) -> tuple[str, dict[str, str]]:
    """The canonical content type and its parameters, e.g. ``("text/csv", {"label_size": "1"})``.

    ``None`` means the algorithm's default, ``accepted[0]``. A type not in ``accepted``
    is an AlgorithmError listing the supported ones.
    """
    if raw is None or not str(raw).strip():
        return accepted[0], {}
    parts = [p.strip() for p in str(raw).split(";")]
    base = parts[0].lower()
    base = ALIASES.get(base, base)
    params: dict[str, str] = {}
    for part in parts[1:]:
        if not part:
            continue
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip("\"'")
    if base not in accepted:
        raise client_error(
            f"Content type {raw} is not supported by this algorithm ({algorithm}, channel "
            f"{channel!r}). Supported: {', '.join(accepted)}"
        )
    return base, params


def data_files(folder: Path) -> list[Path]:
    """The data files under ``folder``, recursively, sorted; hidden and ``_`` files skipped."""
    folder = Path(folder)
    if folder.is_file():
        return [folder]
    if not folder.exists():
        return []
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(p.startswith((".", "_")) for p in relative.parts):
            continue
        files.append(path)
    return files


def read_channel(
    channel: Channel,
    accepted: Sequence[str],
    algorithm: str,
    *,
    label_size: int = 1,
    allow_missing: bool = False,
    csv_weights: bool = False,
) -> Dataset:
    """Read every file of ``channel`` as its content type says.

    ``label_size`` is the CSV default when the content type has no ``label_size``;
    ``allow_missing`` lets empty CSV cells through as NaN; ``csv_weights`` takes the
    column after the label as instance weights (XGBoost's ``csv_weights=1``).
    """
    content_type, params = parse_content_type(
        channel.content_type, accepted, algorithm, channel.name
    )
    files = data_files(channel.path)
    if not files:
        raise client_error(
            f"No data in channel {channel.name!r}: the folder {channel.path} holds no data "
            "files. Check the channel's S3 prefix."
        )
    defaulted = channel.content_type is None or not str(channel.content_type).strip()
    hint = _default_hint(content_type, algorithm) if defaulted else ""
    try:
        if content_type == CSV:
            size = _label_size(params, label_size)
            return _read_csv(files, channel, size, allow_missing, csv_weights, params, hint)
        if content_type == LIBSVM:
            return _read_libsvm(files, channel, hint)
        if content_type == RECORDIO:
            return _read_recordio(files, channel, hint)
        if content_type == PARQUET:
            return _read_parquet(files, channel, allow_missing)
    except AlgorithmError:
        raise
    raise client_error(f"Content type {content_type} has no reader in the local stand-in")


def _default_hint(content_type: str, algorithm: str) -> str:
    return (
        f" The channel has no ContentType, so {algorithm} read it as its default, "
        f"{content_type}; if the files are CSV, set content_type='text/csv' on the channel."
    )


def _label_size(params: dict[str, str], default: int) -> int:
    if "label_size" not in params:
        return default
    try:
        size = int(params["label_size"])
    except ValueError:
        raise client_error(
            f"label_size={params['label_size']!r} in the content type is not a number"
        ) from None
    if size not in (0, 1):
        raise client_error(f"label_size={size} is not supported: use label_size=0 or 1")
    return size


# CSV


def _read_csv(
    files: list[Path],
    channel: Channel,
    label_size: int,
    allow_missing: bool,
    csv_weights: bool,
    params: dict[str, str],
    hint: str,
) -> Dataset:
    blocks = []
    width = None
    first_file = files[0]
    for path in files:
        block = _parse_csv_file(path, channel, allow_missing, hint)
        if block is None:
            continue
        if width is not None and block.shape[1] != width:
            raise client_error(
                f"Unable to parse CSV data in channel {channel.name!r}: file {path.name!r} has "
                f"{block.shape[1]} columns but {first_file.name!r} has {width}. All files of "
                "a channel must have the same columns."
            )
        width = block.shape[1]
        blocks.append(block)
    if not blocks:
        raise client_error(f"No data in channel {channel.name!r}: every file is empty.")
    data = np.vstack(blocks)
    first_feature = label_size + (1 if csv_weights else 0)
    if data.shape[1] <= first_feature:
        raise client_error(
            f"Unable to parse CSV data in channel {channel.name!r}: rows have {data.shape[1]} "
            f"column(s), which leaves no feature columns after the label."
        )
    y = data[:, 0] if label_size else None
    if y is not None and np.isnan(y).any():
        row = int(np.flatnonzero(np.isnan(y))[0])
        raise client_error(
            f"Unable to parse CSV data in channel {channel.name!r}: the label (first column) "
            f"of data row {row + 1} is empty."
        )
    weights = data[:, label_size] if csv_weights else None
    return Dataset(data[:, first_feature:], y, CSV, files, weights=weights, params=params)


def _parse_csv_file(
    path: Path, channel: Channel, allow_missing: bool, hint: str
) -> np.ndarray | None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.splitlines()
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    if not numbered:
        return None
    where = f"Unable to parse CSV data in channel {channel.name!r}: file {path.name!r}"
    expected = numbered[0][1].count(",")
    for number, line in numbered:
        if line.count(",") != expected:
            raise client_error(
                f"{where}, line {number} has {line.count(',') + 1} columns but line "
                f"{numbered[0][0]} has {expected + 1}. Every row needs the same number of "
                "columns."
            )
    try:
        frame = pd.read_csv(io.StringIO(text), header=None, dtype=np.float64, skip_blank_lines=True)
        data = frame.to_numpy(dtype=np.float64)
    except (ValueError, TypeError):
        _raise_first_bad_cell(numbered, where, hint)
        raise  # unreachable: the scan always finds the culprit
    if not allow_missing and np.isnan(data).any():
        row, column = (int(v[0]) for v in np.nonzero(np.isnan(data)))
        number = numbered[row][0]
        raise client_error(
            f"{where}, line {number}, column {column + 1}: missing value. This algorithm "
            "does not accept missing values: impute or drop them before training."
        )
    return data


def _raise_first_bad_cell(numbered: list[tuple[int, str]], where: str, hint: str) -> None:
    for position, (number, line) in enumerate(numbered):
        for column, cell in enumerate(line.split(",")):
            value = cell.strip()
            if value == "" or _is_number(value):
                continue
            if position == 0 and not any(_is_number(c.strip()) for c in line.split(",")):
                raise client_error(
                    f"{where}, line {number}: {line[:60]!r} looks like a header row. "
                    "SageMaker built-in algorithms read CSV without a header: write the "
                    f"file with header=False.{hint}"
                )
            raise client_error(
                f"{where}, line {number}, column {column + 1}: {value[:_EXAMPLE]!r} is not a "
                "number. Built-in algorithms need numeric CSV: encode categorical columns "
                f"as numbers first.{hint}"
            )
    raise client_error(f"{where}: the data could not be read as numeric CSV.{hint}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# libsvm


def _read_libsvm(files: list[Path], channel: Channel, hint: str) -> Dataset:
    labels: list[float] = []
    weights: list[float] = []
    qids: list[int] = []
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            content = line.split("#", 1)[0].strip()
            if not content:
                continue
            label, weight, qid, pairs = _libsvm_line(content, path, number, channel, hint)
            labels.append(label)
            weights.append(weight)
            if qid is not None:
                qids.append(qid)
            for index, value in pairs:
                indices.append(index)
                data.append(value)
            indptr.append(len(indices))
    if not labels:
        raise client_error(f"No data in channel {channel.name!r}: every file is empty.")
    if qids and len(qids) != len(labels):
        raise client_error(f"Channel {channel.name!r}: qid is given on some lines but not all.")
    width = (max(indices) + 1) if indices else 0
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices), np.asarray(indptr)),
        shape=(len(labels), width),
    )
    w = np.asarray(weights, dtype=np.float32)
    return Dataset(
        matrix,
        np.asarray(labels, dtype=np.float32),
        LIBSVM,
        files,
        weights=None if np.all(w == 1.0) else w,
        qid=np.asarray(qids) if qids else None,
    )


def _libsvm_line(
    content: str, path: Path, number: int, channel: Channel, hint: str
) -> tuple[float, float, int | None, list[tuple[int, float]]]:
    tokens = content.split()

    def fail() -> AlgorithmError:
        return client_error(
            f"Unable to parse libsvm data in channel {channel.name!r}: line {number} "
            f"{content[:50]!r} of file {path.name!r} is not 'LIBSVM' format "
            f"(<label>[:<weight>] <index>:<value> ..., zero-based indexes).{hint}"
        )

    head = tokens[0].split(":")
    if len(head) > 2 or not all(_is_number(h) for h in head):
        raise fail()
    label = float(head[0])
    weight = float(head[1]) if len(head) == 2 else 1.0
    qid = None
    pairs = []
    for token in tokens[1:]:
        key, sep, value = token.partition(":")
        if not sep or not _is_number(value):
            raise fail()
        if key == "qid":
            qid = int(float(value))
            continue
        if not key.isdigit():
            raise fail()
        parsed = float(value)
        if math.isnan(parsed):
            continue
        pairs.append((int(key), parsed))
    return label, weight, qid, pairs


# RecordIO-protobuf and Parquet


def _read_recordio(files: list[Path], channel: Channel, hint: str) -> Dataset:
    matrices = []
    labels = []
    for path in files:
        try:
            X, y = recordio.read_records(path)
        except recordio.RecordIOError as error:
            message = str(error).replace(str(path), repr(path.name))
            raise client_error(
                f"Unable to read data channel {channel.name!r}: {message}.{hint}"
            ) from None
        if X.shape[0] == 0:
            continue
        matrices.append(X)
        labels.append(y)
    if not matrices:
        raise client_error(f"No data in channel {channel.name!r}: every file is empty.")
    if any(y is None for y in labels) and not all(y is None for y in labels):
        raise client_error(f"Channel {channel.name!r}: some files have labels and some do not.")
    if any(sparse.issparse(m) for m in matrices):
        width = max(m.shape[1] for m in matrices)
        X = sparse.vstack([_resize(sparse.csr_matrix(m), width) for m in matrices]).tocsr()
    else:
        widths = {m.shape[1] for m in matrices}
        if len(widths) > 1:
            raise client_error(
                f"Channel {channel.name!r}: the files have different numbers of features "
                f"({', '.join(str(w) for w in sorted(widths))})."
            )
        X = np.vstack(matrices)
    y = None if labels[0] is None else np.concatenate(labels)
    return Dataset(X, y, RECORDIO, files)


def _resize(matrix: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    matrix.resize((matrix.shape[0], width))
    return matrix


def _read_parquet(files: list[Path], channel: Channel, allow_missing: bool) -> Dataset:
    frames = []
    for path in files:
        try:
            frames.append(pd.read_parquet(path))
        except Exception as error:  # pyarrow raises several types
            raise client_error(
                f"Failed to load parquet data in channel {channel.name!r}: file "
                f"{path.name!r}: {error}"
            ) from None
    frame = pd.concat(frames, ignore_index=True)
    try:
        data = frame.to_numpy(dtype=np.float64)
    except (ValueError, TypeError):
        bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        raise client_error(
            f"Parquet data in channel {channel.name!r} has non-numeric columns: {bad}"
        ) from None
    if not allow_missing and np.isnan(data).any():
        raise client_error(f"Parquet data in channel {channel.name!r} has missing values.")
    return Dataset(data[:, 1:], data[:, 0], PARQUET, files)


def check_feature_dim(data: Dataset, feature_dim: int, channel: str, label_hint: bool) -> None:
    """AlgorithmError when the data's feature count is not the ``feature_dim`` hyperparameter."""
    if data.columns == feature_dim:
        return
    hint = ""
    if data.content_type == CSV and label_hint:
        hint = (
            " For CSV the first label_size columns are labels: use content type "
            "'text/csv;label_size=0' when the file has no label column, or "
            "'text/csv;label_size=1' when its first column is the label."
        )
    raise client_error(
        f"The data in channel {channel!r} has {data.columns} features, but the "
        f"hyperparameter feature_dim is {feature_dim}.{hint}"
    )
