"""Moving job data between S3 and the local folders a job runs in."""

from __future__ import annotations

import gzip
import shutil
import tarfile
from pathlib import Path
from typing import Any

from labs.algorithms.base import AlgorithmError


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key/prefix`` -> ``("bucket", "key/prefix")``."""
    if not uri.startswith("s3://"):
        raise AlgorithmError(f"ClientError: {uri!r} is not an S3 URI (s3://bucket/prefix).")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def download_channel(
    s3: Any, channel: dict[str, Any], target: Path, role_arn: str, region: str
) -> int:
    """Download one InputDataConfig channel into ``target``; return the number of files.

    Handles ``S3Prefix`` (every object under the prefix, keeping the relative key path),
    ``ManifestFile`` (the objects a manifest lists) and gzip compression. A channel that
    selects no object fails the job, as SageMaker does.
    """
    source = channel.get("DataSource", {})
    s3_source = source.get("S3DataSource")
    if not s3_source:
        kind = next(iter(source), "unknown")
        raise AlgorithmError(
            f"ClientError: channel {channel['ChannelName']!r} uses a {kind}; the local runtime "
            "reads training data from S3 only (EFS and FSx for Lustre exist only on AWS)."
        )
    uri = s3_source["S3Uri"]
    bucket, prefix = split_s3_uri(uri)
    data_type = s3_source.get("S3DataType", "S3Prefix")
    if data_type == "ManifestFile":
        keys = _manifest_keys(s3, bucket, prefix)
    elif data_type == "S3Prefix":
        keys = _prefix_keys(s3, bucket, prefix)
    else:
        raise AlgorithmError(
            f"ClientError: S3DataType {data_type} is not supported by the local runtime "
            "(S3Prefix and ManifestFile are)."
        )
    if not keys:
        raise AlgorithmError(
            f'ClientError: No S3 objects found under S3 URL "{uri}" given in input data '
            f"source. Please ensure that the bucket exists in the selected region ({region}), "
            f'that objects exist under that S3 prefix, and that the role "{role_arn}" has '
            f'"s3:ListBucket" permissions on bucket "{bucket}".'
        )
    target.mkdir(parents=True, exist_ok=True)
    gzipped = channel.get("CompressionType") == "Gzip"
    # Keys keep their path below the prefix: with prefix data/train (or data/train/),
    # data/train/a.csv lands at a.csv; a prefix naming one object puts it at its base name.
    for key_bucket, key in keys:
        relative = key[len(prefix) :].lstrip("/") if data_type == "S3Prefix" else ""
        relative = relative or Path(key).name
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        body = s3.get_object(Bucket=key_bucket, Key=key)["Body"].read()
        if gzipped:
            try:
                body = gzip.decompress(body)
            except OSError as error:
                raise AlgorithmError(
                    f"ClientError: channel {channel['ChannelName']!r} says CompressionType Gzip, "
                    f"but s3://{key_bucket}/{key} is not gzip data ({error})."
                ) from None
            destination = (
                destination.with_suffix("") if destination.suffix == ".gz" else destination
            )
        destination.write_bytes(body)
    return len(keys)


def _prefix_keys(s3: Any, bucket: str, prefix: str) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend((bucket, item["Key"]) for item in page.get("Contents", []))
    except s3.exceptions.NoSuchBucket:
        return []
    return [(b, k) for b, k in keys if not k.endswith("/")]


def _manifest_keys(s3: Any, bucket: str, key: str) -> list[tuple[str, str]]:
    import json

    manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    prefix = manifest[0]["prefix"]
    m_bucket, m_prefix = split_s3_uri(prefix)
    return [(m_bucket, m_prefix + relative) for relative in manifest[1:]]


def upload_tree_as_tar(s3: Any, folder: Path, uri: str, kms_key_id: str | None = None) -> None:
    """Pack the contents of ``folder`` into a gzipped tar at S3 ``uri``.

    With ``kms_key_id`` (a job's ``OutputDataConfig.KmsKeyId``) the object is written with
    SSE-KMS under that key, as SageMaker AI writes model artifacts.
    """
    archive = folder.parent / (folder.name + ".tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        for item in sorted(folder.iterdir()):
            tar.add(item, arcname=item.name)
    bucket, key = split_s3_uri(uri)
    extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else None
    s3.upload_file(str(archive), bucket, key, ExtraArgs=extra)
    archive.unlink()


def upload_files(s3: Any, folder: Path, uri: str) -> list[str]:
    """Upload every file below ``folder`` under the S3 prefix ``uri``; return the keys."""
    bucket, prefix = split_s3_uri(uri)
    keys = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = f"{prefix.rstrip('/')}/{path.relative_to(folder).as_posix()}".lstrip("/")
        s3.upload_file(str(path), bucket, key)
        keys.append(key)
    return keys


def empty(folder: Path) -> bool:
    """True when ``folder`` is missing or has no files."""
    return not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def remove(folder: Path) -> None:
    """Delete a job's scratch folder."""
    shutil.rmtree(folder, ignore_errors=True)
