"""Reading and writing the monitor's JSON files in S3."""

from __future__ import annotations

import json
from typing import Any

from labs.runtime.monitoring.errors import MonitoringError


def join(prefix: str, name: str) -> str:
    """``prefix`` (an s3:// folder) joined with a file ``name``."""
    return f"{prefix.rstrip('/')}/{name}"


def split(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> ``("bucket", "key")``; a clear error for anything else."""
    if not isinstance(uri, str) or not uri.startswith("s3://") or len(uri) <= 5:
        raise MonitoringError(f"{uri!r} is not an S3 URI (s3://bucket/prefix).")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def put_json(s3: Any, uri: str, body: Any) -> str:
    """Write ``body`` as indented JSON to ``uri``; return the URI."""
    bucket, key = split(uri)
    text = json.dumps(body, indent=2)
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=text.encode(), ContentType="application/json")
    except s3.exceptions.NoSuchBucket:
        raise MonitoringError(f"Bucket {bucket!r} does not exist: cannot write {uri}.") from None
    return uri


def get_json(s3: Any, uri: str) -> Any:
    """The JSON document at ``uri``."""
    bucket, key = split(uri)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (s3.exceptions.NoSuchKey, s3.exceptions.NoSuchBucket):
        raise MonitoringError(f"There is no file at {uri}.") from None
    try:
        return json.loads(body)
    except json.JSONDecodeError as error:
        raise MonitoringError(f"{uri} is not valid JSON ({error.msg}).") from None


def put_text(s3: Any, uri: str, text: str) -> str:
    """Write plain ``text`` to ``uri``; return the URI."""
    bucket, key = split(uri)
    s3.put_object(Bucket=bucket, Key=key, Body=text.encode(), ContentType="text/plain")
    return uri


def client(s3: Any | None) -> Any:
    """``s3``, or a new boto3 S3 client (the lab points boto3 at the local moto server)."""
    if s3 is not None:
        return s3
    import boto3

    return boto3.client("s3")
