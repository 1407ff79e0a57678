"""``constraints.json``: suggested from baseline statistics, and read back as settings.

The schema (SageMaker Developer Guide, "Schema for Constraints (constraints.json file)"):
per feature ``name``, ``inferred_type`` (Integral, Fractional, String or Unknown),
``completeness`` (the observed share of non-missing values), ``num_constraints``
(``is_non_negative``) for numbers and ``string_constraints.domains`` (the observed values
of a low-cardinality String feature); then a file-wide ``monitoring_config``. A feature may
override any ``monitoring_config`` key in ``monitoringConfigOverrides`` (the SageMaker
Python SDK writes ``monitoring_config_overrides``; both are read).

What :func:`suggest_constraints` writes mirrors a baselining job's file: thresholds 1.0
for the data type and domain checks, and drift comparison Enabled with threshold 0.1 and
method Robust. When a key is absent from a file, :func:`settings` uses the documented
defaults (0.1 for every threshold, Robust, LInfinity, everything Enabled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labs.runtime.monitoring.errors import MonitoringError
from labs.runtime.monitoring.statistics import category_counts
from labs.runtime.monitoring.values import NUMERIC_TYPES, STRING

#: The ``monitoring_config`` a suggested baseline carries.
SUGGESTED_MONITORING_CONFIG: dict[str, Any] = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 1.0,
    "domain_content_threshold": 1.0,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": "Robust",
    },
}

_METHODS = {
    "robust": "Robust",
    "linf_robust": "Robust",
    "simple": "Simple",
    "linf_simple": "Simple",
}


def suggest_constraints(statistics: Mapping[str, Any]) -> dict[str, Any]:
    """The ``constraints.json`` body a baselining job suggests for ``statistics``."""
    item_count = statistics["dataset"]["item_count"]
    features = []
    for feature in statistics["features"]:
        kind = feature["inferred_type"]
        stats = feature.get("numerical_statistics") or feature.get("string_statistics") or {}
        present = stats.get("common", {}).get("num_present", 0)
        entry: dict[str, Any] = {
            "name": feature["name"],
            "inferred_type": kind,
            "completeness": present / item_count if item_count else 0.0,
        }
        if kind in NUMERIC_TYPES:
            entry["num_constraints"] = {"is_non_negative": stats["min"] >= 0}
        elif kind == STRING:
            counts = category_counts(feature)
            if counts is not None:
                entry["string_constraints"] = {"domains": sorted(counts)}
        features.append(entry)
    return {
        "version": 0,
        "features": features,
        "monitoring_config": _copy(SUGGESTED_MONITORING_CONFIG),
    }


@dataclass(frozen=True)
class Settings:
    """The monitoring options in force for one feature (file-wide, then its overrides)."""

    evaluate_constraints: bool = True
    emit_metrics: bool = True
    datatype_check_threshold: float = 0.1
    domain_content_threshold: float = 0.1
    perform_comparison: bool = True
    comparison_threshold: float = 0.1
    comparison_method: str = "Robust"
    categorical_comparison_threshold: float = 0.1
    categorical_drift_method: str = "LInfinity"


def settings(
    monitoring_config: Mapping[str, Any] | None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """The :class:`Settings` of a ``monitoring_config``, with a feature's overrides on top."""
    merged = _merge(dict(monitoring_config or {}), dict(overrides or {}))
    distribution = merged.get("distribution_constraints") or {}
    threshold = _number(distribution, "comparison_threshold", 0.1)
    method_name = str(distribution.get("comparison_method", "Robust"))
    method = _METHODS.get(method_name.lower())
    if method is None:
        raise MonitoringError(
            f"comparison_method {method_name!r} is not valid; use 'Robust' or 'Simple' "
            "(linf_robust / linf_simple)."
        )
    drift_method = str(distribution.get("categorical_drift_method", "LInfinity"))
    if drift_method != "LInfinity":
        raise MonitoringError(
            f"categorical_drift_method {drift_method!r}: the local monitor computes the "
            "LInfinity distance only (ChiSquared runs on SageMaker). Remove the key or set it "
            "to 'LInfinity'."
        )
    return Settings(
        evaluate_constraints=_enabled(merged, "evaluate_constraints"),
        emit_metrics=_enabled(merged, "emit_metrics"),
        datatype_check_threshold=_number(merged, "datatype_check_threshold", 0.1),
        domain_content_threshold=_number(merged, "domain_content_threshold", 0.1),
        perform_comparison=_enabled(distribution, "perform_comparison"),
        comparison_threshold=threshold,
        comparison_method=method,
        categorical_comparison_threshold=_number(
            distribution, "categorical_comparison_threshold", threshold
        ),
        categorical_drift_method=drift_method,
    )


def feature_overrides(feature: Mapping[str, Any]) -> Mapping[str, Any]:
    """A constraints feature's ``monitoringConfigOverrides`` (either spelling)."""
    overrides = feature.get("monitoringConfigOverrides")
    return overrides or feature.get("monitoring_config_overrides") or {}


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            base[key] = _merge(dict(base[key]), dict(value))
        else:
            base[key] = value
    return base


def _enabled(config: Mapping[str, Any], key: str) -> bool:
    value = config.get(key, "Enabled")
    if value not in ("Enabled", "Disabled"):
        raise MonitoringError(f"{key} must be 'Enabled' or 'Disabled', got {value!r}.")
    return value == "Enabled"


def _number(config: Mapping[str, Any], key: str, default: float) -> float:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MonitoringError(f"{key} must be a number, got {value!r}.")
    return float(value)


def _copy(config: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in config.items()}
