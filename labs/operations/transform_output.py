"""Read what a batch transform job wrote, and how long it ran.

A transform job writes one ``<input object>.out`` per input object below its
``S3OutputPath``; with ``AssembleWith: Line`` each answer is a line. The job's run time is
``TransformEndTime - TransformStartTime`` of ``DescribeTransformJob``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["read_csv_outputs", "run_seconds"]


def read_csv_outputs(s3: Any, output_uri: str, columns: Sequence[str]) -> pd.DataFrame:
    """Every ``.out`` object below ``output_uri`` as one table, in key order.

    The objects are CSV lines without a header; ``columns`` names their fields. Raises
    ``ValueError`` when there is no ``.out`` object (the job has not finished, or failed)
    or a line has another number of fields.
    """
    bucket, _, prefix = output_uri.removeprefix("s3://").partition("/")
    prefix = prefix.rstrip("/") + "/" if prefix else ""
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", []) if item["Key"].endswith(".out")]
    if not keys:
        raise ValueError(f"no .out objects below {output_uri}: has the job completed?")
    tables = []
    for key in sorted(keys):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        table = pd.read_csv(io.BytesIO(body), header=None)
        if table.shape[1] != len(columns):
            raise ValueError(
                f"{key} has {table.shape[1]} fields per line, not {len(columns)} "
                f"({', '.join(columns)}): check the job's OutputFilter"
            )
        table.columns = list(columns)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def run_seconds(description: dict[str, Any]) -> float:
    """Seconds from ``TransformStartTime`` to ``TransformEndTime`` of a finished job."""
    start, end = description.get("TransformStartTime"), description.get("TransformEndTime")
    if start is None or end is None:
        status = description.get("TransformJobStatus", "?")
        raise ValueError(f"the job has no start and end time yet (it is {status})")
    return (end - start).total_seconds()
