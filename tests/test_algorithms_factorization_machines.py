"""The Factorization Machines stand-in: the model, its quality, its rules, serving, the API.

``train()`` is called directly on temporary folders (as the runtime does) for the model's
quality on the ``ratings`` dataset (a user x item interaction that a linear model on the
same one-hot columns cannot fit) and for the rules; then one job goes through
CreateTrainingJob on the image ``image_uris.retrieve("factorization-machines", region)``
gives, and its model answers InvokeEndpoint in the documented response format.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from runtime_support import channel, deployed, put_bytes, train_in_process, wait_for_training_job
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split

from labs import data
from labs.algorithms import (
    ALGORITHMS,
    AlgorithmError,
    for_image,
    recordio,
)
from labs.algorithms import factorization_machines as fm
from labs.modeling.one_hot_pairs import OneHotPairs, recordio_bytes, to_recordio
from labs.runtime.serving.amazon import AmazonAlgorithmHandler
from labs.runtime.serving.errors import InferenceError
from labs.runtime.serving.protocol import Request

SPEC = ALGORITHMS["factorization-machines"]
# Settings that learn the ratings in a second (the documented defaults, 1 epoch at
# factors_lr 0.0001, barely move the factors: on AWS too, FM needs its rates raised).
FAST = {
    "num_factors": 8,
    "epochs": 10,
    "mini_batch_size": 256,
    "factors_lr": 0.02,
    "linear_lr": 0.02,
    "bias_lr": 0.05,
    "factors_init_sigma": 0.1,
    "factors_wd": 0.0001,
    "linear_wd": 0.0001,
}


def run(
    tmp_path: Path, hyperparameters: dict[str, Any], channels: dict[str, Path], ct=None
) -> tuple[list[str], dict[str, float]]:
    """Train FM in-process; return logs and each metric's final value."""
    logs, reported = train_in_process(SPEC, tmp_path, hyperparameters, channels, ct)
    return logs, {name: value for name, value, _ in reported}


def write(folder: Path, X: Any, y: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    to_recordio(sparse.csr_matrix(X), y, folder / "part-0.rec")
    return folder


@pytest.fixture(scope="module")
def ratings() -> dict[str, Any]:
    """The ratings split 80/20, one-hot encoded on the training rows."""
    frame = data.load("ratings")
    train, test = train_test_split(frame, test_size=0.2, random_state=0)
    encoder = OneHotPairs.fit(train)
    return {
        "train": train,
        "test": test,
        "encoder": encoder,
        "X_train": encoder.transform(train),
        "X_test": encoder.transform(test),
    }


def channels_of(tmp_path: Path, ratings: dict[str, Any], column: str) -> dict[str, Path]:
    return {
        part: write(
            tmp_path / part, ratings[f"X_{part}"], ratings[part][column].to_numpy(np.float64)
        )
        for part in ("train", "test")
    }


def test_pairwise_term_in_linear_time_equals_the_double_sum() -> None:
    rng = np.random.default_rng(1)
    X = sparse.random(30, 12, density=0.3, random_state=2, format="csr")
    w0, w, V = 0.3, rng.normal(size=12), rng.normal(size=(12, 4))
    dense = X.toarray()
    brute = np.array(
        [
            w0
            + row @ w
            + sum(V[i] @ V[j] * row[i] * row[j] for i in range(12) for j in range(i + 1, 12))
            for row in dense
        ]
    )
    np.testing.assert_allclose(fm.scores(w0, w, V, X), brute, rtol=1e-10)
    np.testing.assert_allclose(fm.scores(w0, w, V, dense), brute, rtol=1e-10)


def test_regressor_learns_the_interaction_a_linear_model_cannot(tmp_path, ratings) -> None:
    ridge = Ridge(alpha=1.0).fit(ratings["X_train"], ratings["train"]["rating"])
    linear_rmse = np.sqrt(
        np.mean((ridge.predict(ratings["X_test"]) - ratings["test"]["rating"]) ** 2)
    )
    hyperparameters = {
        "feature_dim": ratings["encoder"].feature_dim,
        "predictor_type": "regressor",
        **FAST,
    }
    logs, metrics = run(tmp_path, hyperparameters, channels_of(tmp_path, ratings, "rating"))
    assert set(metrics) == {"test:rmse"}
    assert linear_rmse > 1.05  # measured 1.092
    assert metrics["test:rmse"] < 0.75  # measured 0.680
    assert any("#quality_metric: host=algo-1, test rmse <loss>=" in line for line in logs)
    # Without factors (num_factors=1 frozen at 0) the same trainer is a linear model.
    frozen = {**hyperparameters, "num_factors": 1, "factors_lr": 0}
    frozen |= {"factors_init_method": "constant", "factors_init_value": 0}
    _, linear = run(
        tmp_path / "frozen", frozen, channels_of(tmp_path / "frozen", ratings, "rating")
    )
    assert linear["test:rmse"] > 1.0
    model = fm.load(tmp_path / "model")
    predicted = np.array([r["score"] for r in fm.predict(model, ratings["X_test"])])
    rmse = np.sqrt(np.mean((predicted - ratings["test"]["rating"].to_numpy()) ** 2))
    assert rmse == pytest.approx(metrics["test:rmse"], rel=1e-4)


def test_binary_classifier_metrics_and_predictions(tmp_path, ratings) -> None:
    logistic = LogisticRegression(max_iter=1000).fit(ratings["X_train"], ratings["train"]["liked"])
    linear_accuracy = (logistic.predict(ratings["X_test"]) == ratings["test"]["liked"]).mean()
    hyperparameters = {
        "feature_dim": ratings["encoder"].feature_dim,
        "predictor_type": "binary_classifier",
        **FAST,
    }
    _, metrics = run(tmp_path, hyperparameters, channels_of(tmp_path, ratings, "liked"))
    assert set(metrics) == {
        "test:binary_classification_accuracy",
        "test:binary_classification_cross_entropy",
        "test:binary_f_beta",
    }
    assert linear_accuracy < 0.68  # measured 0.635
    assert metrics["test:binary_classification_accuracy"] > 0.77  # measured 0.807
    assert metrics["test:binary_classification_cross_entropy"] < 0.45  # measured 0.414
    records = fm.predict(fm.load(tmp_path / "model"), ratings["X_test"][:5])
    assert all(set(r) == {"score", "predicted_label"} for r in records)
    assert all(r["predicted_label"] == int(r["score"] >= 0.5) for r in records)


def test_documented_metrics_and_defaults() -> None:
    assert {m.name for m in SPEC.metrics} == {
        "test:rmse",
        "test:binary_classification_accuracy",
        "test:binary_classification_cross_entropy",
        "test:binary_f_beta",
    }
    values = SPEC.validate({"feature_dim": "10", "num_factors": "4", "predictor_type": "regressor"})
    assert values["epochs"] == 1 and values["mini_batch_size"] == 1000
    assert (values["bias_lr"], values["linear_lr"], values["factors_lr"]) == (0.1, 0.001, 0.0001)
    assert (values["bias_wd"], values["linear_wd"], values["factors_wd"]) == (0.01, 0.001, 1e-5)
    assert values["factors_init_method"] == "normal" and values["factors_init_sigma"] == 0.001


@pytest.mark.parametrize(
    ("hyperparameters", "reason"),
    [
        ({"num_factors": 4, "predictor_type": "regressor"}, "Missing required hyperparameter: "),
        ({"feature_dim": 5, "num_factors": 0, "predictor_type": "regressor"}, "num_factors: 0"),
        ({"feature_dim": 5, "num_factors": 2, "predictor_type": "binary"}, "binary_classifier"),
        (
            {"feature_dim": 5, "num_factors": 2, "predictor_type": "regressor", "factor_lr": 1},
            "Extraneous hyperparameter found: factor_lr. Did you mean 'factors_lr'?",
        ),
        (
            {"feature_dim": 5, "num_factors": 2, "predictor_type": "regressor", "bias_wd": -1},
            "bias_wd: -1 is not in range",
        ),
        (
            {
                "feature_dim": 5,
                "num_factors": 2,
                "predictor_type": "regressor",
                "linear_init_method": "uniform",
            },
            "linear_init_scale is required when linear_init_method is uniform",
        ),
    ],
)
def test_bad_hyperparameters_fail_like_sagemaker(hyperparameters, reason) -> None:
    with pytest.raises(AlgorithmError) as error:
        SPEC.validate({k: str(v) for k, v in hyperparameters.items()})
    assert str(error.value).startswith("ClientError: ")
    assert reason in str(error.value)


def test_data_rules(tmp_path) -> None:
    X = sparse.random(40, 6, density=0.5, random_state=0, format="csr")
    y = (np.arange(40) % 2).astype(float)
    good = {"feature_dim": 6, "num_factors": 2, "predictor_type": "binary_classifier"}
    with pytest.raises(AlgorithmError, match="has 6 features, but the hyperparameter feature_dim"):
        run(tmp_path / "a", {**good, "feature_dim": 7}, {"train": write(tmp_path / "a", X, y)})
    with pytest.raises(AlgorithmError, match=r"label 2 is not valid .* must be 0 or 1"):
        run(tmp_path / "b", good, {"train": write(tmp_path / "b", X, y * 2)})
    unlabelled = tmp_path / "c"
    unlabelled.mkdir()
    recordio.write_sparse(unlabelled / "x.rec", X)
    with pytest.raises(AlgorithmError, match="have no label"):
        run(tmp_path / "c", good, {"train": unlabelled})
    csv = tmp_path / "d"
    csv.mkdir()
    (csv / "train.csv").write_text("1,0.5,0.2,0,0,0,1\n")
    with pytest.raises(AlgorithmError, match="text/csv"):
        run(tmp_path / "d", good, {"train": csv}, ct="text/csv")
    with pytest.raises(AlgorithmError, match="Extraneous channel found: validation"):
        run(tmp_path / "e", good, {"train": write(tmp_path / "e", X, y), "validation": tmp_path})


def test_handler_answers_the_documented_formats(tmp_path) -> None:
    X = sparse.random(60, 5, density=0.6, random_state=3, format="csr")
    y = (np.asarray(X.sum(axis=1)).ravel() > 1.2).astype(float)
    hyperparameters = {"feature_dim": 5, "num_factors": 2, "predictor_type": "binary_classifier"}
    run(tmp_path, {**hyperparameters, "epochs": 3}, {"train": write(tmp_path / "train", X, y)})
    handler = AmazonAlgorithmHandler(SPEC, tmp_path / "model")
    row = X[0]
    sparse_instance = {
        "data": {
            "features": {
                "keys": row.indices.tolist(),
                "values": row.data.tolist(),
                "shape": [5],
            }
        }
    }
    reply = handler.invoke(
        Request(json.dumps({"instances": [sparse_instance]}).encode(), "application/json")
    )
    [prediction] = json.loads(reply.body)["predictions"]
    expected = fm.predict(fm.load(tmp_path / "model"), row)[0]
    assert prediction == pytest.approx(expected)
    assert set(prediction) == {"score", "predicted_label"}
    lines = handler.invoke(
        Request(
            recordio_bytes(X[:3], None), "application/x-recordio-protobuf", "application/jsonlines"
        )
    )
    assert [json.loads(x)["score"] for x in lines.body.splitlines()] == pytest.approx(
        [r["score"] for r in fm.predict(fm.load(tmp_path / "model"), X[:3])]
    )
    with pytest.raises(InferenceError, match="4 features but the model was trained with"):
        handler.invoke(Request(b'{"instances": [{"features": [1, 2, 3, 4]}]}', "application/json"))


def test_create_training_job_then_endpoint_predicts(lab, tmp_path, ratings) -> None:
    from sagemaker.core import image_uris

    image = image_uris.retrieve("factorization-machines", lab.region)
    assert image.endswith("/factorization-machines:1") and for_image(image) is SPEC
    encoder = ratings["encoder"]
    prefix = "fm-api"
    train_uri = put_bytes(
        lab,
        f"{prefix}/train/train.rec",
        recordio_bytes(ratings["X_train"], ratings["train"]["rating"].to_numpy(float)),
    )
    test_uri = put_bytes(
        lab,
        f"{prefix}/test/test.rec",
        recordio_bytes(ratings["X_test"], ratings["test"]["rating"].to_numpy(float)),
    )
    sm = lab.client("sagemaker")
    recordio_type = "application/x-recordio-protobuf"
    request = {
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": lab.role_arn,
        "OutputDataConfig": {"S3OutputPath": lab.s3_uri(f"{prefix}/output")},
        "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "InputDataConfig": [
            channel("train", train_uri, recordio_type),
            channel("test", test_uri, recordio_type),
        ],
    }
    good = {"feature_dim": encoder.feature_dim, "predictor_type": "regressor", **FAST}
    sm.create_training_job(
        TrainingJobName="fm-api-bad",
        HyperParameters={k: str(v) for k, v in {**good, "feature_dim": 1000}.items()},
        **request,
    )
    sm.create_training_job(
        TrainingJobName="fm-api",
        HyperParameters={k: str(v) for k, v in good.items()},
        **request,
    )
    failed = wait_for_training_job(sm, "fm-api-bad")
    assert failed["TrainingJobStatus"] == "Failed"
    assert failed["FailureReason"].startswith("ClientError: The data in channel 'train' has 1200")
    job = wait_for_training_job(sm, "fm-api")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    final = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert final["test:rmse"] < 0.75

    with deployed(lab, "fm-api", image, job["ModelArtifacts"]["S3ModelArtifacts"]):
        rows = ratings["test"].head(50)
        answer = lab.client("sagemaker-runtime").invoke_endpoint(
            EndpointName="fm-api",
            ContentType=recordio_type,
            Accept="application/json",
            Body=recordio_bytes(encoder.transform(rows), None),
        )
        predictions = json.loads(answer["Body"].read())["predictions"]
        assert len(predictions) == 50 and all(list(p) == ["score"] for p in predictions)
        scores = np.array([p["score"] for p in predictions])
        assert np.sqrt(np.mean((scores - rows["rating"].to_numpy()) ** 2)) < 0.9


def test_recordio_round_trip_keeps_the_sparse_layout(ratings) -> None:
    X = ratings["X_test"][:20]
    read, labels = recordio.read_records(io.BytesIO(recordio_bytes(X, np.ones(20))))
    assert sparse.issparse(read) and read.shape == X.shape
    assert (read != X).nnz == 0 and labels.tolist() == [1.0] * 20
