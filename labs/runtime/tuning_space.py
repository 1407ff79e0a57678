"""A tuning job's parameter ranges as a search space, checked as SageMaker checks them.

Scaling types: ``Linear``; ``Logarithmic`` (values must be > 0); ``ReverseLogarithmic``
(continuous ranges only, 0 <= value < 1: denser sampling near 1, drawn as
``x = 1 - exp(z)`` with ``z`` uniform); ``Auto`` (SageMaker picks; here Linear, except
that a continuous range spanning several orders of magnitude above 0 is searched on a log
scale, which is what Auto chooses for such ranges).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from labs.algorithms.base import AlgorithmError


@dataclass(frozen=True)
class Param:
    """One tunable hyperparameter."""

    name: str
    kind: str  # "Integer" | "Continuous" | "Categorical"
    low: float = 0.0
    high: float = 0.0
    scaling: str = "Auto"
    choices: tuple[str, ...] = ()

    def suggest(self, trial: Any) -> str:
        """Draw a value from an Optuna trial; return it as the string SageMaker passes."""
        if self.kind == "Categorical":
            return str(trial.suggest_categorical(self.name, list(self.choices)))
        log = self.scaling == "Logarithmic" or (
            self.scaling == "Auto" and self.low > 0 and self.high / self.low >= 100
        )
        if self.kind == "Integer":
            return str(trial.suggest_int(self.name, int(self.low), int(self.high), log=log))
        if self.scaling == "ReverseLogarithmic":
            z = trial.suggest_float(
                f"{self.name}__reverse_log", math.log(1 - self.high), math.log(1 - self.low)
            )
            return repr(1 - math.exp(z))
        return repr(trial.suggest_float(self.name, self.low, self.high, log=log))


def _fail(message: str) -> AlgorithmError:
    return AlgorithmError(f"ValidationException: {message}")


def parse_ranges(ranges: dict[str, Any], strategy: str) -> list[Param]:
    """The ``ParameterRanges`` of a tuning job as params; bad ranges raise AlgorithmError."""
    params: list[Param] = []
    for spec in ranges.get("IntegerParameterRanges") or []:
        params.append(_numeric(spec, "Integer"))
    for spec in ranges.get("ContinuousParameterRanges") or []:
        params.append(_numeric(spec, "Continuous"))
    for spec in ranges.get("CategoricalParameterRanges") or []:
        values = tuple(str(v) for v in spec.get("Values") or [])
        if not values:
            raise _fail(f"Categorical parameter range {spec['Name']} has no values.")
        params.append(Param(spec["Name"], "Categorical", choices=values))
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise _fail("A hyperparameter appears in more than one parameter range.")
    if not params:
        raise _fail("The tuning job has no parameter ranges to search.")
    if strategy == "Grid" and any(p.kind != "Categorical" for p in params):
        raise _fail(
            "The Grid search strategy supports only categorical parameter ranges; "
            f"{', '.join(p.name for p in params if p.kind != 'Categorical')} are not."
        )
    return params


def _numeric(spec: dict[str, Any], kind: str) -> Param:
    name = spec["Name"]
    convert = int if kind == "Integer" else float
    try:
        low, high = convert(spec["MinValue"]), convert(spec["MaxValue"])
    except (KeyError, ValueError):
        raise _fail(f"{kind} parameter range {name} needs numeric MinValue and MaxValue.") from None
    if low > high:
        raise _fail(f"{kind} parameter range {name}: MinValue {low} is greater than MaxValue.")
    scaling = spec.get("ScalingType", "Auto")
    if scaling == "Logarithmic" and low <= 0:
        raise _fail(f"Logarithmic scaling for {name} requires MinValue > 0 (got {low}).")
    if scaling == "ReverseLogarithmic":
        if kind == "Integer":
            raise _fail(f"ReverseLogarithmic scaling is for continuous ranges only ({name}).")
        if not (low >= 0 and high < 1):
            raise _fail(f"ReverseLogarithmic scaling for {name} requires 0 <= values < 1.")
    return Param(name, kind, float(low), float(high), scaling)


def grid_size(params: list[Param]) -> int:
    """How many distinct combinations a Grid search over ``params`` has."""
    size = 1
    for param in params:
        size *= len(param.choices)
    return size
