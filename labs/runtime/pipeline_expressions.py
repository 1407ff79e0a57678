"""Resolves the expressions of a pipeline definition at run time and evaluates conditions.

- ``{"Get": "Parameters.X"}``: the parameter's value for this execution.
- ``{"Get": "Execution.PipelineExecutionId"}`` and the other execution variables.
- ``{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}``: a property of a finished step,
  read from its Describe* response. A list is indexed by position (``[0]``) or by the name
  of an item (``Outputs['train']`` matches ``OutputName``, ``FinalMetricDataList['auc']``
  matches ``MetricName``).
- ``{"Std:Join": {"On": "/", "Values": [...]}}``: the values as strings, joined.
- ``{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Metrics"},
  "Path": "metrics.auc.value"}}``: a value from a JSON file a Processing step wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_PART = re.compile(r"""([^.\[\]]+)|\[(\d+)\]|\[['"]([^'"]*)['"]\]""")


class ResolveError(ValueError):
    """A reference that cannot be resolved (the step fails with this message)."""


@dataclass
class Context:
    """What expressions can read while an execution runs."""

    parameters: dict[str, Any]
    execution: dict[str, Any]
    steps: dict[str, Any] = field(default_factory=dict)  # step name -> its properties
    property_files: dict[tuple[str, str], Any] = field(default_factory=dict)


def path_parts(path: str) -> list[str | int]:
    """Split ``A.B['x'].C[0]`` into ``["A", "B", "x", "C", 0]``."""
    parts: list[str | int] = []
    for name, index, key in _PART.findall(path):
        parts.append(int(index) if index else (key if name == "" else name))
    return parts


def lookup(value: Any, parts: list[str | int], where: str) -> Any:
    """Follow ``parts`` into ``value``; a string key on a list matches an item's ``*Name``."""
    for part in parts:
        if isinstance(value, list) and isinstance(part, str):
            matches = [
                item
                for item in value
                if isinstance(item, dict)
                and any(k.endswith("Name") and v == part for k, v in item.items())
            ]
            if not matches:
                raise ResolveError(f"{where}: no item named {part!r}")
            value = matches[0]
        elif isinstance(value, list) and isinstance(part, int):
            if part >= len(value):
                raise ResolveError(f"{where}: index {part} is past the end ({len(value)} items)")
            value = value[part]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise ResolveError(f"{where}: {part!r} is not there")
    return value


def resolve(value: Any, ctx: Context) -> Any:
    """``value`` with every expression in it replaced by its current value."""
    if isinstance(value, list):
        return [resolve(item, ctx) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Get"} and isinstance(value["Get"], str):
        return _get(value["Get"], ctx)
    if set(value) == {"Std:Join"}:
        join = value["Std:Join"]
        return str(join.get("On", "")).join(_text(resolve(v, ctx)) for v in join["Values"])
    if set(value) == {"Std:JsonGet"}:
        return _json_get(value["Std:JsonGet"], ctx)
    return {key: resolve(item, ctx) for key, item in value.items()}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _get(path: str, ctx: Context) -> Any:
    root, _, rest = path.partition(".")
    if root == "Parameters":
        return ctx.parameters[rest]
    if root == "Execution":
        return ctx.execution[rest]
    parts = path_parts(rest)
    step = str(parts[0])
    if step not in ctx.steps:
        raise ResolveError(f"{path}: step {step!r} has not run")
    return lookup(ctx.steps[step], parts[1:], path)


def _json_get(spec: dict[str, Any], ctx: Context) -> Any:
    reference = spec.get("PropertyFile")
    path = reference.get("Get", "") if isinstance(reference, dict) else str(reference)
    parts = path_parts(path)
    if len(parts) != 4 or parts[0] != "Steps" or parts[2] != "PropertyFiles":
        raise ResolveError(f"Std:JsonGet needs Steps.<step>.PropertyFiles.<name>, got {path!r}")
    key = (str(parts[1]), str(parts[3]))
    if key not in ctx.property_files:
        raise ResolveError(f"{path}: the property file was not read (did step {key[0]} run?)")
    json_path = str(resolve(spec.get("Path", ""), ctx)).removeprefix("$").removeprefix(".")
    return lookup(ctx.property_files[key], path_parts(json_path), f"{path} {json_path}")


_COMPARE = {
    "Equals": lambda a, b: a == b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "LessThan": lambda a, b: a < b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
}


def evaluate(condition: dict[str, Any], ctx: Context) -> bool:
    """The truth of one condition of a Condition step (``Type`` as in the definition)."""
    kind = condition.get("Type")
    if kind in _COMPARE:
        left = resolve(condition["LeftValue"], ctx)
        right = resolve(condition["RightValue"], ctx)
        try:
            return bool(_COMPARE[kind](*_comparable(left, right)))
        except TypeError:
            raise ResolveError(f"condition {kind} cannot compare {left!r} with {right!r}") from None
    if kind == "In":
        query = resolve(condition["QueryValue"], ctx)
        return query in [resolve(v, ctx) for v in condition["Values"]]
    if kind == "Not":
        return not evaluate(condition["Condition"], ctx)
    if kind == "Or":
        return any(evaluate(c, ctx) for c in condition["Conditions"])
    raise ResolveError(f"condition type {kind!r} is not one the local runtime evaluates")


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Numbers compare as numbers even when one side is a numeric string (a JSON value)."""
    numbers = (int, float)
    if isinstance(left, numbers) != isinstance(right, numbers):
        try:
            return float(left), float(right)
        except (TypeError, ValueError):
            return left, right
    return left, right
