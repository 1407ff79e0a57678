"""Inference script for the churn model: the four functions a SageMaker AI framework
container calls for each request, in this order.

- ``model_fn(model_dir)``: once, when the container starts; loads the model.
- ``input_fn(body, content_type)``: turns the request body into model input.
- ``predict_fn(data, model)``: runs the model.
- ``output_fn(prediction, accept)``: turns the prediction into the response body.

Requests: ``text/csv`` (one customer per line, the 67 encoded features, no header) or
``application/json`` (``{"instances": [[...], ...]}``). Any other content type or Accept
type raises ``UnsupportedType``; the scikit-learn container answers an exception from
these functions with HTTP 500 and the exception's message.
"""

import io
import json
import os

import joblib
import numpy as np

CSV = "text/csv"
JSON = "application/json"


class UnsupportedType(ValueError):
    """A content type or Accept type this script does not handle."""


def model_fn(model_dir):
    """Load the fitted scikit-learn pipeline that train.py saved."""
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(body, content_type):
    """CSV rows or JSON ``{"instances": [...]}`` -> a 2-D float array."""
    media = (content_type or "").split(";")[0].strip().lower()
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
    if media == CSV:
        return np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)
    if media == JSON:
        payload = json.loads(text)
        rows = payload["instances"] if isinstance(payload, dict) else payload
        return np.asarray(rows, dtype=float).reshape(len(rows), -1)
    raise UnsupportedType(f"content type {content_type!r} is not supported: use {CSV} or {JSON}")


def predict_fn(data, model):
    """The probability that each customer churns."""
    return model.predict_proba(data)[:, 1]


def output_fn(prediction, accept):
    """JSON ``{"predictions": [...]}`` (the default) or one probability per CSV line."""
    media = (accept or JSON).split(";")[0].strip().lower()
    if media in (JSON, "*/*"):
        return json.dumps({"predictions": [round(float(p), 6) for p in prediction]}), JSON
    if media == CSV:
        return "\n".join(f"{float(p):.6f}" for p in prediction) + "\n", CSV
    raise UnsupportedType(f"accept type {accept!r} is not supported: use {CSV} or {JSON}")
