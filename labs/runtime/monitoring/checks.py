"""Evaluating a baseline's constraints against the current data: the violations.

The check types and what flags them (SageMaker Developer Guide, "Schema for Violations
(constraint_violations.json file)"):

- ``missing_column_check`` / ``extra_column_check``: a baseline feature is absent from
  the current data, or the current data has a column the baseline does not know. One
  violation per column, so the file names the column.
- ``data_type_check``: fewer than ``datatype_check_threshold`` of a feature's present
  values have its baseline type (an integer counts as Fractional; String takes anything).
- ``completeness_check``: the share of non-missing values fell below the baseline's
  ``completeness``. With ``comparison_method: Simple`` any drop is flagged. With
  ``Robust`` the kit allows for sampling noise, as the robust drift distance does: a
  feature that was complete in the baseline must stay complete, and for the others a
  drop is flagged when a one-sided Fisher exact test of the two missing-value counts
  gives p < 0.001 (the service documents no tolerance; this one is the kit's).
- ``categorical_values_check``: fewer than ``domain_content_threshold`` of a String
  feature's values are in its baseline ``domains``.
- ``baseline_drift_check``: the distance of :mod:`.distance` is above
  ``comparison_threshold`` (``categorical_comparison_threshold`` for String features).

``num_constraints.is_non_negative`` is written to the constraints file, as by the service,
but none of the documented check types evaluates it, so it flags nothing here either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy import stats as scipy_stats

from labs.runtime.monitoring import distance
from labs.runtime.monitoring.constraints import Settings, feature_overrides, settings
from labs.runtime.monitoring.statistics import by_name, category_counts, sketch_values
from labs.runtime.monitoring.values import NUMERIC_TYPES, STRING, ColumnValues, classify

#: The p-value below which the Robust completeness check calls a drop real.
COMPLETENESS_ALPHA = 0.001


@dataclass(frozen=True)
class Comparison:
    """One feature's drift comparison, whether or not it was flagged."""

    feature: str
    kind: str  # "numeric" or "categorical"
    distance: float
    linf_simple: float
    threshold: float
    method: str

    @property
    def drifted(self) -> bool:
        """True when the distance is above the threshold."""
        return self.distance > self.threshold


@dataclass
class Evaluation:
    """The violations of one monitoring run and every drift comparison it made."""

    violations: list[dict[str, str]] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)

    def flag(self, feature: str, check: str, description: str) -> None:
        """Add one violation in the file's format."""
        self.violations.append(
            {"feature_name": feature, "constraint_check_type": check, "description": description}
        )


def evaluate(
    current: pd.DataFrame, statistics: Mapping[str, Any], constraints: Mapping[str, Any]
) -> Evaluation:
    """Every violation of ``constraints`` (and drift from ``statistics``) in ``current``."""
    result = Evaluation()
    file_settings = settings(constraints.get("monitoring_config"))
    if not file_settings.evaluate_constraints:
        return result
    features = list(constraints.get("features", []))
    names = [f["name"] for f in features]
    _columns(result, names, list(current.columns))
    baseline_stats = by_name(statistics)
    baseline_rows = int(statistics.get("dataset", {}).get("item_count", 0))
    for feature in features:
        name = feature["name"]
        if name not in current.columns:
            continue
        options = settings(constraints.get("monitoring_config"), feature_overrides(feature))
        if not options.evaluate_constraints:
            continue
        values = classify(current[name])
        _data_type(result, feature, values, options)
        _completeness(result, feature, values, options, baseline_rows)
        _domain(result, feature, values, options)
        if options.perform_comparison and name in baseline_stats:
            _drift(result, baseline_stats[name], values, options)
    return result


def _columns(result: Evaluation, baseline: list[str], current: list[str]) -> None:
    counts = (
        f"Number of columns in current dataset: {len(current)}, "
        f"in baseline constraints: {len(baseline)}."
    )
    for name in baseline:
        if name not in current:
            result.flag(
                name,
                "missing_column_check",
                f"Baseline column {name!r} is missing from the current dataset. {counts}",
            )
    for name in current:
        if name not in baseline:
            result.flag(
                name,
                "extra_column_check",
                f"Column {name!r} of the current dataset is not in the baseline. {counts}",
            )


def _data_type(
    result: Evaluation, feature: Mapping[str, Any], values: ColumnValues, options: Settings
) -> None:
    expected = feature.get("inferred_type")
    if expected not in NUMERIC_TYPES or values.num_present == 0:
        return
    share = values.matching(expected) / values.num_present
    if share < options.datatype_check_threshold:
        others = values.num_present - values.matching(expected)
        result.flag(
            feature["name"],
            "data_type_check",
            f"Data type requirement not met. Expected type: {expected} for at least "
            f"{options.datatype_check_threshold:.1%} of values. Observed: only {share:.1%} "
            f"are {expected} ({others} value(s) of another type).",
        )


def _completeness(
    result: Evaluation,
    feature: Mapping[str, Any],
    values: ColumnValues,
    options: Settings,
    baseline_rows: int,
) -> None:
    expected = feature.get("completeness")
    if expected is None or values.item_count == 0:
        return
    expected = float(expected)
    observed = values.num_present / values.item_count
    if observed >= expected or not _completeness_dropped(
        expected, baseline_rows, values, options.comparison_method
    ):
        return
    result.flag(
        feature["name"],
        "completeness_check",
        f"Data completeness requirement not met. Expected completeness: {expected:.1%}. "
        f"Observed: {observed:.1%} ({values.num_missing} of {values.item_count} values "
        "missing).",
    )


def _completeness_dropped(
    expected: float, baseline_rows: int, values: ColumnValues, method: str
) -> bool:
    """Whether a completeness below the baseline's counts as a real drop for ``method``."""
    if method == "Simple" or expected >= 1.0 or baseline_rows <= 0:
        return True
    baseline_missing = round((1 - expected) * baseline_rows)
    table = [
        [values.num_missing, values.num_present],
        [baseline_missing, baseline_rows - baseline_missing],
    ]
    return bool(scipy_stats.fisher_exact(table, alternative="greater").pvalue < COMPLETENESS_ALPHA)


def _domain(
    result: Evaluation, feature: Mapping[str, Any], values: ColumnValues, options: Settings
) -> None:
    domains = (feature.get("string_constraints") or {}).get("domains")
    if feature.get("inferred_type") != STRING or domains is None or values.num_present == 0:
        return
    present = values.text[~values.missing]
    known = present.isin(set(map(str, domains)))
    share = float(known.mean())
    if share < options.domain_content_threshold:
        unknown = sorted(present[~known].unique().tolist())
        shown = ", ".join(repr(v) for v in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        result.flag(
            feature["name"],
            "categorical_values_check",
            f"Data domain requirement not met. Expected at least "
            f"{options.domain_content_threshold:.1%} of values in the baseline domain. "
            f"Observed: {share:.1%}. Values not in the baseline: {shown}.",
        )


def _drift(
    result: Evaluation, baseline: Mapping[str, Any], values: ColumnValues, options: Settings
) -> None:
    name = baseline["name"]
    if baseline.get("inferred_type") in NUMERIC_TYPES:
        sketch = sketch_values(dict(baseline))
        current = values.numeric_values()
        if sketch is None or not len(current):
            return
        linf = distance.numeric_linf(sketch[0], sketch[1], current)
        n = int(baseline["numerical_statistics"]["common"]["num_present"])
        kind, threshold, m = "numeric", options.comparison_threshold, len(current)
    else:
        counts = category_counts(dict(baseline))
        present = values.text[~values.missing]
        if not counts or present.empty:
            return
        linf = distance.categorical_linf(counts, present.value_counts().to_dict())
        n, m = sum(counts.values()), len(present)
        kind, threshold = "categorical", options.categorical_comparison_threshold
    measured = distance.distance(linf, n, m, options.comparison_method)
    comparison = Comparison(name, kind, measured, linf, threshold, options.comparison_method)
    result.comparisons.append(comparison)
    if comparison.drifted:
        result.flag(
            name,
            "baseline_drift_check",
            f"Baseline drift distance: {measured:.4g} exceeds threshold: {threshold:g} "
            f"({options.comparison_method} L-infinity distance between the baseline and "
            f"current {kind} distributions).",
        )
