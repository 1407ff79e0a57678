"""Draw a SageMaker pipeline as a graph: one box per step, arrows for dependencies, coloured
by how one execution went (green succeeded, red failed, grey did not run)."""

from __future__ import annotations

from typing import Any

from labs.operations.pipeline_steps import branch_labels, step_edges, steps_of

__all__ = ["STATUS_COLOURS", "layers", "plot_pipeline"]

STATUS_COLOURS = {
    "Succeeded": "#9bd49b",
    "Failed": "#f2a0a0",
    "Stopped": "#f5d08a",
    "Executing": "#9cc3f0",
    None: "#e4e4e4",
}


def layers(names: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each step's column: 0 for steps with no parent, else one more than its deepest parent."""
    parents: dict[str, list[str]] = {name: [] for name in names}
    for parent, child in edges:
        parents.setdefault(child, []).append(parent)
    depth: dict[str, int] = {}

    def find(name: str, seen: tuple[str, ...] = ()) -> int:
        if name not in depth:
            if name in seen:
                raise ValueError(f"the steps form a cycle through {name!r}")
            above = [find(p, (*seen, name)) for p in parents.get(name, [])]
            depth[name] = 1 + max(above) if above else 0
        return depth[name]

    for name in names:
        find(name)
    return depth


def plot_pipeline(
    definition: str | dict[str, Any], statuses: dict[str, str] | None = None, ax: Any = None
) -> Any:
    """Draw the pipeline's steps left to right; ``statuses`` (step -> StepStatus) colours them.

    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    statuses = statuses or {}
    steps = steps_of(definition)
    names = [step["Name"] for step in steps]
    kinds = {step["Name"]: step.get("Type", "") for step in steps}
    edges = step_edges(definition)
    labels = branch_labels(definition)
    column = layers(names, edges)
    rows: dict[int, list[str]] = {}
    for name in names:
        rows.setdefault(column[name], []).append(name)
    position = {
        name: (col * 2.2, -(index - (len(members) - 1) / 2) * 1.3)
        for col, members in rows.items()
        for index, name in enumerate(members)
    }
    if ax is None:
        _, ax = plt.subplots(figsize=(2.2 * (max(column.values()) + 1) + 1, 3))
    for parent, child in edges:
        (x0, y0), (x1, y1) = position[parent], position[child]
        span = column[child] - column[parent]
        # An arrow that skips a column bends around the boxes in between.
        bend = f"arc3,rad={-0.25 if span > 1 else 0}"
        ax.annotate(
            "",
            xy=(x1 - 0.75, y1),
            xytext=(x0 + 0.75, y0),
            arrowprops={"arrowstyle": "->", "color": "#555555", "connectionstyle": bend},
        )
        if (parent, child) in labels:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.15, labels[(parent, child)], fontsize=8)
    for name, (x, y) in position.items():
        colour = STATUS_COLOURS.get(statuses.get(name), STATUS_COLOURS[None])
        ax.text(
            x,
            y,
            f"{name}\n({kinds[name]})",
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round", "facecolor": colour, "edgecolor": "#555555"},
        )
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    ax.set_xlim(min(xs) - 1, max(xs) + 1)
    ax.set_ylim(min(ys) - 1, max(ys) + 1)
    ax.axis("off")
    return ax
