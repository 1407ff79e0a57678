"""Reading a pipeline back: its step graph, an execution's step table, and the DAG plot."""

from __future__ import annotations

import datetime as dt

import matplotlib
import pandas as pd
import pytest

from labs.operations.pipeline_dag import STATUS_COLOURS, layers, plot_pipeline
from labs.operations.pipeline_steps import branch_labels, step_edges, step_table, steps_of

matplotlib.use("Agg")

DEFINITION = {
    "Steps": [
        {"Name": "Prepare", "Type": "Processing", "Arguments": {}},
        {"Name": "Train", "Type": "Training", "Arguments": {"In": {"Get": "Steps.Prepare.X"}}},
        {
            "Name": "Evaluate",
            "Type": "Processing",
            "Arguments": {"M": {"Get": "Steps.Train.M"}, "T": {"Get": "Steps.Prepare.T"}},
        },
        {"Name": "Audit", "Type": "Processing", "Arguments": {}, "DependsOn": ["Train"]},
        {
            "Name": "Check",
            "Type": "Condition",
            "Arguments": {
                "Conditions": [{"LeftValue": {"Get": "Steps.Evaluate.PropertyFiles.E"}}],
                "IfSteps": [
                    {"Name": "Register", "Type": "RegisterModel", "Arguments": {}},
                ],
                "ElseSteps": [{"Name": "Stop", "Type": "Fail", "Arguments": {}}],
            },
        },
    ]
}


def test_edges_come_from_references_depends_on_and_branches() -> None:
    assert [s["Name"] for s in steps_of(DEFINITION)] == [
        "Prepare", "Train", "Evaluate", "Audit", "Check", "Register", "Stop"
    ]  # fmt: skip
    assert step_edges(DEFINITION) == [
        ("Check", "Register"),
        ("Check", "Stop"),
        ("Evaluate", "Check"),
        ("Prepare", "Evaluate"),
        ("Prepare", "Train"),
        ("Train", "Audit"),
        ("Train", "Evaluate"),
    ]
    assert branch_labels(DEFINITION) == {("Check", "Register"): "if", ("Check", "Stop"): "else"}


def test_layers_put_each_step_after_its_deepest_parent() -> None:
    names = [s["Name"] for s in steps_of(DEFINITION)]
    depth = layers(names, step_edges(DEFINITION))
    assert depth == {
        "Prepare": 0, "Train": 1, "Evaluate": 2, "Audit": 2, "Check": 3, "Register": 4, "Stop": 4
    }  # fmt: skip
    with pytest.raises(ValueError, match="cycle"):
        layers(["A", "B"], [("A", "B"), ("B", "A")])


def test_plot_colours_steps_by_status() -> None:
    ax = plot_pipeline(DEFINITION, {"Prepare": "Succeeded", "Stop": "Failed"})
    boxes = {t.get_text().split("\n")[0]: t.get_bbox_patch().get_facecolor() for t in ax.texts
             if t.get_bbox_patch() is not None}  # fmt: skip
    assert matplotlib.colors.to_hex(boxes["Prepare"]) == STATUS_COLOURS["Succeeded"]
    assert matplotlib.colors.to_hex(boxes["Stop"]) == STATUS_COLOURS["Failed"]
    assert matplotlib.colors.to_hex(boxes["Register"]) == STATUS_COLOURS[None]


class _Pages:
    def __init__(self, pages: list[dict]) -> None:
        self.pages = pages
        self.kwargs: dict = {}

    def get_paginator(self, name: str) -> _Pages:
        assert name == "list_pipeline_execution_steps"
        return self

    def paginate(self, **kwargs) -> list[dict]:
        self.kwargs = kwargs
        return self.pages


def test_step_table_reads_status_duration_and_what_each_step_made() -> None:
    start = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)
    arn = "arn:aws:sagemaker:us-east-1:123456789012:training-job/pipelines-abc-Train-x"
    pages = [
        {
            "PipelineExecutionSteps": [
                {
                    "StepName": "Train",
                    "StepStatus": "Succeeded",
                    "StartTime": start,
                    "EndTime": start + dt.timedelta(seconds=12.34),
                    "Metadata": {"TrainingJob": {"Arn": arn}},
                },
                {
                    "StepName": "Check",
                    "StepStatus": "Succeeded",
                    "StartTime": start,
                    "EndTime": start,
                    "Metadata": {"Condition": {"Outcome": "False"}},
                },
            ]
        },
        {
            "PipelineExecutionSteps": [
                {
                    "StepName": "Stop",
                    "StepStatus": "Failed",
                    "StartTime": start,
                    "FailureReason": "too low",
                    "Metadata": {"Fail": {"ErrorMessage": "too low"}},
                }
            ]
        },
    ]
    client = _Pages(pages)
    table = step_table(client, "arn:execution")
    assert client.kwargs == {"PipelineExecutionArn": "arn:execution", "SortOrder": "Ascending"}
    assert table["seconds"].iloc[:2].tolist() == [12.3, 0.0]
    assert pd.isna(table["seconds"].iloc[2])  # still running or never ended: no duration
    assert table.drop(columns="seconds").to_dict("records") == [
        {"step": "Train", "status": "Succeeded",
         "resource": "TrainingJob: training-job/pipelines-abc-Train-x", "failure_reason": ""},
        {"step": "Check", "status": "Succeeded",
         "resource": "Condition: False", "failure_reason": ""},
        {"step": "Stop", "status": "Failed",
         "resource": "Fail: too low", "failure_reason": "too low"},
    ]  # fmt: skip
