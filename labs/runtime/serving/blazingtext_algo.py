"""Serving the built-in BlazingText algorithm: text classification and Word2Vec models.

Source: "BlazingText algorithm" in the SageMaker AI developer guide, section "Model
Artifacts and Inference":

- ``application/json``: ``{"instances": ["sentence one", ...], "configuration": {"k": 2}}``
  (``configuration`` optional, ``k`` defaults to 1) answers a JSON array with one
  ``{"label": ["__label__x", ...], "prob": [0.9, ...]}`` per sentence, the ``k`` most
  likely labels first.
- ``application/jsonlines`` (what batch transform uses): one ``{"source": "...", "k": 2}``
  per line answers one ``{"label": [...], "prob": [...]}`` per line.
- The response has the request's content type: BlazingText ignores an Accept that differs.
  Any other content type is 415; a body that does not parse is 400.

Sentences are expected tokenised like the training data (space-separated tokens).

A Word2Vec model (``vectors.bin``) takes ``application/json`` ``{"instances": ["word", ...]}``
and answers ``[{"vector": [...], "word": "word"}, ...]``, zeros for a word it never saw.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from labs.algorithms import AlgorithmError
from labs.algorithms import blazingtext as sm_blazingtext
from labs.algorithms._word2vec import WordVectors
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

_ALIASES = {"application/jsonl": JSONLINES, "application/x-jsonlines": JSONLINES}


class BlazingTextHandler:
    """Loads ``model.bin`` and answers top-k label predictions."""

    kind = "blazingtext"

    def __init__(self, model_dir: Path) -> None:
        try:
            self.model = sm_blazingtext.load(model_dir)
        except AlgorithmError as error:
            raise ModelLoadError(
                f"{error}. The model.tar.gz of a BlazingText endpoint must hold the "
                "model.bin (or vectors.bin) that a BlazingText training job wrote."
            ) from None

    def invoke(self, request: Request) -> Reply:
        """Predict the top-k labels of every sentence in the request."""
        if not request.body:
            raise InferenceError(400, "Empty payload: the request body holds no sentences.")
        kind, _ = media_type(request.content_type)
        kind = _ALIASES.get(kind, kind)
        if kind not in (JSON, JSONLINES):
            raise InferenceError(
                415,
                f"Content-type {request.content_type or '(none)'} not supported by "
                f"BlazingText. Supported content types: {JSON}, {JSONLINES}",
            )
        if isinstance(self.model, WordVectors):
            return self._vectors(request, kind)
        try:
            text = formats.text_of(request.body)
            pairs = self._json(text) if kind == JSON else self._jsonlines(text)
            answers = [sm_blazingtext.predict(self.model, s, k) for s, k in pairs]
        except formats.PayloadError as error:
            raise InferenceError(400, f"Unable to parse {kind} data: {error}") from None
        except AlgorithmError as error:
            raise InferenceError(400, str(error).removeprefix("ClientError: ")) from None
        if kind == JSON:
            return Reply(json.dumps(answers).encode("utf-8"), JSON)
        return Reply(formats.jsonlines_response(answers), JSONLINES)

    def _vectors(self, request: Request, kind: str) -> Reply:
        if kind != JSON:
            raise InferenceError(
                415, f"A BlazingText Word2Vec model takes {JSON} only, not {kind}."
            )
        try:
            document = formats.parse_json(formats.text_of(request.body))
            if not isinstance(document, dict) or not isinstance(document.get("instances"), list):
                raise formats.PayloadError('expected {"instances": ["word1", "word2", ...]}')
            answers = sm_blazingtext.word_vectors(self.model, document["instances"])
        except formats.PayloadError as error:
            raise InferenceError(400, f"Unable to parse {kind} data: {error}") from None
        except AlgorithmError as error:
            raise InferenceError(400, str(error).removeprefix("ClientError: ")) from None
        return Reply(json.dumps(answers).encode("utf-8"), JSON)

    @staticmethod
    def _json(text: str) -> list[tuple[Any, Any]]:
        document = formats.parse_json(text)
        if not isinstance(document, dict) or not isinstance(document.get("instances"), list):
            raise formats.PayloadError(
                'expected {"instances": ["sentence", ...], "configuration": {"k": 1}}'
            )
        configuration = document.get("configuration") or {}
        if not isinstance(configuration, dict):
            raise formats.PayloadError('"configuration" must be an object such as {"k": 2}')
        k = configuration.get("k", 1)
        return [(sentence, k) for sentence in document["instances"]]

    @staticmethod
    def _jsonlines(text: str) -> list[tuple[Any, Any]]:
        pairs = []
        for number, record in enumerate(formats.parse_jsonlines(text), start=1):
            if not isinstance(record, dict) or "source" not in record:
                raise formats.PayloadError(
                    f'line {number}: expected {{"source": "sentence", "k": 1}}'
                )
            pairs.append((record["source"], record.get("k", 1)))
        return pairs

    def execution_parameters(self) -> dict[str, Any]:
        """What batch transform asks the container: one worker per CPU, 6 MB mini-batches."""
        return builtin_execution_parameters()

    def close(self) -> None:
        """Nothing to release."""
        self.model = None
