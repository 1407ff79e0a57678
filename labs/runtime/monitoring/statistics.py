"""``statistics.json``: per-feature statistics in Model Monitor's documented schema.

The schema (SageMaker Developer Guide, "Schema for Statistics (statistics.json file)"):
``{"version": 0, "dataset": {"item_count": n}, "features": [...]}``, where a numeric
feature has ``numerical_statistics`` (``common`` counts, ``mean``, ``sum``, ``std_dev``,
``min``, ``max`` and a ``distribution.kll`` with 10 ``buckets`` and a ``sketch``) and a
String feature ``string_statistics`` (``common``, ``distinct_count`` and a
``distribution.categorical`` list of value counts).

Where the kit differs: the real container summarises a numeric column with a KLL sketch (a
compact, approximate quantile summary). Here the statistics are exact, and the ``sketch``
holds one level of data: every value when there are at most :data:`SKETCH_K` of them, else
:data:`SKETCH_K` evenly spaced quantiles of them (rank error below 1/:data:`SKETCH_K`). The
``parameters`` keep the documented ``c`` and ``k`` keys so tools that read the file find
them. ``std_dev`` is the population standard deviation. A String column with more than
:data:`MAX_CATEGORIES` distinct values gets no categorical distribution (it is an
identifier, not a category) and so no drift comparison.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labs.runtime.monitoring.values import NUMERIC_TYPES, STRING, ColumnValues, classify

#: Buckets in the materialised numeric distribution (fixed at 10 by the service).
BUCKETS = 10
#: Size of the kit's numeric summary (the ``k`` written in ``sketch.parameters``).
SKETCH_K = 2048
#: The ``c`` written in ``sketch.parameters`` (the KLL compaction factor; unused locally).
SKETCH_C = 0.64
#: Above this many distinct values a String column has no categorical distribution.
MAX_CATEGORIES = 120


def dataset_statistics(frame: pd.DataFrame) -> dict[str, Any]:
    """The whole ``statistics.json`` body for ``frame``."""
    return {
        "version": 0,
        "dataset": {"item_count": len(frame)},
        "features": [feature_statistics(str(name), classify(frame[name])) for name in frame],
    }


def feature_statistics(name: str, values: ColumnValues) -> dict[str, Any]:
    """One entry of ``features``: the statistics of one column."""
    kind = values.inferred_type
    common = {"num_present": values.num_present, "num_missing": values.num_missing}
    entry: dict[str, Any] = {"name": name, "inferred_type": kind}
    if kind in NUMERIC_TYPES:
        entry["numerical_statistics"] = _numerical(values.numeric_values(), common)
    else:
        entry["string_statistics"] = (
            _categorical(values, common)
            if kind == STRING
            else {
                "common": common,
                "distinct_count": 0,
            }
        )
    return entry


def _numerical(numbers: np.ndarray, common: dict[str, int]) -> dict[str, Any]:
    ordered = np.sort(numbers)
    return {
        "common": common,
        "mean": float(ordered.mean()),
        "sum": float(ordered.sum()),
        "std_dev": float(ordered.std()),
        "min": float(ordered[0]),
        "max": float(ordered[-1]),
        "distribution": {
            "kll": {
                "buckets": _buckets(ordered),
                "sketch": {
                    "parameters": {"c": SKETCH_C, "k": SKETCH_K},
                    "data": [summary_points(ordered).tolist()],
                },
            }
        },
    }


def _buckets(ordered: np.ndarray) -> list[dict[str, float]]:
    low, high = float(ordered[0]), float(ordered[-1])
    if low == high:
        return [{"lower_bound": low, "upper_bound": high, "count": len(ordered)}]
    edges = np.linspace(low, high, BUCKETS + 1)
    counts, _ = np.histogram(ordered, bins=edges)
    return [
        {"lower_bound": float(edges[i]), "upper_bound": float(edges[i + 1]), "count": int(c)}
        for i, c in enumerate(counts)
    ]


def summary_points(ordered: np.ndarray) -> np.ndarray:
    """The values kept in the sketch: all of them, or ``SKETCH_K`` evenly spaced quantiles."""
    if len(ordered) <= SKETCH_K:
        return ordered
    ranks = (np.arange(SKETCH_K) + 0.5) / SKETCH_K
    return np.quantile(ordered, ranks, method="inverted_cdf")


def _categorical(values: ColumnValues, common: dict[str, int]) -> dict[str, Any]:
    counts = values.text[~values.missing].value_counts()
    stats: dict[str, Any] = {"common": common, "distinct_count": len(counts)}
    if len(counts) <= MAX_CATEGORIES:
        stats["distribution"] = {
            "categorical": {
                "buckets": [{"value": str(v), "count": int(c)} for v, c in counts.items()]
            }
        }
    return stats


def by_name(statistics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``features`` entries of a statistics body, keyed by feature name."""
    return {feature["name"]: feature for feature in statistics.get("features", [])}


def sketch_values(feature: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """A feature's sketch as sorted ``(points, weights)``; None when it has none.

    The kit writes one level (every point weighs 1). A sketch from the real service has
    several KLL levels; an item at level ``h`` stands for ``2**h`` values.
    """
    kll = feature.get("numerical_statistics", {}).get("distribution", {}).get("kll", {})
    levels = kll.get("sketch", {}).get("data") or []
    points = [np.asarray(level, dtype=float) for level in levels]
    weights = [np.full(len(level), 2.0**h) for h, level in enumerate(points)]
    if not points or not sum(len(p) for p in points):
        return None
    values, weight = np.concatenate(points), np.concatenate(weights)
    order = np.argsort(values, kind="stable")
    return values[order], weight[order]


def category_counts(feature: dict[str, Any]) -> dict[str, int] | None:
    """A String feature's value counts from its categorical distribution (None if absent)."""
    distribution = feature.get("string_statistics", {}).get("distribution", {})
    buckets = distribution.get("categorical", {}).get("buckets")
    if buckets is None:
        return None
    return {str(b["value"]): int(b["count"]) for b in buckets}
