"""The model server of an endpoint variant (labs.runtime.serving), over real HTTP.

Each test builds a model.tar.gz in a temporary folder (built-in stand-ins trained with
their ``train()`` through a TrainingContext; script-mode models with scikit-learn or
Keras) and talks to a :class:`ModelServer` on loopback. No moto: the endpoint wiring is
tested elsewhere.
"""

from __future__ import annotations

import io
import json
import socket
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.datasets import dump_svmlight_file

from labs.algorithms import (
    Channel,
    TrainingContext,
    for_image,
    kmeans,
    knn,
    linear_learner,
    pca,
    random_cut_forest,
    recordio,
)
from labs.algorithms import xgboost as sm_xgboost
from labs.runtime.serving import ModelLoadError, ModelServer

REGISTRY = "683313688378.dkr.ecr.us-east-1.amazonaws.com"
XGBOOST_IMAGE = f"{REGISTRY}/sagemaker-xgboost:1.7-1"
SKLEARN_IMAGE = f"{REGISTRY}/sagemaker-scikit-learn:1.2-1-cpu-py3"
LINEAR_IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
KMEANS_IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1"
AMAZON = "382416733822.dkr.ecr.us-east-1.amazonaws.com"
RECORDIO = "application/x-recordio-protobuf"
TF_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.16-cpu"

FIXTURES = Path(__file__).parent / "fixtures" / "serving"


# Helpers: archives, training, HTTP


def tar_of(folder: Path) -> bytes:
    """The gzipped tar of ``folder``'s contents (paths relative to it), as bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for path in sorted(folder.rglob("*")):
            bundle.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    return buffer.getvalue()


def train_builtin(
    image: str, hyperparameters: dict[str, Any], table: np.ndarray, tmp: Path
) -> Path:
    """Train the stand-in for ``image`` on CSV ``table`` (label first if supervised)."""
    spec = for_image(image)
    assert spec is not None
    train_dir = tmp / "train"
    train_dir.mkdir(parents=True)
    pd.DataFrame(table).to_csv(train_dir / "part.csv", header=False, index=False)
    ctx = TrainingContext(
        hyperparameters=spec.validate({k: str(v) for k, v in hyperparameters.items()}),
        channels={"train": Channel("train", train_dir, "text/csv")},
        model_dir=tmp / "model",
        output_dir=tmp / "output",
        log=lambda line: None,
        metric=lambda name, value, epoch: None,
        should_stop=lambda: False,
    )
    spec.train(ctx)
    return tmp / "model"


def post(
    server: ModelServer,
    body: bytes,
    content_type: str | None,
    accept: str | None = None,
    custom: str | None = None,
    path: str = "/invocations",
) -> tuple[int, dict[str, str], bytes]:
    """POST to the server: ``(status, headers, body)``."""
    import http.client

    connection = http.client.HTTPConnection(*server.address, timeout=30)
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if accept:
        headers["Accept"] = accept
    if custom:
        headers["X-Amzn-SageMaker-Custom-Attributes"] = custom
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def get(server: ModelServer, path: str) -> tuple[int, bytes]:
    """GET from the server: ``(status, body)``."""
    import http.client

    connection = http.client.HTTPConnection(*server.address, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def csv_body(X: np.ndarray) -> bytes:
    return "\n".join(",".join(repr(float(v)) for v in row) for row in X).encode()


def rows(rng: np.random.Generator, n: int = 200, d: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """A separable binary problem: label = 1 when the first two features sum above 0."""
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    return X, y


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return rows(np.random.default_rng(0))


@pytest.fixture(scope="module")
def xgb_model(tmp_path_factory: pytest.TempPathFactory, data: tuple) -> tuple[bytes, xgb.Booster]:
    X, y = data
    tmp = tmp_path_factory.mktemp("xgb")
    model_dir = train_builtin(
        XGBOOST_IMAGE,
        {"num_round": 8, "objective": "binary:logistic", "max_depth": 3},
        np.column_stack([y, X]),
        tmp,
    )
    return tar_of(model_dir), sm_xgboost.load(model_dir)


@pytest.fixture(scope="module")
def xgb_server(xgb_model: tuple[bytes, xgb.Booster]) -> Iterator[ModelServer]:
    server = ModelServer(xgb_model[0], XGBOOST_IMAGE)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ll_model(tmp_path_factory: pytest.TempPathFactory, data: tuple) -> tuple[bytes, Any]:
    X, y = data
    tmp = tmp_path_factory.mktemp("ll")
    model_dir = train_builtin(
        LINEAR_IMAGE,
        {"predictor_type": "binary_classifier", "feature_dim": 4, "epochs": 3, "num_models": 2},
        np.column_stack([y, X]),
        tmp,
    )
    return tar_of(model_dir), linear_learner.load(model_dir)


@pytest.fixture(scope="module")
def ll_server(ll_model: tuple[bytes, Any]) -> Iterator[ModelServer]:
    server = ModelServer(ll_model[0], LINEAR_IMAGE)
    server.start()
    yield server
    server.stop()


# The contract: /ping, /execution-parameters


def test_ping_and_execution_parameters(xgb_server: ModelServer) -> None:
    assert xgb_server.url == f"http://127.0.0.1:{xgb_server.port}"
    assert get(xgb_server, "/ping") == (200, b"")
    status, body = get(xgb_server, "/execution-parameters")
    assert status == 200
    assert json.loads(body)["BatchStrategy"] == "MULTI_RECORD"
    assert get(xgb_server, "/nowhere")[0] == 404


# Built-in XGBoost


def test_xgboost_csv_predictions_equal_the_booster(
    xgb_server: ModelServer, xgb_model: tuple[bytes, xgb.Booster], data: tuple
) -> None:
    X = data[0][:7]
    expected = xgb_model[1].predict(xgb.DMatrix(X))
    status, headers, body = post(xgb_server, csv_body(X), "text/csv")
    assert status == 200 and headers["Content-Type"] == "text/csv"
    # real-time: the container joins the probabilities with commas on one line
    got = np.array([float(v) for v in body.decode().split(",")], dtype=np.float32)
    assert np.array_equal(got, expected)
    # the same rows as libsvm (no label) and RecordIO-protobuf, and JSON out
    buffer = io.BytesIO()
    dump_svmlight_file(X, np.zeros(len(X)), buffer, zero_based=True)
    status, _, body = post(xgb_server, buffer.getvalue(), "text/libsvm")
    assert status == 200
    assert np.allclose([float(v) for v in body.decode().split(",")], expected, atol=1e-6)
    status, headers, body = post(
        xgb_server, recordio.dense_bytes(X), "application/x-recordio-protobuf", "application/json"
    )
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert np.allclose(json.loads(body), expected, atol=1e-6)


def test_xgboost_batch_transform_writes_one_prediction_per_line(
    xgb_model: tuple[bytes, xgb.Booster], data: tuple
) -> None:
    X = data[0][:3]
    with ModelServer(xgb_model[0], XGBOOST_IMAGE, {"SAGEMAKER_BATCH": "true"}) as server:
        status, _, body = post(server, csv_body(X), "text/csv", "text/csv")
    assert status == 200
    assert body.decode().endswith("\n") and len(body.decode().splitlines()) == 3


def test_xgboost_selectable_inference_output(
    xgb_model: tuple[bytes, xgb.Booster], data: tuple
) -> None:
    X = data[0][:2]
    env = {"SAGEMAKER_INFERENCE_OUTPUT": "predicted_label,probability"}
    with ModelServer(xgb_model[0], XGBOOST_IMAGE, env) as server:
        status, _, body = post(server, csv_body(X), "text/csv", "application/json")
        bad = post(server, csv_body(X), "text/csv", "image/png")[0]
    assert status == 200 and bad == 406
    predictions = json.loads(body)["predictions"]
    expected = xgb_model[1].predict(xgb.DMatrix(X))
    assert [p["predicted_label"] for p in predictions] == [int(p > 0.5) for p in expected]
    assert np.allclose([p["probability"] for p in predictions], expected)


def test_xgboost_framework_script_with_container_defaults(
    xgb_model: tuple[bytes, xgb.Booster], data: tuple
) -> None:
    X = data[0][:4]
    env = {"SAGEMAKER_PROGRAM": "xgboost_script.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(FIXTURES)}
    with ModelServer(xgb_model[0], XGBOOST_IMAGE, env) as server:
        status, headers, body = post(server, csv_body(X), "text/csv")
        unsupported = post(server, b"[[1, 2, 3, 4]]", "application/json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert np.allclose(json.loads(body), xgb_model[1].predict(xgb.DMatrix(X)), atol=1e-6)
    # the inference toolkit answers every error, an unsupported type too, with a 500
    assert unsupported[0] == 500 and b"is not supported by this framework" in unsupported[2]


# Built-in Amazon algorithms


def test_linear_learner_json_response(
    ll_server: ModelServer, ll_model: tuple[bytes, Any], data: tuple
) -> None:
    X = data[0][:3]
    request = {"instances": [{"features": list(map(float, row))} for row in X]}
    status, headers, body = post(ll_server, json.dumps(request).encode(), "application/json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    predictions = json.loads(body)["predictions"]
    assert len(predictions) == 3
    assert all(set(p) == {"score", "predicted_label"} for p in predictions)
    assert predictions == linear_learner.predict(ll_model[1], X)
    # CSV in, JSON Lines and RecordIO out, sparse JSON in
    status, headers, body = post(ll_server, csv_body(X), "text/csv", "application/jsonlines")
    assert status == 200 and headers["Content-Type"] == "application/jsonlines"
    assert [json.loads(line) for line in body.decode().splitlines()] == predictions
    status, _, body = post(ll_server, csv_body(X), "text/csv", "application/x-recordio-protobuf")
    records = recordio.read_messages(io.BytesIO(body))
    assert [r.label["score"].float32_tensor.values[0] for r in records] == pytest.approx(
        [p["score"] for p in predictions], rel=1e-5
    )
    sparse_request = {
        "instances": [{"data": {"features": {"keys": [0, 1], "values": [1.0, 2.0], "shape": [4]}}}]
    }
    status, _, body = post(ll_server, json.dumps(sparse_request).encode(), "application/json")
    assert status == 200
    dense = linear_learner.predict(ll_model[1], np.array([[1.0, 2.0, 0.0, 0.0]]))
    assert json.loads(body)["predictions"] == dense


def test_kmeans_closest_cluster(tmp_path: Path) -> None:
    centres = np.array([[0.0, 0.0], [10.0, 10.0], [-10.0, 10.0]])
    rng = np.random.default_rng(1)
    X = np.vstack([c + rng.normal(scale=0.5, size=(40, 2)) for c in centres])
    model_dir = train_builtin(KMEANS_IMAGE, {"k": 3, "feature_dim": 2}, X, tmp_path)
    model = kmeans.load(model_dir)
    probe = np.array([[9.5, 10.2], [0.3, -0.1]])
    expected = kmeans.predict(model, probe)
    with ModelServer(tar_of(model_dir), KMEANS_IMAGE) as server:
        status, _, body = post(server, csv_body(probe), "text/csv")
        predictions = json.loads(body)["predictions"]
        csv_status, _, csv_out = post(server, csv_body(probe), "text/csv", "text/csv")
    assert status == 200 and csv_status == 200
    assert [p["closest_cluster"] for p in predictions] == [e["closest_cluster"] for e in expected]
    assert predictions[0]["closest_cluster"] != predictions[1]["closest_cluster"]
    first = csv_out.decode().splitlines()[0].split(",")
    assert float(first[0]) == expected[0]["closest_cluster"]


@pytest.mark.parametrize(
    ("image", "hyperparameters", "supervised", "module", "root", "field"),
    [
        (
            f"{AMAZON}/pca:1",
            {"feature_dim": 4, "num_components": 2, "mini_batch_size": 50},
            False,
            pca,
            "projections",
            "projection",
        ),
        (
            f"{AMAZON}/randomcutforest:1",
            {"feature_dim": 4, "num_trees": 50, "num_samples_per_tree": 64},
            False,
            random_cut_forest,
            "scores",
            "score",
        ),
        (
            f"{AMAZON}/knn:1",
            {"k": 3, "feature_dim": 4, "predictor_type": "classifier", "sample_size": 100},
            True,
            knn,
            "predictions",
            "predicted_label",
        ),
    ],
    ids=["pca", "rcf", "knn"],
)
def test_other_amazon_algorithms_answer_in_their_formats(
    image: str,
    hyperparameters: dict[str, Any],
    supervised: bool,
    module: Any,
    root: str,
    field: str,
    tmp_path: Path,
    data: tuple,
) -> None:
    X, y = data
    table = np.column_stack([y, X]) if supervised else X
    model_dir = train_builtin(image, hyperparameters, table, tmp_path)
    probe = X[:3]
    request = {"instances": [{"features": row.tolist()} for row in probe]}
    with ModelServer(tar_of(model_dir), image) as server:
        status, _, body = post(server, json.dumps(request).encode(), "application/json")
        lines = post(server, recordio.dense_bytes(probe), RECORDIO, "application/jsonlines")
    assert status == 200 and lines[0] == 200
    expected = module.predict(module.load(model_dir), probe)
    assert json.loads(body)[root] == expected
    assert [json.loads(line)[field] for line in lines[2].decode().splitlines()] == [
        pytest.approx(e[field]) for e in expected
    ]


# Script mode (scikit-learn)


def sklearn_archive(tmp: Path, script: str, extra: dict[str, str] | None = None) -> bytes:
    """model.tar.gz with a fitted LogisticRegression (model.joblib) and code/inference.py."""
    import joblib
    from sklearn.linear_model import LogisticRegression

    X, y = rows(np.random.default_rng(2))
    folder = tmp / "sk"
    (folder / "code").mkdir(parents=True)
    joblib.dump(LogisticRegression().fit(X, y), folder / "model.joblib")
    (folder / "code" / "inference.py").write_text((FIXTURES / script).read_text())
    for name, text in (extra or {}).items():
        (folder / "code" / name).write_text(text)
    return tar_of(folder)


def reference_model(tmp: Path) -> Any:
    import joblib

    return joblib.load(next(tmp.rglob("model.joblib")))


def test_sklearn_script_with_custom_input_and_output_fn(tmp_path: Path) -> None:
    archive = sklearn_archive(tmp_path, "sklearn_custom.py")
    model = reference_model(tmp_path)
    X = np.array([[1.0, 1.0, 0.0, 0.0], [-1.0, -2.0, 0.0, 0.0]])
    request = json.dumps({"rows": X.tolist()}).encode()
    with ModelServer(archive, SKLEARN_IMAGE) as server:
        status, headers, body = post(
            server, request, "application/vnd.rows+json", custom="trace-id=42"
        )
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Amzn-SageMaker-Custom-Attributes"] == "trace-id=42"
    answer = json.loads(body)
    assert answer["labels"] == model.predict(X).tolist()
    assert answer["content_type_seen"] == "application/vnd.rows+json"


def test_sklearn_script_relying_on_the_container_defaults(tmp_path: Path) -> None:
    archive = sklearn_archive(tmp_path, "sklearn_defaults.py")
    model = reference_model(tmp_path)
    X = np.array([[1.0, 1.0, 0.0, 0.0], [-1.0, -2.0, 0.0, 0.0], [0.5, 0.1, 0.0, 0.0]])
    with ModelServer(archive, SKLEARN_IMAGE) as server:
        status, headers, body = post(server, json.dumps(X.tolist()).encode(), "application/json")
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert json.loads(body) == model.predict(X.astype(np.float32)).tolist()
        status, headers, body = post(server, csv_body(X), "text/csv", "text/csv")
        assert status == 200 and headers["Content-Type"] == "text/csv"
        assert [float(v) for v in body.decode().split()] == model.predict(X).tolist()
        unsupported = post(server, b"\x00\x01", "image/png")
        unacceptable = post(server, json.dumps(X.tolist()).encode(), "application/json", "a/b")
        assert get(server, "/execution-parameters")[0] == 404
    assert unsupported[0] == 415
    assert json.loads(unsupported[2])["error"] == "UnsupportedFormatError"
    assert unacceptable[0] == 406


def test_entry_point_from_environment_and_s3_submit_directory(tmp_path: Path) -> None:
    """SAGEMAKER_PROGRAM + SAGEMAKER_SUBMIT_DIRECTORY (s3://...sourcedir.tar.gz), as
    CreateModel's Environment carries them for an SDK v2 classic model."""
    import joblib
    from sklearn.linear_model import LogisticRegression

    X, y = rows(np.random.default_rng(3))
    model_folder = tmp_path / "model"
    model_folder.mkdir()
    model = LogisticRegression().fit(X, y)
    joblib.dump(model, model_folder / "model.joblib")
    source = tmp_path / "source"
    source.mkdir()
    (source / "serve.py").write_text((FIXTURES / "sklearn_defaults.py").read_text())
    uri = "s3://bucket/job/source/sourcedir.tar.gz"
    fetched: list[str] = []

    def fetch(address: str) -> bytes:
        fetched.append(address)
        return tar_of(source)

    env = {"SAGEMAKER_PROGRAM": "serve.py", "SAGEMAKER_SUBMIT_DIRECTORY": uri}
    with ModelServer(tar_of(model_folder), SKLEARN_IMAGE, env, fetch=fetch) as server:
        status, _, body = post(server, json.dumps(X[:2].tolist()).encode(), "application/json")
    assert fetched == [uri]
    assert status == 200 and json.loads(body) == model.predict(X[:2]).tolist()


def test_two_endpoints_with_different_scripts_do_not_collide(tmp_path: Path) -> None:
    first = sklearn_archive(tmp_path / "a", "tagged.py", {"helper.py": "TAG = 'first'\n"})
    second = sklearn_archive(tmp_path / "b", "tagged.py", {"helper.py": "TAG = 'second'\n"})
    body = json.dumps([[1.0, 1.0, 0.0, 0.0]]).encode()
    with ModelServer(first, SKLEARN_IMAGE) as a, ModelServer(second, SKLEARN_IMAGE) as b:
        answers = [json.loads(post(s, body, "application/json")[2])["tag"] for s in (a, b)]
    assert answers == ["first", "second"]


def test_failing_predict_fn_is_a_500_and_the_server_survives(tmp_path: Path) -> None:
    archive = sklearn_archive(tmp_path, "failing_predict.py")
    with ModelServer(archive, SKLEARN_IMAGE) as server:
        status, _, body = post(server, b"[[1, 2, 3, 4]]", "application/json")
        assert get(server, "/ping")[0] == 200
    assert status == 500
    assert "RuntimeError: the model is on strike" in body.decode()
    assert "failing_predict.py" in body.decode() or "inference.py" in body.decode()


def test_model_fn_that_raises_is_a_model_load_error(tmp_path: Path) -> None:
    archive = sklearn_archive(tmp_path, "failing_model_fn.py")
    with pytest.raises(ModelLoadError) as caught:
        ModelServer(archive, SKLEARN_IMAGE).start()
    reason = str(caught.value)
    assert "model_fn in inference.py raised FileNotFoundError" in reason
    assert "no-such-model.pkl" in reason and "in model_fn)" in reason


def test_load_errors_are_worded_for_the_learner(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelLoadError, match=r"no xgboost-model file in model\.tar\.gz"):
        ModelServer(tar_of(empty), XGBOOST_IMAGE).start()
    (tmp_path / "nofn" / "code").mkdir(parents=True)
    (tmp_path / "nofn" / "code" / "inference.py").write_text("X = 1\n")
    with pytest.raises(ModelLoadError, match="has no model_fn"):
        ModelServer(tar_of(tmp_path / "nofn"), SKLEARN_IMAGE).start()
    with pytest.raises(ModelLoadError, match="cannot serve the image"):
        ModelServer(b"", "123.dkr.ecr.us-east-1.amazonaws.com/my-own:latest").start()
    with pytest.raises(ModelLoadError, match="gzipped tar"):
        ModelServer(b"not a tarball", XGBOOST_IMAGE).start()


# TensorFlow Serving


def test_tensorflow_serving_json_api(tmp_path: Path) -> None:
    tf = pytest.importorskip("tensorflow")
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(3, activation="softmax")]
    )
    model.export(str(tmp_path / "tf" / "model" / "1"), verbose=False)
    X = np.random.default_rng(4).normal(size=(2, 4)).astype(np.float32)
    expected = model.predict(X, verbose=0)
    with ModelServer(tar_of(tmp_path / "tf"), TF_IMAGE) as server:
        request = json.dumps({"instances": X.tolist()}).encode()
        status, headers, body = post(server, request, "application/json")
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert np.allclose(json.loads(body)["predictions"], expected, atol=1e-5)
        status, _, body = post(server, json.dumps(X.tolist()).encode(), "application/json")
        assert np.allclose(json.loads(body)["predictions"], expected, atol=1e-5)
        status, _, body = post(server, csv_body(X), "text/csv")
        assert status == 200
        assert np.allclose(json.loads(body)["predictions"], expected, atol=1e-5)
        wrong = post(server, b'{"instances": [[1, 2, 3]]}', "application/json")
        assert wrong[0] == 400 and "shape" in json.loads(wrong[2])["error"]
        assert post(server, b"x", "application/x-npy")[0] == 415
        assert post(server, request, "application/json", custom="tfs-model-name=other")[0] == 404
        assert get(server, "/v1/models/model")[0] == 200
    # a Keras file alone is not a SavedModel: TFS would not start
    (tmp_path / "keras").mkdir()
    model.save(tmp_path / "keras" / "model.keras")
    with pytest.raises(ModelLoadError, match=r"model\.export"):
        ModelServer(tar_of(tmp_path / "keras"), TF_IMAGE).start()


def test_tensorflow_inference_script_handlers(tmp_path: Path) -> None:
    tf = pytest.importorskip("tensorflow")
    model = tf.keras.Sequential([tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(1)])
    model.export(str(tmp_path / "tf" / "1"), verbose=False)
    (tmp_path / "tf" / "code").mkdir()
    (tmp_path / "tf" / "code" / "inference.py").write_text(
        (FIXTURES / "tfs_handlers.py").read_text()
    )
    X = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    with ModelServer(tar_of(tmp_path / "tf"), TF_IMAGE) as server:
        status, headers, body = post(server, csv_body(X), "text/csv")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert np.allclose(json.loads(body)["doubled"], 2 * model.predict(X, verbose=0).ravel())
    # a full handler(data, context) that calls TFS's REST API at context.rest_uri
    (tmp_path / "tf" / "code" / "inference.py").write_text(
        (FIXTURES / "tfs_handler.py").read_text()
    )
    with ModelServer(tar_of(tmp_path / "tf"), TF_IMAGE) as server:
        status, _, body = post(server, json.dumps(X.tolist()).encode(), "application/json")
    assert status == 200
    assert np.allclose(json.loads(body)["via_rest"], model.predict(X, verbose=0), atol=1e-5)


# Bad requests, load, lifecycle


BAD_PAYLOADS = {
    "empty body": (b"", "text/csv"),
    "wrong content type": (b"1,2,3,4", "image/png"),
    "malformed CSV": (b"1,2,abc,4", "text/csv"),
    "malformed JSON": (b'{"instances": [', "application/json"),
    "wrong number of features": (b"1,2,3,4,5", "text/csv"),
    "ragged CSV": (b"1,2,3,4\n1,2", "text/csv"),
}


@pytest.mark.parametrize("case", sorted(BAD_PAYLOADS))
@pytest.mark.parametrize("which", ["xgb_server", "ll_server"])
def test_bad_payloads_are_4xx_and_the_server_survives(
    which: str, case: str, request: pytest.FixtureRequest
) -> None:
    server: ModelServer = request.getfixturevalue(which)
    body, content_type = BAD_PAYLOADS[case]
    status, _, message = post(server, body, content_type)
    assert 400 <= status < 500, (status, message)
    assert message.strip()
    assert get(server, "/ping")[0] == 200


def test_oversized_payload_is_413(xgb_model: tuple[bytes, xgb.Booster]) -> None:
    with ModelServer(xgb_model[0], XGBOOST_IMAGE, {"MAX_CONTENT_LENGTH": "1000"}) as server:
        status, _, body = post(server, b"1,2,3,4\n" * 200, "text/csv")
        assert status == 413 and b"exceeds" in body
        assert post(server, b"1,2,3,4", "text/csv")[0] == 200


def test_eight_concurrent_clients(
    xgb_server: ModelServer, xgb_model: tuple[bytes, xgb.Booster], data: tuple
) -> None:
    X = data[0][:20]
    expected = xgb_model[1].predict(xgb.DMatrix(X))
    failures: list[str] = []

    def client(worker: int) -> None:
        for i in range(50):
            row = (worker * 50 + i) % len(X)
            status, _, body = post(xgb_server, csv_body(X[row : row + 1]), "text/csv")
            if status != 200 or not np.isclose(float(body), expected[row], atol=1e-6):
                failures.append(f"{worker}/{i}: {status} {body[:80]!r}")

    threads = [threading.Thread(target=client, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert get(xgb_server, "/ping")[0] == 200


def test_stop_frees_the_port(xgb_model: tuple[bytes, xgb.Booster]) -> None:
    server = ModelServer(xgb_model[0], XGBOOST_IMAGE)
    port = server.start()
    assert server.start() == port  # starting twice is harmless
    server.stop()
    server.stop()  # and so is stopping twice
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    probe.bind(("127.0.0.1", port))  # fails with EADDRINUSE if anything still listens
    probe.close()
    with pytest.raises(RuntimeError):
        _ = server.url
