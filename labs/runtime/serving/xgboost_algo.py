"""Serving the built-in XGBoost algorithm (algorithm mode, no inference script).

Sources: the developer guide's XGBoost page ("For Inference ContentType, valid inputs are
text/libsvm (default) or text/csv"; "For CSV inference, the algorithm assumes that CSV
input does not have the label column") and the open-source container
aws/sagemaker-xgboost-container (``algorithm_mode/handler_service.py``,
``serve_utils.py``, ``inference_errors.py``), whose behaviour this module follows:

- Content types ``text/csv`` (empty cells are missing values), ``text/libsvm`` /
  ``text/x-libsvm`` (the label is optional) and ``application/x-recordio-protobuf``; no
  Content-Type means libsvm. Anything else is 415 ``"<type> is not an accepted
  ContentType: ..."``; a body that does not parse as its type is 415 ``"Loading csv data
  failed with Exception, please ensure data is in csv format: ..."``.
- Predictions use the best iteration when training stopped early. A row with another
  number of features than the model has is 400 ``"Unable to evaluate payload provided:
  Feature shape mismatch, expected: 4, got 5"`` (libsvm rows may have fewer: sparse).
- Response ``text/csv`` (the default; also for Accept ``*/*``, or set
  ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``): the predictions joined by commas on one line
  for real-time requests (binary:logistic gives one probability per row:
  ``0.81,0.07,0.66``), one per line when the container runs for batch transform
  (``SAGEMAKER_BATCH`` set). ``application/json``: a JSON array. Another Accept is 415.
- Selectable inference output (``SAGEMAKER_INFERENCE_OUTPUT``, e.g.
  ``predicted_label,probability``): JSON ``{"predictions": [...]}``, JSON Lines, CSV or
  RecordIO per Accept, with the keys the container supports per objective.

Deliberate difference: an empty body is 400 here; the container answers 204 No Content.
"""

from __future__ import annotations

import json
import math
import pickle
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb
from scipy import sparse

from labs.algorithms import xgboost as sm_xgboost
from labs.runtime.serving import formats
from labs.runtime.serving.errors import InferenceError, ModelLoadError
from labs.runtime.serving.protocol import (
    CSV,
    JSON,
    JSONLINES,
    RECORDIO,
    Reply,
    Request,
    accept_types,
    builtin_execution_parameters,
    media_type,
    wants_default,
)

_CSV_TYPES = ("text/csv", "csv")
_LIBSVM_TYPES = ("text/libsvm", "text/x-libsvm", "libsvm")
_RECORDIO_TYPES = ("application/x-recordio-protobuf", "recordio-protobuf")
_PARQUET_TYPES = ("application/x-parquet", "parquet")
_VALID = (
    "csv, libsvm, parquet, recordio-protobuf, text/csv, text/libsvm, text/x-libsvm, "
    "application/x-parquet, application/x-recordio-protobuf"
)
SELECTABLE_ACCEPTS = (JSON, JSONLINES, RECORDIO, CSV)

# Selectable inference: which keys each objective supports (serve_utils.VALID_OBJECTIVES)
_CLASSIFY = ["predicted_label", "labels", "raw_score", "raw_scores"]
VALID_OBJECTIVES = {
    "reg:squarederror": ["predicted_score"],
    "reg:logistic": ["predicted_score"],
    "reg:gamma": ["predicted_score"],
    "reg:tweedie": ["predicted_score"],
    "binary:logistic": [*_CLASSIFY, "probability", "probabilities"],
    "binary:logitraw": _CLASSIFY,
    "binary:hinge": _CLASSIFY,
    "multi:softmax": _CLASSIFY,
    "multi:softprob": [*_CLASSIFY, "probability", "probabilities"],
}


def load_booster(model_dir: Path) -> xgb.Booster:
    """The booster in ``model_dir``: ``xgboost-model``, else the first file that loads as
    a pickled booster or an XGBoost model file (as the container's loader tries)."""
    named = model_dir / sm_xgboost.MODEL_FILE
    files = [named] if named.is_file() else sorted(p for p in model_dir.iterdir() if p.is_file())
    if not files:
        raise ModelLoadError(
            "Unable to load model: no xgboost-model file in model.tar.gz (the archive is "
            "empty). Point ModelDataUrl at the model.tar.gz an XGBoost training job wrote."
        )
    problems = []
    for path in files:
        try:
            with path.open("rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, xgb.Booster):
                return loaded
            if isinstance(loaded, xgb.XGBModel):
                return loaded.get_booster()
        except Exception:  # not a pickle: try XGBoost's own formats
            pass
        try:
            return sm_xgboost.load(path)
        except Exception as error:  # xgboost raises XGBoostError and others
            problems.append(f"{path.name}: {str(error).splitlines()[0][:120]}")
    names = ", ".join(p.name for p in files[:8])
    raise ModelLoadError(
        f"Unable to load model: no xgboost-model file in model.tar.gz that XGBoost can "
        f"read (found {names}; {'; '.join(problems[:3])})."
    )


class XGBoostAlgorithmHandler:
    """The algorithm-mode XGBoost container."""

    kind = "xgboost"

    def __init__(self, model_dir: Path, environment: Mapping[str, str]) -> None:
        self.booster = load_booster(model_dir)
        self.features = int(self.booster.num_features())
        self.batch = bool(environment.get("SAGEMAKER_BATCH"))
        self.default_accept = environment.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or CSV
        selected = environment.get("SAGEMAKER_INFERENCE_OUTPUT", "")
        self.selected = [k for k in selected.replace(" ", "").lower().split(",") if k]
        config = json.loads(self.booster.save_config())["learner"]
        self.objective = config["objective"]["name"]
        self.num_class = int(config["learner_model_param"].get("num_class", "0") or 0)

    def invoke(self, request: Request) -> Reply:
        """Parse, predict with the best iteration, encode."""
        if not request.body:
            raise InferenceError(400, "Empty payload: the request body holds no records.")
        matrix = self._decode(request)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                predictions = sm_xgboost.predict(self.booster, matrix)
        except Exception as error:  # xgboost raises XGBoostError, ValueError
            message = str(error).strip().splitlines()[0]
            raise InferenceError(400, f"Unable to evaluate payload provided: {message}") from None
        if self.selected:
            return self._selectable(predictions, request.accept)
        return self._regular(predictions, request.accept)

    # Request

    def _decode(self, request: Request) -> xgb.DMatrix:
        kind, _ = media_type(request.content_type)
        if not kind or kind in _LIBSVM_TYPES:
            label, parse = "libsvm", formats.parse_libsvm
        elif kind in _CSV_TYPES:
            label = "csv"

            def parse(text: str) -> Any:
                return formats.parse_csv(text, allow_missing=True)

        elif kind in _RECORDIO_TYPES:
            label = "recordio-protobuf"
        elif kind in _PARQUET_TYPES:
            raise InferenceError(415, f"Content-type {request.content_type} is not supported.")
        else:
            raise InferenceError(
                415, f"{request.content_type} is not an accepted ContentType: {_VALID}."
            )
        try:
            if label == "recordio-protobuf":
                data = formats.parse_recordio(request.body)
            else:
                data = parse(formats.text_of(request.body).strip())
        except formats.PayloadError as error:
            raise InferenceError(
                415,
                f"Loading {label} data failed with Exception, please ensure data is in "
                f"{label} format: <class 'ValueError'> {error}",
            ) from None
        return self._matrix(data, sparse_ok=label == "libsvm" or sparse.issparse(data))

    def _matrix(self, data: Any, sparse_ok: bool) -> xgb.DMatrix:
        width = int(data.shape[1])
        if width > self.features or (width < self.features and not sparse_ok):
            raise InferenceError(
                400,
                "Unable to evaluate payload provided: Feature shape mismatch, expected: "
                f"{self.features}, got {width}",
            )
        if sparse.issparse(data):
            data = sparse.csr_matrix(data)
            data.resize((data.shape[0], self.features))
            return xgb.DMatrix(data)
        return xgb.DMatrix(np.asarray(data, dtype=np.float32), missing=math.nan)

    # Response

    def _regular(self, predictions: np.ndarray, accept: str | None) -> Reply:
        kind = self.default_accept if wants_default(accept) else accept_types(accept)[0]
        values = predictions.tolist()
        if kind in (CSV, "csv"):
            # one line of comma-separated values for real-time requests (the container
            # keeps this invalid CSV for backwards compatibility), a value per line in batch
            text = "\n".join(map(str, values)) + "\n" if self.batch else ",".join(map(str, values))
            return Reply(text.encode(), CSV)
        if kind in (JSON, "json"):
            return Reply(json.dumps(values).encode(), JSON)
        raise InferenceError(
            415,
            f"Encoding to accept type {accept} failed with exception: {accept} is not an "
            f"accepted Accept type. Please choose one of the following: ['{CSV}', '{JSON}'].",
        )

    def _selectable(self, predictions: np.ndarray, accept: str | None) -> Reply:
        kind = self.default_accept if wants_default(accept) else accept_types(accept)[0]
        if kind not in SELECTABLE_ACCEPTS:
            raise InferenceError(
                406,
                f"Accept type {accept} is not supported. Please use supported accept types: "
                f"{list(SELECTABLE_ACCEPTS)}.",
            )
        if self.objective not in VALID_OBJECTIVES:
            raise InferenceError(
                500,
                f"Objective `{self.objective}` unsupported for selectable inference predictions.",
            )
        records = [self._select(row) for row in predictions]
        if kind == JSON:
            return Reply(json.dumps({"predictions": records}).encode(), JSON)
        if kind == JSONLINES:
            return Reply(formats.jsonlines_response(records), JSONLINES)
        if kind == RECORDIO:
            numeric = [{k: v for k, v in r.items() if _is_numeric(v)} for r in records]
            return Reply(formats.recordio_response(numeric), RECORDIO)
        body = formats.csv_response(records, self.selected)
        return Reply(body if self.batch else body.rstrip(b"\n"), CSV)

    def _select(self, raw: Any) -> dict[str, Any]:
        """One prediction's selected keys (serve_utils.get_selected_predictions)."""
        objective, valid = self.objective, VALID_OBJECTIVES[self.objective]
        row = np.asarray(raw)
        out: dict[str, Any] = {}
        for key in self.selected:
            if key not in valid:
                out[key] = math.nan
            elif key == "predicted_score":
                out[key] = float(row)
            elif key == "predicted_label":
                out[key] = _predicted_label(objective, row)
            elif key == "labels":
                out[key] = (
                    [0, 1] if objective.startswith("binary:") else list(range(self.num_class))
                )
            elif key == "probability":
                out[key] = float(row.max()) if row.ndim else float(row)
            elif key == "probabilities":
                out[key] = row.tolist() if row.ndim else [1.0 - float(row), float(row)]
            elif key == "raw_score":
                out[key] = float(row.max()) if row.ndim else float(row)
            else:  # raw_scores
                out[key] = row.tolist() if row.ndim else [1.0 - float(row), float(row)]
        return out

    def execution_parameters(self) -> dict[str, Any]:
        """The container's ``/execution-parameters``: MULTI_RECORD, 6 MB, a worker per CPU."""
        return builtin_execution_parameters()

    def close(self) -> None:
        """Drop the booster."""
        self.booster = None  # type: ignore[assignment]


def _predicted_label(objective: str, row: np.ndarray) -> Any:
    if objective in ("binary:hinge", "multi:softmax"):
        return row.item()
    if objective == "binary:logistic":
        return int(row > 0.5)
    if objective == "binary:logitraw":
        return int(row > 0)
    return int(np.argmax(row))


def _is_numeric(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, (int, float)) for v in value)
    return isinstance(value, (int, float))
