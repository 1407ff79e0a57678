"""Real-time endpoints on the local runtime, through boto3, SDK v3 and the AWS CLI.

One XGBoost model is trained for the module (churn, 40 rounds). Every endpoint must give
the predictions the same model gives when loaded directly with the xgboost library.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import http.client
import io
import json
import math
import os
import shutil
import subprocess
import tarfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import botocore.exceptions
import numpy as np
import pytest
import xgboost as xgb
from runtime_support import XGBOOST_IMAGE, channel, churn_matrix, put_csv, wait_for_training_job

from labs.runtime import endpoints


def csv_rows(X: np.ndarray) -> str:
    return "\n".join(",".join(repr(float(v)) for v in row) for row in X)


def wait_endpoint(sm: Any, name: str, timeout: float = 60) -> dict[str, Any]:
    """Poll DescribeEndpoint until it leaves Creating / Updating."""
    deadline = time.monotonic() + timeout
    while True:
        described = sm.describe_endpoint(EndpointName=name)
        if described["EndpointStatus"] not in ("Creating", "Updating"):
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} still {described['EndpointStatus']}")
        time.sleep(0.05)


def variant(name: str, model: str, weight: float | None = None, count: int = 1) -> dict:
    entry: dict[str, Any] = {
        "VariantName": name,
        "ModelName": model,
        "InitialInstanceCount": count,
        "InstanceType": "ml.m5.large",
    }
    if weight is not None:
        entry["InitialVariantWeight"] = weight
    return entry


def port_is_closed(address: tuple[str, int]) -> bool:
    connection = http.client.HTTPConnection(*address, timeout=2)
    try:
        connection.request("GET", "/ping")
        connection.getresponse()
    except OSError:
        return True
    finally:
        connection.close()
    return False


@pytest.fixture(scope="module")
def trained(lab: Any) -> dict[str, Any]:
    """An XGBoost churn model trained by a local job, registered as model ``ep-xgb``."""
    sm = lab.client("sagemaker")
    train, validation = churn_matrix()
    train_uri = put_csv(lab, "endpoints/train/train.csv", train)
    validation_uri = put_csv(lab, "endpoints/validation/validation.csv", validation)
    sm.create_training_job(
        TrainingJobName="ep-xgb-train",
        AlgorithmSpecification={"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        RoleArn=lab.role_arn,
        HyperParameters={"objective": "binary:logistic", "num_round": "40", "max_depth": "4"},
        InputDataConfig=[channel("train", train_uri), channel("validation", validation_uri)],
        OutputDataConfig={"S3OutputPath": lab.s3_uri("endpoints/output")},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    job = wait_for_training_job(sm, "ep-xgb-train")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    sm.create_model(
        ModelName="ep-xgb",
        PrimaryContainer={"Image": XGBOOST_IMAGE, "ModelDataUrl": artifact},
        ExecutionRoleArn=lab.role_arn,
    )
    bucket, key = artifact[5:].split("/", 1)
    tar = lab.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        raw = archive.extractfile("xgboost-model").read()
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    X = validation.iloc[:, 1:].to_numpy(dtype=float)
    return {"artifact": artifact, "booster": booster, "X": X}


@pytest.fixture(scope="module")
def ab_endpoint(lab: Any, trained: dict[str, Any]) -> str:
    """Endpoint ``ep-ab``: variants A and B of the same model at 90/10."""
    sm = lab.client("sagemaker")
    sm.create_endpoint_config(
        EndpointConfigName="ep-ab-config",
        ProductionVariants=[variant("A", "ep-xgb", 0.9), variant("B", "ep-xgb", 0.1)],
    )
    sm.create_endpoint(EndpointName="ep-ab", EndpointConfigName="ep-ab-config")
    described = wait_endpoint(sm, "ep-ab")
    assert described["EndpointStatus"] == "InService", described.get("FailureReason")
    return "ep-ab"


def direct(trained: dict[str, Any], X: np.ndarray) -> np.ndarray:
    return trained["booster"].predict(xgb.DMatrix(X))


# --------------------------------------------------------------------------- lifecycle


def test_endpoint_goes_creating_then_in_service_with_default_weights(lab, trained):
    sm = lab.client("sagemaker")
    sm.create_endpoint_config(
        EndpointConfigName="ep-life", ProductionVariants=[variant("AllTraffic", "ep-xgb")]
    )
    sm.create_endpoint(EndpointName="ep-life", EndpointConfigName="ep-life")
    assert sm.describe_endpoint(EndpointName="ep-life")["EndpointStatus"] == "Creating"
    described = wait_endpoint(sm, "ep-life")
    assert described["EndpointStatus"] == "InService"
    [only] = described["ProductionVariants"]
    assert only["CurrentWeight"] == 1.0 and only["CurrentInstanceCount"] == 1
    sm.delete_endpoint(EndpointName="ep-life")


def test_boto3_predictions_equal_the_model_loaded_directly(lab, trained, ab_endpoint):
    X = trained["X"][:25]
    answer = lab.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=ab_endpoint, ContentType="text/csv", Body=csv_rows(X)
    )
    assert answer["ContentType"] == "text/csv"
    assert answer["InvokedProductionVariant"] in ("A", "B")
    served = np.array([float(v) for v in answer["Body"].read().decode().split(",")])
    np.testing.assert_allclose(served, direct(trained, X), rtol=1e-6)


def test_json_accept_and_custom_attributes_pass_through(lab, trained, ab_endpoint):
    X = trained["X"][:3]
    answer = lab.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=ab_endpoint,
        ContentType="text/csv",
        Accept="application/json",
        Body=csv_rows(X),
        CustomAttributes="trace=abc-123",
    )
    assert answer["ContentType"].startswith("application/json")
    assert answer["CustomAttributes"] == "trace=abc-123"
    served = json.loads(answer["Body"].read())
    flat = [p["score"] if isinstance(p, dict) else p for p in _predictions(served)]
    np.testing.assert_allclose(flat, direct(trained, X), rtol=1e-6)


def _predictions(served: Any) -> list[Any]:
    return served["predictions"] if isinstance(served, dict) else served


def test_a_model_that_cannot_load_fails_the_endpoint_with_the_reason(lab, trained):
    sm = lab.client("sagemaker")
    sm.create_model(
        ModelName="ep-missing",
        PrimaryContainer={"Image": XGBOOST_IMAGE, "ModelDataUrl": lab.s3_uri("nowhere/m.tar.gz")},
        ExecutionRoleArn=lab.role_arn,
    )
    sm.create_endpoint_config(
        EndpointConfigName="ep-missing", ProductionVariants=[variant("A", "ep-missing")]
    )
    sm.create_endpoint(EndpointName="ep-missing", EndpointConfigName="ep-missing")
    described = wait_endpoint(sm, "ep-missing")
    assert described["EndpointStatus"] == "Failed"
    assert "nowhere/m.tar.gz" in described["FailureReason"]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        lab.client("sagemaker-runtime").invoke_endpoint(
            EndpointName="ep-missing", ContentType="text/csv", Body="1,2"
        )
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    sm.delete_endpoint(EndpointName="ep-missing")


# ------------------------------------------------------------------------------ errors


def _error(call: Any) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    return raised.value.response


def test_errors_are_the_ones_sagemaker_gives(lab, trained, ab_endpoint):
    runtime = lab.client("sagemaker-runtime")
    row = csv_rows(trained["X"][:1])

    unknown = _error(
        lambda: runtime.invoke_endpoint(EndpointName="no-such", ContentType="text/csv", Body=row)
    )
    assert unknown["Error"]["Code"] == "ValidationError"
    assert "no-such" in unknown["Error"]["Message"]

    bad_target = _error(
        lambda: runtime.invoke_endpoint(
            EndpointName=ab_endpoint, ContentType="text/csv", Body=row, TargetVariant="C"
        )
    )
    assert bad_target["Error"]["Code"] == "ValidationError"

    model_error = _error(
        lambda: runtime.invoke_endpoint(
            EndpointName=ab_endpoint, ContentType="text/csv", Body="a,b,c"
        )
    )
    assert model_error["Error"]["Code"] == "ModelError"
    assert model_error["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert model_error["OriginalStatusCode"] == 415
    assert "csv" in model_error["OriginalMessage"]
    assert "/aws/sagemaker/Endpoints/ep-ab" in model_error["LogStreamArn"]

    oversize = _error(
        lambda: runtime.invoke_endpoint(
            EndpointName=ab_endpoint, ContentType="text/csv", Body=b"1," * (3 * 1024 * 1024 + 1)
        )
    )
    assert oversize["Error"]["Code"] == "ValidationError"
    assert "6 MB" in oversize["Error"]["Message"]


FUZZ = [
    ("empty body", "text/csv", b""),
    ("content type the container does not take", "image/png", b"\x89PNG\r\n"),
    ("letters in CSV", "text/csv", b"1.0,abc,3\n"),
    ("ragged CSV", "text/csv", b"1,2,3\n4,5\n"),
    ("too few features", "text/csv", b"1,2,3"),
    ("binary garbage as CSV", "text/csv", bytes(range(256))),
    ("malformed libsvm", "text/libsvm", b"1 3:x 4:\n"),
    ("malformed JSON as recordio", "application/x-recordio-protobuf", b"{not json"),
    ("oversize", "text/csv", b"0," * (3 * 1024 * 1024 + 5)),
]


def test_fuzz_every_bad_payload_gets_a_4xx_and_the_server_survives(lab, trained, ab_endpoint):
    runtime = lab.client("sagemaker-runtime")
    for label, content_type, body in FUZZ:
        response = _error(
            lambda content_type=content_type, body=body: runtime.invoke_endpoint(
                EndpointName=ab_endpoint, ContentType=content_type, Body=body, TargetVariant="A"
            )
        )
        status = response.get("OriginalStatusCode", response["ResponseMetadata"]["HTTPStatusCode"])
        assert 400 <= int(status) < 500, f"{label}: {response['Error']}"
    live = endpoints.live(lab.account, lab.region, ab_endpoint)
    assert not port_is_closed(live.variants["A"].server.address)
    good = runtime.invoke_endpoint(
        EndpointName=ab_endpoint,
        ContentType="text/csv",
        Body=csv_rows(trained["X"][:1]),
        TargetVariant="A",
    )
    assert math.isclose(
        float(good["Body"].read()), float(direct(trained, trained["X"][:1])[0]), rel_tol=1e-6
    )


# ------------------------------------------------------------------- traffic and updates


def test_weights_of_90_10_split_traffic_within_statistical_bounds(lab, trained, ab_endpoint):
    runtime = lab.client("sagemaker-runtime")
    row = csv_rows(trained["X"][:1])
    n = 1000
    seen = Counter(
        runtime.invoke_endpoint(EndpointName=ab_endpoint, ContentType="text/csv", Body=row)[
            "InvokedProductionVariant"
        ]
        for _ in range(n)
    )
    # B ~ Binomial(1000, 0.1): mean 100, sd 9.5; 4.5 sd either side fails 1 run in ~150,000.
    assert set(seen) == {"A", "B"}
    assert abs(seen["B"] - 100) <= 43, seen


def test_target_variant_and_weight_shift(lab, trained):
    sm, runtime = lab.client("sagemaker"), lab.client("sagemaker-runtime")
    sm.create_endpoint_config(
        EndpointConfigName="ep-shift",
        ProductionVariants=[variant("Blue", "ep-xgb", 1.0, 2), variant("Green", "ep-xgb", 0.0)],
    )
    sm.create_endpoint(EndpointName="ep-shift", EndpointConfigName="ep-shift")
    wait_endpoint(sm, "ep-shift")
    row = csv_rows(trained["X"][:1])

    def hits(k: int = 30, **kwargs: Any) -> Counter:
        return Counter(
            runtime.invoke_endpoint(
                EndpointName="ep-shift", ContentType="text/csv", Body=row, **kwargs
            )["InvokedProductionVariant"]
            for _ in range(k)
        )

    assert hits() == Counter(Blue=30)
    assert hits(5, TargetVariant="Green") == Counter(Green=5)
    sm.update_endpoint_weights_and_capacities(
        EndpointName="ep-shift",
        DesiredWeightsAndCapacities=[
            {"VariantName": "Blue", "DesiredWeight": 0.0},
            {"VariantName": "Green", "DesiredWeight": 1.0},
        ],
    )
    described = wait_endpoint(sm, "ep-shift")
    by_name = {v["VariantName"]: v for v in described["ProductionVariants"]}
    assert by_name["Green"]["CurrentWeight"] == 1.0 and by_name["Blue"]["CurrentWeight"] == 0.0
    assert by_name["Blue"]["CurrentInstanceCount"] == 2  # untouched by a weight-only change
    assert hits() == Counter(Green=30)
    sm.delete_endpoint(EndpointName="ep-shift")


def test_update_endpoint_is_blue_green_and_a_failed_update_keeps_serving(lab, trained):
    sm, runtime = lab.client("sagemaker"), lab.client("sagemaker-runtime")
    sm.create_endpoint_config(
        EndpointConfigName="ep-upd-1", ProductionVariants=[variant("One", "ep-xgb")]
    )
    sm.create_endpoint_config(
        EndpointConfigName="ep-upd-2", ProductionVariants=[variant("Two", "ep-xgb")]
    )
    sm.create_endpoint(EndpointName="ep-upd", EndpointConfigName="ep-upd-1")
    wait_endpoint(sm, "ep-upd")
    old = endpoints.live(lab.account, lab.region, "ep-upd").variants["One"].server.address
    row = csv_rows(trained["X"][:1])

    sm.update_endpoint(EndpointName="ep-upd", EndpointConfigName="ep-upd-2")
    assert sm.describe_endpoint(EndpointName="ep-upd")["EndpointStatus"] == "Updating"
    described = wait_endpoint(sm, "ep-upd")
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == (
        "InService",
        "ep-upd-2",
    )
    answer = runtime.invoke_endpoint(EndpointName="ep-upd", ContentType="text/csv", Body=row)
    assert answer["InvokedProductionVariant"] == "Two"
    assert port_is_closed(old)  # the old fleet is retired once the new one serves

    sm.create_model(
        ModelName="ep-upd-broken",
        PrimaryContainer={"Image": XGBOOST_IMAGE, "ModelDataUrl": lab.s3_uri("none/x.tar.gz")},
        ExecutionRoleArn=lab.role_arn,
    )
    sm.create_endpoint_config(
        EndpointConfigName="ep-upd-3", ProductionVariants=[variant("Three", "ep-upd-broken")]
    )
    sm.update_endpoint(EndpointName="ep-upd", EndpointConfigName="ep-upd-3")
    described = wait_endpoint(sm, "ep-upd")
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == "ep-upd-2"
    assert "none/x.tar.gz" in described["FailureReason"]
    answer = runtime.invoke_endpoint(EndpointName="ep-upd", ContentType="text/csv", Body=row)
    assert answer["InvokedProductionVariant"] == "Two"

    address = endpoints.live(lab.account, lab.region, "ep-upd").variants["Two"].server.address
    sm.delete_endpoint(EndpointName="ep-upd")
    assert port_is_closed(address)
    assert endpoints.live(lab.account, lab.region, "ep-upd") is None


# ------------------------------------------------------------- metrics, scaling, modes


def _metric(lab: Any, endpoint: str, variant_name: str, metric: str) -> dict[str, float]:
    now = dt.datetime.now(dt.UTC)
    points = lab.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName=metric,
        Dimensions=[
            {"Name": "EndpointName", "Value": endpoint},
            {"Name": "VariantName", "Value": variant_name},
        ],
        StartTime=now - dt.timedelta(minutes=10),
        EndTime=now + dt.timedelta(minutes=1),
        Period=3600,
        Statistics=["Sum", "SampleCount", "Average"],
    )["Datapoints"]
    return {
        "Sum": sum(p["Sum"] for p in points),
        "SampleCount": sum(p["SampleCount"] for p in points),
    }


def test_per_variant_cloudwatch_metrics(lab, trained):
    sm, runtime = lab.client("sagemaker"), lab.client("sagemaker-runtime")
    sm.create_endpoint_config(
        EndpointConfigName="ep-metrics", ProductionVariants=[variant("M", "ep-xgb", count=2)]
    )
    sm.create_endpoint(EndpointName="ep-metrics", EndpointConfigName="ep-metrics")
    wait_endpoint(sm, "ep-metrics")
    row = csv_rows(trained["X"][:1])
    for _ in range(12):
        runtime.invoke_endpoint(EndpointName="ep-metrics", ContentType="text/csv", Body=row)
    for _ in range(3):
        with pytest.raises(botocore.exceptions.ClientError):
            runtime.invoke_endpoint(EndpointName="ep-metrics", ContentType="text/csv", Body="x")
    endpoints.flush(lab.region)

    assert _metric(lab, "ep-metrics", "M", "Invocations")["Sum"] == 15
    assert _metric(lab, "ep-metrics", "M", "InvocationsPerInstance")["Sum"] == pytest.approx(7.5)
    assert _metric(lab, "ep-metrics", "M", "Invocation4XXErrors")["Sum"] == 3
    assert _metric(lab, "ep-metrics", "M", "Invocation5XXErrors")["Sum"] == 0
    latency = _metric(lab, "ep-metrics", "M", "ModelLatency")
    assert latency["SampleCount"] == 15
    assert 0 < latency["Sum"] / latency["SampleCount"] < 5_000_000  # microseconds
    sm.delete_endpoint(EndpointName="ep-metrics")


def test_autoscaling_target_and_policy_on_a_variant_are_visible(lab, ab_endpoint):
    scaling = lab.client("application-autoscaling")
    resource = f"endpoint/{ab_endpoint}/variant/A"
    scaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=4,
    )
    scaling.put_scaling_policy(
        PolicyName="invocations-per-instance",
        ServiceNamespace="sagemaker",
        ResourceId=resource,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
            "ScaleInCooldown": 300,
            "ScaleOutCooldown": 60,
        },
    )
    [target] = scaling.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[resource]
    )["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    [policy] = scaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=resource)[
        "ScalingPolicies"
    ]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 70.0
    assert (
        config["PredefinedMetricSpecification"]["PredefinedMetricType"]
        == "SageMakerVariantInvocationsPerInstance"
    )


def test_serverless_variant_serves(lab, trained):
    sm, runtime = lab.client("sagemaker"), lab.client("sagemaker-runtime")
    sm.create_endpoint_config(
        EndpointConfigName="ep-serverless",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "ep-xgb",
                "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
            }
        ],
    )
    sm.create_endpoint(EndpointName="ep-serverless", EndpointConfigName="ep-serverless")
    described = wait_endpoint(sm, "ep-serverless")
    assert described["EndpointStatus"] == "InService"
    assert described["ProductionVariants"][0]["CurrentServerlessConfig"]["MaxConcurrency"] == 5
    X = trained["X"][:2]
    answer = runtime.invoke_endpoint(
        EndpointName="ep-serverless", ContentType="text/csv", Body=csv_rows(X)
    )
    served = [float(v) for v in answer["Body"].read().decode().split(",")]
    np.testing.assert_allclose(served, direct(trained, X), rtol=1e-6)
    sm.delete_endpoint(EndpointName="ep-serverless")


def _read_s3(lab: Any, uri: str, timeout: float = 20) -> bytes:
    bucket, key = uri[5:].split("/", 1)
    s3 = lab.client("s3")
    deadline = time.monotonic() + timeout
    while True:
        try:
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_asynchronous_inference_writes_the_answer_to_s3(lab, trained):
    sm, runtime, s3 = lab.client("sagemaker"), lab.client("sagemaker-runtime"), lab.client("s3")
    sm.create_endpoint_config(
        EndpointConfigName="ep-async",
        ProductionVariants=[variant("AllTraffic", "ep-xgb")],
        AsyncInferenceConfig={
            "OutputConfig": {
                "S3OutputPath": lab.s3_uri("async/output"),
                "S3FailurePath": lab.s3_uri("async/failures"),
            }
        },
    )
    sm.create_endpoint(EndpointName="ep-async", EndpointConfigName="ep-async")
    wait_endpoint(sm, "ep-async")
    X = trained["X"][:4]
    s3.put_object(Bucket=lab.bucket, Key="async/input/good.csv", Body=csv_rows(X).encode())
    s3.put_object(Bucket=lab.bucket, Key="async/input/bad.csv", Body=b"not,numbers")

    good = runtime.invoke_endpoint_async(
        EndpointName="ep-async",
        ContentType="text/csv",
        InputLocation=lab.s3_uri("async/input/good.csv"),
        InferenceId="req-1",
    )
    assert good["InferenceId"] == "req-1"
    assert good["OutputLocation"] == lab.s3_uri("async/output/req-1.out")
    served = [float(v) for v in _read_s3(lab, good["OutputLocation"]).decode().split(",")]
    np.testing.assert_allclose(served, direct(trained, X), rtol=1e-6)

    bad = runtime.invoke_endpoint_async(
        EndpointName="ep-async",
        ContentType="text/csv",
        InputLocation=lab.s3_uri("async/input/bad.csv"),
    )
    assert b"csv" in _read_s3(lab, bad["FailureLocation"])

    not_async = _error(
        lambda: runtime.invoke_endpoint_async(
            EndpointName="ep-ab", InputLocation=lab.s3_uri("async/input/good.csv")
        )
    )
    assert not_async["Error"]["Code"] == "ValidationError"
    sm.delete_endpoint(EndpointName="ep-async")


def test_endpoint_logs_reach_cloudwatch(lab, ab_endpoint):
    logs = lab.client("logs")
    streams = logs.describe_log_streams(logGroupName=f"/aws/sagemaker/Endpoints/{ab_endpoint}")
    names = [s["logStreamName"] for s in streams["logStreams"]]
    assert any(n.startswith("A/i-") for n in names) and any(n.startswith("B/i-") for n in names)


# ------------------------------------------------------------------- SDK v3 and AWS CLI


def test_sdk_v3_model_builder_deploy_and_endpoint_invoke(lab, trained):
    from sagemaker.core.resources import Endpoint
    from sagemaker.serve import ModelBuilder

    builder = ModelBuilder(
        s3_model_data_url=trained["artifact"],
        image_uri=XGBOOST_IMAGE,
        role_arn=lab.role_arn,
        instance_type="ml.m5.large",
        sagemaker_session=lab.sagemaker_session,
    )
    builder.build(model_name="ep-sdk-model")
    endpoint = builder.deploy(endpoint_name="ep-sdk", initial_instance_count=1)
    X = trained["X"][:5]
    answer = endpoint.invoke(body=csv_rows(X), content_type="text/csv")
    served = [float(v) for v in answer.body.read().decode().split(",")]
    np.testing.assert_allclose(served, direct(trained, X), rtol=1e-6)

    again = Endpoint.get("ep-sdk")  # sagemaker-core resource, as a learner would look it up
    assert again.endpoint_status == "InService"
    answer = again.invoke(body=csv_rows(X[:1]), content_type="text/csv", accept="text/csv")
    assert answer.invoked_production_variant == "AllTraffic"
    again.delete()


def test_aws_cli_invoke_endpoint(lab, trained, ab_endpoint, tmp_path):
    aws = shutil.which("aws", path=os.path.dirname(os.sys.executable)) or shutil.which("aws")
    assert aws, "the AWS CLI is a dependency of the kit"
    body = tmp_path / "row.csv"
    body.write_text(csv_rows(trained["X"][:1]))
    out = tmp_path / "answer.csv"
    result = subprocess.run(
        [
            aws,
            "sagemaker-runtime",
            "invoke-endpoint",
            "--endpoint-name",
            ab_endpoint,
            "--content-type",
            "text/csv",
            "--body",
            f"fileb://{body}",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["InvokedProductionVariant"] in ("A", "B")
    assert math.isclose(
        float(out.read_text()), float(direct(trained, trained["X"][:1])[0]), rel_tol=1e-6
    )


# --------------------------------------------------------------------------- load test


def test_load_8_clients_x_500_requests_without_an_error(lab, trained, ab_endpoint):
    import boto3

    X = trained["X"]
    expected = direct(trained, X)

    def client_run(seed: int) -> int:
        runtime = boto3.Session(region_name=lab.region).client("sagemaker-runtime")
        rng = np.random.default_rng(seed)
        for _ in range(500):
            i = int(rng.integers(len(X)))
            answer = runtime.invoke_endpoint(
                EndpointName=ab_endpoint, ContentType="text/csv", Body=csv_rows(X[i : i + 1])
            )
            assert math.isclose(float(answer["Body"].read()), float(expected[i]), rel_tol=1e-6)
        return 500

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        done = sum(pool.map(client_run, range(8)))
    assert done == 4000
    live = endpoints.live(lab.account, lab.region, ab_endpoint)
    for name in ("A", "B"):
        assert not port_is_closed(live.variants[name].server.address)


# ------------------------------------------------------------------------ script mode

SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
SERVING_FIXTURES = Path(__file__).parent / "fixtures" / "serving"


def _tar(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for path in sorted(folder.rglob("*")):
            bundle.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    return buffer.getvalue()


def test_script_mode_model_with_its_code_in_s3(lab, tmp_path):
    """A scikit-learn model as the SDK registers it: model.tar.gz plus SAGEMAKER_PROGRAM
    and SAGEMAKER_SUBMIT_DIRECTORY (a sourcedir.tar.gz in S3) in the container environment."""
    import joblib
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    (tmp_path / "model").mkdir()
    joblib.dump(model, tmp_path / "model" / "model.joblib")
    for name, script in (("good", "sklearn_defaults.py"), ("broken", "failing_model_fn.py")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "serve.py").write_text((SERVING_FIXTURES / script).read_text())
    s3, sm = lab.client("s3"), lab.client("sagemaker")
    s3.put_object(Bucket=lab.bucket, Key="sk/model.tar.gz", Body=_tar(tmp_path / "model"))
    for name in ("good", "broken"):
        s3.put_object(
            Bucket=lab.bucket, Key=f"sk/{name}/sourcedir.tar.gz", Body=_tar(tmp_path / name)
        )
        sm.create_model(
            ModelName=f"ep-sk-{name}",
            PrimaryContainer={
                "Image": SKLEARN_IMAGE,
                "ModelDataUrl": lab.s3_uri("sk/model.tar.gz"),
                "Environment": {
                    "SAGEMAKER_PROGRAM": "serve.py",
                    "SAGEMAKER_SUBMIT_DIRECTORY": lab.s3_uri(f"sk/{name}/sourcedir.tar.gz"),
                },
            },
            ExecutionRoleArn=lab.role_arn,
        )
        sm.create_endpoint_config(
            EndpointConfigName=f"ep-sk-{name}", ProductionVariants=[variant("A", f"ep-sk-{name}")]
        )
        sm.create_endpoint(EndpointName=f"ep-sk-{name}", EndpointConfigName=f"ep-sk-{name}")

    assert wait_endpoint(sm, "ep-sk-good")["EndpointStatus"] == "InService"
    answer = lab.client("sagemaker-runtime").invoke_endpoint(
        EndpointName="ep-sk-good", ContentType="application/json", Body=json.dumps(X[:6].tolist())
    )
    assert json.loads(answer["Body"].read()) == model.predict(X[:6]).tolist()

    broken = wait_endpoint(sm, "ep-sk-broken")
    assert broken["EndpointStatus"] == "Failed"
    assert "no-such-model.pkl" in broken["FailureReason"]
    for name in ("good", "broken"):
        sm.delete_endpoint(EndpointName=f"ep-sk-{name}")


# ----------------------------------------------------------- data capture and monitoring


def test_capture_config_is_checked_at_create_endpoint_config(lab):
    sm = lab.client("sagemaker")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sm.create_endpoint_config(
            EndpointConfigName="ep-bad-capture",
            ProductionVariants=[variant("A", "ep-xgb")],
            DataCaptureConfig={
                "InitialSamplingPercentage": 150,
                "DestinationS3Uri": lab.s3_uri("capture"),
                "CaptureOptions": [{"CaptureMode": "Input"}],
            },
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "150" in raised.value.response["Error"]["Message"]


def test_deploy_capture_and_a_monitoring_run_that_flags_a_drifted_batch(lab, trained):
    """The issue's end-to-end case: capture on (EnableCapture left out: on by default),
    a baseline from the training features, a clean batch passes, a drifted batch fails."""
    from labs.runtime import capture
    from labs.runtime.monitoring import run_monitoring, suggest_baseline

    sm, runtime, s3 = lab.client("sagemaker"), lab.client("sagemaker-runtime"), lab.client("s3")
    destination = lab.s3_uri("monitor-e2e/capture")
    sm.create_endpoint_config(
        EndpointConfigName="ep-monitor",
        ProductionVariants=[variant("AllTraffic", "ep-xgb")],
        DataCaptureConfig={
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": destination,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
        },
    )
    sm.create_endpoint(EndpointName="ep-monitor", EndpointConfigName="ep-monitor")
    assert wait_endpoint(sm, "ep-monitor")["EndpointStatus"] == "InService"

    train, _ = churn_matrix()
    features = train.iloc[:, 1:].reset_index(drop=True)
    baseline = suggest_baseline(features, output_s3_uri=lab.s3_uri("monitor-e2e/baseline"))

    X = trained["X"]
    answers = []
    for row in X[:120]:
        answer = runtime.invoke_endpoint(
            EndpointName="ep-monitor", ContentType="text/csv", Body=csv_rows(row[None, :])
        )
        answers.append(float(answer["Body"].read()))
    endpoints.flush(lab.region)
    records = capture.read_captures(s3, capture.capture_uri(destination, "ep-monitor"))
    assert len(records) == 120
    first = records[0]["captureData"]
    assert first["endpointInput"]["encoding"] == "CSV"
    assert float(first["endpointOutput"]["data"]) == pytest.approx(answers[0])
    clean = run_monitoring(records, baseline)
    assert clean.ok, clean.violations

    drifted = X[:120].copy()
    varied = [j for j in range(X.shape[1]) if len(np.unique(X[:, j])) > 20][:2]
    assert varied, "the churn features have continuous columns"
    for j in varied:
        drifted[:, j] = drifted[:, j] * 3 + 10 * (X[:, j].std() + 1)
    for row in drifted:
        runtime.invoke_endpoint(
            EndpointName="ep-monitor", ContentType="text/csv", Body=csv_rows(row[None, :])
        )
    endpoints.flush(lab.region)
    records = capture.read_captures(s3, capture.capture_uri(destination, "ep-monitor"))
    report = run_monitoring(records[120:], baseline, output_s3_uri=lab.s3_uri("monitor-e2e/run-1"))
    assert not report.ok
    drift = {
        v["feature_name"]
        for v in report.violations
        if v["constraint_check_type"] == "baseline_drift_check"
    }
    assert {features.columns[j] for j in varied} <= drift
    written = s3.get_object(Bucket=lab.bucket, Key="monitor-e2e/run-1/constraint_violations.json")[
        "Body"
    ].read()
    assert json.loads(written)["violations"] == report.violations
    sm.delete_endpoint(EndpointName="ep-monitor")
