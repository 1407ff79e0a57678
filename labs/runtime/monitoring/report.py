"""The result of a monitoring run, shaped for a notebook: a table, a verdict, a plot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labs.runtime.monitoring.checks import Comparison
from labs.runtime.monitoring.statistics import by_name, category_counts, sketch_values
from labs.runtime.monitoring.values import classify

_COLUMNS = ["feature_name", "constraint_check_type", "description"]


@dataclass
class MonitoringReport:
    """What one monitoring execution found.

    Attributes:
        violations: the ``violations`` of ``constraint_violations.json``, one dict each.
        statistics: the ``statistics.json`` body of the current data.
        comparisons: every drift comparison made, flagged or not.
        baseline_statistics: the baseline's ``statistics.json`` body.
        current: the current data as monitored (columns named as the baseline's features).
        output_uris: the S3 URIs of the files written, by file name.
    """

    violations: list[dict[str, str]]
    statistics: dict[str, Any]
    comparisons: list[Comparison]
    baseline_statistics: dict[str, Any]
    current: pd.DataFrame = field(repr=False)
    output_uris: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the run found no violation."""
        return not self.violations

    @property
    def drifted_features(self) -> list[str]:
        """The features whose ``baseline_drift_check`` failed."""
        return [c.feature for c in self.comparisons if c.drifted]

    def to_frame(self) -> pd.DataFrame:
        """The violations as a DataFrame (one row each)."""
        return pd.DataFrame(self.violations, columns=_COLUMNS)

    def __str__(self) -> str:
        rows = self.statistics["dataset"]["item_count"]
        if self.ok:
            return f"Monitoring run over {rows} rows: no violations."
        lines = [f"Monitoring run over {rows} rows: {len(self.violations)} violation(s)."]
        width = max(len(v["feature_name"]) for v in self.violations)
        check_width = max(len(v["constraint_check_type"]) for v in self.violations)
        for v in self.violations:
            lines.append(
                f"  {v['feature_name']:<{width}}  {v['constraint_check_type']:<{check_width}}  "
                f"{v['description']}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if self.ok:
            return f"<p>{self!s}</p>"
        heading = str(self).splitlines()[0]
        return f"<p>{heading}</p>" + self.to_frame().to_html(index=False)

    def plot(self, features: list[str] | None = None) -> Any:
        """Baseline vs current distributions of ``features`` (default: the drifted ones).

        A numeric feature is drawn as two cumulative distributions, with the largest gap
        between them (the L-infinity distance) marked; a String feature as two bar sets of
        category shares. Returns the matplotlib Figure.
        """
        from matplotlib.figure import Figure

        chosen = features if features is not None else self.drifted_features
        if not chosen:
            figure = Figure(figsize=(6, 1.5))
            axes = figure.add_subplot()
            axes.axis("off")
            axes.text(0.5, 0.5, "No feature drifted beyond its threshold.", ha="center")
            return figure
        comparisons = {c.feature: c for c in self.comparisons}
        baseline = by_name(self.baseline_statistics)
        figure = Figure(figsize=(6.5, 3.2 * len(chosen)), layout="constrained")
        for i, name in enumerate(chosen, start=1):
            axes = figure.add_subplot(len(chosen), 1, i)
            if name not in baseline or name not in self.current.columns:
                axes.axis("off")
                axes.text(0.5, 0.5, f"{name}: not in both datasets", ha="center")
                continue
            values = classify(self.current[name])
            if "numerical_statistics" in baseline[name]:
                _plot_numeric(axes, baseline[name], values.numeric_values())
            else:
                present = values.text[~values.missing]
                _plot_categories(axes, baseline[name], present.value_counts().to_dict())
            title = name
            if name in comparisons:
                c = comparisons[name]
                title += f"  ({c.method} distance {c.distance:.3f}, threshold {c.threshold:g})"
            axes.set_title(title, fontsize=10)
        return figure


def _plot_numeric(axes: Any, feature: dict[str, Any], current: np.ndarray) -> None:
    sketch = sketch_values(feature)
    if sketch is None or not len(current):
        axes.text(0.5, 0.5, "no numeric values to compare", ha="center")
        return
    points, weights = sketch
    current = np.sort(current)
    grid = np.union1d(points, current)
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    f_base = cumulative[np.searchsorted(points, grid, side="right")] / cumulative[-1]
    f_now = np.searchsorted(current, grid, side="right") / len(current)
    axes.step(grid, f_base, where="post", label="baseline")
    axes.step(grid, f_now, where="post", label="current")
    gap = int(np.argmax(np.abs(f_base - f_now)))
    axes.vlines(grid[gap], f_base[gap], f_now[gap], colors="red", label="largest gap")
    axes.set_ylabel("cumulative share")
    axes.legend(loc="lower right", fontsize=8)


def _plot_categories(axes: Any, feature: dict[str, Any], current: dict[str, int]) -> None:
    baseline = category_counts(feature) or {}
    keys = sorted(set(baseline) | set(current), key=lambda k: -baseline.get(k, 0))
    n, m = max(sum(baseline.values()), 1), max(sum(current.values()), 1)
    x = np.arange(len(keys))
    axes.bar(x - 0.2, [baseline.get(k, 0) / n for k in keys], width=0.4, label="baseline")
    axes.bar(x + 0.2, [current.get(k, 0) / m for k in keys], width=0.4, label="current")
    axes.set_xticks(x, keys, rotation=60, fontsize=7)
    axes.set_ylabel("share")
    axes.legend(fontsize=8)
