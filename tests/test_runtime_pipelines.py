"""SageMaker Pipelines executions run their steps on the local runtime (SDK v3 and boto3)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pipeline_support import build_churn_pipeline, steps_by_name, wait_for_execution

SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
CODE = "/opt/ml/processing/input/code"
GROUP = "pipeline-tests-churn"


@pytest.fixture(scope="module")
def sm(lab) -> Any:
    return lab.client("sagemaker")


@pytest.fixture(scope="module")
def churn_runs(lab, sm) -> dict[str, Any]:
    """The SDK-built churn pipeline, run twice: defaults, then a threshold no model reaches."""
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    pipeline = build_churn_pipeline(lab, "pipeline-tests-churn", GROUP, lab.ensure_dataset("churn"))
    pipeline.upsert(role_arn=lab.role_arn)
    passing = pipeline.start()
    failing = pipeline.start(parameters={"AucThreshold": 0.99, "NumRound": 7})
    return {
        "definition": json.loads(pipeline.definition()),
        "passing": wait_for_execution(sm, passing.arn),
        "failing": wait_for_execution(sm, failing.arn),
    }


def test_a_passing_model_runs_every_step_and_registers_a_package(sm, churn_runs) -> None:
    execution = churn_runs["passing"]
    assert execution["PipelineExecutionStatus"] == "Succeeded", execution.get("FailureReason")
    steps = steps_by_name(sm, execution["PipelineExecutionArn"])
    assert set(steps) == {"Prepare", "Train", "Evaluate", "CheckAuc", "Register"}
    assert all(s["StepStatus"] == "Succeeded" for s in steps.values())
    assert steps["CheckAuc"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    training_arn = steps["Train"]["Metadata"]["TrainingJob"]["Arn"]
    training = sm.describe_training_job(TrainingJobName=training_arn.rsplit("/", 1)[-1])
    assert training["TrainingJobStatus"] == "Completed"
    prepare_arn = steps["Prepare"]["Metadata"]["ProcessingJob"]["Arn"]
    channel = training["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"]
    prepare = sm.describe_processing_job(ProcessingJobName=prepare_arn.rsplit("/", 1)[-1])
    assert channel == prepare["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    package_arn = steps["Register"]["Metadata"]["RegisterModel"]["Arn"]
    package = sm.describe_model_package(ModelPackageName=package_arn)
    assert package["ModelPackageGroupName"] == GROUP
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    container = package["InferenceSpecification"]["Containers"][0]
    assert container["ModelDataUrl"] == training["ModelArtifacts"]["S3ModelArtifacts"]
    assert steps["Prepare"]["EndTime"] <= steps["Train"]["StartTime"]


def test_a_model_below_the_threshold_stops_at_the_fail_step(sm, churn_runs) -> None:
    execution = churn_runs["failing"]
    assert execution["PipelineExecutionStatus"] == "Failed"
    assert "AucTooLow" in execution["FailureReason"]
    assert "below the threshold 0.99" in execution["FailureReason"]
    steps = steps_by_name(sm, execution["PipelineExecutionArn"])
    assert "Register" not in steps
    assert steps["CheckAuc"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert steps["AucTooLow"]["StepStatus"] == "Failed"
    assert steps["AucTooLow"]["Metadata"]["Fail"]["ErrorMessage"].endswith("0.99")
    versions = sm.list_model_packages(ModelPackageGroupName=GROUP)["ModelPackageSummaryList"]
    assert len(versions) == 1  # only the passing run registered


def test_a_parameter_override_changes_the_jobs_input(sm, churn_runs) -> None:
    rounds = {}
    for run in ("passing", "failing"):
        steps = steps_by_name(sm, churn_runs[run]["PipelineExecutionArn"])
        name = steps["Train"]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[-1]
        rounds[run] = sm.describe_training_job(TrainingJobName=name)["HyperParameters"]
    assert rounds["passing"]["num_round"] == "40"  # the default
    assert rounds["failing"]["num_round"] == "7"  # the override


def test_the_sdk_definition_has_the_shapes_the_executor_reads(churn_runs) -> None:
    steps = {s["Name"]: s for s in churn_runs["definition"]["Steps"]}
    assert steps["CheckAuc"]["Type"] == "Condition"
    assert steps["CheckAuc"]["Arguments"]["IfSteps"][0]["Type"] == "RegisterModel"
    left = steps["CheckAuc"]["Arguments"]["Conditions"][0]["LeftValue"]
    assert left["Std:JsonGet"]["PropertyFile"] == {"Get": "Steps.Evaluate.PropertyFiles.Evaluation"}
    assert steps["Evaluate"]["PropertyFiles"][0]["OutputName"] == "evaluation"


# ---------------------------------------------------------------- hand-written definitions


def processing_step(lab, name: str, script: str, **extra: Any) -> dict[str, Any]:
    """A Processing step running ``script`` (Python source) with the kit's interpreter."""
    key = f"pipeline-tests/code/{name}.py"
    lab.client("s3").put_object(Bucket=lab.bucket, Key=key, Body=script.encode())
    return {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "RoleArn": lab.role_arn,
            "AppSpecification": {
                "ImageUri": SKLEARN_IMAGE,
                "ContainerEntrypoint": ["python3", f"{CODE}/{name}.py"],
            },
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 5,
                }
            },
            "ProcessingInputs": [
                {
                    "InputName": "code",
                    "S3Input": {
                        "S3Uri": lab.s3_uri(key),
                        "LocalPath": CODE,
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
        },
        **extra,
    }


def create(sm, lab, name: str, *steps: dict[str, Any]) -> None:
    body = json.dumps({"Version": "2020-12-01", "Parameters": [], "Steps": list(steps)})
    sm.create_pipeline(PipelineName=name, PipelineDefinition=body, RoleArn=lab.role_arn)


def test_a_failing_step_fails_the_execution_with_its_reason(lab, sm) -> None:
    broken = processing_step(lab, "Broken", "raise SystemExit('the input folder is empty')")
    after = processing_step(lab, "After", "print('never')", DependsOn=["Broken"])
    create(sm, lab, "pipeline-tests-failing", broken, after)
    arn = sm.start_pipeline_execution(PipelineName="pipeline-tests-failing")["PipelineExecutionArn"]
    execution = wait_for_execution(sm, arn)
    assert execution["PipelineExecutionStatus"] == "Failed"
    assert "'Broken'" in execution["FailureReason"]
    assert "the input folder is empty" in execution["FailureReason"]
    steps = steps_by_name(sm, arn)
    assert list(steps) == ["Broken"]  # the dependent step never started
    assert steps["Broken"]["StepStatus"] == "Failed"
    assert "the input folder is empty" in steps["Broken"]["FailureReason"]
    summary = sm.list_pipeline_executions(PipelineName="pipeline-tests-failing")
    assert "Broken" in summary["PipelineExecutionSummaries"][0]["PipelineExecutionFailureReason"]


def test_independent_steps_run_at_the_same_time(lab, sm) -> None:
    nap = "import time; time.sleep(1.5)"
    create(
        sm,
        lab,
        "pipeline-tests-parallel",
        processing_step(lab, "Left", nap),
        processing_step(lab, "Right", nap),
    )
    arn = sm.start_pipeline_execution(PipelineName="pipeline-tests-parallel")[
        "PipelineExecutionArn"
    ]
    assert wait_for_execution(sm, arn)["PipelineExecutionStatus"] == "Succeeded"
    steps = steps_by_name(sm, arn)
    assert steps["Left"]["StartTime"] < steps["Right"]["EndTime"]
    assert steps["Right"]["StartTime"] < steps["Left"]["EndTime"]


def test_stop_pipeline_execution_stops_the_running_job(lab, sm) -> None:
    slow = processing_step(lab, "Slow", "import time; time.sleep(60)")
    create(sm, lab, "pipeline-tests-stop", slow)
    arn = sm.start_pipeline_execution(PipelineName="pipeline-tests-stop")["PipelineExecutionArn"]
    deadline = time.monotonic() + 30
    while "Slow" not in steps_by_name(sm, arn) or not steps_by_name(sm, arn)["Slow"].get(
        "Metadata"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    sm.stop_pipeline_execution(PipelineExecutionArn=arn)
    execution = wait_for_execution(sm, arn, timeout=30)
    assert execution["PipelineExecutionStatus"] == "Stopped"
    step = steps_by_name(sm, arn)["Slow"]
    assert step["StepStatus"] == "Stopped"
    job = sm.describe_processing_job(
        ProcessingJobName=step["Metadata"]["ProcessingJob"]["Arn"].rsplit("/", 1)[-1]
    )
    assert job["ProcessingJobStatus"] == "Stopped"


def test_a_definition_with_an_unknown_step_reference_is_rejected(lab, sm) -> None:
    step = processing_step(lab, "Evaluate", "print('hi')")
    step["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = {
        "Get": "Steps.Trian.ModelArtifacts.S3ModelArtifacts"
    }
    with pytest.raises(ClientError) as raised:
        create(sm, lab, "pipeline-tests-bad", step)
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "no step 'Trian'" in error["Message"]
    names = [p["PipelineName"] for p in sm.list_pipelines()["PipelineSummaries"]]
    assert "pipeline-tests-bad" not in names


def test_an_unknown_parameter_override_is_rejected(lab, sm) -> None:
    create(sm, lab, "pipeline-tests-params", processing_step(lab, "Only", "print('hi')"))
    with pytest.raises(ClientError, match="Threshold are not defined"):
        sm.start_pipeline_execution(
            PipelineName="pipeline-tests-params",
            PipelineParameters=[{"Name": "Threshold", "Value": "0.5"}],
        )


def test_model_packages_and_groups_can_be_deleted(sm) -> None:
    sm.create_model_package_group(ModelPackageGroupName="pipeline-tests-delete")
    arn = sm.create_model_package(
        ModelPackageGroupName="pipeline-tests-delete",
        InferenceSpecification={
            "Containers": [{"Image": SKLEARN_IMAGE}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    with pytest.raises(ClientError, match="still has 1 model package"):
        sm.delete_model_package_group(ModelPackageGroupName="pipeline-tests-delete")
    sm.delete_model_package(ModelPackageName=arn)
    sm.delete_model_package_group(ModelPackageGroupName="pipeline-tests-delete")
    groups = sm.list_model_package_groups()["ModelPackageGroupSummaryList"]
    assert "pipeline-tests-delete" not in [g["ModelPackageGroupName"] for g in groups]


def test_tuning_model_and_transform_steps_run_in_order(lab, sm) -> None:
    from runtime_support import XGBOOST_IMAGE, channel, churn_matrix, put_csv

    train, validation = churn_matrix()
    train_uri = put_csv(lab, "pipeline-tests/jobs/train/train.csv", train.iloc[:800])
    valid_uri = put_csv(lab, "pipeline-tests/jobs/validation/validation.csv", validation.iloc[:200])
    batch_uri = put_csv(lab, "pipeline-tests/jobs/batch/batch.csv", validation.iloc[:20, 1:])
    training = {
        "AlgorithmSpecification": {"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        "RoleArn": lab.role_arn,
        "InputDataConfig": [channel("train", train_uri), channel("validation", valid_uri)],
        "OutputDataConfig": {"S3OutputPath": lab.s3_uri("pipeline-tests/jobs/model")},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 300},
    }
    tune = {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "HyperParameterTuningJobConfig": {
                "Strategy": "Random",
                "HyperParameterTuningJobObjective": {
                    "Type": "Maximize",
                    "MetricName": "validation:auc",
                },
                "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 2},
                "ParameterRanges": {
                    "IntegerParameterRanges": [
                        {"Name": "max_depth", "MinValue": "2", "MaxValue": "4"}
                    ]
                },
            },
            "TrainingJobDefinition": {
                **training,
                "StaticHyperParameters": {
                    "objective": "binary:logistic",
                    "eval_metric": "auc",
                    "num_round": {"Get": "Parameters.Rounds"},
                },
            },
        },
    }
    best = "Steps.Tune.BestTrainingJob.TrainingJobName"
    model = {
        "Name": "MakeModel",
        "Type": "Model",
        "Arguments": {
            "ExecutionRoleArn": lab.role_arn,
            "PrimaryContainer": {
                "Image": XGBOOST_IMAGE,
                "ModelDataUrl": {
                    "Std:Join": {
                        "On": "/",
                        "Values": [
                            lab.s3_uri("pipeline-tests/jobs/model"),
                            {"Get": best},
                            "output/model.tar.gz",
                        ],
                    }
                },
            },
        },
    }
    transform = {
        "Name": "Score",
        "Type": "Transform",
        "Arguments": {
            "ModelName": {"Get": "Steps.MakeModel.ModelName"},
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": batch_uri}},
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            "TransformOutput": {"S3OutputPath": lab.s3_uri("pipeline-tests/jobs/scores")},
            "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
        },
    }
    body = json.dumps(
        {
            "Version": "2020-12-01",
            "Parameters": [{"Name": "Rounds", "Type": "Integer", "DefaultValue": 20}],
            "Steps": [tune, model, transform],
        }
    )
    sm.create_pipeline(
        PipelineName="pipeline-tests-jobs", PipelineDefinition=body, RoleArn=lab.role_arn
    )
    arn = sm.start_pipeline_execution(PipelineName="pipeline-tests-jobs")["PipelineExecutionArn"]
    execution = wait_for_execution(sm, arn, timeout=180)
    assert execution["PipelineExecutionStatus"] == "Succeeded", execution.get("FailureReason")
    steps = steps_by_name(sm, arn)
    assert steps["Tune"]["EndTime"] <= steps["MakeModel"]["StartTime"]
    assert steps["MakeModel"]["EndTime"] <= steps["Score"]["StartTime"]
    tuning_name = steps["Tune"]["Metadata"]["TuningJob"]["Arn"].rsplit("/", 1)[-1]
    tuning = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning_name)
    assert len(tuning_name) <= 32 and tuning["HyperParameterTuningJobStatus"] == "Completed"
    model_name = steps["MakeModel"]["Metadata"]["Model"]["Arn"].rsplit("/", 1)[-1]
    container = sm.describe_model(ModelName=model_name)["PrimaryContainer"]
    assert tuning["BestTrainingJob"]["TrainingJobName"] in container["ModelDataUrl"]
    job_name = steps["Score"]["Metadata"]["TransformJob"]["Arn"].rsplit("/", 1)[-1]
    job = sm.describe_transform_job(TransformJobName=job_name)
    assert job["TransformJobStatus"] == "Completed" and job["ModelName"] == model_name
    scores = (
        lab.client("s3")
        .get_object(Bucket=lab.bucket, Key="pipeline-tests/jobs/scores/batch.csv.out")["Body"]
        .read()
        .decode()
        .split()
    )
    assert len(scores) == 20
