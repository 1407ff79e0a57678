"""Open a TensorFlow training job's ``model.tar.gz``: the files in it and the Keras model.

The lab's scripts save ``model.keras`` and a SavedModel in ``1/`` (the version folder that
TensorFlow Serving loads) under ``SM_MODEL_DIR``; SageMaker AI packs that folder as
``model.tar.gz`` at the job's ``S3ModelArtifacts``. Loading the Keras file locally scores a
test set without deploying an endpoint, the same way on AWS and in the kit.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["archive_members", "load_keras_model"]

KERAS_FILE = "model.keras"


def _archive(s3: Any, model_uri: str) -> bytes:
    if not model_uri.startswith("s3://") or "/" not in model_uri.removeprefix("s3://"):
        raise ValueError(f"expected s3://bucket/key/model.tar.gz, got {model_uri!r}")
    bucket, key = model_uri.removeprefix("s3://").split("/", 1)
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def archive_members(s3: Any, model_uri: str) -> list[str]:
    """The names of the regular files in the ``model.tar.gz`` at ``model_uri``, sorted."""
    with tarfile.open(fileobj=io.BytesIO(_archive(s3, model_uri)), mode="r:gz") as tar:
        return sorted(m.name.removeprefix("./") for m in tar.getmembers() if m.isfile())


def load_keras_model(s3: Any, model_uri: str) -> Any:
    """The Keras model saved as ``model.keras`` in the ``model.tar.gz`` at ``model_uri``.

    Raises ``ValueError`` when the archive holds no ``model.keras``.
    """
    import tensorflow as tf

    with tarfile.open(fileobj=io.BytesIO(_archive(s3, model_uri)), mode="r:gz") as tar:
        member = next(
            (m for m in tar.getmembers() if m.isfile() and Path(m.name).name == KERAS_FILE), None
        )
        if member is None:
            names = ", ".join(m.name for m in tar.getmembers()) or "nothing"
            raise ValueError(f"{model_uri} holds {names}, not a {KERAS_FILE} file")
        raw = tar.extractfile(member).read()  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / KERAS_FILE
        path.write_bytes(raw)
        return tf.keras.models.load_model(path)
