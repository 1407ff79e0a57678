"""Records of a batch transform: splitting an input object, mini-batches, joins, assembly.

What the developer guide says a transform job does with the data, as pure functions
(:mod:`labs.runtime.transform` does the I/O):

- **Split** (``SplitType``): ``None`` keeps the object whole (one record); ``Line`` makes
  each non-empty line a record; ``RecordIO`` each MXNet RecordIO record (its framing is
  kept, so a mini-batch is still valid RecordIO).
- **Mini-batches** (``BatchStrategy``): ``SingleRecord`` sends one record per request;
  ``MultiRecord`` as many consecutive records as fit in ``MaxPayloadInMB``. A record
  larger than the limit fails its object. Records of different objects never share a
  request.
- **Data processing**: a record is decoded as a CSV row (an array of strings, RFC 4180)
  or a JSON value, filtered, and encoded back. ``JoinSource: Input`` appends the output
  to a CSV row, or puts it under ``SageMakerOutput`` in a JSON object (a record that is
  not an object becomes ``{"SageMakerInput": ..., "SageMakerOutput": ...}``).
- **Assembly** (``AssembleWith``): ``Line`` ends every result with a newline, ``None``
  concatenates the results as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from labs.algorithms import recordio
from labs.runtime.serving.protocol import media_type

CSV = "csv"
JSON = "json"
_JSON_TYPES = ("application/json", "application/jsonlines", "application/x-jsonlines")


class RecordError(ValueError):
    """A record, a mini-batch or an answer that batch transform cannot handle."""


@dataclass(frozen=True)
class Record:
    """One record of an input object: where it came from and its bytes (no line end)."""

    number: int  # 1-based: the line number for Line, the record number for RecordIO
    data: bytes


def data_format(content_type: str | None) -> str | None:
    """``"csv"`` for ``text/csv``, ``"json"`` for JSON and JSON Lines, else None."""
    kind, _ = media_type(content_type)
    if kind == "text/csv":
        return CSV
    if kind in _JSON_TYPES:
        return JSON
    return None


def split(body: bytes, split_type: str) -> list[Record]:
    """The records of one input object for ``SplitType`` None, Line or RecordIO."""
    if split_type == "Line":
        lines = enumerate(body.split(b"\n"), start=1)
        return [Record(number, line.rstrip(b"\r")) for number, line in lines if line.strip()]
    if split_type == "RecordIO":
        try:
            payloads = list(recordio.iter_payloads(io.BytesIO(body)))
        except recordio.RecordIOError as error:
            raise RecordError(str(error)) from None
        records = []
        for number, payload in enumerate(payloads, start=1):
            framed = io.BytesIO()
            recordio.write_recordio(framed, payload)
            records.append(Record(number, framed.getvalue()))
        return records
    if split_type in ("None", ""):
        return [Record(1, body)] if body else []
    raise RecordError(
        f"SplitType {split_type} is not supported by the local runtime (None, Line and "
        "RecordIO are)."
    )


def separator(split_type: str) -> bytes:
    """What goes between (and after) records in a request body."""
    return b"\n" if split_type == "Line" else b""


def mini_batches(sizes: Sequence[int], multi_record: bool, limit: int | None) -> list[range]:
    """Group record indexes into requests: one each, or as many as fit in ``limit`` bytes.

    ``sizes`` are the records' sizes in the request body, separator included; ``limit``
    None means no limit. Raises RecordError naming the first record that cannot fit.
    """
    batches: list[range] = []
    start, total = 0, 0
    for index, size in enumerate(sizes):
        if limit is not None and size > limit:
            raise RecordError(f"record {index + 1} is {size} bytes, over the {limit}-byte limit")
        if not multi_record:
            batches.append(range(index, index + 1))
            continue
        if index > start and limit is not None and total + size > limit:
            batches.append(range(start, index))
            start, total = index, 0
        total += size
    if multi_record and start < len(sizes):
        batches.append(range(start, len(sizes)))
    return batches


# Decoding and encoding for data processing


def decode(data: bytes, kind: str) -> Any:
    """A record as a CSV row (list of strings) or a JSON value."""
    try:
        text = data.decode("utf-8").strip("\r\n")
    except UnicodeDecodeError as error:
        raise RecordError(f"the record is not UTF-8 text ({error})") from None
    if kind == CSV:
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) != 1:
            raise RecordError(
                "a CSV record must be exactly one row (batch transform does not allow "
                "embedded newlines in CSV)"
            )
        return rows[0]
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RecordError(f"the record is not valid JSON ({error})") from None


def encode(value: Any, kind: str) -> bytes:
    """A CSV row (a list, or one value) or a JSON value, as one line of bytes."""
    if kind == CSV:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(_cells(value))
        return buffer.getvalue().encode("utf-8")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _cells(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values]


def output_value(data: bytes, kind: str | None, input_kind: str) -> Any:
    """One record's answer, decoded so it can be joined with an ``input_kind`` record.

    A CSV answer stays a row of strings for a CSV input; for a JSON input a one-cell row
    becomes its value (a number when it reads as one), a longer row a list.
    """
    if kind == JSON:
        return decode(data, JSON)
    row = decode(data, CSV)
    if input_kind == CSV:
        return row
    values = [_scalar(cell) for cell in row]
    return values[0] if len(values) == 1 else values


def _scalar(cell: str) -> Any:
    try:
        value = json.loads(cell)
    except json.JSONDecodeError:
        return cell
    return value if isinstance(value, (int, float)) else cell


def join(record: Any, output: Any, input_kind: str) -> Any:
    """``JoinSource: Input``: the input record with its output attached."""
    if input_kind == CSV:
        return list(record) + _cells(output)
    if isinstance(record, dict):
        return {**record, "SageMakerOutput": output}
    return {"SageMakerInput": record, "SageMakerOutput": output}


# Answers


def split_answer(body: bytes, content_type: str | None, count: int) -> list[bytes]:
    """One answer to ``count`` records, cut into one output per record.

    One record: the whole answer. Several: one non-empty line each, or, for a JSON answer,
    an array (or an object holding one array) with one element each. Anything else cannot
    be matched with its records.
    """
    if count == 1:
        return [body.strip()]
    lines = [line.strip() for line in body.split(b"\n") if line.strip()]
    if len(lines) == count:
        return lines
    if data_format(content_type) == JSON:
        try:
            document = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            document = None
        if isinstance(document, dict) and len(document) == 1:
            document = next(iter(document.values()))
        if isinstance(document, list) and len(document) == count:
            return [encode(item, JSON) for item in document]
    raise RecordError(
        f"the model answered {len(lines)} line(s) for {count} records, so the results "
        "cannot be matched with their input records"
    )


def assemble(results: Sequence[bytes], assemble_with: str) -> bytes:
    """The ``.out`` object: results each ending with a newline (Line), or concatenated."""
    if assemble_with == "Line":
        return b"".join(result.rstrip(b"\r\n") + b"\n" for result in results if result.strip())
    return b"".join(results)
