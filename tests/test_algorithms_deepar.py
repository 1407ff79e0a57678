"""The DeepAR stand-in: quality on retail, rules, input formats, serving, and the API path.

``train()`` is called directly on temporary folders (as the runtime does) for quality and
rules; then one job goes through CreateTrainingJob on the image
``image_uris.retrieve("forecasting-deepar", region)`` gives, and its model answers
InvokeEndpoint in DeepAR's response format.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from runtime_support import channel, deployed, put_bytes, train_in_process, wait_for_training_job

from labs import data
from labs.algorithms import ALGORITHMS, AlgorithmError, Channel, deepar
from labs.algorithms._deepar_model import parse_frequency
from labs.modeling import baselines
from labs.modeling.deepar_lines import series_records, to_jsonlines, train_test_records
from labs.modeling.forecast_metrics import coverage, rmse, weighted_quantile_loss
from labs.runtime.serving.deepar_algo import DeepARHandler
from labs.runtime.serving.errors import InferenceError, ModelLoadError
from labs.runtime.serving.protocol import Request

SPEC = ALGORITHMS["forecasting-deepar"]
P = 28
GOOD = {"time_freq": "D", "prediction_length": P, "context_length": P, "epochs": 20}


def write(folder: Path, text: str, name: str = "data.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def run(
    tmp_path: Path, hyperparameters: dict[str, Any], channels: dict[str, Path]
) -> tuple[list[str], list[tuple[str, float, int | None]]]:
    """Train this algorithm in-process; return logs and reported metrics."""
    return train_in_process(SPEC, tmp_path, hyperparameters, channels)


def retail_records() -> list[dict[str, Any]]:
    """One record per store x item, cat = [store code, item code]."""
    return series_records(
        data.load("retail"),
        "units_sold",
        keys=["store_id", "item_id"],
        cat_columns=["store_id", "item_id"],
    )


@pytest.fixture(scope="module")
def retail(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Train on all but the last 28 days, test on the full series, score seasonal naive."""
    records = retail_records()
    train, test = train_test_records(records, P)
    root = tmp_path_factory.mktemp("retail")
    actual = np.array([r["target"][-P:] for r in test], dtype=float)
    naive = np.vstack([baselines.seasonal_naive(r["target"], 7, P) for r in train])
    tmp = root / "job"
    started = time.perf_counter()
    logs, metrics = run(
        tmp,
        GOOD,
        {
            "train": write(root / "train", to_jsonlines(train)),
            "test": write(root / "test", to_jsonlines(test)),
        },
    )
    return {
        "train": train,
        "test": test,
        "actual": actual,
        "naive_rmse": rmse(actual, naive),
        "logs": logs,
        "metrics": dict((n, v) for n, v, _ in metrics),
        "seconds": time.perf_counter() - started,
        "model_dir": tmp / "model",
    }


def test_beats_seasonal_naive_on_the_retail_backtest(retail):
    metrics = retail["metrics"]
    # measured: RMSE 17.2 against seasonal naive's 31.8; mean wQuantileLoss 0.254
    assert metrics["test:RMSE"] < 0.75 * retail["naive_rmse"]
    assert 0 < metrics["test:mean_wQuantileLoss"] < 0.35
    assert np.isfinite(metrics["train:final_loss"])
    assert retail["seconds"] < 30  # a few seconds on a laptop CPU
    for name in ("test:RMSE", "test:mean_wQuantileLoss", "train:final_loss"):
        regex = re.compile(next(m.regex for m in SPEC.metrics if m.name == name))
        found = [float(m.group(1)) for line in retail["logs"] if (m := regex.search(line))]
        assert found[-1] == pytest.approx(metrics[name], rel=1e-6), name


def test_quantiles_are_ordered_and_cover_their_nominal_rate(retail):
    model = deepar.load(retail["model_dir"])
    config = {
        "num_samples": 200,
        "output_types": ["mean", "quantiles"],
        "quantiles": ["0.1", "0.5", "0.9"],
    }
    answers = deepar.predict(model, retail["train"], config)
    low, mid, high = (np.array([a["quantiles"][q] for a in answers]) for q in ("0.1", "0.5", "0.9"))
    assert low.shape == (50, P)
    assert np.all(low <= mid) and np.all(mid <= high)
    covered = coverage(retail["actual"], low, high)
    # measured 0.80 for the nominal 80% interval
    assert 0.7 <= covered <= 0.9
    mean = np.array([a["mean"] for a in answers])
    assert rmse(retail["actual"], mean) < 0.75 * retail["naive_rmse"]
    # the median's wQuantileLoss is the WAPE of the median forecast
    assert weighted_quantile_loss(retail["actual"], mid, 0.5) < 0.4


def test_cold_start_uses_the_category(retail):
    """A new series with no history is forecast from its cat group's typical level."""
    model = deepar.load(retail["model_dir"])
    start = retail["train"][0]["start"]
    levels = {}
    for item in (2, 8):  # item_03 sells about 60 a day, item_09 about 5
        [answer] = deepar.predict(
            model, [{"start": start, "target": [], "cat": [0, item]}], {"output_types": ["mean"]}
        )
        levels[item] = float(np.mean(answer["mean"]))
        assert list(answer) == ["mean"] and len(answer["mean"]) == P
    history = {
        i: np.mean([np.mean(r["target"]) for r in retail["train"] if r["cat"][1] == i])
        for i in (2, 8)
    }
    assert levels[2] > 3 * levels[8]
    for item in (2, 8):
        assert levels[item] == pytest.approx(history[item], rel=0.5)


@pytest.mark.parametrize(
    ("hyperparameters", "reason"),
    [
        ({}, "Missing required hyperparameter: context_length"),
        ({**GOOD, "time_freq": "daily"}, "'daily' is not a valid time_freq"),
        ({**GOOD, "time_freq": "0D"}, "is not a valid time_freq"),
        ({**GOOD, "prediction_length": "0"}, "prediction_length: 0 is not in range"),
        ({**GOOD, "likelihood": "poisson"}, "Hyperparameter likelihood: 'poisson' is not valid"),
        ({**GOOD, "cardinality": "[5, 0]"}, "Hyperparameter cardinality"),
        ({**GOOD, "num_dynamic_feat": "two"}, "Hyperparameter num_dynamic_feat"),
        ({**GOOD, "test_quantiles": "[0.1, 1.5]"}, "'1.5' is not a quantile"),
        ({**GOOD, "epoch": "5"}, "Did you mean 'epochs'?"),
    ],
)
def test_bad_hyperparameters_fail_like_sagemaker(hyperparameters, reason):
    with pytest.raises(AlgorithmError) as caught:
        SPEC.validate({k: str(v) for k, v in hyperparameters.items()})
    assert str(caught.value).startswith("ClientError: ")
    assert reason in str(caught.value)


def test_frequencies_and_their_lags():
    assert parse_frequency("D").lags() == (7, 14, 21, 28, 365)
    assert parse_frequency("5min").text == "5min"
    assert parse_frequency("2H").lags() == (12, 24, 36, 84, 168)
    assert parse_frequency("M").lags() == (12, 24)


_SERIES = {"start": "2024-01-01 00:00:00", "target": [1.0] * 60}


@pytest.mark.parametrize(
    ("text", "hyperparameters", "words"),
    [
        ('{"target": [1, 2, 3]}\n', GOOD, 'line 1: the record has no "start" field'),
        (
            '{"start": "2024-01-01", "target": [1, 2, 3]\n',
            GOOD,
            "line 1 of file 'data.json' is not valid JSON",
        ),
        ('{"start": "yesterday", "target": [1]}\n', GOOD, "is not a timestamp"),
        ('{"start": "2024-01-01", "target": [1, "x"]}\n', GOOD, "'x' is not a number"),
        (
            '{"start": "2024-01-01", "target": [1, 2], "cat": ["red"]}\n',
            GOOD,
            "non-negative integers",
        ),
        (
            '{"start": "2024-01-01", "target": [1, 2], "dynamic_feat": [[1]]}\n',
            GOOD,
            '"dynamic_feat"[0] has 1 values but must have 2',
        ),
        (
            json.dumps(_SERIES) + "\n",
            {**GOOD, "context_length": 40},
            "context_length + prediction_length = 68 values, and the longest series has 60",
        ),
        (
            json.dumps({**_SERIES, "target": [-1.0] * 60}) + "\n",
            {**GOOD, "context_length": 7, "likelihood": "negative-binomial"},
            "negative-binomial models counts",
        ),
        (
            json.dumps({**_SERIES, "cat": [0]}) + "\n" + json.dumps(_SERIES) + "\n",
            GOOD,
            "some series have 0 categorical feature(s) and others 1",
        ),
    ],
)
def test_bad_json_lines_fail_with_a_reason(tmp_path, text, hyperparameters, words):
    with pytest.raises(AlgorithmError) as caught:
        run(tmp_path, hyperparameters, {"train": write(tmp_path / "train", text)})
    assert str(caught.value).startswith("ClientError: ")
    assert words in str(caught.value)


def test_a_test_series_must_be_longer_than_the_horizon(tmp_path):
    train = write(tmp_path / "train", json.dumps(_SERIES) + "\n")
    short = write(tmp_path / "test", json.dumps({**_SERIES, "target": [1.0] * 20}) + "\n")
    hps = {**GOOD, "context_length": 7, "epochs": 1}
    with pytest.raises(AlgorithmError, match="Test series 1 has 20 values"):
        run(tmp_path, hps, {"train": train, "test": short})


def test_gzip_parquet_missing_values_and_dynamic_features(tmp_path):
    """The same weekly series as gzipped JSON Lines and as Parquet, with gaps and a
    promotion flag; the model learns the promotion lift from dynamic_feat."""
    rng = np.random.default_rng(1)
    records = []
    for k in range(12):
        promo = (rng.random(200) < 0.2).astype(float)
        level = 20 + 5 * k
        target = level * (1 + 0.3 * np.sin(np.arange(200) * 2 * np.pi / 7)) * (1 + promo)
        values: list[Any] = [float(v) for v in rng.poisson(target)]
        values[50] = "NaN"
        values[51] = None
        records.append(
            {
                "start": "2023-01-02",
                "target": values,
                "cat": [k % 3],
                "dynamic_feat": [promo.tolist()],
            }
        )
    folder = tmp_path / "train"
    folder.mkdir()
    (folder / "part-1.json.gz").write_bytes(gzip.compress(to_jsonlines(records[:6]).encode()))
    table = pd.DataFrame(
        {
            "start": [pd.Timestamp(r["start"]) for r in records[6:]],
            "target": [
                [np.nan if v in ("NaN", None) else v for v in r["target"]] for r in records[6:]
            ],
            "cat": [r["cat"] for r in records[6:]],
            "dynamic_feat": [r["dynamic_feat"] for r in records[6:]],
        }
    )
    table.to_parquet(folder / "part-2.parquet")
    hps = {"time_freq": "D", "prediction_length": 7, "context_length": 14, "epochs": 10}
    logs, _ = run(tmp_path / "job", hps, {"train": folder})
    assert any("12 series" in line and "1 dynamic feature(s)" in line for line in logs)
    model = deepar.load(tmp_path / "job" / "model")
    base = {"start": "2023-01-02", "target": [40.0] * 28, "cat": [1]}
    off = {**base, "dynamic_feat": [[0.0] * 35]}
    on = {**base, "dynamic_feat": [[0.0] * 28 + [1.0] * 7]}
    [quiet, promoted] = deepar.predict(model, [off, on], {"output_types": ["mean"]})
    assert np.mean(promoted["mean"]) > 1.3 * np.mean(quiet["mean"])
    with pytest.raises(AlgorithmError, match=r'"dynamic_feat"\[0\] has 28 values but must have 35'):
        deepar.predict(model, [{**base, "dynamic_feat": [[0.0] * 28]}])


def weekly_series(count: int = 8, length: int = 150) -> str:
    rng = np.random.default_rng(2)
    lines = []
    for k in range(count):
        level = 10 + 4 * k
        values = rng.poisson(level * (1 + 0.4 * np.sin(np.arange(length) * 2 * np.pi / 7)))
        lines.append({"start": "2024-01-01", "target": values.astype(float).tolist()})
    return to_jsonlines(lines)


def test_early_stopping_keeps_the_best_epoch(tmp_path):
    hps = {**GOOD, "prediction_length": 7, "context_length": 14, "epochs": 200}
    folder = write(tmp_path / "train", weekly_series())
    logs, _ = run(tmp_path / "job", {**hps, "early_stopping_patience": 2}, {"train": folder})
    epochs = [line for line in logs if "validation mse <loss>=" in line]
    assert any("Early stopping: no improvement in 2 epochs" in line for line in logs)
    assert 2 < len(epochs) < 200


def test_a_channel_content_type_deepar_does_not_read_is_refused(tmp_path):
    folder = write(tmp_path / "train", weekly_series())
    channel_ = Channel("train", folder, "text/csv")
    with pytest.raises(AlgorithmError, match="Content type text/csv is not supported"):
        deepar._timeseries.read_series(channel_)
    assert len(deepar._timeseries.read_series(Channel("train", folder, "json"))) == 8


# Serving


def test_handler_answers_the_documented_json_format(retail):
    handler = DeepARHandler(retail["model_dir"], {})
    instance = {
        "start": retail["train"][3]["start"],
        "target": retail["train"][3]["target"][-60:],
        "cat": [0, 3],
    }
    body = {
        "instances": [instance, {**instance, "cat": [4, 3]}],
        "configuration": {
            "num_samples": 30,
            "output_types": ["mean", "quantiles", "samples"],
            "quantiles": ["0.1", "0.5", "0.9"],
        },
    }
    reply = handler.invoke(Request(json.dumps(body, indent=2).encode(), "application/json"))
    assert reply.content_type == "application/json"
    predictions = json.loads(reply.body)["predictions"]
    assert len(predictions) == 2
    first = predictions[0]
    assert set(first) == {"mean", "quantiles", "samples"}
    assert set(first["quantiles"]) == {"0.1", "0.5", "0.9"} and len(first["mean"]) == P
    assert np.array(first["samples"]).shape == (30, P)


def test_handler_batch_transform_json_lines_with_inference_config(retail):
    config = json.dumps({"num_samples": 50, "output_types": ["quantiles"], "quantiles": ["0.5"]})
    handler = DeepARHandler(retail["model_dir"], {"DEEPAR_INFERENCE_CONFIG": config})
    lines = to_jsonlines(retail["train"][:3]).encode()
    reply = handler.invoke(Request(lines, "application/jsonlines"))
    answers = [json.loads(line) for line in reply.body.decode().splitlines()]
    assert reply.content_type == "application/jsonlines"
    assert len(answers) == 3 and all(list(a) == ["quantiles"] for a in answers)
    default = DeepARHandler(retail["model_dir"], {})
    [answer] = [
        json.loads(x)
        for x in default.invoke(Request(lines[: lines.index(b"\n") + 1], None)).body.splitlines()
    ]
    assert set(answer) == {"mean", "quantiles"} and len(answer["quantiles"]) == 9
    with pytest.raises(ModelLoadError, match="DEEPAR_INFERENCE_CONFIG"):
        DeepARHandler(retail["model_dir"], {"DEEPAR_INFERENCE_CONFIG": '{"num_samples": 0}'})


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (b"1,2,3", "text/csv", 415, "not supported by DeepAR"),
        (b'{"instances": [{"target": [1, 2]}]}', "application/json", 400, 'no "start"'),
        (
            b'{"instances": [{"start": "2024-01-01", "target": [1, 2]}]}',
            "application/json",
            400,
            'has no "cat"',
        ),
        (
            b'{"instances": [{"start": "2024-01-01", "target": [1], "cat": [9, 0]}]}',
            "application/json",
            400,
            "cat[0] = 9 is not a category the model knows",
        ),
        (
            b'{"instances": [{"start": "2024-01-01", "target": [1], "cat": [0, 0]}], '
            b'"configuration": {"output_types": ["median"]}}',
            "application/json",
            400,
            '"output_types" must be a list of mean, quantiles, samples',
        ),
        (b"{not json", "application/json", 400, "Unable to parse JSON data"),
    ],
)
def test_handler_errors(retail, body, content_type, status, words):
    handler = DeepARHandler(retail["model_dir"], {})
    with pytest.raises(InferenceError) as caught:
        handler.invoke(Request(body, content_type))
    assert caught.value.status == status and words in caught.value.message


# Through the API


def test_create_training_job_then_endpoint_forecasts(lab, tmp_path):
    from sagemaker.core import image_uris

    image = image_uris.retrieve("forecasting-deepar", lab.region)
    assert image.endswith("/forecasting-deepar:1")
    train, test = train_test_records(retail_records()[:20], P)
    prefix = "deepar-api"
    train_uri = put_bytes(lab, f"{prefix}/train/train.json", to_jsonlines(train).encode())
    test_uri = put_bytes(lab, f"{prefix}/test/test.json", to_jsonlines(test).encode())
    sm = lab.client("sagemaker")
    request = {
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": lab.role_arn,
        "OutputDataConfig": {"S3OutputPath": lab.s3_uri(f"{prefix}/output")},
        "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }
    bad = put_bytes(lab, f"{prefix}/bad/train.json", b'{"target": [1, 2, 3]}\n')
    sm.create_training_job(
        TrainingJobName="deepar-api-bad",
        HyperParameters={k: str(v) for k, v in GOOD.items()},
        InputDataConfig=[channel("train", bad, "application/jsonlines")],
        **request,
    )
    sm.create_training_job(
        TrainingJobName="deepar-api",
        HyperParameters={k: str(v) for k, v in {**GOOD, "epochs": 10}.items()},
        InputDataConfig=[
            channel("train", train_uri, "application/jsonlines"),
            channel("test", test_uri, "application/jsonlines"),
        ],
        **request,
    )
    failed = wait_for_training_job(sm, "deepar-api-bad")
    assert failed["TrainingJobStatus"] == "Failed"
    assert failed["FailureReason"].startswith("ClientError: Invalid record in channel 'train'")
    assert 'no "start" field' in failed["FailureReason"]
    job = wait_for_training_job(sm, "deepar-api")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    final = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert set(final) == {"test:RMSE", "test:mean_wQuantileLoss", "train:final_loss"}
    assert final["test:mean_wQuantileLoss"] < 0.4
    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]

    with deployed(lab, "deepar-api", image, artifact):
        payload = {
            "instances": [train[0]],
            "configuration": {
                "num_samples": 50,
                "output_types": ["mean", "quantiles"],
                "quantiles": ["0.1", "0.9"],
            },
        }
        answer = lab.client("sagemaker-runtime").invoke_endpoint(
            EndpointName="deepar-api", ContentType="application/json", Body=json.dumps(payload)
        )
        [prediction] = json.loads(answer["Body"].read())["predictions"]
        assert len(prediction["mean"]) == P
        assert np.all(
            np.array(prediction["quantiles"]["0.1"]) <= np.array(prediction["quantiles"]["0.9"])
        )
        actual = np.array(test[0]["target"][-P:], dtype=float)
        assert rmse(actual, prediction["mean"]) < rmse(
            actual, baselines.seasonal_naive(train[0]["target"], 7, P)
        )

        # Batch transform: JSON Lines in, one prediction per line out, in input order.
        config = {"num_samples": 40, "output_types": ["mean"]}
        put_bytes(lab, f"{prefix}/batch/in/series.json", to_jsonlines(train[:5]).encode())
        sm.create_transform_job(
            TransformJobName="deepar-api-batch",
            ModelName="deepar-api",
            BatchStrategy="SingleRecord",
            Environment={"DEEPAR_INFERENCE_CONFIG": json.dumps(config)},
            TransformInput={
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": lab.s3_uri(f"{prefix}/batch/in") + "/",
                    }
                },
                "ContentType": "application/jsonlines",
                "SplitType": "Line",
            },
            TransformOutput={
                "S3OutputPath": lab.s3_uri(f"{prefix}/batch/out"),
                "Accept": "application/jsonlines",
                "AssembleWith": "Line",
            },
            TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
        )
        deadline = time.monotonic() + 60
        while (
            status := sm.describe_transform_job(TransformJobName="deepar-api-batch")[
                "TransformJobStatus"
            ]
        ) == "InProgress":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert status == "Completed"
        out = (
            lab.client("s3")
            .get_object(Bucket=lab.bucket, Key=f"{prefix}/batch/out/series.json.out")["Body"]
            .read()
        )
        lines = [json.loads(line) for line in out.decode().splitlines()]
        assert len(lines) == 5 and all(list(line) == ["mean"] for line in lines)
        first = np.array(lines[0]["mean"])
        assert first.shape == (P,)
        # the same series as the endpoint request, fewer samples: the same level
        assert first.mean() == pytest.approx(np.mean(prediction["mean"]), rel=0.1)
