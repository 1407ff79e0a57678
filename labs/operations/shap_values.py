"""SHAP feature attributions of an XGBoost model: local explanations and global importance.

SageMaker Clarify explains a model with Kernel SHAP: it builds a synthetic dataset of
``num_samples`` rows that mix each explained row with a *baseline* (rows you give, or a
K-means summary of the data), asks the model for predictions on it and solves for each
feature's contribution (SageMaker Developer Guide, "Feature Attributions that Use Shapley
Values", "SHAP Baselines for Explainability"). Global importance is the mean absolute
SHAP value per feature (``agg_method: mean_abs``, the default). With ``use_logit`` the
attributions are in log-odds.

For a tree ensemble the same Shapley values can be computed exactly: XGBoost's TreeSHAP
(``Booster.predict(..., pred_contribs=True)``) walks each tree, using the training cover
of its branches as the background. :func:`tree_shap` uses it, so no extra library and no
sampling noise. Its attributions are in the model's margin (log-odds for
``binary:logistic``) and add up exactly: ``sum(SHAP of a row) = margin(row) - base``,
where ``base`` (the expected margin, XGBoost's bias column) plays the part of Clarify's
baseline prediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = ["ShapExplanation", "tree_shap"]


@dataclass(frozen=True)
class ShapExplanation:
    """The SHAP values of some rows (one column per feature) and what they explain."""

    values: pd.DataFrame
    base_value: float
    margin: np.ndarray

    def global_importance(self, top: int | None = None) -> pd.Series:
        """Mean absolute SHAP value per feature, largest first (Clarify's ``mean_abs``)."""
        importance = self.values.abs().mean().sort_values(ascending=False)
        return importance if top is None else importance.head(top)

    def local(self, row: int, top: int | None = None) -> pd.Series:
        """Row ``row``'s attributions, largest in absolute value first."""
        if not 0 <= row < len(self.values):
            raise LabsError(f"There are {len(self.values)} explained rows; row {row} is not one.")
        attributions = self.values.iloc[row]
        ordered = attributions.reindex(attributions.abs().sort_values(ascending=False).index)
        return ordered if top is None else ordered.head(top)

    def additivity_error(self) -> float:
        """The largest ``|sum(SHAP) - (margin - base)|`` over the rows (about 1e-6 or less)."""
        totals = self.values.to_numpy().sum(axis=1)
        return float(np.max(np.abs(totals - (self.margin - self.base_value))))

    def plot_global(self, top: int = 10) -> Any:
        """A horizontal bar chart of the ``top`` features' mean |SHAP|; returns the Figure."""
        from matplotlib.figure import Figure

        importance = self.global_importance(top)[::-1]
        figure = Figure(figsize=(6.5, 0.35 * len(importance) + 1.2), layout="constrained")
        axes = figure.add_subplot()
        axes.barh(importance.index, importance.to_numpy(), color="tab:blue")
        axes.set_xlabel("mean |SHAP value| (log-odds)")
        axes.set_title(f"Global importance: top {len(importance)} features")
        return figure

    def plot_local(self, row: int, top: int = 8) -> Any:
        """A waterfall-style bar chart of one row's ``top`` attributions; returns the Figure."""
        from matplotlib.figure import Figure

        local = self.local(row, top)[::-1]
        colours = ["tab:red" if v > 0 else "tab:blue" for v in local.to_numpy()]
        figure = Figure(figsize=(6.5, 0.35 * len(local) + 1.4), layout="constrained")
        axes = figure.add_subplot()
        axes.barh(local.index, local.to_numpy(), color=colours)
        axes.axvline(0, color="black", linewidth=0.8)
        axes.set_xlabel("SHAP value (log-odds): red pushes towards churn")
        axes.set_title(
            f"Row {row}: base {self.base_value:+.2f} + attributions = margin "
            f"{self.margin[row]:+.2f}"
        )
        return figure


def tree_shap(booster: Any, features: pd.DataFrame) -> ShapExplanation:
    """Exact TreeSHAP values of ``booster`` for the rows of ``features``.

    ``features`` must hold the model's input columns in training order (for a built-in
    XGBoost model: the CSV columns after the label). Column names label the result.
    """
    import xgboost as xgb

    if not isinstance(features, pd.DataFrame) or features.empty:
        raise LabsError("features must be a non-empty DataFrame of the model's input columns.")
    expected = booster.num_features()
    if features.shape[1] != expected:
        raise LabsError(
            f"The model takes {expected} features; the table has {features.shape[1]} columns. "
            "Pass the feature columns only (no label), in training order."
        )
    matrix = xgb.DMatrix(features.to_numpy(dtype=float))
    contributions = booster.predict(matrix, pred_contribs=True)
    margin = booster.predict(matrix, output_margin=True)
    values = pd.DataFrame(contributions[:, :-1], columns=features.columns, index=features.index)
    return ShapExplanation(
        values=values, base_value=float(contributions[0, -1]), margin=np.asarray(margin)
    )
