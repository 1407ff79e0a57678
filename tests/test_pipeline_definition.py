"""Unit tests of the pipeline definition parser, expressions and parameters (no moto)."""

from __future__ import annotations

import json

import pytest

from labs.runtime.pipeline_definition import DefinitionError, parse
from labs.runtime.pipeline_expressions import Context, ResolveError, evaluate, resolve
from labs.runtime.pipelines import coerce_parameters, job_name


def step(name: str, kind: str = "Processing", **arguments) -> dict:
    return {"Name": name, "Type": kind, "Arguments": arguments}


def definition(*steps: dict, parameters: list | None = None) -> str:
    return json.dumps({"Version": "2020-12-01", "Parameters": parameters or [], "Steps": steps})


def test_dependencies_come_from_depends_on_references_and_branches() -> None:
    check = step(
        "Check",
        "Condition",
        Conditions=[
            {
                "Type": "GreaterThan",
                "LeftValue": {
                    "Std:JsonGet": {
                        "PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Report"},
                        "Path": "auc",
                    }
                },
                "RightValue": 0.5,
            }
        ],
        IfSteps=[step("Register", "RegisterModel", ModelDataUrl={"Get": "Steps.Train.X"})],
        ElseSteps=[step("Stop", "Fail", ErrorMessage="low")],
    )
    train = step("Train", "Training")
    evaluate_step = {**step("Eval", Input={"Get": "Steps.Train.ModelArtifacts"}), "DependsOn": []}
    parsed = parse(definition(train, evaluate_step, check))
    assert list(parsed.steps) == ["Train", "Eval", "Check", "Register", "Stop"]
    assert parsed.steps["Eval"].depends_on == {"Train"}
    assert parsed.steps["Check"].depends_on == {"Eval"}
    assert parsed.steps["Register"].depends_on == {"Check", "Train"}
    assert parsed.steps["Stop"].branch_of == "Check"
    assert parsed.branches("Check") == (["Register"], ["Stop"])


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([step("A", Input={"Get": "Steps.Trian.ModelArtifacts"})], "no step 'Trian'"),
        ([{**step("A"), "DependsOn": ["Ghost"]}], "depends on step 'Ghost'"),
        ([step("A", Input={"Get": "Parameters.Missing"})], "parameter 'Missing'"),
        ([step("A", "Lambda")], "does not run"),
        ([step("A"), step("A")], "two steps are named 'A'"),
        (
            [{**step("A"), "DependsOn": ["B"]}, {**step("B"), "DependsOn": ["A"]}],
            "cycle: A -> B -> A",
        ),
    ],
)
def test_a_bad_definition_is_rejected_with_a_reason(steps: list, message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        parse(definition(*steps))


def test_not_json_is_rejected() -> None:
    with pytest.raises(DefinitionError, match="not valid JSON"):
        parse("{steps")


def test_resolve_reads_properties_parameters_joins_and_property_files() -> None:
    ctx = Context(
        parameters={"Threshold": 0.7},
        execution={"PipelineExecutionId": "abc"},
        steps={
            "Prep": {
                "ProcessingOutputConfig": {
                    "Outputs": [
                        {"OutputName": "train", "S3Output": {"S3Uri": "s3://b/train"}},
                        {"OutputName": "test", "S3Output": {"S3Uri": "s3://b/test"}},
                    ]
                }
            }
        },
        property_files={("Eval", "Report"): {"metrics": {"auc": {"value": 0.83}}}},
    )
    value = {
        "Uri": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"},
        "First": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"},
        "Name": {
            "Std:Join": {"On": "-", "Values": ["run", {"Get": "Execution.PipelineExecutionId"}]}
        },
        "Auc": {
            "Std:JsonGet": {
                "PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Report"},
                "Path": "metrics.auc.value",
            }
        },
        "Threshold": {"Get": "Parameters.Threshold"},
    }
    assert resolve(value, ctx) == {
        "Uri": "s3://b/test",
        "First": "s3://b/train",
        "Name": "run-abc",
        "Auc": 0.83,
        "Threshold": 0.7,
    }
    with pytest.raises(ResolveError, match="no item named 'valid'"):
        resolve({"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['valid']"}, ctx)
    auc = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Report"},
            "Path": "metrics.auc.value",
        }
    }
    threshold = {"Get": "Parameters.Threshold"}
    assert evaluate(
        {"Type": "GreaterThanOrEqualTo", "LeftValue": auc, "RightValue": threshold}, ctx
    )
    assert not evaluate({"Type": "LessThan", "LeftValue": auc, "RightValue": threshold}, ctx)
    assert evaluate({"Type": "In", "QueryValue": 0.7, "Values": [0.5, threshold]}, ctx)
    assert evaluate(
        {"Type": "Not", "Condition": {"Type": "Equals", "LeftValue": auc, "RightValue": 1}}, ctx
    )


def test_parameters_take_defaults_then_overrides_with_their_types() -> None:
    parsed = parse(
        definition(
            step("A"),
            parameters=[
                {"Name": "Rounds", "Type": "Integer", "DefaultValue": 40},
                {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.8},
                {"Name": "Flag", "Type": "Boolean", "DefaultValue": False},
            ],
        )
    )
    assert coerce_parameters(parsed, None) == {"Rounds": 40, "Threshold": 0.8, "Flag": False}
    overrides = [{"Name": "Rounds", "Value": "10"}, {"Name": "Flag", "Value": "true"}]
    assert coerce_parameters(parsed, overrides) == {"Rounds": 10, "Threshold": 0.8, "Flag": True}
    with pytest.raises(ValueError, match="Roundz are not defined"):
        coerce_parameters(parsed, [{"Name": "Roundz", "Value": "1"}])
    with pytest.raises(ValueError, match="'ten' is not a valid value"):
        coerce_parameters(parsed, [{"Name": "Rounds", "Value": "ten"}])


def test_job_names_fit_the_api_limits() -> None:
    name = job_name("abcdefghijkl", "A-very-long-step-name-" * 4, 63)
    assert name.startswith("pipelines-abcdefghijkl-A-very-long") and len(name) == 63
    assert len(job_name("abcdefghijkl", "Tune", 32)) <= 32


def test_resolved_values_are_fitted_to_the_api_shapes() -> None:
    import botocore.session

    from labs.runtime.pipelines import fit_to_shape

    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateTrainingJob").input_shape
    request = {
        "HyperParameters": {"eta": 0.2, "num_round": 40, "verbose": False},
        "ResourceConfig": {"InstanceCount": "2", "VolumeSizeInGB": 5.0},
        "EnableManagedSpotTraining": "true",
        "Unknown": 1,
    }
    assert fit_to_shape(request, shape) == {
        "HyperParameters": {"eta": "0.2", "num_round": "40", "verbose": "false"},
        "ResourceConfig": {"InstanceCount": 2, "VolumeSizeInGB": 5},
        "EnableManagedSpotTraining": True,
        "Unknown": 1,
    }
