"""The deep-learning lab's helpers and scripts: log parsing, curve diagnosis, gradient norms,
data splits, and both TensorFlow scripts end to end as script-mode jobs on the local runtime
(metrics, model.tar.gz layout, the Keras model and the SavedModel served by TF Serving)."""

from __future__ import annotations

import http.client
import io
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from runtime_support import put_csv, wait_for_training_job
from sklearn.metrics import roc_auc_score

from labs import data
from labs.exercises import Status
from labs.exercises import deep_learning as exercises
from labs.modeling import dl_data, job_report, keras_artifacts, keras_fits, keras_scripts


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress from the exercise checks goes to a temporary folder, not the learner's."""
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


MLP_LOG = [
    "train rows: 4000 validation rows: 1000 features: 67",
    "epoch 1/40 train-loss: 0.6117 validation-loss: 0.4106 validation-auc: 0.7575",
    "epoch 2/40 train-loss: 0.4719 validation-loss: 0.3810 validation-auc: 0.8089",
    "epoch 3/40 train-loss: 0.4309 validation-loss: 0.3896 validation-auc: 0.8044",
    "epochs run: 3",
    "best epoch: 2",
    "final validation-loss: 0.3810 validation-auc: 0.8089",
]


# --- log parsing and metric definitions --------------------------------------------------


def test_epoch_table_and_log_value_read_the_scripts_log():
    table = keras_scripts.epoch_table(MLP_LOG)
    assert list(table.columns) == ["train:loss", "validation:loss", "validation:auc"]
    assert table.index.tolist() == [1, 2, 3] and table.index.name == "epoch"
    assert table.loc[2, "validation:auc"] == 0.8089
    assert keras_scripts.log_value(MLP_LOG, "epochs run") == 3
    assert keras_scripts.log_value(MLP_LOG, "best epoch") == 2
    assert keras_scripts.log_value(MLP_LOG, "missing") is None
    with pytest.raises(ValueError, match="no 'epoch N/M"):
        keras_scripts.epoch_table(["Traceback (most recent call last):"])


def test_metric_definitions_take_the_restored_models_scores_last():
    import re

    last: dict[str, float] = {}
    for line in MLP_LOG:
        for definition in keras_scripts.MLP_METRICS:
            match = re.search(definition["Regex"], line)
            if match:
                last[definition["Name"]] = float(match.group(1))
    # the final line (best epoch 2) wins over epoch 3, as FinalMetricDataList keeps the last
    assert last == {"train:loss": 0.4309, "validation:loss": 0.381, "validation:auc": 0.8089}
    names = [d["Name"] for d in keras_scripts.CNN_METRICS]
    assert names == ["train:loss", "validation:loss", "validation:accuracy"]


# --- curve diagnosis -----------------------------------------------------------------------


def curve(train: list[float], validation: list[float], baseline: float = 0.48) -> pd.DataFrame:
    """A learning-curve table as fit_curve returns it."""
    table = pd.DataFrame(
        {"train:loss": train, "validation:loss": validation, "validation:auc": [0.8] * len(train)},
        index=pd.RangeIndex(1, len(train) + 1, name="epoch"),
    )
    table.attrs["baseline"] = baseline
    return table


def test_baseline_loss_is_the_entropy_of_the_class_share():
    y = np.array([1] * 20 + [0] * 80)
    assert keras_fits.baseline_loss(y) == pytest.approx(
        -(0.2 * math.log(0.2) + 0.8 * math.log(0.8))
    )


def test_diagnose_names_overfitting_underfitting_and_a_good_fit():
    assert keras_fits.diagnose(curve([0.5, 0.2, 0.05], [0.45, 0.39, 0.55])) == "overfitting"
    assert keras_fits.diagnose(curve([0.9, 0.6, 0.5], [0.8, 0.55, 0.47])) == "underfitting"
    assert keras_fits.diagnose(curve([0.5, 0.4, 0.36], [0.45, 0.39, 0.40])) == "good fit"
    # a validation loss that ends high but with the training loss above it is noise, not overfit
    assert keras_fits.diagnose(curve([0.5, 0.45, 0.6], [0.45, 0.35, 0.42])) == "good fit"
    with pytest.raises(ValueError, match="baseline"):
        keras_fits.diagnose(pd.DataFrame({"train:loss": [0.4], "validation:loss": [0.4]}))
    with pytest.raises(ValueError, match="validation:loss"):
        keras_fits.diagnose(pd.DataFrame({"train:loss": [0.4]}), baseline=0.5)


def test_q1_check_explains_what_is_wrong_with_a_curve():
    overfit = exercises.q1.check(curve([0.5, 0.2, 0.05], [0.45, 0.39, 0.55]), show=False)
    assert overfit.status is Status.INCORRECT and "Still overfitting" in overfit.message
    assert "epoch 2" in overfit.message
    underfit = exercises.q1.check(curve([0.9, 0.6, 0.5], [0.8, 0.55, 0.47]), show=False)
    assert underfit.status is Status.INCORRECT and "underfits" in underfit.message
    weak = curve([0.5, 0.4, 0.36], [0.45, 0.39, 0.40])
    weak["validation:auc"] = 0.7
    assert "0.700" in exercises.q1.check(weak, show=False).message
    good = exercises.q1.check(curve([0.5, 0.4, 0.36], [0.45, 0.39, 0.40]), show=False)
    assert good.status is Status.CORRECT


# --- data splits ---------------------------------------------------------------------------


def test_digits_split_keeps_a_test_set_no_job_sees():
    train, validation, test = dl_data.digits_split(data.load("digits"))
    assert (len(train), len(validation), len(test)) == (1149, 288, 360)
    assert train.columns[0] == "label" and train.shape[1] == 65
    assert not (set(train.index) | set(validation.index)) & set(test.index)
    x, y = dl_data.arrays(test)
    assert x.dtype == np.float32 and x.shape == (360, 64) and set(np.unique(y)) == set(range(10))


def test_churn_split_is_the_series_split():
    train, validation = dl_data.churn_split(data.load("churn"))
    assert (len(train), len(validation)) == (4000, 1000) and train.columns[0] == "churn"
    assert list(train.columns) == list(validation.columns)
    assert abs(train["churn"].mean() - validation["churn"].mean()) < 0.005  # stratified


# --- vanishing gradients -------------------------------------------------------------------


def test_gradients_vanish_in_a_deep_sigmoid_net_and_not_with_relu_and_batch_norm():
    from labs.modeling import gradients

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 12)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    sigmoid = gradients.deep_mlp(12, depth=8, width=16)
    relu = gradients.deep_mlp(
        12, depth=8, width=16, activation="relu", initializer="he_normal", batch_norm=True
    )
    sigmoid_norms = gradients.layer_gradient_norms(sigmoid, x, y)
    relu_norms = gradients.layer_gradient_norms(relu, x, y)
    assert sigmoid_norms.index.tolist() == [f"hidden_{i}" for i in range(1, 9)] + ["output"]
    assert (sigmoid_norms.diff().iloc[1:-1] > 0).all()  # smaller towards the input, layer by layer
    assert gradients.vanishing_ratio(sigmoid_norms) < 1e-3
    assert gradients.vanishing_ratio(relu_norms) > 0.1
    # nothing was updated: a second measurement gives the same norms
    assert np.allclose(gradients.layer_gradient_norms(sigmoid, x, y), sigmoid_norms)
    with pytest.raises(ValueError, match="two hidden"):
        gradients.vanishing_ratio(sigmoid_norms.iloc[-2:])


# --- both scripts as script-mode jobs -------------------------------------------------------


def trainer(
    lab: Any,
    script: str,
    hyperparameters: dict[str, Any],
    metrics: list[dict[str, str]],
    channels: dict[str, str],
) -> Any:
    """A ModelTrainer running ``labs/modeling/scripts/<script>`` with the TensorFlow image."""
    from sagemaker.core import image_uris
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, InputData, MetricDefinition, SourceCode

    return ModelTrainer(
        training_image=image_uris.retrieve(
            "tensorflow",
            lab.region,
            version="2.16",
            instance_type="ml.m5.large",
            image_scope="training",
        ),
        source_code=SourceCode(source_dir=str(keras_scripts.SCRIPTS_DIR), entry_script=script),
        role=lab.role_arn,
        compute=Compute(instance_type="ml.m5.large", instance_count=1),
        hyperparameters=hyperparameters,
        environment={"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"},
        input_data_config=[
            InputData(channel_name=name, data_source=uri, content_type="text/csv")
            for name, uri in channels.items()
        ],
        sagemaker_session=lab.sagemaker_session,
        base_job_name=f"test-{script.removesuffix('.py').replace('_', '-')}",
    ).with_metric_definitions([MetricDefinition(name=m["Name"], regex=m["Regex"]) for m in metrics])


@pytest.fixture(scope="module")
def jobs(lab: Any) -> dict[str, Any]:
    """The MLP on churn and the CNN on digits, started together, a few epochs each."""
    churn_train, churn_validation = dl_data.churn_split(data.load("churn"))
    digits_train, digits_validation, digits_test = dl_data.digits_split(data.load("digits"))
    uri = {
        name: put_csv(lab, f"test-deep-learning/{name}/part.csv", table)
        for name, table in {
            "churn-train": churn_train,
            "churn-validation": churn_validation,
            "digits-train": digits_train,
            "digits-validation": digits_validation,
        }.items()
    }
    mlp = trainer(
        lab,
        "tf_mlp.py",
        {"epochs": 4, "hidden-units": "16", "batch-size": 128, "batch-norm": True, "patience": 1},
        keras_scripts.MLP_METRICS,
        {"train": uri["churn-train"], "validation": uri["churn-validation"]},
    )
    cnn = trainer(
        lab,
        "tf_cnn.py",
        {"epochs": 4, "filters": 8},
        keras_scripts.CNN_METRICS,
        {"train": uri["digits-train"], "validation": uri["digits-validation"]},
    )
    names = {}
    for key, model_trainer in (("mlp", mlp), ("cnn", cnn)):
        model_trainer.train(wait=False, logs=False)
        names[key] = model_trainer._latest_training_job.training_job_name
    sm = lab.client("sagemaker")
    described = {key: wait_for_training_job(sm, name, timeout=180) for key, name in names.items()}
    return {**described, "churn_validation": churn_validation, "digits_test": digits_test}


def test_mlp_script_reports_metrics_and_saves_keras_and_savedmodel(lab, jobs):
    job = jobs["mlp"]
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    metrics = job_report.final_metrics(job)
    assert set(metrics) == {"train:loss", "validation:loss", "validation:auc"}
    log = job_report.log_messages(lab.client("logs"), job["TrainingJobName"])
    curve_table = keras_scripts.epoch_table(log)
    ran = keras_scripts.log_value(log, "epochs run")
    assert len(curve_table) == ran <= 4
    assert metrics["validation:auc"] == pytest.approx(curve_table["validation:auc"].max(), abs=1e-4)

    s3 = lab.client("s3")
    uri = job["ModelArtifacts"]["S3ModelArtifacts"]
    members = keras_artifacts.archive_members(s3, uri)
    assert "model.keras" in members and "1/saved_model.pb" in members
    model = keras_artifacts.load_keras_model(s3, uri)
    x, y = dl_data.arrays(jobs["churn_validation"])
    scores = model.predict(x, verbose=0).ravel()  # raw features: the model standardises them
    assert roc_auc_score(y, scores) == pytest.approx(metrics["validation:auc"], abs=2e-3)
    assert metrics["validation:auc"] > 0.75


def test_cnn_script_model_scores_the_test_set_and_serves_with_tf_serving(lab, jobs):
    from labs.runtime.serving import ModelServer

    job = jobs["cnn"]
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert job_report.final_metrics(job)["validation:accuracy"] > 0.8
    s3 = lab.client("s3")
    uri = job["ModelArtifacts"]["S3ModelArtifacts"]
    x, y = dl_data.arrays(jobs["digits_test"])
    expected = keras_artifacts.load_keras_model(s3, uri).predict(x[:5], verbose=0)
    assert (expected.argmax(axis=1) == y[:5]).mean() >= 0.6

    bucket, key = uri.removeprefix("s3://").split("/", 1)
    archive = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.16-cpu"
    with ModelServer(archive, image) as server:
        connection = http.client.HTTPConnection(*server.address, timeout=30)
        try:
            body = json.dumps({"instances": x[:5].tolist()})
            connection.request("POST", "/invocations", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = json.loads(response.read())
        finally:
            connection.close()
    assert response.status == 200
    assert np.allclose(answer["predictions"], expected, atol=1e-5)


def test_keras_artifacts_reject_a_bad_uri_and_an_archive_without_a_keras_file(lab):
    import tarfile

    with pytest.raises(ValueError, match="s3://bucket/key"):
        keras_artifacts.archive_members(lab.client("s3"), "model.tar.gz")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    lab.client("s3").put_object(
        Bucket=lab.bucket, Key="test-deep-learning/bad/model.tar.gz", Body=buffer.getvalue()
    )
    uri = lab.s3_uri("test-deep-learning/bad/model.tar.gz")
    assert keras_artifacts.archive_members(lab.client("s3"), uri) == ["xgboost-model"]
    with pytest.raises(ValueError, match=r"not a model\.keras"):
        keras_artifacts.load_keras_model(lab.client("s3"), uri)


def test_q3_check_names_the_problem_of_each_network(lab):
    from labs.modeling import gradients

    sigmoid = gradients.deep_mlp(67, depth=10)
    result = exercises.q3.check(sigmoid, lab=lab, show=False)
    assert result.status is Status.INCORRECT and "still vanishes" in result.message
    shallow = gradients.deep_mlp(67, depth=2, activation="relu")
    assert "2 hidden Dense layers" in exercises.q3.check(shallow, lab=lab, show=False).message
    relu = gradients.deep_mlp(67, depth=10, activation="relu", initializer="he_normal")
    assert exercises.q3.check(relu, lab=lab, show=False).status is Status.CORRECT
