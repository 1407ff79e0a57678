"""The readiness plot: one bar per task statement, grouped and coloured by domain.

Built on :class:`matplotlib.figure.Figure` directly (no pyplot), so it draws with the Agg
backend in a terminal and shows inline in a notebook, without touching global state.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from labs.errors import LabsError
from labs.exam.readiness import GETTING_THERE, READY, ExamReadiness, level

__all__ = ["readiness_figure", "save_readiness_plot"]

_COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3")


def readiness_figure(ready: ExamReadiness) -> Figure:
    """A horizontal bar chart of readiness per task statement, domains as colours."""
    tasks = ready.tasks
    fig = Figure(figsize=(9, 0.42 * len(tasks) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    labels, values, colours = [], [], []
    for d_index, d in enumerate(ready.domains):
        for t in d.tasks:
            title = t.task.title if len(t.task.title) <= 48 else t.task.title[:47] + "…"
            labels.append(f"{t.task.id}  {title}")
            values.append(100 * t.readiness)
            colours.append(_COLOURS[d_index % len(_COLOURS)])
    positions = list(range(len(tasks)))[::-1]
    ax.barh(positions, values, color=colours, height=0.7)
    for y, value in zip(positions, values, strict=True):
        ax.text(min(value, 100) + 1, y, f"{value:.0f}%", va="center", fontsize=8)
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_xlim(0, 108)
    ax.set_ylim(-0.6, len(tasks) - 0.4)
    ax.set_xlabel("readiness (%)")
    ax.axvline(100 * GETTING_THERE, color="grey", linestyle=":", linewidth=1)
    ax.axvline(100 * READY, color="black", linestyle="--", linewidth=1)
    handles = [
        Patch(
            color=_COLOURS[i % len(_COLOURS)],
            label=f"{d.domain.number} {d.domain.name} ({d.readiness:.0%})",
        )
        for i, d in enumerate(ready.domains)
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=8, title="domain", title_fontsize=8)
    ax.set_title(
        f"{ready.exam.code} readiness: {ready.readiness:.0%} ({level(ready.readiness)})"
        f"  ·  dashed line: ready ({READY:.0%})",
        fontsize=10,
    )
    return fig


def save_readiness_plot(ready: ExamReadiness, path: str | Path) -> Path:
    """Write the readiness plot to ``path`` as PNG; returns the path written."""
    target = Path(path).expanduser()
    if target.suffix.lower() != ".png":
        target = target.with_name(target.name + ".png")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        readiness_figure(ready).savefig(target, format="png", dpi=110)
    except OSError as error:
        raise LabsError(f"Could not write the plot to {target}: {error}") from None
    return target
