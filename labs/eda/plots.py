"""Plots of the exploratory-analysis labs that take more than a line of matplotlib."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = ["correlation_heatmap"]


def correlation_heatmap(
    corr: pd.DataFrame, ax: Any = None, title: str | None = None, annotate: bool = True
) -> Any:
    """Draw a correlation matrix as a heatmap on ``ax`` (a new figure when ``None``).

    The colour scale is fixed to [-1, 1] (blue negative, red positive, white 0) so that two
    heatmaps can be compared by eye; with ``annotate`` each cell shows its value to two
    decimals. Returns the axes.
    """
    import matplotlib.pyplot as plt

    if not isinstance(corr, pd.DataFrame) or corr.shape[0] != corr.shape[1]:
        raise LabsError("correlation_heatmap() takes a square DataFrame such as frame.corr().")
    if ax is None:
        size = 0.55 * len(corr) + 2
        _, ax = plt.subplots(figsize=(size + 1, size))
    values = corr.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(corr.columns)), corr.columns, rotation=60, ha="right")
    ax.set_yticks(range(len(corr.index)), corr.index)
    if annotate:
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                colour = "white" if abs(value) > 0.6 else "black"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=colour)
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title)
    return ax
