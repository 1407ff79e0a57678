"""Serving the Amazon algorithms: Linear Learner, K-Means, PCA, Random Cut Forest, k-NN,
Factorization Machines ("Factorization Machines Response Formats"; requests stay sparse).

Sources: "Common data formats for inference" (request formats), "Linear learner response
formats", "K-Means Response Formats", "PCA Response Formats", "RCF Response Formats" and
"k-NN Request and Response Formats" in the SageMaker developer guide.

- Content types in: ``text/csv`` (no label column; ``label_size=1`` drops the first),
  ``application/json`` (``{"instances": [{"features": [...]}]}`` or ``{"instances":
  [{"data": {"features": {"values": [...], "keys": [...], "shape": [d]}}}]}``, dense or
  sparse), ``application/jsonlines`` (one such instance per line) and
  ``application/x-recordio-protobuf``.
- Accept: ``application/json`` (the default), ``application/jsonlines``,
  ``application/x-recordio-protobuf``, and for K-Means also ``text/csv``
  (``closest_cluster,distance_to_cluster``). Like the real Linear Learner (see
  aws/sagemaker-python-sdk issue 993) an Accept the algorithm does not produce gets JSON.
- JSON root key: ``predictions`` (Linear Learner, K-Means, k-NN), ``projections`` (PCA),
  ``scores`` (RCF).
- Errors: an unsupported content type is 415; a body that does not parse, or has the
  wrong number of features, is 400 with a message that names the problem.

The containers are closed source: the error wording is the kit's, and k-NN's
``verbose=true`` response (distances and labels of the neighbours) is not modelled.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from labs.algorithms import AlgorithmError, AlgorithmSpec
from labs.runtime.serving import formats
from labs.runtime.serving.errors import InferenceError, ModelLoadError
from labs.runtime.serving.protocol import (
    CSV,
    JSON,
    JSONLINES,
    RECORDIO,
    Reply,
    Request,
    builtin_execution_parameters,
    first_supported,
    media_type,
)

INPUTS = (CSV, JSON, JSONLINES, RECORDIO)
_DENSE_CELLS = 20_000_000  # expand sparse requests up to this many cells
_ALIASES = {"application/jsonl": JSONLINES, "application/x-recordio": RECORDIO}

#: name -> (module, JSON root key, CSV output columns or None)
_ALGORITHMS: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    "linear-learner": ("linear_learner", "predictions", None),
    "kmeans": ("kmeans", "predictions", ("closest_cluster", "distance_to_cluster")),
    "pca": ("pca", "projections", None),
    "randomcutforest": ("random_cut_forest", "scores", None),
    "knn": ("knn", "predictions", None),
    "factorization-machines": ("factorization_machines", "predictions", None),
}


def serves(spec: AlgorithmSpec) -> bool:
    """True for the Amazon algorithms this module serves."""
    return spec.name in _ALGORITHMS


class AmazonAlgorithmHandler:
    """Loads ``model_algo-1`` with the stand-in's ``load`` and answers with its ``predict``."""

    def __init__(self, spec: AlgorithmSpec, model_dir: Path) -> None:
        module_name, self.root_key, self.csv_columns = _ALGORITHMS[spec.name]
        self.kind = spec.name
        self.title = spec.title or spec.name
        self.module = importlib.import_module(f"labs.algorithms.{module_name}")
        try:
            self.model = self.module.load(model_dir)
        except AlgorithmError as error:
            raise ModelLoadError(
                f"{error}. The model.tar.gz of a {self.title} endpoint must hold the "
                f"model_algo-1 file that a {self.title} training job wrote."
            ) from None
        except Exception as error:  # joblib/pickle raise many types for a foreign file
            raise ModelLoadError(f"Unable to load the {self.title} model: {error}") from None
        self.outputs = (JSON, JSONLINES, RECORDIO) + ((CSV,) if self.csv_columns else ())

    def invoke(self, request: Request) -> Reply:
        """Decode, predict, encode as the Accept header asks."""
        if not request.body:
            raise InferenceError(400, "Empty payload: the request body holds no records.")
        features = self._decode(request)
        try:
            records = self.module.predict(self.model, _dense_unless_supported(self, features))
        except AlgorithmError as error:
            raise InferenceError(400, _client_text(error)) from None
        accept = first_supported(request.accept, self.outputs) or JSON
        return Reply(self._encode(records, accept), accept)

    def _decode(self, request: Request) -> Any:
        kind, params = media_type(request.content_type)
        kind = _ALIASES.get(kind, kind)
        if kind not in INPUTS:
            raise InferenceError(
                415,
                f"Content-type {request.content_type or '(none)'} not supported by "
                f"{self.title}. Supported content types: {', '.join(INPUTS)}",
            )
        try:
            if kind == RECORDIO:
                return formats.parse_recordio(request.body)
            text = formats.text_of(request.body)
            if kind == CSV:
                return formats.parse_csv(text, label_size=_label_size(params))
            if kind == JSON:
                document = formats.parse_json(text)
                return formats.matrix_of(formats.instances_of(document))
            instances = []
            for document in formats.parse_jsonlines(text):
                instances.extend(formats.instances_of(document))
            return formats.matrix_of(instances)
        except formats.PayloadError as error:
            raise InferenceError(400, f"Unable to parse {kind} data: {error}") from None

    def _encode(self, records: list[dict[str, Any]], accept: str) -> bytes:
        if accept == JSONLINES:
            return formats.jsonlines_response(records)
        if accept == RECORDIO:
            return formats.recordio_response(records)
        if accept == CSV and self.csv_columns:
            return formats.csv_response(records, self.csv_columns)
        return formats.json_response(self.root_key, records)

    def execution_parameters(self) -> dict[str, Any]:
        """What batch transform asks the container: one worker per CPU, 6 MB mini-batches."""
        return builtin_execution_parameters()

    def close(self) -> None:
        """Nothing to release."""
        self.model = None


def _label_size(params: dict[str, str]) -> int:
    raw = params.get("label_size", "0")
    try:
        size = int(raw)
    except ValueError:
        raise InferenceError(
            400, f"label_size={raw!r} in the content type is not a number"
        ) from None
    if size not in (0, 1):
        raise InferenceError(400, f"label_size={size} is not supported: use 0 or 1")
    return size


def _dense_unless_supported(handler: AmazonAlgorithmHandler, features: Any) -> Any:
    """Sparse requests become dense rows (the stand-ins' scalers centre dense data); only
    a Linear Learner request too large to expand stays sparse."""
    if not sparse.issparse(features) or handler.kind == "factorization-machines":
        return features
    if handler.kind == "linear-learner" and features.shape[0] * features.shape[1] > _DENSE_CELLS:
        return features
    return np.asarray(features.toarray(), dtype=np.float64)


def _client_text(error: AlgorithmError) -> str:
    text = str(error)
    return text.removeprefix("ClientError: ")
