"""Read a SageMaker pipeline back: its steps and their dependencies from the definition, and
an execution's steps as a table.

:func:`step_edges` reads a definition as SageMaker Pipelines does: a step depends on the steps
it lists in ``DependsOn``, on the steps whose properties it reads (``{"Get": "Steps.X..."}``),
and a step in a Condition step's branch on that Condition step.
:func:`step_table` turns ``ListPipelineExecutionSteps`` into a DataFrame in start order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

__all__ = ["branch_labels", "processing_report", "step_edges", "step_table", "steps_of"]

_STEP_REF = re.compile(r"^Steps\.([^.\[]+)")


def steps_of(definition: str | dict[str, Any]) -> list[dict[str, Any]]:
    """Every step of a definition (JSON text or dict), the steps of condition branches too."""
    document = json.loads(definition) if isinstance(definition, str) else definition
    found: list[dict[str, Any]] = []

    def walk(steps: list[dict[str, Any]]) -> None:
        for step in steps:
            found.append(step)
            if step.get("Type") == "Condition":
                arguments = step.get("Arguments", {})
                walk([*arguments.get("IfSteps", []), *arguments.get("ElseSteps", [])])

    walk(document.get("Steps", []))
    return found


def _gets(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("Get"), str):
            yield value["Get"]
        for item in value.values():
            yield from _gets(item)
    elif isinstance(value, list):
        for item in value:
            yield from _gets(item)


def step_edges(definition: str | dict[str, Any]) -> list[tuple[str, str]]:
    """``(parent, child)`` pairs: the child starts only after the parent succeeded."""
    edges: set[tuple[str, str]] = set()
    for step in steps_of(definition):
        name, arguments = step["Name"], dict(step.get("Arguments", {}))
        for parent in step.get("DependsOn") or []:
            edges.add((parent, name))
        if step.get("Type") == "Condition":
            for branch in ("IfSteps", "ElseSteps"):
                for child in arguments.pop(branch, []):
                    edges.add((name, child["Name"]))
        for path in _gets(arguments):
            match = _STEP_REF.match(path)
            if match and match.group(1) != name:
                edges.add((match.group(1), name))
    return sorted(edges)


def branch_labels(definition: str | dict[str, Any]) -> dict[tuple[str, str], str]:
    """``{(condition, child): "if" | "else"}`` for the edges into condition branches."""
    labels: dict[tuple[str, str], str] = {}
    for step in steps_of(definition):
        if step.get("Type") == "Condition":
            arguments = step.get("Arguments", {})
            for branch, label in (("IfSteps", "if"), ("ElseSteps", "else")):
                for child in arguments.get(branch, []):
                    labels[(step["Name"], child["Name"])] = label
    return labels


def step_table(sagemaker: Any, execution_arn: str) -> pd.DataFrame:
    """An execution's steps (ListPipelineExecutionSteps), oldest first.

    Columns: ``step``, ``status``, ``seconds`` (from start to end), ``resource`` (the job,
    model or package the step made, the condition's outcome, or the Fail step's message)
    and ``failure_reason``.
    """
    pages = sagemaker.get_paginator("list_pipeline_execution_steps").paginate(
        PipelineExecutionArn=execution_arn, SortOrder="Ascending"
    )
    rows = []
    for page in pages:
        for step in page["PipelineExecutionSteps"]:
            end = step.get("EndTime")
            seconds = (end - step["StartTime"]).total_seconds() if end else None
            rows.append(
                {
                    "step": step["StepName"],
                    "status": step["StepStatus"],
                    "seconds": None if seconds is None else round(seconds, 1),
                    "resource": _resource(step.get("Metadata") or {}),
                    "failure_reason": step.get("FailureReason", ""),
                }
            )
    return pd.DataFrame(rows, columns=["step", "status", "seconds", "resource", "failure_reason"])


def _resource(metadata: dict[str, Any]) -> str:
    for kind, value in metadata.items():
        if isinstance(value, dict) and "Arn" in value:
            return f"{kind}: {value['Arn'].split(':', 5)[-1]}"
        if kind == "Condition":
            return f"Condition: {value.get('Outcome')}"
        if kind == "Fail":
            return f"Fail: {value.get('ErrorMessage')}"
    return ""


def processing_report(
    sagemaker: Any,
    s3: Any,
    execution_arn: str,
    step: str = "Evaluate",
    output: str = "evaluation",
    file: str = "evaluation.json",
) -> dict[str, Any]:
    """The JSON file a Processing step of an execution wrote to one of its outputs.

    Raises ``ValueError`` if the execution has no such Processing step or output.
    """
    listed = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution_arn)
    found = [s for s in listed["PipelineExecutionSteps"] if s["StepName"] == step]
    metadata = (found[0].get("Metadata") or {}) if found else {}
    if "ProcessingJob" not in metadata:
        raise ValueError(f"the execution has no Processing step {step!r} that started a job")
    job_name = metadata["ProcessingJob"]["Arn"].rsplit("/", 1)[-1]
    job = sagemaker.describe_processing_job(ProcessingJobName=job_name)
    uris = [
        o["S3Output"]["S3Uri"]
        for o in job.get("ProcessingOutputConfig", {}).get("Outputs", [])
        if o["OutputName"] == output
    ]
    if not uris:
        raise ValueError(f"the processing job {job_name} has no output {output!r}")
    bucket, _, key = uris[0].removeprefix("s3://").partition("/")
    body = s3.get_object(Bucket=bucket, Key=f"{key.rstrip('/')}/{file}")["Body"].read()
    return json.loads(body)
