"""Each shim over moto fills a real gap: without it, the SDK v3 call fails.

Every test first removes its shim and shows the failure, then puts it back and shows
the same call working.
"""

from __future__ import annotations

import os
import time

import boto3
import botocore.exceptions
import botocore.waiter
import pydantic
import pytest
from botocore.config import Config

from labs.local import moto_iam, netguard, shims

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


@pytest.fixture
def no_retries(monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")


def test_sts_shim_keeps_get_execution_role_on_this_machine(lab, tmp_path, monkeypatch, no_retries):
    from sagemaker.core.helper.session_helper import Session, get_execution_role

    log = tmp_path / "guard.jsonl"
    monkeypatch.setenv(netguard.ENV_LOG, str(log))
    shims.uninstall(("sts_to_local",))
    try:
        with pytest.raises(Exception, match=r"sts\..*amazonaws\.com"):
            get_execution_role(Session(boto_session=boto3.Session(region_name=lab.region)))
        assert any(v["host"].startswith("sts.") for v in netguard.violations(log))
    finally:
        shims.install(lab.endpoint_url, ("sts_to_local",))
    role = get_execution_role(Session(boto_session=boto3.Session(region_name=lab.region)))
    assert role == lab.role_arn


def test_empty_structures_shim_lets_sdk_resources_load(lab):
    from sagemaker.core.resources import Endpoint, EndpointConfig, Model

    sm = lab.client("sagemaker")
    sm.create_model(
        ModelName="shim-model",
        PrimaryContainer={"Image": XGBOOST_IMAGE, "ModelDataUrl": lab.s3_uri("m/model.tar.gz")},
        ExecutionRoleArn=lab.role_arn,
    )
    sm.create_endpoint_config(
        EndpointConfigName="shim-config",
        ProductionVariants=[
            {
                "VariantName": "A",
                "ModelName": "shim-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName="shim-endpoint", EndpointConfigName="shim-config")
    cases = [(Model, "shim-model"), (EndpointConfig, "shim-config"), (Endpoint, "shim-endpoint")]

    shims.uninstall(("drop_empty_structures",))
    try:
        for resource, name in cases:
            with pytest.raises(pydantic.ValidationError):
                resource.get(name, session=boto3.Session(region_name=lab.region))
    finally:
        shims.install(lab.endpoint_url, ("drop_empty_structures",))
    for resource, name in cases:
        loaded = resource.get(name, session=boto3.Session(region_name=lab.region))
        assert loaded is not None
    raw = (
        boto3.Session(region_name=lab.region)
        .client("sagemaker")
        .describe_model(ModelName="shim-model")
    )
    assert "VpcConfig" not in raw  # absent, as SageMaker itself answers
    sm.delete_endpoint(EndpointName="shim-endpoint")
    sm.delete_endpoint_config(EndpointConfigName="shim-config")
    sm.delete_model(ModelName="shim-model")


def test_simulate_principal_policy_lets_model_trainer_validate_its_role(lab, no_retries):
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, InputData

    def trainer():
        return ModelTrainer(
            training_image=XGBOOST_IMAGE,
            role=lab.role_arn,
            compute=Compute(instance_type="ml.m5.xlarge", instance_count=1),
            hyperparameters={"num_round": "10"},
            input_data_config=[InputData(channel_name="train", data_source=lab.s3_uri("t/"))],
            sagemaker_session=lab.sagemaker_session,
        )

    iam = lab.client("iam", config=Config(retries={"max_attempts": 1}))
    moto_iam.uninstall()
    try:
        with pytest.raises(Exception):  # noqa: B017 - moto answers 500, botocore can't parse it
            iam.simulate_principal_policy(
                PolicySourceArn=lab.role_arn, ActionNames=["s3:GetObject"]
            )
        with pytest.raises(Exception):  # noqa: B017
            trainer()
    finally:
        moto_iam.install()
    assert trainer().role == lab.role_arn


def test_simulate_principal_policy_answers_from_the_roles_real_policies(lab):
    iam = lab.client("iam")
    bucket_object = f"arn:aws:s3:::{lab.bucket}/data/x.csv"
    results = iam.simulate_principal_policy(
        PolicySourceArn=lab.role_arn,
        ActionNames=["s3:GetObject", "dynamodb:PutItem"],
        ResourceArns=[bucket_object],
    )["EvaluationResults"]
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in results}
    assert decisions == {"s3:GetObject": "allowed", "dynamodb:PutItem": "implicitDeny"}

    iam.put_role_policy(
        RoleName="LabsExecutionRole",
        PolicyName="deny-raw",
        PolicyDocument=(
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", '
            f'"Resource": "{bucket_object}"}}]}}'
        ),
    )
    try:
        [denied] = iam.simulate_principal_policy(
            PolicySourceArn=lab.role_arn, ActionNames=["s3:GetObject"], ResourceArns=[bucket_object]
        )["EvaluationResults"]
        assert denied["EvalDecision"] == "explicitDeny"
        assert denied["MatchedStatements"][0]["SourcePolicyId"] == "deny-raw"
    finally:
        iam.delete_role_policy(RoleName="LabsExecutionRole", PolicyName="deny-raw")


def test_simulate_custom_policy(lab):
    document = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Action": "sagemaker:InvokeEndpoint", "Resource": "*"}]}'
    )
    results = lab.client("iam").simulate_custom_policy(
        PolicyInputList=[document],
        ActionNames=["sagemaker:InvokeEndpoint", "sagemaker:DeleteEndpoint"],
    )["EvaluationResults"]
    assert [r["EvalDecision"] for r in results] == ["allowed", "implicitDeny"]


def test_fast_waiters_poll_every_second_in_local_mode(lab, monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(botocore.waiter.time, "sleep", sleeps.append)
    s3 = lab.client("s3")
    waiter = s3.get_waiter("object_exists")

    shims.uninstall(("fast_waiters",))
    try:
        with pytest.raises(botocore.exceptions.WaiterError):
            waiter.wait(Bucket=lab.bucket, Key="never/there", WaiterConfig={"MaxAttempts": 2})
        assert sleeps == [5]  # S3's own pace: too slow for jobs that take seconds
    finally:
        shims.install(lab.endpoint_url, ("fast_waiters",))
    sleeps.clear()
    with pytest.raises(botocore.exceptions.WaiterError):
        waiter.wait(Bucket=lab.bucket, Key="never/there", WaiterConfig={"MaxAttempts": 3})
    assert sleeps == [1, 1]
    sleeps.clear()
    with pytest.raises(botocore.exceptions.WaiterError):
        waiter.wait(
            Bucket=lab.bucket, Key="never/there", WaiterConfig={"MaxAttempts": 2, "Delay": 3}
        )
    assert sleeps == [3]  # an explicit delay is the caller's choice


def test_fast_sdk_polls_cap_the_sdks_own_wait_loops(lab, monkeypatch):
    import sagemaker.core.resources as resources

    from labs.local import sdk_polls

    slept: list[float] = []
    monkeypatch.setattr(sdk_polls.time, "sleep", slept.append)

    shims.uninstall(("fast_sdk_polls",))
    try:
        assert resources.time is time  # the SDK would sleep its full poll (30 s for deploy)
        assert not shims.installed("fast_sdk_polls")
    finally:
        shims.install(lab.endpoint_url, ("fast_sdk_polls",))
    assert resources.time is not time
    resources.time.sleep(30)
    resources.time.sleep(0.2)
    assert slept == [sdk_polls.LOCAL_POLL, 0.2]
    assert resources.time.monotonic is time.monotonic  # everything else is the real time


def test_fast_sdk_polls_patch_modules_imported_after_install(lab):
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        "from labs.local import sdk_polls\n"
        "assert 'sagemaker.core.transformer' not in sys.modules\n"
        "sdk_polls.install()\n"
        "import sagemaker.core.transformer as t\n"
        "assert t.time is not time and t.time.time is time.time\n"
        "sdk_polls.uninstall()\n"
        "assert t.time is time\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
