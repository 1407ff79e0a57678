"""The churn pipeline of lab 05-6, built with the SageMaker SDK v3 for the runtime tests."""

from __future__ import annotations

from typing import Any

STEP_NAMES = ("Prepare", "Train", "Evaluate", "CheckAuc", "Register", "AucTooLow")


def build_churn_pipeline(lab: Any, name: str, group: str, raw_uri: str) -> Any:
    """Prepare -> Train -> Evaluate -> CheckAuc -> (Register | AucTooLow), as the SDK builds it.

    Parameters: ``AucThreshold`` (Float, 0.8), ``InputData`` (String, ``raw_uri``) and
    ``NumRound`` (Integer, 40, XGBoost's ``num_round``).
    """
    from sagemaker.core import image_uris
    from sagemaker.core.processing import ScriptProcessor
    from sagemaker.core.shapes import (
        ProcessingInput,
        ProcessingOutput,
        ProcessingS3Input,
        ProcessingS3Output,
    )
    from sagemaker.core.workflow.conditions import ConditionGreaterThanOrEqualTo
    from sagemaker.core.workflow.functions import Join, JsonGet
    from sagemaker.core.workflow.parameters import (
        ParameterFloat,
        ParameterInteger,
        ParameterString,
    )
    from sagemaker.core.workflow.pipeline_context import PipelineSession
    from sagemaker.core.workflow.properties import PropertyFile
    from sagemaker.mlops.workflow.condition_step import ConditionStep
    from sagemaker.mlops.workflow.fail_step import FailStep
    from sagemaker.mlops.workflow.model_step import ModelStep
    from sagemaker.mlops.workflow.pipeline import Pipeline
    from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep
    from sagemaker.serve.model_builder import ModelBuilder
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, InputData, OutputDataConfig

    from labs.operations.scripts import folder

    session = PipelineSession(boto_session=lab.session, default_bucket=lab.bucket)
    code = folder("churn_pipeline")
    threshold = ParameterFloat(name="AucThreshold", default_value=0.8)
    raw = ParameterString(name="InputData", default_value=raw_uri)
    rounds = ParameterInteger(name="NumRound", default_value=40)
    sklearn = image_uris.retrieve("sklearn", lab.region, version="1.2-1")
    xgboost = image_uris.retrieve("xgboost", region=lab.region, version="1.7-1")

    def source(input_name: str, uri: Any, path: str) -> ProcessingInput:
        s3 = ProcessingS3Input(
            s3_uri=uri, local_path=path, s3_data_type="S3Prefix", s3_input_mode="File"
        )
        return ProcessingInput(input_name=input_name, s3_input=s3)

    def sink(output_name: str, path: str) -> ProcessingOutput:
        s3 = ProcessingS3Output(
            s3_uri=lab.s3_uri(name, output_name), local_path=path, s3_upload_mode="EndOfJob"
        )
        return ProcessingOutput(output_name=output_name, s3_output=s3)

    def processor(image: str) -> ScriptProcessor:
        return ScriptProcessor(
            role=lab.role_arn,
            image_uri=image,
            instance_type="ml.m5.large",
            instance_count=1,
            command=["python3"],
            sagemaker_session=session,
        )

    splits = ("train", "validation", "test")
    prepare = ProcessingStep(
        name="Prepare",
        step_args=processor(sklearn).run(
            code=str(code / "prepare.py"),
            inputs=[source("raw", raw, "/opt/ml/processing/input")],
            outputs=[sink(s, f"/opt/ml/processing/output/{s}") for s in splits],
            arguments=[
                *("--input-dir", "/opt/ml/processing/input"),
                *("--output-dir", "/opt/ml/processing/output"),
            ],
        ),
    )
    outputs = prepare.properties.ProcessingOutputConfig.Outputs
    trainer = ModelTrainer(
        training_image=xgboost,
        role=lab.role_arn,
        compute=Compute(instance_type="ml.m5.large", instance_count=1),
        hyperparameters={
            "objective": "binary:logistic",
            "eval_metric": "auc",
            "num_round": rounds,
            "max_depth": 4,
            "eta": 0.2,
        },
        input_data_config=[
            InputData(
                channel_name=c, data_source=outputs[c].S3Output.S3Uri, content_type="text/csv"
            )
            for c in ("train", "validation")
        ],
        output_data_config=OutputDataConfig(s3_output_path=lab.s3_uri(name, "model")),
        sagemaker_session=session,
    )
    train = TrainingStep(name="Train", step_args=trainer.train())
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts
    report = PropertyFile(name="Evaluation", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        step_args=processor(xgboost).run(
            code=str(code / "evaluate.py"),
            inputs=[
                source("model", model_data, "/opt/ml/processing/model"),
                source("test", outputs["test"].S3Output.S3Uri, "/opt/ml/processing/test"),
            ],
            outputs=[sink("evaluation", "/opt/ml/processing/evaluation")],
            arguments=[
                *("--model-dir", "/opt/ml/processing/model"),
                *("--test-dir", "/opt/ml/processing/test"),
                *("--output-dir", "/opt/ml/processing/evaluation"),
            ],
        ),
        property_files=[report],
    )
    builder = ModelBuilder(
        image_uri=xgboost,
        s3_model_data_url=model_data,
        role_arn=lab.role_arn,
        sagemaker_session=session,
    )
    register = ModelStep(
        name="Register",
        step_args=builder.register(
            model_package_group_name=group,
            content_types=["text/csv"],
            response_types=["text/csv"],
            inference_instances=["ml.m5.large"],
            approval_status="PendingManualApproval",
        ),
    )
    too_low = FailStep(
        name="AucTooLow",
        error_message=Join(on=" ", values=["Test AUC is below the threshold", threshold]),
    )
    check = ConditionStep(
        name="CheckAuc",
        conditions=[
            ConditionGreaterThanOrEqualTo(
                left=JsonGet(
                    step_name="Evaluate", property_file=report, json_path="metrics.auc.value"
                ),
                right=threshold,
            )
        ],
        if_steps=[register],
        else_steps=[too_low],
    )
    return Pipeline(
        name=name,
        parameters=[threshold, raw, rounds],
        steps=[prepare, train, evaluate, check],
        sagemaker_session=session,
    )


def wait_for_execution(sagemaker: Any, arn: str, timeout: float = 120) -> dict[str, Any]:
    """Poll DescribePipelineExecution until the execution ends; return the last answer."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
        if described["PipelineExecutionStatus"] not in ("Executing", "Stopping"):
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{arn} still {described['PipelineExecutionStatus']}")
        time.sleep(0.2)


def steps_by_name(sagemaker: Any, arn: str) -> dict[str, dict[str, Any]]:
    """The execution's steps (ListPipelineExecutionSteps), by step name."""
    listed = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn)
    return {step["StepName"]: step for step in listed["PipelineExecutionSteps"]}
