"""Open a built-in XGBoost job's ``model.tar.gz`` with the open-source xgboost library.

SageMaker AI XGBoost (1.3-1 and later) saves its model with ``Booster.save_model`` as one
file, ``xgboost-model``, inside ``model.tar.gz``. Loading it locally lets a notebook score
a validation set without deploying an endpoint, the same way on AWS and in the kit.
"""

from __future__ import annotations

import io
import tarfile
from typing import Any

__all__ = ["load_xgboost_model"]

MODEL_FILE = "xgboost-model"


def load_xgboost_model(s3: Any, model_uri: str) -> Any:
    """The ``xgboost.Booster`` stored in the ``model.tar.gz`` at ``model_uri``.

    Raises ``ValueError`` when the URI is not an S3 URI or the archive holds no
    ``xgboost-model`` file.
    """
    import xgboost as xgb

    if not model_uri.startswith("s3://") or "/" not in model_uri.removeprefix("s3://"):
        raise ValueError(f"expected s3://bucket/key/model.tar.gz, got {model_uri!r}")
    bucket, key = model_uri.removeprefix("s3://").split("/", 1)
    archive = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        member = next((m for m in tar.getmembers() if m.name.endswith(MODEL_FILE)), None)
        if member is None:
            names = ", ".join(m.name for m in tar.getmembers()) or "nothing"
            raise ValueError(f"{model_uri} holds {names}, not an {MODEL_FILE} file")
        raw = tar.extractfile(member).read()  # type: ignore[union-attr]
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    return booster
