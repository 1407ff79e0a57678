"""Reads a SageMaker Pipelines definition (the JSON the SDK's ``Pipeline.definition()`` builds)
into a step graph the local executor can run, and rejects a definition it cannot run with a
message that names the problem.

The graph has one node per step, including the steps nested in a Condition step's
``IfSteps`` / ``ElseSteps``. A step depends on another when it lists it in ``DependsOn``, when
its arguments refer to the other step's properties (``{"Get": "Steps.Train...."}``, a
property file in ``Std:JsonGet``), or when it sits in a branch of a Condition step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Step types the local runtime runs, as they appear in a definition's ``Type``.
STEP_TYPES = (
    "Processing",
    "Training",
    "Tuning",
    "Transform",
    "Model",
    "RegisterModel",
    "Condition",
    "Fail",
)
#: The execution variables a definition may read (``{"Get": "Execution.<name>"}``).
EXECUTION_VARIABLES = (
    "PipelineExecutionId",
    "PipelineExecutionArn",
    "PipelineName",
    "PipelineArn",
    "StartDateTime",
    "CurrentDateTime",
)
PARAMETER_TYPES = ("String", "Integer", "Float", "Boolean")
_STEP_REFERENCE = re.compile(r"^Steps\.([^.\[]+)")


class DefinitionError(ValueError):
    """The definition cannot be run; the message says why, in the learner's terms."""


@dataclass
class StepSpec:
    """One step of the definition."""

    name: str
    type: str
    arguments: dict[str, Any]
    depends_on: set[str] = field(default_factory=set)
    property_files: list[dict[str, Any]] = field(default_factory=list)
    display_name: str | None = None
    description: str | None = None
    branch_of: str | None = None  # the Condition step whose branch holds this step


@dataclass
class Definition:
    """A parsed definition: its parameters and its steps (in definition order)."""

    parameters: dict[str, dict[str, Any]]
    steps: dict[str, StepSpec]

    def branches(self, condition: str) -> tuple[list[str], list[str]]:
        """The names of a Condition step's ``IfSteps`` and ``ElseSteps``."""
        arguments = self.steps[condition].arguments
        return (
            [s["Name"] for s in arguments.get("IfSteps", [])],
            [s["Name"] for s in arguments.get("ElseSteps", [])],
        )


def parse(text: str | dict[str, Any]) -> Definition:
    """Parse and check a pipeline definition (a JSON string or the decoded dict).

    Raises:
        DefinitionError: bad JSON, a step type the local runtime does not run, a duplicate
            step name, a reference to a step or parameter that does not exist, or a cycle.
    """
    if isinstance(text, str):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise DefinitionError(f"the pipeline definition is not valid JSON: {error}") from None
    else:
        document = text
    if not isinstance(document, dict) or not isinstance(document.get("Steps"), list):
        raise DefinitionError("the pipeline definition needs a 'Steps' list")
    parameters = _parameters(document.get("Parameters") or [])
    steps: dict[str, StepSpec] = {}
    for raw, branch_of in _walk_steps(document["Steps"], None):
        spec = _step(raw, branch_of)
        if spec.name in steps:
            raise DefinitionError(f"two steps are named {spec.name!r}: step names must be unique")
        steps[spec.name] = spec
    for spec in steps.values():
        _check_references(spec, steps, parameters)
    _check_acyclic(steps)
    return Definition(parameters=parameters, steps=steps)


def _parameters(raw: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    parameters: dict[str, dict[str, Any]] = {}
    for item in raw:
        name, kind = item.get("Name"), item.get("Type")
        if not name:
            raise DefinitionError("every pipeline parameter needs a Name")
        if kind not in PARAMETER_TYPES:
            raise DefinitionError(
                f"parameter {name!r} has Type {kind!r}; use one of {', '.join(PARAMETER_TYPES)}"
            )
        parameters[name] = item
    return parameters


def _walk_steps(
    raw_steps: list[dict[str, Any]], branch_of: str | None
) -> Iterator[tuple[dict[str, Any], str | None]]:
    for raw in raw_steps:
        if not isinstance(raw, dict) or not raw.get("Name"):
            raise DefinitionError(f"every step needs a Name; got {str(raw)[:80]}")
        yield raw, branch_of
        if raw.get("Type") == "Condition":
            arguments = raw.get("Arguments") or {}
            nested = [*arguments.get("IfSteps", []), *arguments.get("ElseSteps", [])]
            yield from _walk_steps(nested, raw["Name"])


def _step(raw: dict[str, Any], branch_of: str | None) -> StepSpec:
    name, kind = raw["Name"], raw.get("Type")
    if kind not in STEP_TYPES:
        raise DefinitionError(
            f"step {name!r} has Type {kind!r}, which the local runtime does not run "
            f"(it runs {', '.join(STEP_TYPES)})"
        )
    arguments = raw.get("Arguments")
    if not isinstance(arguments, dict):
        raise DefinitionError(f"step {name!r} needs an Arguments object")
    depends_on = set(raw.get("DependsOn") or [])
    if branch_of:
        depends_on.add(branch_of)
    return StepSpec(
        name=name,
        type=kind,
        arguments=arguments,
        depends_on=depends_on,
        property_files=list(raw.get("PropertyFiles") or []),
        display_name=raw.get("DisplayName"),
        description=raw.get("Description"),
        branch_of=branch_of,
    )


def own_arguments(spec: StepSpec) -> dict[str, Any]:
    """The arguments of a step without the steps nested in it (a Condition's branches)."""
    if spec.type != "Condition":
        return spec.arguments
    return {"Conditions": spec.arguments.get("Conditions", [])}


def references(value: Any) -> Iterator[str]:
    """Every ``Get`` path in ``value`` (``Steps.X...``, ``Parameters.Y``, ``Execution.Z``)."""
    if isinstance(value, dict):
        if isinstance(value.get("Get"), str):
            yield value["Get"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def _check_references(
    spec: StepSpec, steps: dict[str, StepSpec], parameters: dict[str, dict[str, Any]]
) -> None:
    for name in sorted(spec.depends_on):
        if name not in steps:
            raise DefinitionError(
                f"step {spec.name!r} depends on step {name!r}, which is not in the pipeline "
                f"(its steps: {', '.join(steps)})"
            )
    for path in references(own_arguments(spec)):
        root, _, rest = path.partition(".")
        if root == "Steps":
            match = _STEP_REFERENCE.match(path)
            target = match.group(1) if match else ""
            if target not in steps:
                raise DefinitionError(
                    f"step {spec.name!r} refers to {path!r}, but there is no step {target!r} "
                    f"in the pipeline (its steps: {', '.join(steps)})"
                )
            if target == spec.name:
                raise DefinitionError(f"step {spec.name!r} refers to its own properties")
            spec.depends_on.add(target)
        elif root == "Parameters":
            if rest not in parameters:
                raise DefinitionError(
                    f"step {spec.name!r} refers to parameter {rest!r}, which the pipeline does "
                    f"not declare (its parameters: {', '.join(parameters) or 'none'})"
                )
        elif root == "Execution":
            if rest not in EXECUTION_VARIABLES:
                raise DefinitionError(
                    f"step {spec.name!r} refers to {path!r}; execution variables are "
                    f"{', '.join(EXECUTION_VARIABLES)}"
                )
        else:
            raise DefinitionError(
                f"step {spec.name!r} has a Get of {path!r}: a Get starts with Steps., "
                "Parameters. or Execution."
            )


def _check_acyclic(steps: dict[str, StepSpec]) -> None:
    done: set[str] = set()
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycle = [*visiting[visiting.index(name) :], name]
            raise DefinitionError(
                f"the steps depend on each other in a cycle: {' -> '.join(cycle)}"
            )
        visiting.append(name)
        for parent in sorted(steps[name].depends_on):
            visit(parent)
        visiting.pop()
        done.add(name)

    for name in steps:
        visit(name)
