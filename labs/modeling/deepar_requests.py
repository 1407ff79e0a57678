"""Ask a DeepAR endpoint for forecasts and get them back as arrays.

The request is DeepAR's JSON format ("DeepAR Inference Formats" in the SageMaker AI
developer guide): ``{"instances": [record, ...], "configuration": {"num_samples": ...,
"output_types": [...], "quantiles": [...]}}``; the answer has one prediction per instance,
in order. :func:`forecast` sends the records in requests of ``batch`` instances and stacks
the answers: ``result["mean"]`` and ``result["0.9"]`` are arrays of shape
``(series, prediction_length)``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["forecast", "request_body"]


def request_body(
    records: Sequence[dict[str, Any]],
    *,
    quantiles: Sequence[str] = ("0.1", "0.5", "0.9"),
    num_samples: int = 100,
    output_types: Sequence[str] = ("mean", "quantiles"),
) -> str:
    """The JSON request for ``records`` (each with ``start``, ``target``, maybe ``cat``)."""
    return json.dumps(
        {
            "instances": list(records),
            "configuration": {
                "num_samples": num_samples,
                "output_types": list(output_types),
                "quantiles": [str(q) for q in quantiles],
            },
        }
    )


def forecast(
    runtime: Any,
    endpoint_name: str,
    records: Sequence[dict[str, Any]],
    *,
    quantiles: Sequence[str] = ("0.1", "0.5", "0.9"),
    num_samples: int = 100,
    batch: int = 50,
) -> dict[str, np.ndarray]:
    """Mean and quantile forecasts of every record from a DeepAR endpoint.

    ``runtime`` is a ``sagemaker-runtime`` client. Returns ``{"mean": array, "0.1": array,
    ...}``, one row per record.
    """
    if not records:
        raise ValueError("give at least one record to forecast")
    rows: dict[str, list[list[float]]] = {"mean": [], **{str(q): [] for q in quantiles}}
    for first in range(0, len(records), batch):
        body = request_body(
            records[first : first + batch], quantiles=quantiles, num_samples=num_samples
        )
        answer = runtime.invoke_endpoint(
            EndpointName=endpoint_name, ContentType="application/json", Body=body
        )
        for prediction in json.loads(answer["Body"].read())["predictions"]:
            rows["mean"].append(prediction["mean"])
            for q in quantiles:
                rows[str(q)].append(prediction["quantiles"][str(q)])
    return {name: np.asarray(values, dtype=float) for name, values in rows.items()}
