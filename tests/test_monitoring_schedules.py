"""Monitoring schedules in the local SageMaker API, and alarm state changes in EventBridge.

moto has no monitoring schedules and sends no event when an alarm changes state; these
tests fail without labs.runtime.moto_monitoring and labs.runtime.moto_alarm_events. The
endpoint record exists only to carry a DataCaptureConfig (its model is never served);
capture records are written with the kit's CaptureWriter, as the endpoint would.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.exceptions
import numpy as np
import pandas as pd
import pytest

from labs import data
from labs.runtime.capture import CaptureWriter
from labs.runtime.monitoring import suggest_baseline
from labs.runtime.monitoring.scheduled import NAMESPACE, in_window, parse_offset

MONITOR_IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
NUMERIC = ["age", "monthly_charges", "day_minutes", "customer_service_calls"]


@pytest.fixture(scope="module")
def setup(lab: Any) -> dict[str, Any]:
    """An endpoint record with data capture, a saved baseline and a job definition."""
    sm, s3 = lab.client("sagemaker"), lab.client("s3")
    run = uuid.uuid4().hex[:8]
    features = data.load("churn")[NUMERIC]
    mask = np.random.default_rng(5).random(len(features)) < 0.8
    train, held_out = features[mask], features[~mask].reset_index(drop=True)
    baseline = suggest_baseline(
        train, output_s3_uri=lab.s3_uri("sched-tests", run, "baseline"), s3=s3
    )
    endpoint, destination = f"ep-sched-{run}", lab.s3_uri("sched-tests", run, "capture")
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    sm.create_model(
        ModelName=endpoint,
        PrimaryContainer={"Image": image, "ModelDataUrl": lab.s3_uri("nowhere/model.tar.gz")},
        ExecutionRoleArn=lab.role_arn,
    )
    capture = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 100,
        "DestinationS3Uri": destination,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
    }
    sm.create_endpoint_config(
        EndpointConfigName=endpoint,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": endpoint,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        DataCaptureConfig=capture,
    )
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=endpoint)
    sm.create_data_quality_job_definition(
        JobDefinitionName=f"dq-{run}",
        DataQualityBaselineConfig=baseline.baseline_config(),
        DataQualityAppSpecification={
            "ImageUri": MONITOR_IMAGE,
            "Environment": {"publish_cloudwatch_metrics": "Enabled"},
        },
        DataQualityJobInput={"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/x"}},
        DataQualityJobOutputConfig={
            "MonitoringOutputs": [
                {
                    "S3Output": {
                        "S3Uri": lab.s3_uri("sched-tests", run, "reports"),
                        "LocalPath": "/o",
                    }
                }
            ]
        },
        JobResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 5,
            }
        },
        RoleArn=lab.role_arn,
    )
    writer = CaptureWriter(capture, s3, endpoint)
    return {
        "run": run,
        "endpoint": endpoint,
        "definition": f"dq-{run}",
        "held_out": held_out,
        "writer": writer,
        "capture": capture,
    }


def send(writer: CaptureWriter, frame: pd.DataFrame) -> None:
    for start in range(0, len(frame), 20):
        body = io.StringIO()
        frame.iloc[start : start + 20].to_csv(body, header=False, index=False)
        writer.record("AllTraffic", body.getvalue().encode(), "text/csv", b"0.1", "text/csv")
    assert writer.flush()


def now_schedule(sm: Any, name: str, definition: str, **changes: Any) -> dict[str, Any]:
    config = {
        "ScheduleConfig": {
            "ScheduleExpression": "NOW",
            "DataAnalysisStartTime": "-PT1H",
            "DataAnalysisEndTime": "PT0H",
        },
        "MonitoringJobDefinitionName": definition,
        "MonitoringType": "DataQuality",
        **changes,
    }
    config = {key: value for key, value in config.items() if value is not None}
    sm.create_monitoring_schedule(
        MonitoringScheduleName=name,
        MonitoringScheduleConfig=config,
        Tags=[{"Key": "team", "Value": "ml"}],
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = sm.list_monitoring_executions(MonitoringScheduleName=name)
        summaries = runs["MonitoringExecutionSummaries"]
        if summaries and summaries[0]["MonitoringExecutionStatus"] not in ("Pending", "InProgress"):
            return summaries[0]
        time.sleep(0.2)
    raise AssertionError(f"{name} never finished")


def violations_of(lab: Any, summary: dict[str, Any], setup: dict[str, Any]) -> list[dict[str, Any]]:
    when = summary["ScheduledTime"].astimezone(UTC)
    key = (
        f"sched-tests/{setup['run']}/reports/{setup['endpoint']}/"
        f"{summary['MonitoringScheduleName']}/{when:%Y/%m/%d/%H}/constraint_violations.json"
    )
    body = lab.client("s3").get_object(Bucket=lab.bucket, Key=key)["Body"].read()
    return json.loads(body)["violations"]


def test_a_now_schedule_runs_once_and_catches_drift(lab: Any, setup: dict[str, Any]) -> None:
    sm, cloudwatch = lab.client("sagemaker"), lab.client("cloudwatch")
    send(setup["writer"], setup["held_out"])
    clean = now_schedule(sm, f"clean-{setup['run']}", setup["definition"])
    assert clean["MonitoringExecutionStatus"] == "Completed", clean.get("FailureReason")
    assert clean["EndpointName"] == setup["endpoint"]
    assert clean["MonitoringJobDefinitionName"] == setup["definition"]
    assert violations_of(lab, clean, setup) == []
    described = sm.describe_monitoring_schedule(MonitoringScheduleName=f"clean-{setup['run']}")
    assert described["MonitoringScheduleStatus"] == "Scheduled"
    assert described["LastMonitoringExecutionSummary"]["MonitoringExecutionStatus"] == "Completed"
    sm.delete_monitoring_schedule(MonitoringScheduleName=f"clean-{setup['run']}")

    shifted = setup["held_out"].assign(monthly_charges=setup["held_out"]["monthly_charges"] + 60)
    send(setup["writer"], shifted)
    drifted = now_schedule(sm, f"drift-{setup['run']}", setup["definition"])
    assert drifted["MonitoringExecutionStatus"] == "CompletedWithViolations"
    found = {
        (v["feature_name"], v["constraint_check_type"]) for v in violations_of(lab, drifted, setup)
    }
    assert found == {("monthly_charges", "baseline_drift_check")}

    # The metrics a schedule with publish_cloudwatch_metrics Enabled sends, per feature.
    dimensions = [
        {"Name": "Endpoint", "Value": setup["endpoint"]},
        {"Name": "MonitoringSchedule", "Value": f"drift-{setup['run']}"},
    ]
    names = {
        m["MetricName"]
        for m in cloudwatch.list_metrics(Namespace=NAMESPACE, Dimensions=dimensions)["Metrics"]
    }
    for feature in NUMERIC:
        assert {
            f"feature_baseline_drift_{feature}",
            f"feature_non_null_{feature}",
            f"feature_data_{feature}",
        } <= names
    now = datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="feature_baseline_drift_monthly_charges",
        Dimensions=dimensions,
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=1),
        Period=3600,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert len(points) == 1 and 0.1 < points[0]["Maximum"] <= 1.0
    completeness = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="feature_non_null_monthly_charges",
        Dimensions=dimensions,
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=1),
        Period=3600,
        Statistics=["Minimum"],
    )["Datapoints"]
    assert completeness[0]["Minimum"] == pytest.approx(1.0)

    arn = sm.describe_monitoring_schedule(MonitoringScheduleName=f"drift-{setup['run']}")[
        "MonitoringScheduleArn"
    ]
    assert arn.endswith(f":monitoring-schedule/drift-{setup['run']}")
    assert {"Key": "team", "Value": "ml"} in sm.list_tags(ResourceArn=arn)["Tags"]
    listed = sm.list_monitoring_schedules(EndpointName=setup["endpoint"])
    assert [s["MonitoringScheduleName"] for s in listed["MonitoringScheduleSummaries"]] == [
        f"drift-{setup['run']}"
    ]
    sm.delete_monitoring_schedule(MonitoringScheduleName=f"drift-{setup['run']}")
    with pytest.raises(botocore.exceptions.ClientError):
        sm.describe_monitoring_schedule(MonitoringScheduleName=f"drift-{setup['run']}")


def test_inline_definition_without_metrics_and_a_cron_schedule(
    lab: Any, setup: dict[str, Any]
) -> None:
    sm, cloudwatch = lab.client("sagemaker"), lab.client("cloudwatch")
    send(setup["writer"], setup["held_out"].iloc[:100])
    job = sm.describe_data_quality_job_definition(JobDefinitionName=setup["definition"])
    inline = {
        "BaselineConfig": job["DataQualityBaselineConfig"],
        "MonitoringAppSpecification": {"ImageUri": job["DataQualityAppSpecification"]["ImageUri"]},
        "Environment": {"publish_cloudwatch_metrics": "Disabled"},
        "MonitoringInputs": [{"EndpointInput": job["DataQualityJobInput"]["EndpointInput"]}],
        "MonitoringOutputConfig": job["DataQualityJobOutputConfig"],
        "MonitoringResources": job["JobResources"],
        "RoleArn": lab.role_arn,
    }
    name = f"inline-{setup['run']}"
    summary = now_schedule(
        sm,
        name,
        setup["definition"],
        MonitoringJobDefinitionName=None,
        MonitoringType=None,
        MonitoringJobDefinition=inline,
    )
    assert summary["MonitoringExecutionStatus"] in ("Completed", "CompletedWithViolations")
    dimensions = [{"Name": "MonitoringSchedule", "Value": name}]
    metrics = cloudwatch.list_metrics(Namespace=NAMESPACE, Dimensions=dimensions)["Metrics"]
    assert metrics == []

    # Metrics on in the job, off in the constraints' monitoring_config: none are sent either.
    s3 = lab.client("s3")
    constraints_uri = job["DataQualityBaselineConfig"]["ConstraintsResource"]["S3Uri"]
    bucket, key = constraints_uri.removeprefix("s3://").split("/", 1)
    quiet = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    quiet["monitoring_config"]["emit_metrics"] = "Disabled"
    s3.put_object(Bucket=bucket, Key=key + ".quiet.json", Body=json.dumps(quiet).encode())
    inline["Environment"] = {"publish_cloudwatch_metrics": "Enabled"}
    inline["BaselineConfig"] = {
        **inline["BaselineConfig"],
        "ConstraintsResource": {"S3Uri": constraints_uri + ".quiet.json"},
    }
    name_quiet = f"quiet-{setup['run']}"
    quiet_run = now_schedule(
        sm,
        name_quiet,
        setup["definition"],
        MonitoringJobDefinitionName=None,
        MonitoringType=None,
        MonitoringJobDefinition=inline,
    )
    assert quiet_run["MonitoringExecutionStatus"].startswith("Completed"), quiet_run
    dimensions = [{"Name": "MonitoringSchedule", "Value": name_quiet}]
    assert cloudwatch.list_metrics(Namespace=NAMESPACE, Dimensions=dimensions)["Metrics"] == []

    hourly = f"hourly-{setup['run']}"
    sm.create_monitoring_schedule(
        MonitoringScheduleName=hourly,
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": setup["definition"],
            "MonitoringType": "DataQuality",
        },
    )
    assert (
        sm.list_monitoring_executions(MonitoringScheduleName=hourly)["MonitoringExecutionSummaries"]
        == []
    )
    for leftover in (name, name_quiet, hourly):
        sm.delete_monitoring_schedule(MonitoringScheduleName=leftover)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"ScheduleConfig": {"ScheduleExpression": "NOW"}}, "DataAnalysisStartTime"),
        ({"MonitoringJobDefinitionName": "no-such-definition"}, "not found"),
        ({"MonitoringType": "ModelQuality"}, "DataQuality monitoring only"),
        (
            {
                "ScheduleConfig": {
                    "ScheduleExpression": "NOW",
                    "DataAnalysisStartTime": "an hour ago",
                    "DataAnalysisEndTime": "PT0H",
                }
            },
            "ISO 8601",
        ),
    ],
)
def test_bad_schedules_are_refused(
    lab: Any, setup: dict[str, Any], config: dict[str, Any], message: str
) -> None:
    base = {
        "ScheduleConfig": {
            "ScheduleExpression": "NOW",
            "DataAnalysisStartTime": "-PT1H",
            "DataAnalysisEndTime": "PT0H",
        },
        "MonitoringJobDefinitionName": setup["definition"],
        "MonitoringType": "DataQuality",
    }
    with pytest.raises(botocore.exceptions.ClientError, match=message):
        lab.client("sagemaker").create_monitoring_schedule(
            MonitoringScheduleName=f"bad-{uuid.uuid4().hex[:6]}",
            MonitoringScheduleConfig={**base, **config},
        )


def test_offsets_and_the_analysis_window() -> None:
    assert parse_offset("-PT1H") == timedelta(hours=-1)
    assert parse_offset("PT0H") == timedelta(0)
    assert parse_offset("-P1DT2H30M") == -timedelta(days=1, hours=2, minutes=30)
    for bad in ("1H", "-P", "PT", "soon"):
        with pytest.raises(Exception, match="ISO 8601"):
            parse_offset(bad)
    start = datetime(2026, 11, 29, 10, tzinfo=UTC)

    def record(stamp: str) -> dict[str, Any]:
        return {"eventMetadata": {"inferenceTime": stamp}}

    records = [
        record("2026-11-29T09:59:59Z"),
        record("2026-11-29T10:00:00Z"),
        record("2026-11-29T10:59:59Z"),
        record("2026-11-29T11:00:00Z"),
    ]
    kept = in_window(records, start, start + timedelta(hours=1))
    assert [r["eventMetadata"]["inferenceTime"] for r in kept] == [
        "2026-11-29T10:00:00Z",
        "2026-11-29T10:59:59Z",
    ]


def test_no_captures_in_the_window_fails_the_execution(lab: Any, setup: dict[str, Any]) -> None:
    sm = lab.client("sagemaker")
    name = f"old-{setup['run']}"
    summary = now_schedule(
        sm,
        name,
        setup["definition"],
        ScheduleConfig={
            "ScheduleExpression": "NOW",
            "DataAnalysisStartTime": "-PT3H",
            "DataAnalysisEndTime": "-PT2H",
        },
    )
    assert summary["MonitoringExecutionStatus"] == "Failed"
    assert "No captured data" in summary["FailureReason"]
    sm.delete_monitoring_schedule(MonitoringScheduleName=name)


# ----------------------------------------------------------------- alarm events


def test_an_alarm_state_change_reaches_an_eventbridge_rule_and_its_queue(lab: Any) -> None:
    cloudwatch, events, sqs = lab.client("cloudwatch"), lab.client("events"), lab.client("sqs")
    run = uuid.uuid4().hex[:8]
    alarm, rule = f"drift-{run}", f"retrain-{run}"
    cloudwatch.put_metric_alarm(
        AlarmName=alarm,
        Namespace=NAMESPACE,
        MetricName="feature_baseline_drift_monthly_charges",
        Dimensions=[{"Name": "Endpoint", "Value": "ep"}],
        Statistic="Maximum",
        Period=3600,
        EvaluationPeriods=1,
        Threshold=0.1,
        ComparisonOperator="GreaterThanThreshold",
    )
    queue = sqs.create_queue(QueueName=f"retrain-{run}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "detail": {"alarmName": [alarm], "state": {"value": ["ALARM"]}},
    }
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": queue_arn}])

    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="drift 0.3")
    cloudwatch.set_alarm_state(
        AlarmName=alarm, StateValue="ALARM", StateReason="still"
    )  # no change
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="back")  # no match
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    event = json.loads(messages[0]["Body"])
    assert event["source"] == "aws.cloudwatch"
    assert event["detail-type"] == "CloudWatch Alarm State Change"
    assert event["resources"][0].endswith(f":alarm:{alarm}")
    detail = event["detail"]
    assert detail["state"]["value"] == "ALARM" and detail["state"]["reason"] == "drift 0.3"
    assert detail["previousState"]["value"] == "OK"
    metric = detail["configuration"]["metrics"][0]["metricStat"]["metric"]
    assert metric["name"] == "feature_baseline_drift_monthly_charges"
    assert metric["dimensions"] == {"Endpoint": "ep"}

    # TestEventPattern answers with the same matcher the rule used.
    assert events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))[
        "Result"
    ]
    event["detail"]["state"]["value"] = "OK"
    assert not events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))[
        "Result"
    ]
    with pytest.raises(botocore.exceptions.ClientError, match="needs 'id'"):
        events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps({"a": 1}))
    events.remove_targets(Rule=rule, Ids=["queue"])
    events.delete_rule(Name=rule)
    cloudwatch.delete_alarms(AlarmNames=[alarm])
    sqs.delete_queue(QueueUrl=queue)
