"""A data lake on S3: Hive-style partitions, listing, and emptying what a lab made.

A lake keeps zones as key prefixes (``raw/`` as it arrived, ``curated/`` cleaned and
columnar) and splits a table into partitions, one prefix per value of the partition
columns, written the Hive way::

    curated/retail/year=2024/month=03/part-00000.parquet

Athena, Glue crawlers, Spark and DuckDB read ``column=value`` folders as columns, so a
query that filters on them reads only the matching prefixes (partition pruning). The
partition columns live in the path, not in the files, as Hive writes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import pandas as pd

from labs import file_formats

__all__ = [
    "StoredObject",
    "delete_prefix",
    "empty_bucket",
    "hive_path",
    "list_objects",
    "partition_of",
    "write_partitioned",
]

_EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet", "recordio": "rec"}


@dataclass(frozen=True)
class StoredObject:
    """An object the lake wrote: its key, size in bytes and partition values."""

    key: str
    size: int
    partition: dict[str, str] = field(default_factory=dict)


def hive_path(values: Mapping[str, Any]) -> str:
    """``{"year": 2024, "month": "03"}`` -> ``"year=2024/month=03"`` (values URL-quoted)."""
    if not values:
        raise ValueError("A partition needs at least one column=value pair.")
    return "/".join(f"{name}={quote(str(value), safe='')}" for name, value in values.items())


def partition_of(key: str) -> dict[str, str]:
    """The ``column=value`` folders of an S3 key, in order: ``{"year": "2024", ...}``."""
    parts = key.split("/")[:-1]  # the last part is the file name
    found: dict[str, str] = {}
    for part in parts:
        name, sep, value = part.partition("=")
        if sep and name:
            found[name] = unquote(value)
    return found


def list_objects(s3: Any, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
    """Every object under ``prefix`` (all pages of ListObjectsV2), as S3 returns them."""
    found: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found.extend(page.get("Contents", []))
    return found


def write_partitioned(
    s3: Any,
    bucket: str,
    prefix: str,
    frame: pd.DataFrame,
    partition_cols: Sequence[str],
    *,
    file_format: str = "parquet",
    compression: str | None = "snappy",
    file_name: str = "part-00000",
    **put_args: Any,
) -> list[StoredObject]:
    """Write ``frame`` below ``s3://bucket/prefix/`` as one object per partition.

    Each group of equal ``partition_cols`` values becomes
    ``<prefix>/<col>=<value>/.../<file_name>.<ext>`` holding the group's rows without the
    partition columns (the path carries them). ``compression`` is the format's
    (:mod:`labs.file_formats`); pass ``None`` for CSV or JSON Lines without gzip. Extra
    keyword arguments go to every ``put_object`` (``ServerSideEncryption=...``).
    Returns the objects written, in partition order.
    """
    columns = list(partition_cols)
    missing = [c for c in columns if c not in frame.columns]
    if not columns or missing:
        raise ValueError(
            f"Partition by columns of the table; {missing or 'no columns'} given, "
            f"the table has {list(frame.columns)}."
        )
    gzipped = compression == "gzip" and file_format != "parquet"
    suffix = _EXTENSIONS[file_format] + (".gz" if gzipped else "")
    base = prefix.strip("/")
    written: list[StoredObject] = []
    for values, group in frame.groupby(columns, sort=True, observed=True):
        values = values if isinstance(values, tuple) else (values,)
        partition = {c: str(v) for c, v in zip(columns, values, strict=True)}
        body = file_formats.encode(
            group.drop(columns=columns), file_format, compression=compression
        )
        key = f"{base}/{hive_path(partition)}/{file_name}.{suffix}".lstrip("/")
        s3.put_object(Bucket=bucket, Key=key, Body=body, **put_args)
        written.append(StoredObject(key=key, size=len(body), partition=partition))
    return written


def delete_prefix(s3: Any, bucket: str, prefix: str) -> int:
    """Delete every current object under ``prefix``; returns how many were deleted."""
    keys = [item["Key"] for item in list_objects(s3, bucket, prefix)]
    for start in range(0, len(keys), 1000):
        batch = [{"Key": k} for k in keys[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    return len(keys)


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker in ``bucket`` (versioned or not).

    A versioned bucket keeps old versions after a plain delete, and S3 refuses to delete a
    bucket that still holds any: this removes them all. Returns how many were deleted.
    """
    doomed: list[dict[str, str]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
            doomed.append({"Key": item["Key"], "VersionId": item["VersionId"]})
    for start in range(0, len(doomed), 1000):
        batch = doomed[start : start + 1000]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    return len(doomed)
