"""SQL over the S3 data lake, run here with DuckDB: the labs' stand-in for Athena.

Athena runs SQL over files in S3, with table definitions from the Glue Data Catalog, and
bills by the bytes it reads from S3. The local AWS (moto) records Athena queries but does
not execute them, so the labs run the same SQL with DuckDB (an in-process SQL engine)
reading the same S3 objects through boto3, and count every byte it fetches:

>>> lake = LakeSQL(lab.client("s3"))
>>> lake.register_glue_table(lab.client("glue"), "labs_lake", "retail_sales")
>>> result = lake.sql("SELECT store_id, sum(units_sold) FROM labs_lake.retail_sales "
...                   "WHERE year = '2024' AND month = '03' GROUP BY store_id")
>>> result.frame, result.bytes_scanned, result.objects_read

DuckDB reads S3 with ranged GETs through :class:`CountingS3` (an fsspec file system over
boto3, protocol ``labs3://``), so the byte count shows what columnar formats and partition
pruning save: a Parquet query reads the footer and the column chunks it needs, and a
filter on Hive partition columns skips whole objects, as Athena does. The numbers are
DuckDB's, not Athena's (Athena has its own reader and a 10 MB minimum per query), but the
effects are the same. DuckDB's extension auto-install is off: nothing is downloaded.
"""

from __future__ import annotations

import datetime
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import fsspec
import pandas as pd
from fsspec.spec import AbstractBufferedFile

__all__ = ["CountingS3", "LakeSQL", "QueryResult"]

PROTOCOL = "labs3"

#: Glue / Hive column types -> DuckDB types (for partition columns, which live in paths).
_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _split(path: str) -> tuple[str, str]:
    path = path.removeprefix(f"{PROTOCOL}://").removeprefix("s3://").lstrip("/")
    bucket, _, key = path.partition("/")
    return bucket, key


class _RangedFile(AbstractBufferedFile):
    """A read-only S3 object read with ranged GETs; every byte fetched is counted."""

    def _fetch_range(self, start: int, end: int) -> bytes:
        return self.fs._get_range(self.path, start, end)


class CountingS3(fsspec.AbstractFileSystem):
    """Read-only S3 as an fsspec file system over a boto3 client, counting what it reads.

    ``bytes_read`` and ``get_requests`` add up the ranged GETs; ``objects_read`` is the set
    of keys read from. :meth:`reset` zeroes them. Paths are ``labs3://bucket/key``.
    """

    protocol = PROTOCOL
    cachable = False

    def __init__(self, s3: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.s3 = s3
        self._lock = threading.Lock()
        self.bytes_read = 0
        self.get_requests = 0
        self.objects_read: set[str] = set()

    def reset(self) -> None:
        """Zero the counters (before each query)."""
        with self._lock:
            self.bytes_read = 0
            self.get_requests = 0
            self.objects_read = set()

    def _get_range(self, path: str, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        bucket, key = _split(path)
        body = self.s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{end - 1}")
        data = body["Body"].read()
        with self._lock:
            self.bytes_read += len(data)
            self.get_requests += 1
            self.objects_read.add(f"{bucket}/{key}")
        return data

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        """The objects and common prefixes one level below ``path``."""
        bucket, key = _split(path)
        prefix = key.rstrip("/") + "/" if key else ""
        entries: list[dict[str, Any]] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                name = f"{bucket}/{common['Prefix'].rstrip('/')}"
                entries.append({"name": name, "size": 0, "type": "directory"})
            for item in page.get("Contents", []):
                if item["Key"] == prefix:
                    continue
                name = f"{bucket}/{item['Key']}"
                entries.append(
                    {
                        "name": name,
                        "size": item["Size"],
                        "type": "file",
                        "LastModified": item["LastModified"],
                    }
                )
        if not entries and key:
            info = self._object_info(bucket, key)
            if info is not None:
                entries = [info]
        return entries if detail else [e["name"] for e in entries]

    def _object_info(self, bucket: str, key: str) -> dict[str, Any] | None:
        try:
            head = self.s3.head_object(Bucket=bucket, Key=key)
        except Exception:
            return None
        return {
            "name": f"{bucket}/{key}",
            "size": head["ContentLength"],
            "type": "file",
            "LastModified": head["LastModified"],
        }

    def modified(self, path: str) -> datetime.datetime:
        """When the object was last written (DuckDB asks, to cache file metadata)."""
        bucket, key = _split(path)
        found = self._object_info(bucket, key)
        if found is None:
            raise FileNotFoundError(path)
        return found["LastModified"]

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """Size and type of an object, or a "directory" for a prefix that holds objects."""
        bucket, key = _split(path)
        found = self._object_info(bucket, key) if key else None
        if found is not None:
            return found
        listed = self.s3.list_objects_v2(Bucket=bucket, Prefix=key.rstrip("/") + "/", MaxKeys=1)
        if listed.get("KeyCount", 0) or not key:
            return {"name": f"{bucket}/{key}".rstrip("/"), "size": 0, "type": "directory"}
        raise FileNotFoundError(path)

    def _open(self, path: str, mode: str = "rb", block_size: Any = None, **kwargs: Any) -> Any:
        if mode != "rb":
            raise PermissionError("The lake's SQL engine reads S3; it never writes.")
        return _RangedFile(self, path, mode="rb", cache_type="none", size=self.info(path)["size"])


@dataclass
class QueryResult:
    """A query's rows and what it cost to read them."""

    frame: pd.DataFrame
    bytes_scanned: int
    objects_read: int
    get_requests: int
    seconds: float
    keys: list[str] = field(default_factory=list, repr=False)


class LakeSQL:
    """DuckDB over S3 objects, with tables defined by hand or from the Glue Data Catalog.

    Args:
        s3: a boto3 S3 client (the lab's: ``lab.client("s3")``).
        threads: DuckDB worker threads (1 keeps the byte counts and timings steady).
    """

    def __init__(self, s3: Any, *, threads: int = 1) -> None:
        import duckdb

        self.fs = CountingS3(s3)
        self.connection = duckdb.connect(
            config={
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "threads": threads,
            }
        )
        self.connection.register_filesystem(self.fs)
        self.tables: dict[str, str] = {}

    def register_table(
        self,
        name: str,
        location: str,
        file_format: str,
        *,
        partition_types: Mapping[str, str] | None = None,
    ) -> str:
        """Define ``name`` (``"table"`` or ``"schema.table"``) over the objects at
        ``location`` (``s3://bucket/prefix/``) in ``file_format`` (``"parquet"``, ``"csv"``
        or ``"jsonl"``). ``partition_types`` names the Hive partition columns in path order
        with their Glue types (``{"year": "string"}``); their folders are read as columns.
        Returns the SQL that defines the view.
        """
        for part in name.split("."):
            if not _IDENTIFIER.match(part):
                raise ValueError(f"{name!r} is not a plain table name (letters, digits, _).")
        if not location.startswith("s3://"):
            raise ValueError(f"The location must be an s3:// URI, not {location!r}.")
        depth = len(partition_types or {})
        pattern = f"{PROTOCOL}://" + location.removeprefix("s3://").rstrip("/")
        pattern += "/*" * depth + "/*"
        if file_format == "parquet":
            reader = f"read_parquet('{pattern}'"
        elif file_format == "csv":
            reader = f"read_csv('{pattern}', header=true"
        elif file_format == "jsonl":
            reader = f"read_json('{pattern}', format='newline_delimited'"
        else:
            raise ValueError(f"Unknown format {file_format!r}: parquet, csv or jsonl.")
        if depth:
            types = ", ".join(
                f"'{column}': {_DUCKDB_TYPES.get(kind.lower(), 'VARCHAR')}"
                for column, kind in (partition_types or {}).items()
            )
            reader += f", hive_partitioning=true, hive_types={{{types}}}"
        else:
            reader += ", hive_partitioning=false"
        reader += ")"
        if "." in name:
            self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
        statement = f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {reader}"
        self.connection.execute(statement)
        self.tables[name] = statement
        return statement

    def register_glue_table(self, glue: Any, database: str, table: str) -> str:
        """Define ``database.table`` from its Glue Data Catalog entry: location, format
        (from the SerDe or input format) and partition keys. Returns the view's SQL."""
        described = glue.get_table(DatabaseName=database, Name=table)["Table"]
        descriptor = described.get("StorageDescriptor") or {}
        serde = ((descriptor.get("SerdeInfo") or {}).get("SerializationLibrary") or "").lower()
        input_format = (descriptor.get("InputFormat") or "").lower()
        classification = (described.get("Parameters") or {}).get("classification", "").lower()
        if "parquet" in serde or "parquet" in input_format or classification == "parquet":
            file_format = "parquet"
        elif "json" in serde or classification == "json":
            file_format = "jsonl"
        else:
            file_format = "csv"
        partitions = {
            k["Name"]: k.get("Type", "string") for k in described.get("PartitionKeys", [])
        }
        return self.register_table(
            f"{database}.{table}",
            descriptor["Location"],
            file_format,
            partition_types=partitions,
        )

    def sql(self, query: str) -> QueryResult:
        """Run ``query``; return its rows and the bytes, objects and GETs it read from S3."""
        self.fs.reset()
        start = time.perf_counter()
        frame = self.connection.execute(query).df()
        seconds = time.perf_counter() - start
        return QueryResult(
            frame=frame,
            bytes_scanned=self.fs.bytes_read,
            objects_read=len(self.fs.objects_read),
            get_requests=self.fs.get_requests,
            seconds=seconds,
            keys=sorted(self.fs.objects_read),
        )

    def close(self) -> None:
        """Close the DuckDB connection."""
        self.connection.close()
