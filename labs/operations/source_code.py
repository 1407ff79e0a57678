"""Upload a script folder as the ``sourcedir.tar.gz`` a SageMaker AI framework model runs.

A script-mode model (scikit-learn, XGBoost, PyTorch, ... images) finds its inference code
through two container environment variables: ``SAGEMAKER_SUBMIT_DIRECTORY``, the S3 URI of
a gzipped tar of the code folder, and ``SAGEMAKER_PROGRAM``, the file in it to import. The
SDK builds both when it deploys; with plain boto3 ``CreateModel`` you build them yourself,
which is what :func:`upload_source_dir` and :func:`script_environment` do.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

__all__ = ["script_environment", "upload_source_dir"]


def upload_source_dir(s3: Any, folder: str | Path, s3_uri: str) -> str:
    """Tar and gzip the files of ``folder`` (paths relative to it) and put them at ``s3_uri``.

    Caches (``__pycache__``, ``*.pyc``) are left out. Returns ``s3_uri``. Raises
    ``ValueError`` for a folder that does not exist or an URI that is not ``s3://b/k``.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    if not s3_uri.startswith("s3://") or "/" not in s3_uri.removeprefix("s3://"):
        raise ValueError(f"expected s3://bucket/key.tar.gz, got {s3_uri!r}")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                bundle.add(path, arcname=path.relative_to(root).as_posix())
    bucket, key = s3_uri.removeprefix("s3://").split("/", 1)
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())
    return s3_uri


def script_environment(program: str, source_uri: str) -> dict[str, str]:
    """The ``Environment`` of a script-mode container: which file, in which code archive."""
    return {"SAGEMAKER_PROGRAM": program, "SAGEMAKER_SUBMIT_DIRECTORY": source_uri}
