"""Per-variant endpoint metrics in CloudWatch, as SageMaker publishes them.

SageMaker sends endpoint invocation metrics to the ``AWS/SageMaker`` namespace with the
dimensions ``EndpointName`` and ``VariantName``: ``Invocations``,
``InvocationsPerInstance``, ``ModelLatency`` and ``OverheadLatency`` (microseconds),
``Invocation4XXErrors`` and ``Invocation5XXErrors`` (one datum per request, 0 or 1, so the
Average is the error rate). Here each request is counted in memory and a background
thread sends what has accumulated once a second as aggregated data points
(``StatisticValues``), so a load test does not make one CloudWatch call per request and a
lab can graph the metrics a moment after calling the endpoint.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

NAMESPACE = "AWS/SageMaker"
FLUSH_SECONDS = 1.0


@dataclass
class _Series:
    """Samples of one metric since the last flush."""

    unit: str
    count: int = 0
    total: float = 0.0
    low: float = float("inf")
    high: float = float("-inf")

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)

    def datum(self, name: str, dimensions: list[dict[str, str]], stamp: datetime) -> dict[str, Any]:
        return {
            "MetricName": name,
            "Dimensions": dimensions,
            "Timestamp": stamp,
            "Unit": self.unit,
            "StatisticValues": {
                "SampleCount": float(self.count),
                "Sum": self.total,
                "Minimum": self.low,
                "Maximum": self.high,
            },
        }


@dataclass
class _Variant:
    series: dict[str, _Series] = field(default_factory=dict)

    def add(self, name: str, value: float, unit: str) -> None:
        self.series.setdefault(name, _Series(unit)).add(value)


class EndpointMetrics:
    """Collects invocation metrics and publishes them to CloudWatch in the background."""

    def __init__(self, cloudwatch: Any) -> None:
        self._cloudwatch = cloudwatch
        self._pending: dict[tuple[str, str], _Variant] = {}
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="labs-endpoint-metrics", daemon=True)
        self._thread.start()

    def record(
        self,
        endpoint: str,
        variant: str,
        *,
        status: int,
        model_seconds: float | None,
        overhead_seconds: float,
        instance_count: int,
    ) -> None:
        """Count one request that reached ``variant`` and ended with HTTP ``status``."""
        with self._lock:
            entry = self._pending.setdefault((endpoint, variant), _Variant())
            entry.add("Invocations", 1.0, "None")
            entry.add("InvocationsPerInstance", 1.0 / max(instance_count, 1), "None")
            entry.add("Invocation4XXErrors", float(400 <= status < 500), "None")
            entry.add("Invocation5XXErrors", float(status >= 500), "None")
            if model_seconds is not None:
                entry.add("ModelLatency", model_seconds * 1e6, "Microseconds")
            entry.add("OverheadLatency", overhead_seconds * 1e6, "Microseconds")

    def flush(self) -> None:
        """Send everything recorded so far (blocks until CloudWatch has it)."""
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, {}
            stamp = datetime.now(UTC)
            for (endpoint, variant), entry in pending.items():
                dimensions = [
                    {"Name": "EndpointName", "Value": endpoint},
                    {"Name": "VariantName", "Value": variant},
                ]
                data = [s.datum(name, dimensions, stamp) for name, s in entry.series.items()]
                self._cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)

    def close(self) -> None:
        """Flush and stop the background thread."""
        self._closed = True
        self._wake.set()
        self._thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(FLUSH_SECONDS)
            if self._closed:
                return
            try:
                self.flush()
            except Exception:  # the local CloudWatch went away (lab stopped): try later
                time.sleep(FLUSH_SECONDS)
