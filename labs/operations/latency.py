"""Endpoint latency two ways: timed from the client, and as SageMaker AI reports it.

From the client, each ``InvokeEndpoint`` call is timed end to end (network, SageMaker's
front end, the container). CloudWatch splits the server side in two per variant, both in
microseconds (AWS/SageMaker namespace, "Amazon SageMaker AI metrics in Amazon CloudWatch"):

- ``ModelLatency``: the time the model container took to answer, as SageMaker sees it.
- ``OverheadLatency``: the rest of SageMaker's own time for the request (from receiving
  it to returning the answer, minus ``ModelLatency``).

Client latency minus both is the network between the caller and SageMaker.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from labs.operations.variant_metrics import variant_statistics

__all__ = ["latency_summary", "time_calls", "variant_latency"]


def time_calls(call: Callable[[], Any], n: int) -> np.ndarray:
    """Call ``call()`` ``n`` times in a row; each call's wall time in seconds."""
    if n < 1:
        raise ValueError(f"n is the number of calls to time, at least 1, not {n}")
    seconds = np.empty(n)
    for i in range(n):
        started = time.perf_counter()
        call()
        seconds[i] = time.perf_counter() - started
    return seconds


def latency_summary(seconds: Sequence[float] | np.ndarray) -> dict[str, float]:
    """p50, p90, p99, mean and max of latencies given in seconds, in milliseconds.

    Percentiles interpolate linearly between the measured values (numpy's default).
    """
    values = np.asarray(seconds, dtype=float)
    if values.size == 0:
        raise ValueError("no latencies to summarise")
    p50, p90, p99 = np.percentile(values, [50, 90, 99]) * 1000
    return {
        "p50_ms": float(p50),
        "p90_ms": float(p90),
        "p99_ms": float(p99),
        "mean_ms": float(values.mean() * 1000),
        "max_ms": float(values.max() * 1000),
    }


def variant_latency(
    cloudwatch: Any,
    endpoint: str,
    variant: str,
    since: dt.datetime,
    *,
    invocations: int,
    timeout: float = 600,
    poll: float = 1.0,
) -> dict[str, float]:
    """A variant's CloudWatch latencies since ``since``, once ``invocations`` have arrived.

    Polls until the variant's ``Invocations`` sum reaches ``invocations`` (CloudWatch on
    AWS shows endpoint metrics after a minute or more), then returns ``invocations`` and the
    mean ``model_latency_ms`` and ``overhead_latency_ms``. Raises ``TimeoutError`` if the
    count is not reached within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        counted = variant_statistics(cloudwatch, endpoint, variant, "Invocations", since)["Sum"]
        if counted >= invocations:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"CloudWatch shows {counted:.0f} of {invocations} invocations of "
                f"{endpoint}/{variant} after {timeout:.0f} s"
            )
        time.sleep(poll)
    result = {"invocations": counted}
    for metric, key in (
        ("ModelLatency", "model_latency_ms"),
        ("OverheadLatency", "overhead_latency_ms"),
    ):
        stats = variant_statistics(cloudwatch, endpoint, variant, metric, since)
        result[key] = stats["Sum"] / stats["SampleCount"] / 1000 if stats["SampleCount"] else 0.0
    return result
