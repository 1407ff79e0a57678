"""Exercises of notebook 01-2-ingestion-and-formats: the right file format for each
consumer, and a SQL query over the lake that reads only the partition it needs."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from labs import data, lake
from labs.exercises.core import CheckResult, CustomExercise

# ------------------------------------------------------------------ q1: format per consumer

_FORMATS = ("CSV", "JSON Lines", "Parquet", "RecordIO")
_FORMAT_ANSWERS = {"a": "RecordIO", "b": "JSON Lines", "c": "Parquet", "d": "CSV"}
CONSUMERS = {
    "a": "Linear Learner (built-in) trains in Pipe mode on 500 GB of numeric features and "
    "should get records it can use without parsing text.",
    "b": "DeepAR (built-in) trains on one time series per line, each an object with "
    "'start' and 'target'.",
    "c": "Analysts run Athena queries that read 3 of 40 columns; Athena bills per byte scanned.",
    "d": "Built-in XGBoost reads a training file with the label in the first column and no "
    "header, in a text format you can open in any editor.",
}
_FORMAT_CLUES = {
    "a": "Pipe mode and no text parsing point to the Amazon algorithms' binary record format.",
    "b": "One JSON object per line is a format of its own, and it is what DeepAR reads.",
    "c": "A columnar format lets Athena read only the 3 columns it needs, and compresses them.",
    "d": "Label first, no header, plain text: the format every built-in tabular algorithm "
    "reads as text/csv.",
}


def _format_of(choice: Any) -> str | None:
    if not isinstance(choice, str):
        return None
    flat = "".join(choice.lower().split()).replace("-", "").replace("_", "")
    aliases = {
        "csv": "CSV",
        "jsonlines": "JSON Lines",
        "jsonl": "JSON Lines",
        "ndjson": "JSON Lines",
        "parquet": "Parquet",
        "recordio": "RecordIO",
        "recordioprotobuf": "RecordIO",
        "protobuf": "RecordIO",
    }
    return aliases.get(flat)


def _check_formats(answer: Any) -> CheckResult:
    if not isinstance(answer, Mapping):
        return CheckResult.fail("Give a dict from letter to format, like {'a': 'CSV', ...}.")
    missing = [k for k in CONSUMERS if k not in answer]
    if missing:
        return CheckResult.fail(f"Answer every consumer: {', '.join(missing)} missing.")
    for key, expected in _FORMAT_ANSWERS.items():
        chosen = _format_of(answer[key])
        if chosen is None:
            return CheckResult.fail(
                f"Consumer {key}: {answer[key]!r} is not one of {', '.join(_FORMATS)}."
            )
        if chosen != expected:
            return CheckResult.fail(f"Consumer {key}: not {chosen}. {_FORMAT_CLUES[key]}")
    return CheckResult.ok(
        "RecordIO-protobuf for Pipe-mode Amazon algorithms, JSON Lines for DeepAR, Parquet "
        "for analytics, CSV (label first, no header) for the tabular built-ins."
    )


q1 = CustomExercise(
    title="The right format for each consumer",
    prompt=(
        "For each consumer in CONSUMERS pick CSV, JSON Lines, Parquet or RecordIO. Give a "
        "dict {'a': ..., 'b': ..., 'c': ..., 'd': ...}."
    ),
    check=_check_formats,
    hints=[
        "Think about who reads the file: an Amazon algorithm in Pipe mode, DeepAR, Athena, "
        "or a person and a text-based algorithm.",
        "Columnar = Parquet (read only some columns); binary records = RecordIO-protobuf; "
        "one JSON object per line = JSON Lines.",
        "DeepAR reads JSON Lines with 'start' and 'target' in each line.",
    ],
    solution="formats = {'a': 'RecordIO', 'b': 'JSON Lines', 'c': 'Parquet', 'd': 'CSV'}\n",
    reference=lambda: dict(_FORMAT_ANSWERS),
    typical_wrong=[
        {k: "CSV" for k in CONSUMERS},
        dict(_FORMAT_ANSWERS, a="Parquet"),
        dict(_FORMAT_ANSWERS, b="CSV"),
        dict(_FORMAT_ANSWERS, c="CSV"),
        dict(_FORMAT_ANSWERS, d="Avro"),
        ["RecordIO", "JSON Lines", "Parquet", "CSV"],
    ],
)


# ------------------------------------------------------------- q2: SQL with partition pruning

DATABASE = "labs_ingestion"
TABLE = "retail_sales"
PREFIX = "ingestion-and-formats/curated/retail_sales"

_PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
_PARQUET_IN = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
_PARQUET_OUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


def retail_partitioned() -> pd.DataFrame:
    """The retail table with ``year`` and ``month`` as zero-padded text, ready to partition."""
    frame = data.load("retail")
    frame["year"] = frame["date"].dt.strftime("%Y")
    frame["month"] = frame["date"].dt.strftime("%m")
    return frame


def _glue_columns(frame: pd.DataFrame) -> list[dict[str, str]]:
    kinds = {"datetime64": "timestamp", "float": "double", "int": "bigint"}
    columns = []
    for name, dtype in frame.dtypes.items():
        kind = next((v for k, v in kinds.items() if str(dtype).startswith(k)), "string")
        columns.append({"Name": str(name), "Type": kind})
    return columns


def ensure_table(lab: Any) -> str:
    """Make ``labs_ingestion.retail_sales`` (Parquet, partitioned by year and month) unless
    the Glue Data Catalog has it; returns its S3 location. What the notebook builds step by
    step, so the check works on its own too."""
    glue = lab.client("glue")
    try:
        return glue.get_table(DatabaseName=DATABASE, Name=TABLE)["Table"]["StorageDescriptor"][
            "Location"
        ]
    except glue.exceptions.EntityNotFoundException:
        pass
    frame = retail_partitioned()
    written = lake.write_partitioned(lab.client("s3"), lab.bucket, PREFIX, frame, ["year", "month"])
    location = lab.s3_uri(PREFIX) + "/"
    with contextlib.suppress(glue.exceptions.AlreadyExistsException):
        glue.create_database(DatabaseInput={"Name": DATABASE})
    descriptor = {
        "Columns": _glue_columns(frame.drop(columns=["year", "month"])),
        "Location": location,
        "InputFormat": _PARQUET_IN,
        "OutputFormat": _PARQUET_OUT,
        "SerdeInfo": {"SerializationLibrary": _PARQUET_SERDE},
    }
    glue.create_table(
        DatabaseName=DATABASE,
        TableInput={
            "Name": TABLE,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "PartitionKeys": [
                {"Name": "year", "Type": "string"},
                {"Name": "month", "Type": "string"},
            ],
            "StorageDescriptor": descriptor,
        },
    )
    partitions = [
        {
            "Values": [item.partition["year"], item.partition["month"]],
            "StorageDescriptor": dict(
                descriptor, Location=location + lake.hive_path(item.partition) + "/"
            ),
        }
        for item in written
    ]
    for start in range(0, len(partitions), 100):  # BatchCreatePartition takes 100 at a time
        glue.batch_create_partition(
            DatabaseName=DATABASE,
            TableName=TABLE,
            PartitionInputList=partitions[start : start + 100],
        )
    return location


def _totals(frame: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame.groupby("category")["units_sold"].sum().items()}


def _expected() -> dict[str, int]:
    frame = data.load("retail")
    march = frame[(frame["date"] >= "2024-03-01") & (frame["date"] < "2024-04-01")]
    return _totals(march)


def _every_march() -> dict[str, int]:
    frame = data.load("retail")
    return _totals(frame[frame["date"].dt.month == 3])


def _check_sql(answer: Any, lab: Any) -> CheckResult:
    from labs.lake_sql import LakeSQL

    if not isinstance(answer, str) or not answer.strip():
        return CheckResult.fail("Give the query as a string of SQL.")
    bucket, _, prefix = ensure_table(lab).removeprefix("s3://").partition("/")
    total = len(lake.list_objects(lab.client("s3"), bucket, prefix))
    engine = LakeSQL(lab.client("s3"))
    try:
        engine.register_glue_table(lab.client("glue"), DATABASE, TABLE)
        try:
            result = engine.sql(answer)
        except Exception as error:
            message = str(error).splitlines()[0]
            return CheckResult.fail(f"The query did not run: {message}")
    finally:
        engine.close()
    frame = result.frame
    if frame.shape[1] != 2:
        return CheckResult.fail(
            f"The query returns {frame.shape[1]} column(s); return two: category and units."
        )
    try:
        got = {str(k): int(v) for k, v in zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True)}
    except (TypeError, ValueError):
        return CheckResult.fail("The first column must be the category, the second a number.")
    if got == _every_march():
        return CheckResult.fail(
            "Those are the totals of March in every year (2022, 2023 and 2024): the month "
            "partition alone is not enough, filter on year too."
        )
    if got != _expected():
        return CheckResult.fail(
            f"Your totals per category are {got}, not those of March 2024. Filter on the "
            "partition columns year = '2024' and month = '03' and sum units_sold per category."
        )
    if result.objects_read > 2:
        return CheckResult.fail(
            f"The numbers are right, but the query read {result.objects_read} objects "
            f"({result.bytes_scanned:,} bytes): the engine opened every partition instead of "
            "skipping them by their folder names. Filter on the partition columns themselves, "
            "compared with their text values: year = '2024' AND month = '03' (a filter on the "
            "date column, or on a cast of year and month, makes this engine open every file)."
        )
    return CheckResult.ok(
        f"Right totals, from {result.bytes_scanned:,} bytes: the engine skipped the other "
        f"{total - 1} year/month partitions (DuckDB also opened one other file to learn the "
        "columns)."
    )


_REFERENCE_SQL = (
    "SELECT category, sum(units_sold) AS units\n"
    f"FROM {DATABASE}.{TABLE}\n"
    "WHERE year = '2024' AND month = '03'\n"
    "GROUP BY category\n"
    "ORDER BY category"
)

q2 = CustomExercise(
    title="A query that reads one partition",
    prompt=(
        f"Write SQL over {DATABASE}.{TABLE} that returns the units sold per category in "
        "March 2024 (two columns: category, units), reading only that month's partition."
    ),
    check=_check_sql,
    hints=[
        "The table's partition columns are year and month, both text: '2024' and '03'.",
        "A WHERE on the partition columns lets the engine skip whole prefixes; a WHERE on "
        "the date column makes it open every file to look inside.",
        "SELECT category, sum(units_sold) AS units FROM ... WHERE year = '2024' AND "
        "month = '03' GROUP BY category",
    ],
    solution=f"sql = '''\n{_REFERENCE_SQL}\n'''\n",
    explanation=(
        "On Athena the same query is billed for the bytes of one partition instead of the "
        "whole table; partition on the columns your queries filter by."
    ),
    reference=lambda: _REFERENCE_SQL,
    typical_wrong=[
        _REFERENCE_SQL.replace(
            "year = '2024' AND month = '03'", "date >= '2024-03-01' AND date < '2024-04-01'"
        ),
        _REFERENCE_SQL.replace("year = '2024' AND ", ""),
        "SELECT category FROM labs_ingestion.retail_sales",
        "SELEC category FROM nowhere",
        42,
    ],
)
