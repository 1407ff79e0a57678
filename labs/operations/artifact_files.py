"""Read one file out of a job's ``model.tar.gz`` in S3, without deploying anything.

A training job's model folder comes back as ``model.tar.gz`` at ``S3ModelArtifacts``. A
script that writes a small report there (a JSON of what it saw) can be read back with
:func:`read_artifact_json`, the same way on AWS and in the kit.
"""

from __future__ import annotations

import io
import json
import tarfile
from typing import Any

__all__ = ["read_artifact_file", "read_artifact_json"]


def read_artifact_file(s3: Any, artifact_uri: str, name: str) -> bytes:
    """The bytes of file ``name`` (a path inside the archive) in the tar.gz at ``artifact_uri``.

    Raises ``ValueError`` for a URI that is not ``s3://bucket/key`` or an archive without
    that file (the message lists what the archive holds).
    """
    if not artifact_uri.startswith("s3://") or "/" not in artifact_uri.removeprefix("s3://"):
        raise ValueError(f"expected s3://bucket/key/model.tar.gz, got {artifact_uri!r}")
    bucket, key = artifact_uri.removeprefix("s3://").split("/", 1)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        members = {m.name.removeprefix("./"): m for m in archive.getmembers() if m.isfile()}
        wanted = name.removeprefix("./")
        if wanted not in members:
            held = ", ".join(sorted(members)) or "no files"
            raise ValueError(f"{artifact_uri} has no {name!r} (it holds: {held})")
        handle = archive.extractfile(members[wanted])
        assert handle is not None  # a regular file always has a handle
        return handle.read()


def read_artifact_json(s3: Any, artifact_uri: str, name: str) -> Any:
    """File ``name`` of the tar.gz at ``artifact_uri``, parsed as JSON."""
    return json.loads(read_artifact_file(s3, artifact_uri, name))
