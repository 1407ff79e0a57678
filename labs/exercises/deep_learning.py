"""Exercises of notebook 04-5-deep-learning: fix an overfitting network; read a job's epochs;
build a deep network whose gradient does not vanish."""

from __future__ import annotations

import io
import time
from typing import Any

import pandas as pd

from labs.exercises.core import CheckResult, CustomExercise

NOTEBOOK = "04-5-deep-learning"
#: Where the notebook (and the reference solution) put the churn channels and the models.
CHURN_PREFIX = "deep-learning/churn/"
OUTPUT_PREFIX = "deep-learning/output"
#: The MLP job's base name: the check reads the newest job whose name contains it.
MLP_JOB_STEM = "churn-mlp"
#: The overfitting setting of the notebook: 400 training rows, two layers of 256 units.
SMALL_ROWS = 400
BIG_NET = (256, 256)
MIN_AUC = 0.78


# --- q1: fix the overfitting network ---------------------------------------------------


def _check_good_fit(answer: Any) -> CheckResult:
    from labs.modeling import keras_fits

    if not isinstance(answer, pd.DataFrame):
        return CheckResult.fail(
            "Give the learning curve that keras_fits.fit_curve(...) returned (a table with "
            "one row per epoch)."
        )
    missing = {"train:loss", "validation:loss", "validation:auc"} - set(answer.columns)
    if missing or answer.empty:
        return CheckResult.fail(
            "That table is not a learning curve from keras_fits.fit_curve: it lacks "
            + (", ".join(sorted(missing)) or "rows")
            + "."
        )
    if "baseline" not in answer.attrs:
        return CheckResult.fail(
            "That table does not come from keras_fits.fit_curve (it carries no baseline "
            "loss): fit the network with fit_curve and pass its result."
        )
    diagnosis = keras_fits.diagnose(answer)
    val = answer["validation:loss"]
    if diagnosis == "overfitting":
        return CheckResult.fail(
            f"Still overfitting: the validation loss ended at {val.iloc[-1]:.3f}, "
            f"{val.iloc[-1] / val.min() - 1:.0%} above its best ({val.min():.3f} at epoch "
            f"{int(val.idxmin())}), while the training loss fell to "
            f"{answer['train:loss'].iloc[-1]:.3f}. Add dropout, stop early (patience) or "
            "train on more rows."
        )
    if diagnosis == "underfitting":
        return CheckResult.fail(
            f"Now it underfits: the best validation loss, {val.min():.3f}, is within 10% of "
            f"the {answer.attrs['baseline']:.3f} of predicting the churn rate for everyone. "
            "The fix went too far (a learning rate too low or too high, too few epochs, "
            "too much dropout)."
        )
    best_auc = float(answer["validation:auc"].max())
    if best_auc < MIN_AUC:
        return CheckResult.fail(
            f"The curve no longer overfits, but the best validation AUC is {best_auc:.3f}: "
            f"a fixed network reaches at least {MIN_AUC}."
        )
    return CheckResult.ok(
        f"A good fit: {len(answer)} epochs, best validation loss {val.min():.3f} at epoch "
        f"{int(val.idxmin())}, validation AUC {best_auc:.3f}."
    )


def _small_churn(lab: Any) -> tuple[Any, Any, Any, Any]:
    """The notebook's overfitting setup: 400 training rows, the full validation set."""
    from labs.modeling import dl_data

    s3 = lab.client("s3")
    bucket, key = lab.ensure_dataset("churn").removeprefix("s3://").split("/", 1)
    churn = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    train, validation = dl_data.churn_split(churn)
    x_train, y_train = dl_data.arrays(train)
    x_val, y_val = dl_data.arrays(validation)
    return x_train[:SMALL_ROWS], y_train[:SMALL_ROWS], x_val, y_val


def _reference_curve(lab: Any) -> pd.DataFrame:
    from labs.modeling import keras_fits

    keras_fits.limit_threads()
    x_small, y_small, x_val, y_val = _small_churn(lab)
    return keras_fits.fit_curve(
        x_small,
        y_small,
        x_val,
        y_val,
        hidden_units=BIG_NET,
        batch_size=32,
        epochs=30,
        dropout=0.5,
        patience=5,
    )


def _wrong_curves(lab: Any) -> list[Any]:
    from labs.modeling import keras_fits

    keras_fits.limit_threads()
    x_small, y_small, x_val, y_val = _small_churn(lab)
    overfit = keras_fits.fit_curve(
        x_small, y_small, x_val, y_val, hidden_units=BIG_NET, batch_size=32, epochs=30
    )
    too_slow = keras_fits.fit_curve(
        x_small,
        y_small,
        x_val,
        y_val,
        hidden_units=BIG_NET,
        batch_size=32,
        epochs=30,
        learning_rate=1e-5,
    )
    return [overfit, too_slow, pd.DataFrame(overfit.to_dict()), 0.8]


q1 = CustomExercise(
    title="Fix an overfitting network",
    prompt=(
        "Refit the overfitting network (two layers of 256 units on 400 churn rows) with a "
        "fix of your choice so that its learning curve is a good fit, and give the curve."
    ),
    check=_check_good_fit,
    hints=[
        "Copy the overfitting fit_curve call and change one or two settings.",
        "Dropout (dropout=0.5) makes the network unable to memorise single rows; early "
        "stopping (patience=5) ends the fit when the validation AUC stops improving and "
        "keeps the best epoch's weights.",
        "A learning rate of 1e-5 is no fix: it only makes the network learn nothing.",
    ],
    solution=(
        "my_curve = keras_fits.fit_curve(\n"
        "    x_small, y_small, x_val, y_val,\n"
        "    hidden_units=(256, 256), batch_size=32, epochs=30,\n"
        "    dropout=0.5, patience=5,\n"
        ")\n"
    ),
    reference=_reference_curve,
    typical_wrong=_wrong_curves,
)


# --- q2: how many epochs did the job run? ----------------------------------------------


def _latest_mlp_job(lab: Any) -> dict[str, Any] | None:
    sm = lab.client("sagemaker")
    listed = sm.list_training_jobs(
        NameContains=MLP_JOB_STEM, SortBy="CreationTime", SortOrder="Descending", MaxResults=20
    )["TrainingJobSummaries"]
    for summary in listed:
        if summary["TrainingJobStatus"] == "Completed":
            return sm.describe_training_job(TrainingJobName=summary["TrainingJobName"])
    return None


def _job_epochs(lab: Any, job: dict[str, Any]) -> dict[str, int | None]:
    from labs.modeling import job_report, keras_scripts

    messages = job_report.log_messages(lab.client("logs"), job["TrainingJobName"])
    return {
        "ran": keras_scripts.log_value(messages, "epochs run"),
        "best": keras_scripts.log_value(messages, "best epoch"),
        "epochs": int(job.get("HyperParameters", {}).get("epochs", 0)) or None,
        "patience": int(job.get("HyperParameters", {}).get("patience", 0)),
    }


def _check_epochs_run(answer: Any, lab: Any) -> CheckResult:
    job = _latest_mlp_job(lab)
    if job is None:
        return CheckResult.fail(
            f"There is no completed training job named {MLP_JOB_STEM}-...: run the notebook's "
            "MLP training job cell first."
        )
    facts = _job_epochs(lab, job)
    name = job["TrainingJobName"]
    if facts["ran"] is None:
        return CheckResult.fail(f"{name} logged no 'epochs run' line: is it the lab's script?")
    if isinstance(answer, bool) or not isinstance(answer, int | float) or answer != int(answer):
        return CheckResult.fail(
            f"Give a whole number of epochs, not {type(answer).__name__} {answer!r}."
        )
    answer = int(answer)
    if answer == facts["ran"]:
        return CheckResult.ok(
            f"{name} ran {facts['ran']} of at most {facts['epochs']} epochs: early stopping "
            f"saw no better validation AUC after epoch {facts['best']} for {facts['patience']} "
            "epochs and kept that epoch's weights."
        )
    if answer == facts["epochs"]:
        return CheckResult.fail(
            f"{answer} is the epochs hyperparameter, the most the job may run. With "
            "early stopping it ends sooner: read the 'epochs run' line of its log."
        )
    if answer == facts["best"]:
        return CheckResult.fail(
            f"Epoch {answer} is the best one, whose weights the model keeps; early stopping "
            f"waited {facts['patience']} more epochs (patience) before it stopped the job."
        )
    return CheckResult.fail(
        f"{name} did not run {answer} epochs: read its CloudWatch log (job_report."
        "log_messages) for the 'epochs run' line, or count its 'epoch N/M' lines."
    )


def _ensure_mlp_job(lab: Any) -> dict[str, Any]:
    """The newest completed MLP job; run the notebook's MLP job first if there is none."""
    job = _latest_mlp_job(lab)
    if job is not None:
        return job
    from sagemaker.core import image_uris
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, InputData, OutputDataConfig, SourceCode

    from labs.modeling import dl_data, keras_scripts
    from labs.modeling.label_first import put_label_first_csv

    s3 = lab.client("s3")
    bucket, key = lab.ensure_dataset("churn").removeprefix("s3://").split("/", 1)
    churn = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    train, validation = dl_data.churn_split(churn)
    channels = [
        InputData(
            channel_name=name,
            data_source=put_label_first_csv(
                s3, lab.bucket, f"{CHURN_PREFIX}{name}/{name}.csv", table
            ),
            content_type="text/csv",
        )
        for name, table in (("train", train), ("validation", validation))
    ]
    trainer = ModelTrainer(
        training_image=image_uris.retrieve(
            "tensorflow",
            lab.region,
            version="2.16",
            instance_type="ml.m5.large",
            image_scope="training",
        ),
        source_code=SourceCode(source_dir=str(keras_scripts.SCRIPTS_DIR), entry_script="tf_mlp.py"),
        role=lab.role_arn,
        compute=Compute(instance_type="ml.m5.large", instance_count=1),
        hyperparameters={"epochs": 40, "hidden-units": "64,32", "dropout": 0.3, "patience": 5},
        environment={"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"},
        input_data_config=channels,
        output_data_config=OutputDataConfig(s3_output_path=lab.s3_uri(OUTPUT_PREFIX)),
        sagemaker_session=lab.sagemaker_session,
        base_job_name=MLP_JOB_STEM,
        tags=lab.sdk_tags(NOTEBOOK),
    )
    trainer.train(wait=False, logs=False)
    name = trainer._latest_training_job.training_job_name
    sm = lab.client("sagemaker")
    deadline = time.monotonic() + 300
    while sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] == "InProgress":
        if time.monotonic() > deadline:
            raise TimeoutError(f"training job {name} did not finish in 300 s")
        time.sleep(0.5)
    return sm.describe_training_job(TrainingJobName=name)


def _reference_epochs(lab: Any) -> int | None:
    return _job_epochs(lab, _ensure_mlp_job(lab))["ran"]


def _wrong_epochs(lab: Any) -> list[Any]:
    facts = _job_epochs(lab, _ensure_mlp_job(lab))
    return [facts["epochs"], facts["best"], str(facts["ran"]), 1000]


q2 = CustomExercise(
    title="How many epochs did early stopping let the job run?",
    prompt=(
        "Read your MLP training job back from SageMaker AI (describe_training_job and its "
        "CloudWatch log) and give the number of epochs it actually ran."
    ),
    check=_check_epochs_run,
    hints=[
        "The epochs hyperparameter is only the most the job may run; with patience set, "
        "early stopping can end it sooner.",
        "The script logs 'epochs run: N' when training ends: job_report.log_messages("
        "lab.client('logs'), mlp_job_name) returns the log lines.",
        "keras_scripts.log_value(messages, 'epochs run') reads the number from those lines.",
    ],
    solution=(
        "messages = job_report.log_messages(lab.client('logs'), mlp_job_name)\n"
        "epochs_run = keras_scripts.log_value(messages, 'epochs run')\n"
        "# or: len(keras_scripts.epoch_table(messages))\n"
    ),
    reference=_reference_epochs,
    typical_wrong=_wrong_epochs,
)


# --- q3: a deep network whose gradient does not vanish ----------------------------------

MIN_DEPTH = 10
MIN_RATIO = 0.01


def _standardised_churn(lab: Any) -> tuple[Any, Any]:
    """512 standardised churn training rows and their labels, as the notebook measures."""
    from sklearn.preprocessing import StandardScaler

    from labs.modeling import dl_data

    s3 = lab.client("s3")
    bucket, key = lab.ensure_dataset("churn").removeprefix("s3://").split("/", 1)
    churn = pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    x_train, y_train = dl_data.arrays(dl_data.churn_split(churn)[0])
    return StandardScaler().fit_transform(x_train)[:512], y_train[:512]


def _check_no_vanishing(answer: Any, lab: Any) -> CheckResult:
    import tensorflow as tf

    from labs.modeling import gradients

    if not isinstance(answer, tf.keras.Model):
        return CheckResult.fail(
            "Give a Keras model, e.g. the one gradients.deep_mlp(...) returns, not "
            f"{type(answer).__name__}."
        )
    dense = [layer for layer in answer.layers if isinstance(layer, tf.keras.layers.Dense)]
    if len(dense) < MIN_DEPTH + 1:
        return CheckResult.fail(
            f"The network has {max(len(dense) - 1, 0)} hidden Dense layers: the exercise is "
            f"about deep networks, so give it at least {MIN_DEPTH} (depth={MIN_DEPTH})."
        )
    x, y = _standardised_churn(lab)
    if answer.input_shape[-1] != x.shape[1] or answer.output_shape[-1] != 1:
        return CheckResult.fail(
            f"The network must take the {x.shape[1]} churn columns and give one probability; "
            f"it takes {answer.input_shape[-1]} and gives {answer.output_shape[-1]}."
        )
    norms = gradients.layer_gradient_norms(answer, x, y)
    ratio = gradients.vanishing_ratio(norms)
    if not ratio > MIN_RATIO:
        return CheckResult.fail(
            f"The gradient still vanishes: the first layer's is {ratio:.1e} times the last "
            "hidden layer's. Sigmoid layers shrink it about fourfold each; use ReLU with He "
            "initialisation, or batch normalisation."
        )
    return CheckResult.ok(
        f"The first layer's gradient is {ratio:.2g} times the last hidden layer's: all "
        f"{len(dense) - 1} hidden layers learn."
    )


def _reference_network(lab: Any) -> Any:
    from labs.modeling import gradients

    return gradients.deep_mlp(
        _standardised_churn(lab)[0].shape[1],
        depth=MIN_DEPTH,
        activation="relu",
        initializer="he_normal",
        batch_norm=True,
    )


def _wrong_networks(lab: Any) -> list[Any]:
    from labs.modeling import gradients

    columns = _standardised_churn(lab)[0].shape[1]
    return [
        gradients.deep_mlp(columns, depth=MIN_DEPTH),  # sigmoid: the gradient vanishes
        gradients.deep_mlp(columns, depth=3, activation="relu", initializer="he_normal"),
        gradients.deep_mlp(12, depth=MIN_DEPTH, activation="relu", initializer="he_normal"),
        "relu",
    ]


q3 = CustomExercise(
    title="A deep network whose gradient does not vanish",
    prompt=(
        "Build a network with 10 hidden layers on the 67 standardised churn columns whose "
        "first layer's gradient is at least 1% of the last hidden layer's, and give the model."
    ),
    check=_check_no_vanishing,
    hints=[
        "gradients.deep_mlp(z_train.shape[1], depth=10, ...) builds one; its default "
        "activation, the sigmoid, is the problem.",
        "ReLU's derivative is 1 where it is active; He initialisation (initializer="
        "'he_normal') keeps the signal's size from layer to layer.",
        "batch_norm=True re-scales each layer's inputs on every batch and evens the "
        "gradients out further.",
    ],
    solution=(
        "my_network = gradients.deep_mlp(\n"
        "    z_train.shape[1], depth=10, activation='relu', initializer='he_normal', "
        "batch_norm=True\n"
        ")\n"
    ),
    reference=_reference_network,
    typical_wrong=_wrong_networks,
)
