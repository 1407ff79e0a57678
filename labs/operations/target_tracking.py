"""What a target-tracking policy on ``SageMakerVariantInvocationsPerInstance`` would do.

The metric is the average number of invocations per minute that each instance of a
variant receives. A target-tracking policy (Application Auto Scaling) adds instances when
the metric stays above its ``TargetValue`` and removes them when it stays below, within
the scalable target's ``MinCapacity`` and ``MaxCapacity``. AWS's guide to choosing the
target ("Load testing your auto scaling configuration") gives

    TargetValue = MAX_RPS x SAFETY_FACTOR x 60

with the highest requests per second one instance serves well, and 0.5 as the safety
factor to start from. :func:`desired_capacity` is the proportional rule target tracking
approximates: enough instances to bring the metric back to the target, rounded up, within
the bounds. The real service also waits out cooldowns and needs the alarm's data points.
"""

from __future__ import annotations

import math

__all__ = ["desired_capacity", "target_value"]


def target_value(max_rps_per_instance: float, safety_factor: float = 0.5) -> float:
    """``TargetValue`` in invocations per instance per minute from a load test's peak RPS."""
    if max_rps_per_instance <= 0:
        raise ValueError(f"the peak requests per second must be positive: {max_rps_per_instance}")
    if not 0 < safety_factor <= 1:
        raise ValueError(f"the safety factor is a fraction in (0, 1]: {safety_factor}")
    return max_rps_per_instance * safety_factor * 60


def desired_capacity(
    current: int,
    invocations_per_instance: float,
    target: float,
    min_capacity: int,
    max_capacity: int,
) -> int:
    """Instances that bring ``invocations_per_instance`` (per minute) to ``target``.

    The same traffic spread over ``n`` instances gives each ``current x metric / n``; the
    smallest ``n`` at or under the target is ``ceil(current x metric / target)``, kept within
    ``[min_capacity, max_capacity]``.
    """
    if target <= 0:
        raise ValueError(f"the target value must be positive: {target}")
    if not 1 <= min_capacity <= max_capacity:
        raise ValueError(
            f"need 1 <= MinCapacity <= MaxCapacity, got {min_capacity}, {max_capacity}"
        )
    needed = math.ceil(round(current * invocations_per_instance / target, 9))
    return max(min_capacity, min(max_capacity, needed))
