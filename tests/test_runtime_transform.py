"""Batch transform jobs on the local runtime compute for real, through boto3 and the SDK v3.

A small XGBoost model is trained by a real training job once per module; its predictions
in the ``.out`` objects are compared with the same booster loaded directly. The JSONPath
filters and the record handling are also tested on their own, without moto.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xgboost
from botocore.exceptions import ClientError
from runtime_support import (
    XGBOOST_IMAGE,
    channel,
    churn_matrix,
    model_dir_of,
    put_bytes,
    put_csv,
    wait_for_training_job,
)

from labs.algorithms import recordio
from labs.runtime import transform_records as records
from labs.runtime.transform_jsonpath import PathError, parse

SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
SERVING_FIXTURES = Path(__file__).parent / "fixtures" / "serving"
LOG_GROUP = "/aws/sagemaker/TransformJobs"
PREFIX = "transform-tests"


# ----------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def churn() -> pd.DataFrame:
    """Churn validation rows, label first (what the model did not train on)."""
    return churn_matrix()[1].reset_index(drop=True)


@pytest.fixture(scope="module")
def xgb_model(lab, tmp_path_factory) -> tuple[str, xgboost.Booster]:
    """A model trained by a real XGBoost training job, registered with CreateModel."""
    sm = lab.client("sagemaker")
    train_uri = put_csv(lab, f"{PREFIX}/train/train.csv", churn_matrix()[0])
    sm.create_training_job(
        TrainingJobName="transform-tests-xgb",
        AlgorithmSpecification={"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        RoleArn=lab.role_arn,
        HyperParameters={"num_round": "20", "objective": "binary:logistic", "max_depth": "3"},
        InputDataConfig=[channel("train", train_uri)],
        OutputDataConfig={"S3OutputPath": lab.s3_uri(PREFIX, "models")},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 300},
    )
    job = wait_for_training_job(sm, "transform-tests-xgb")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    sm.create_model(
        ModelName="transform-tests-xgb",
        ExecutionRoleArn=lab.role_arn,
        PrimaryContainer={"Image": XGBOOST_IMAGE, "ModelDataUrl": artifact},
    )
    model_dir = model_dir_of(lab, artifact, tmp_path_factory.mktemp("xgb"))
    booster = xgboost.Booster()
    booster.load_model(bytearray((model_dir / "xgboost-model").read_bytes()))
    return "transform-tests-xgb", booster


def predict(booster: xgboost.Booster, features: pd.DataFrame) -> np.ndarray:
    """The booster's own predictions, the reference for every .out file."""
    return booster.predict(xgboost.DMatrix(features.to_numpy(dtype=np.float32)))


def csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(header=False, index=False).encode()


def transform_request(lab, name: str, model: str, folder: str, **changes: Any) -> dict[str, Any]:
    """A CreateTransformJob request reading ``<PREFIX>/<folder>/in`` (CSV lines)."""
    request: dict[str, Any] = {
        "TransformJobName": name,
        "ModelName": model,
        "TransformInput": {
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": lab.s3_uri(PREFIX, folder, "in") + "/",
                }
            },
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "TransformOutput": {
            "S3OutputPath": lab.s3_uri(PREFIX, folder, "out"),
            "Accept": "text/csv",
            "AssembleWith": "Line",
        },
        "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(request.get(key), dict):
            request[key] = {**request[key], **value}
        else:
            request[key] = value
    return request


def wait_for_transform_job(sm, name: str, timeout: float = 60) -> dict[str, Any]:
    """Poll DescribeTransformJob until the job ends; return the last description."""
    deadline = time.monotonic() + timeout
    while True:
        described = sm.describe_transform_job(TransformJobName=name)
        if described["TransformJobStatus"] in ("Completed", "Failed", "Stopped"):
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} still {described['TransformJobStatus']}")
        time.sleep(0.1)


def outputs(lab, folder: str) -> dict[str, bytes]:
    """Every object under ``<PREFIX>/<folder>/out/``, by its path below that prefix."""
    s3 = lab.client("s3")
    prefix = f"{PREFIX}/{folder}/out/"
    listing = s3.list_objects_v2(Bucket=lab.bucket, Prefix=prefix).get("Contents", [])
    return {
        item["Key"][len(prefix) :]: s3.get_object(Bucket=lab.bucket, Key=item["Key"])["Body"].read()
        for item in listing
    }


def values(body: bytes) -> np.ndarray:
    return np.array([float(line) for line in body.decode().splitlines()])


def log_messages(lab, name: str) -> tuple[str, list[str]]:
    logs = lab.client("logs")
    streams = logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=f"{name}/")
    stream = streams["logStreams"][0]["logStreamName"]
    events = logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=stream)["events"]
    return stream, [event["message"] for event in events]


# ----------------------------------------------------------------------------- boto3


def test_boto3_predictions_equal_xgboost_with_one_out_per_object(lab, xgb_model, churn):
    model, booster = xgb_model
    features = churn.iloc[:, 1:]
    put_bytes(lab, f"{PREFIX}/plain/in/part-a.csv", csv_bytes(features.iloc[:300]))
    put_bytes(lab, f"{PREFIX}/plain/in/more/part-b.csv", csv_bytes(features.iloc[300:]))
    sm = lab.client("sagemaker")
    sm.create_transform_job(**transform_request(lab, "tx-plain", model, "plain"))
    job = wait_for_transform_job(sm, "tx-plain")

    assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
    assert "FailureReason" not in job
    assert job["TransformStartTime"] <= job["TransformEndTime"]
    written = outputs(lab, "plain")
    assert sorted(written) == ["more/part-b.csv.out", "part-a.csv.out"]
    expected = predict(booster, features)
    assert np.allclose(values(written["part-a.csv.out"]), expected[:300], atol=1e-6)
    assert np.allclose(values(written["more/part-b.csv.out"]), expected[300:], atol=1e-6)
    stream, messages = log_messages(lab, "tx-plain")
    assert re.fullmatch(r"tx-plain/i-[0-9a-f]{16}-\d{10}", stream)
    assert any(m.startswith("[sagemaker logs]: MaxConcurrentTransforms=") for m in messages)


def test_single_record_and_multi_record_give_the_same_file(lab, xgb_model, churn):
    model, booster = xgb_model
    features = churn.iloc[:120, 1:]
    put_bytes(lab, f"{PREFIX}/single/in/rows.csv", csv_bytes(features))
    put_bytes(lab, f"{PREFIX}/multi/in/rows.csv", csv_bytes(features))
    sm = lab.client("sagemaker")
    sm.create_transform_job(
        **transform_request(
            lab,
            "tx-single",
            model,
            "single",
            BatchStrategy="SingleRecord",
            MaxConcurrentTransforms=3,
        )
    )
    sm.create_transform_job(
        **transform_request(
            lab, "tx-multi", model, "multi", BatchStrategy="MultiRecord", MaxPayloadInMB=1
        )
    )
    for name, strategy in (("tx-single", "SingleRecord"), ("tx-multi", "MultiRecord")):
        job = wait_for_transform_job(sm, name)
        assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
        assert job["BatchStrategy"] == strategy

    single = outputs(lab, "single")["rows.csv.out"]
    assert single == outputs(lab, "multi")["rows.csv.out"]
    assert np.allclose(values(single), predict(booster, features), atol=1e-6)
    _, messages = log_messages(lab, "tx-single")
    assert "labs: rows.csv: 120 record(s) in 120 request(s)" in messages
    assert any("MaxConcurrentTransforms=3" in m and "SINGLE_RECORD" in m for m in messages)


def test_input_filter_drops_the_label_and_join_keeps_the_id(lab, xgb_model, churn):
    model, booster = xgb_model
    rows = churn.iloc[:80]
    with_ids = rows.copy()
    with_ids.insert(0, "customer", [f"c-{i:03d}" for i in range(len(rows))])
    put_bytes(lab, f"{PREFIX}/label/in/rows.csv", csv_bytes(rows))
    put_bytes(lab, f"{PREFIX}/ids/in/rows.csv", csv_bytes(with_ids))
    sm = lab.client("sagemaker")
    # label first, as the built-ins read CSV: the model must not see it
    sm.create_transform_job(
        **transform_request(
            lab, "tx-label", model, "label", DataProcessing={"InputFilter": "$[1:]"}
        )
    )
    # id, label, features: the model sees the features; the output is id,...,prediction
    sm.create_transform_job(
        **transform_request(
            lab,
            "tx-ids",
            model,
            "ids",
            DataProcessing={
                "InputFilter": "$[2:]",
                "JoinSource": "Input",
                "OutputFilter": "$[0,1,-1]",
            },
        )
    )
    expected = predict(booster, rows.iloc[:, 1:])
    job = wait_for_transform_job(sm, "tx-label")
    assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
    assert np.allclose(values(outputs(lab, "label")["rows.csv.out"]), expected, atol=1e-6)

    job = wait_for_transform_job(sm, "tx-ids")
    assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
    lines = outputs(lab, "ids")["rows.csv.out"].decode().splitlines()
    assert len(lines) == len(rows)
    cells = [line.split(",") for line in lines]
    assert [c[0] for c in cells] == list(with_ids["customer"])
    assert [int(float(c[1])) for c in cells] == rows.iloc[:, 0].astype(int).tolist()
    assert np.allclose([float(c[2]) for c in cells], expected, atol=1e-6)


def sklearn_model(lab, tmp: Path) -> tuple[str, Any]:
    """A scikit-learn model served by the learner's script (fixtures/serving/sklearn_custom.py)."""
    import joblib
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 4))
    model = LogisticRegression().fit(X, (X[:, 0] + X[:, 1] > 0).astype(int))
    folder = tmp / "sk"
    (folder / "code").mkdir(parents=True)
    joblib.dump(model, folder / "model.joblib")
    script = (SERVING_FIXTURES / "sklearn_custom.py").read_text()
    (folder / "code" / "inference.py").write_text(script)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for path in sorted(folder.rglob("*")):
            bundle.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    uri = put_bytes(lab, f"{PREFIX}/models/sklearn/model.tar.gz", buffer.getvalue())
    lab.client("sagemaker").create_model(
        ModelName="transform-tests-sklearn",
        ExecutionRoleArn=lab.role_arn,
        PrimaryContainer={"Image": SKLEARN_IMAGE, "ModelDataUrl": uri + "model.tar.gz"},
    )
    return "transform-tests-sklearn", model


def test_json_lines_join_with_a_scikit_learn_script(lab, tmp_path):
    name, model = sklearn_model(lab, tmp_path)
    rows = np.random.default_rng(4).normal(size=(6, 4)).round(3)
    lines = [
        json.dumps({"id": f"r{i}", "note": "kept out", "payload": {"rows": [row.tolist()]}})
        for i, row in enumerate(rows)
    ]
    put_bytes(lab, f"{PREFIX}/jsonl/in/rows.jsonl", ("\n".join(lines) + "\n").encode())
    sm = lab.client("sagemaker")
    sm.create_transform_job(
        **transform_request(
            lab,
            "tx-jsonl",
            name,
            "jsonl",
            BatchStrategy="SingleRecord",
            TransformInput={"ContentType": "application/json"},  # one JSON document per line
            TransformOutput={"Accept": "application/json"},
            DataProcessing={
                "InputFilter": "$.payload",
                "JoinSource": "Input",
                "OutputFilter": "$['id','SageMakerOutput']",
            },
        )
    )
    job = wait_for_transform_job(sm, "tx-jsonl")
    assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
    written = [json.loads(line) for line in outputs(lab, "jsonl")["rows.jsonl.out"].splitlines()]
    assert [record["id"] for record in written] == [f"r{i}" for i in range(len(rows))]
    assert all(set(record) == {"id", "SageMakerOutput"} for record in written)
    assert [r["SageMakerOutput"]["labels"][0] for r in written] == model.predict(rows).tolist()
    assert {r["SageMakerOutput"]["content_type_seen"] for r in written} == {"application/json"}


def test_gzip_objects_listed_by_a_manifest(lab, xgb_model, churn):
    model, booster = xgb_model
    features = churn.iloc[:90, 1:]
    for part, chunk in (("one", features.iloc[:40]), ("two", features.iloc[40:])):
        put_bytes(lab, f"{PREFIX}/gz/data/{part}.csv.gz", gzip.compress(csv_bytes(chunk)))
    manifest = [{"prefix": lab.s3_uri(PREFIX, "gz", "data") + "/"}, "one.csv.gz", "two.csv.gz"]
    put_bytes(lab, f"{PREFIX}/gz/in/manifest.json", json.dumps(manifest).encode())
    sm = lab.client("sagemaker")
    request = transform_request(lab, "tx-gzip", model, "gz")
    request["TransformInput"]["CompressionType"] = "Gzip"
    request["TransformInput"]["DataSource"]["S3DataSource"] = {
        "S3DataType": "ManifestFile",
        "S3Uri": lab.s3_uri(PREFIX, "gz", "in", "manifest.json"),
    }
    sm.create_transform_job(**request)
    job = wait_for_transform_job(sm, "tx-gzip")
    assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
    written = outputs(lab, "gz")
    assert sorted(written) == ["one.csv.gz.out", "two.csv.gz.out"]
    joined = np.concatenate([values(written["one.csv.gz.out"]), values(written["two.csv.gz.out"])])
    assert np.allclose(joined, predict(booster, features), atol=1e-6)


def test_recordio_protobuf_split_into_records(lab, xgb_model, churn):
    model, booster = xgb_model
    features = churn.iloc[:50, 1:]
    buffer = io.BytesIO()
    recordio.write_dense(buffer, features.to_numpy(dtype=float))
    put_bytes(lab, f"{PREFIX}/rio/in/rows.rec", buffer.getvalue())
    sm = lab.client("sagemaker")
    sm.create_transform_job(
        **transform_request(
            lab,
            "tx-recordio",
            model,
            "rio",
            TransformInput={
                "ContentType": "application/x-recordio-protobuf",
                "SplitType": "RecordIO",
            },
            MaxPayloadInMB=1,
        )
    )
    job = wait_for_transform_job(sm, "tx-recordio")
    assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
    written = outputs(lab, "rio")["rows.rec.out"]
    assert np.allclose(values(written), predict(booster, features), atol=1e-6)


def test_a_bad_record_fails_the_job_and_names_the_record(lab, xgb_model, churn):
    model, _ = xgb_model
    features = churn.iloc[:5, 1:]
    lines = csv_bytes(features).decode().splitlines()
    lines[2] = "abc," + lines[2].split(",", 1)[1]
    put_bytes(lab, f"{PREFIX}/bad/in/bad.csv", ("\n".join(lines) + "\n").encode())
    put_bytes(lab, f"{PREFIX}/bad/in/good.csv", csv_bytes(features))
    sm = lab.client("sagemaker")
    sm.create_transform_job(
        **transform_request(lab, "tx-bad", model, "bad", BatchStrategy="SingleRecord")
    )
    job = wait_for_transform_job(sm, "tx-bad")

    assert job["TransformJobStatus"] == "Failed"
    reason = job["FailureReason"]
    assert reason.startswith("ClientError: Bad HTTP status received from algorithm: 415")
    assert 'input object bad.csv, line 3 ("abc,' in reason
    assert "Loading csv data failed" in reason
    assert sorted(outputs(lab, "bad")) == ["good.csv.out"]  # the good object still counts
    _, messages = log_messages(lab, "tx-bad")
    assert "[sagemaker logs]: bad.csv: Bad HTTP status received from algorithm: 415" in messages


def test_a_missing_model_is_refused_with_its_arn(lab):
    sm = lab.client("sagemaker")
    with pytest.raises(ClientError) as raised:
        sm.create_transform_job(**transform_request(lab, "tx-nomodel", "no-such-model", "none"))
    error = raised.value.response["Error"]
    account = lab.role_arn.split(":")[4]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        f'Could not find model "arn:aws:sagemaker:{lab.region}:{account}:model/no-such-model".'
    )


def test_filters_sagemaker_cannot_parse_are_refused(lab, xgb_model):
    model, _ = xgb_model
    sm = lab.client("sagemaker")
    request = transform_request(
        lab, "tx-badpath", model, "none", DataProcessing={"OutputFilter": "$[0:2,246:]"}
    )
    with pytest.raises(ClientError) as raised:
        sm.create_transform_job(**request)
    message = raised.value.response["Error"]["Message"]
    assert message.startswith('Invalid OutputFilter: "$[0:2,246:]".')
    assert "only single range filters" in message


def test_stop_transform_job_stops_without_output(lab, xgb_model, churn):
    model, _ = xgb_model
    many = pd.concat([churn.iloc[:200, 1:]] * 40)  # 8000 single-record requests: seconds
    put_bytes(lab, f"{PREFIX}/stop/in/many.csv", csv_bytes(many))
    sm = lab.client("sagemaker")
    sm.create_transform_job(
        **transform_request(
            lab, "tx-stop", model, "stop", BatchStrategy="SingleRecord", MaxConcurrentTransforms=1
        )
    )
    sm.stop_transform_job(TransformJobName="tx-stop")
    assert sm.describe_transform_job(TransformJobName="tx-stop")["TransformJobStatus"] in (
        "Stopping",
        "Stopped",
    )
    job = wait_for_transform_job(sm, "tx-stop", timeout=30)
    assert job["TransformJobStatus"] == "Stopped"
    assert outputs(lab, "stop") == {}
    with pytest.raises(ClientError, match="cannot be stopped"):
        sm.stop_transform_job(TransformJobName="tx-stop")


# ----------------------------------------------------------------------------- SDK v3


def test_sdk_transformer_joins_and_waits(lab, xgb_model, churn):
    from sagemaker.core.transformer import Transformer

    model, booster = xgb_model
    rows = churn.iloc[:60]
    put_bytes(lab, f"{PREFIX}/sdk/in/rows.csv", csv_bytes(rows))
    transformer = Transformer(
        model_name=model,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        strategy="MultiRecord",
        assemble_with="Line",
        accept="text/csv",
        output_path=lab.s3_uri(PREFIX, "sdk", "out"),
        sagemaker_session=lab.sagemaker_session,
    )
    transformer.transform(
        lab.s3_uri(PREFIX, "sdk", "in"),
        content_type="text/csv",
        split_type="Line",
        job_name="tx-sdk",
        input_filter="$[1:]",
        join_source="Input",
        output_filter="$[0,-1]",
        wait=False,
        logs=False,
    )
    job = transformer.latest_transform_job
    job.wait(poll=1, logs=False)  # the Transformer's own wait polls every 5 s
    job.refresh()
    assert job.transform_job_status == "Completed"
    assert job.data_processing.join_source == "Input"
    cells = [line.split(",") for line in outputs(lab, "sdk")["rows.csv.out"].decode().split()]
    assert [int(float(c[0])) for c in cells] == rows.iloc[:, 0].astype(int).tolist()
    assert np.allclose([float(c[1]) for c in cells], predict(booster, rows.iloc[:, 1:]))


# ----------------------------------------------------------------------------- JSONPath


@pytest.mark.parametrize(
    ("path", "record", "selected"),
    [
        ("$", ["1", "2"], ["1", "2"]),
        ("", ["1", "2"], ["1", "2"]),
        ("$[1:]", ["y", "a", "b"], ["a", "b"]),
        ("$[0,3:]", ["id", "x", "y", "a", "b"], ["id", "a", "b"]),
        ("$[1:4]", list("abcdefg"), list("bcde")),  # the guide: 2nd through 5th column
        ("$[:2]", list("abcd"), list("abc")),
        ("$[0,-1]", list("abcd"), ["a", "d"]),
        ("$[2]", list("abcd"), "c"),
        ("$.features", {"id": 1, "features": [0.5, 2]}, [0.5, 2]),
        (
            "$['id','SageMakerOutput']",
            {"id": 1, "x": 2, "SageMakerOutput": 3},
            {"id": 1, "SageMakerOutput": 3},
        ),
        ("$.a.['b','c']", {"a": {"b": 1, "c": 2, "d": 3}}, {"b": 1, "c": 2}),
        ("$.a.*", {"a": {"b": 1, "c": 2}}, [1, 2]),
        ("$.rows[0][1:]", {"rows": [[1, 2, 3]]}, [2, 3]),
    ],
)
def test_jsonpath_subset_selects_as_the_developer_guide_says(path, record, selected):
    assert parse(path).apply(record) == selected


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("features", "starts with $"),
        ("$[0:2,5:]", "only single range filters"),
        ("$..id", "expected an attribute name"),
        ("$[?(@.x)]", "neither an index"),
        ("$[0", "not closed"),
    ],
)
def test_jsonpaths_sagemaker_refuses_are_refused(path, message):
    with pytest.raises(PathError, match=re.escape(message)):
        parse(path)


def test_jsonpath_errors_that_depend_on_the_record():
    with pytest.raises(PathError, match="outside the record"):
        parse("$[5]").apply(["a", "b"])
    with pytest.raises(PathError, match="CSV row takes index paths"):
        parse("$.id").apply(["a", "b"])
    with pytest.raises(PathError, match="no attribute 'id'"):
        parse("$['id','x']").apply({"x": 1})


# ----------------------------------------------------------------------------- records


def test_records_split_batch_join_and_assemble():
    lines = records.split(b"1,2\r\n\n3,4\n5,6", "Line")
    assert [(r.number, r.data) for r in lines] == [(1, b"1,2"), (3, b"3,4"), (4, b"5,6")]
    assert records.mini_batches([4, 4, 4, 4, 4], True, 9) == [range(0, 2), range(2, 4), range(4, 5)]
    assert records.mini_batches([4, 4], False, 9) == [range(0, 1), range(1, 2)]
    with pytest.raises(records.RecordError, match="record 2 is 12 bytes"):
        records.mini_batches([4, 12], True, 9)
    row = records.decode(b'7,"a,b",x', records.CSV)
    assert records.encode(records.join(row, ["0.5"], records.CSV), records.CSV) == b'7,"a,b",x,0.5'
    assert records.join([1, 2], 0.5, records.JSON) == {
        "SageMakerInput": [1, 2],
        "SageMakerOutput": 0.5,
    }
    assert records.output_value(b"0.25", records.CSV, records.JSON) == 0.25
    assert records.split_answer(b"[0.1,0.2]", "application/json", 2) == [b"0.1", b"0.2"]
    with pytest.raises(records.RecordError, match="1 line"):
        records.split_answer(b"0.1,0.2", "text/csv", 2)
    assert records.assemble([b"a\n", b"b"], "Line") == b"a\nb\n"
    assert records.assemble([b"a\n", b"b"], "None") == b"a\nb"


def test_recordio_split_keeps_each_record_valid():
    buffer = io.BytesIO()
    recordio.write_dense(buffer, np.arange(6, dtype=float).reshape(3, 2))
    split = records.split(buffer.getvalue(), "RecordIO")
    assert len(split) == 3
    X, _ = recordio.read_records(io.BytesIO(split[1].data))
    assert np.asarray(X).tolist() == [[2.0, 3.0]]
