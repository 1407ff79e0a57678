"""The inference-container side of real-time endpoints (and batch transform).

Each endpoint variant runs a :class:`ModelServer`: a real HTTP server on loopback that
keeps SageMaker's inference-container contract (``GET /ping``, ``POST /invocations``,
``GET /execution-parameters``) and serves the model in a ``model.tar.gz``:

- built-in algorithms (:mod:`~labs.runtime.serving.xgboost_algo`,
  :mod:`~labs.runtime.serving.amazon`) with the content types the real containers take
  and produce;
- script mode (:mod:`~labs.runtime.serving.script`): the learner's ``model_fn``,
  ``input_fn``, ``predict_fn``, ``output_fn`` / ``transform_fn`` with the scikit-learn and
  XGBoost framework containers' defaults;
- TensorFlow Serving (:mod:`~labs.runtime.serving.tfs`) for ``tensorflow-inference``.

Wiring endpoints into moto (CreateEndpoint, InvokeEndpoint) is
:mod:`labs.runtime.endpoints`' business.
"""

from __future__ import annotations

from labs.runtime.serving.errors import InferenceError, ModelLoadError
from labs.runtime.serving.protocol import Reply, Request
from labs.runtime.serving.registry import kind_of
from labs.runtime.serving.server import DEFAULT_MAX_PAYLOAD, ModelServer

__all__ = [
    "DEFAULT_MAX_PAYLOAD",
    "InferenceError",
    "ModelLoadError",
    "ModelServer",
    "Reply",
    "Request",
    "kind_of",
]
