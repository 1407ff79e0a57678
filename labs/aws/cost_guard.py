"""The cost guard: an estimate, and a yes, before a billable step.

Notebooks call it the same way in both modes, just before they start training, tuning, an
endpoint or a batch transform::

    lab.confirm_cost("ml.m5.xlarge", count=1, hours=0.25, what="training job")

- local mode: prints what the step would cost on AWS and that here it is free; never asks.
- aws mode: prints the estimate and asks (``LABS_ASSUME_YES=1`` answers yes). No, or no
  answer, raises :class:`CostRefused`, which stops the notebook before anything starts.
  An instance type outside the kit's allow-list is refused unless the call says
  ``allow_any_instance=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from labs.aws import prices, prompt
from labs.errors import LabsError


class CostRefused(LabsError):
    """A billable step was not confirmed, or its instance type is outside the allow-list."""


@dataclass(frozen=True)
class Estimate:
    """What a billable step would cost, from the kit's price table."""

    mode: str
    region: str
    instance_type: str
    count: int
    hours: float
    hourly: float | None  # USD per instance-hour, None when the table has no figure

    @property
    def total(self) -> float | None:
        """USD for the whole step, or ``None`` when the price is unknown."""
        return None if self.hourly is None else self.hourly * self.count * self.hours

    def describe(self) -> str:
        """One line: what runs, for how long, and about how much it costs on AWS."""
        table = prices.load()
        step = f"{self.count} x {self.instance_type} for {self.hours:g} h in {self.region}"
        if self.hourly is None:
            return (
                f"{step}: the kit's price table has no figure for this type or region; "
                f"see {table.source}"
            )
        return (
            f"{step}: about {prices.dollars(self.total)} on AWS "
            f"({prices.dollars(self.hourly)}/h each, on-demand, prices as of {table.taken}; "
            "storage and data transfer extra)"
        )


def _checked(instance_type: str, count: int, hours: float) -> None:
    if not isinstance(instance_type, str) or not instance_type.startswith("ml."):
        raise LabsError(
            f"{instance_type!r} is not a SageMaker instance type: use a name such as "
            "'ml.m5.xlarge'."
        )
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise LabsError(f"count must be a whole number of instances, 1 or more (got {count!r}).")
    if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
        raise LabsError(f"hours must be a number more than 0, e.g. 0.25 (got {hours!r}).")


def confirm_cost(
    mode: str,
    region: str,
    instance_type: str,
    count: int = 1,
    hours: float = 1.0,
    *,
    what: str = "this step",
    allow_any_instance: bool = False,
    ask: Callable[[str], str] | None = None,
    say: Callable[[str], None] = print,
) -> Estimate:
    """Print the estimate for ``what``; in aws mode ask first. Returns the estimate.

    Raises :class:`CostRefused` in aws mode when the answer is not yes, or when
    ``instance_type`` is outside the allow-list and ``allow_any_instance`` is not set.
    """
    _checked(instance_type, count, hours)
    table = prices.load()
    estimate = Estimate(
        mode, region, instance_type, count, float(hours), table.hourly(region, instance_type)
    )
    allowed = table.is_allowed(instance_type) or allow_any_instance
    if mode != "aws":
        say(f"Cost guard ({what}): {estimate.describe()}. Local mode: free, nothing runs on AWS.")
        if not allowed:
            say(
                f"  In aws mode {instance_type} would be refused: it is outside the kit's "
                "allow-list; the call would need allow_any_instance=True."
            )
        return estimate
    if not allowed:
        raise CostRefused(
            f"{instance_type} is outside the kit's allow-list ({', '.join(table.allowed)}). "
            f"{estimate.describe()}. To use it anyway, call "
            f"lab.confirm_cost({instance_type!r}, ..., allow_any_instance=True)."
        )
    say(f"Cost guard ({what}): {estimate.describe()}.")
    if not prompt.confirm(f"Start {what} on your AWS account?", ask=ask, say=say):
        raise CostRefused(
            f"Not confirmed: {what} was not started and costs nothing. Run the cell again and "
            f"answer y, or set {prompt.ASSUME_YES}=1 to agree ahead of time."
        )
    return estimate
