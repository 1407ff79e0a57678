"""Serving the built-in DeepAR forecasting algorithm.

Source: "DeepAR Inference Formats" in the SageMaker AI developer guide:

- ``application/json`` (the endpoint): ``{"instances": [{"start": ..., "target": [...],
  "cat": [...], "dynamic_feat": [[...]]}], "configuration": {"num_samples": 50,
  "output_types": ["mean", "quantiles", "samples"], "quantiles": ["0.5", "0.9"]}}``
  answers ``{"predictions": [{"mean": [...], "quantiles": {"0.5": [...]}, "samples":
  [[...]]}]}``, one prediction per instance, each ``prediction_length`` long.
  ``configuration`` is optional. ``cat`` is required when the model was trained with
  categories; each ``dynamic_feat`` array is ``len(target) + prediction_length`` long.
- JSON Lines (batch transform, ``SplitType=Line``): one record per line in the training
  format, answered by one prediction object per line. The configuration comes from the
  container environment variable ``DEEPAR_INFERENCE_CONFIG`` (a JSON object); without it
  the defaults are 100 samples, ``["mean", "quantiles"]`` and quantiles 0.1 ... 0.9.
- A content type other than JSON or JSON Lines is 415; a body that does not parse, or an
  instance the model cannot forecast, is 400 with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labs.algorithms import AlgorithmError
from labs.algorithms import deepar as sm_deepar
from labs.runtime.serving import formats
from labs.runtime.serving.errors import InferenceError, ModelLoadError
from labs.runtime.serving.protocol import (
    JSON,
    JSONLINES,
    Reply,
    Request,
    builtin_execution_parameters,
    media_type,
)

INFERENCE_CONFIG = "DEEPAR_INFERENCE_CONFIG"
_JSONLINES = (JSONLINES, "application/jsonl", "application/x-jsonlines")


def _documents(text: str) -> list[Any]:
    """One JSON document (the endpoint request, possibly pretty-printed) or JSON Lines."""
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return formats.parse_jsonlines(text)


class DeepARHandler:
    """Loads ``model_algo-1`` and answers forecasts in DeepAR's formats."""

    kind = "forecasting-deepar"

    def __init__(self, model_dir: Path, environment: Mapping[str, str]) -> None:
        try:
            self.model = sm_deepar.load(model_dir)
        except AlgorithmError as error:
            raise ModelLoadError(
                f"{error}. The model.tar.gz of a DeepAR endpoint must hold the model_algo-1 "
                "file that a DeepAR training job wrote."
            ) from None
        raw = environment.get(INFERENCE_CONFIG)
        try:
            self.batch_config = json.loads(raw) if raw else None
            sm_deepar.configuration(self.batch_config)
        except (json.JSONDecodeError, AlgorithmError) as error:
            raise ModelLoadError(
                f"{INFERENCE_CONFIG} is not a valid configuration: {error}"
            ) from None

    def invoke(self, request: Request) -> Reply:
        """Forecast the instances of a JSON request or the records of a JSON Lines body."""
        if not request.body:
            raise InferenceError(400, "Empty payload: the request body holds no time series.")
        kind, _ = media_type(request.content_type)
        if kind and kind not in (JSON, *_JSONLINES):
            raise InferenceError(
                415,
                f"Content-type {request.content_type} not supported by DeepAR. Supported "
                f"content types: {JSON}, {JSONLINES}",
            )
        try:
            documents = _documents(formats.text_of(request.body))
        except formats.PayloadError as error:
            raise InferenceError(400, f"Unable to parse JSON data: {error}") from None
        request_form = (
            len(documents) == 1 and isinstance(documents[0], dict) and "instances" in documents[0]
        )
        try:
            if request_form:
                document = documents[0]
                answers = sm_deepar.predict(
                    self.model, document["instances"], document.get("configuration")
                )
                body = json.dumps({"predictions": answers}).encode("utf-8")
                return Reply(body, JSON)
            answers = sm_deepar.predict(self.model, documents, self.batch_config)
        except AlgorithmError as error:
            raise InferenceError(400, str(error).removeprefix("ClientError: ")) from None
        return Reply(formats.jsonlines_response(answers), JSONLINES)

    def execution_parameters(self) -> dict[str, Any]:
        """What batch transform asks the container: one series per request, as AWS advises."""
        return builtin_execution_parameters("SINGLE_RECORD")

    def close(self) -> None:
        """Nothing to release."""
        self.model = None
