"""What the HTTP layer hands a handler and what it gets back, plus media-type helpers.

A handler is what one inference container runs behind ``/invocations``: a built-in
algorithm, the learner's script (``model_fn``...), or TensorFlow Serving. The HTTP server
(:mod:`labs.runtime.serving.server`) turns each request into a :class:`Request`, calls
:meth:`Handler.invoke`, and writes the :class:`Reply` (or the
:class:`~labs.runtime.serving.errors.InferenceError` raised) back.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

CSV = "text/csv"
JSON = "application/json"
JSONLINES = "application/jsonlines"
RECORDIO = "application/x-recordio-protobuf"
LIBSVM = "text/libsvm"
NPY = "application/x-npy"
ANY = "*/*"
CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"


@dataclass
class Request:
    """One ``POST /invocations``: the body and the headers a container reads."""

    body: bytes
    content_type: str | None = None
    accept: str | None = None
    custom_attributes: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    """A container's answer. ``custom_attributes`` None means: echo the request's."""

    body: bytes
    content_type: str
    status: int = 200
    custom_attributes: str | None = None


class Handler(Protocol):
    """The model side of one inference container."""

    #: A short name for logs and reports, e.g. ``"xgboost"`` or ``"sklearn script"``.
    kind: str

    def invoke(self, request: Request) -> Reply:
        """Answer one request; raise InferenceError for a 4xx/5xx answer."""
        ...

    def execution_parameters(self) -> dict[str, Any] | None:
        """``GET /execution-parameters`` (batch transform), or None when not served."""
        ...

    def close(self) -> None:
        """Release what the model holds (modules, sessions); called by ``stop()``."""
        ...


def builtin_execution_parameters(batch_strategy: str = "MULTI_RECORD") -> dict[str, Any]:
    """What a built-in algorithm's container answers on ``GET /execution-parameters``.

    One worker per CPU and 6 MB mini-batches; ``batch_strategy`` is ``MULTI_RECORD`` for
    most algorithms, ``SINGLE_RECORD`` where AWS advises one record per request (DeepAR).
    """
    return {
        "MaxConcurrentTransforms": os.cpu_count() or 1,
        "BatchStrategy": batch_strategy,
        "MaxPayloadInMB": 6,
    }


def media_type(raw: str | None) -> tuple[str, dict[str, str]]:
    """``"text/csv; label_size=0"`` -> ``("text/csv", {"label_size": "0"})``; lower-cased."""
    if raw is None:
        return "", {}
    parts = [p.strip() for p in str(raw).split(";")]
    params: dict[str, str] = {}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip("\"'")
    return parts[0].lower(), params


def accept_types(raw: str | None) -> list[str]:
    """The media types of an Accept header, in order, without parameters or quality."""
    if not raw:
        return []
    return [media_type(part)[0] for part in str(raw).split(",") if part.strip()]


def first_supported(raw: str | None, supported: Iterable[str]) -> str | None:
    """The first type of Accept header ``raw`` that is in ``supported`` (None if none is)."""
    allowed = list(supported)
    for kind in accept_types(raw):
        if kind in allowed:
            return kind
    return None


def wants_default(raw: str | None) -> bool:
    """True when an Accept header asks for nothing in particular (absent or ``*/*``)."""
    kinds = accept_types(raw)
    return not kinds or kinds == [ANY]
