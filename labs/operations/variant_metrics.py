"""Per-variant endpoint metrics from CloudWatch (namespace ``AWS/SageMaker``).

SageMaker AI publishes each production variant's metrics with the dimensions
``EndpointName`` and ``VariantName``: ``Invocations``, ``InvocationsPerInstance``,
``ModelLatency``, ``OverheadLatency`` (microseconds), ``Invocation4XXErrors``, ... On AWS
they appear after a minute or more, so the readers here poll until the count they expect
has arrived.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["NAMESPACE", "invocations_by_variant", "variant_statistics"]

NAMESPACE = "AWS/SageMaker"


def variant_statistics(
    cloudwatch: Any, endpoint: str, variant: str, metric: str, since: dt.datetime
) -> dict[str, float]:
    """``Sum`` and ``SampleCount`` of one variant's ``metric`` from ``since`` until now."""
    points = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName=metric,
        Dimensions=[
            {"Name": "EndpointName", "Value": endpoint},
            {"Name": "VariantName", "Value": variant},
        ],
        StartTime=since,
        EndTime=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
        Period=60,
        Statistics=["Sum", "SampleCount"],
    )["Datapoints"]
    return {
        "Sum": float(sum(p["Sum"] for p in points)),
        "SampleCount": float(sum(p["SampleCount"] for p in points)),
    }


def invocations_by_variant(
    cloudwatch: Any,
    endpoint: str,
    variants: Sequence[str],
    since: dt.datetime,
    *,
    total: int,
    timeout: float = 600,
    poll: float = 1.0,
) -> dict[str, float]:
    """Each variant's ``Invocations`` since ``since``, once together they reach ``total``.

    Raises ``TimeoutError`` naming the count seen when ``total`` is not reached in
    ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        counts = {
            name: variant_statistics(cloudwatch, endpoint, name, "Invocations", since)["Sum"]
            for name in variants
        }
        seen = sum(counts.values())
        if seen >= total:
            return counts
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"CloudWatch shows {seen:.0f} of {total} invocations of {endpoint} after "
                f"{timeout:.0f} s"
            )
        time.sleep(poll)
