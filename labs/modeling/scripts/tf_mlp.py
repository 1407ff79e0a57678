"""A SageMaker AI training script: a Keras multilayer perceptron for a binary label.

Script mode with the TensorFlow training image runs this file unchanged on SageMaker AI and
on the kit's local runtime. Everything it needs comes from the training-container contract:

- hyperparameters as command-line arguments (``--epochs 40 --learning-rate 0.001 ...``);
- the data in ``SM_CHANNEL_TRAIN`` and ``SM_CHANNEL_VALIDATION``: CSV files, the label (0 or 1)
  in the first column, numbers only, no header (the layout the built-in algorithms read);
- the model goes to ``SM_MODEL_DIR``: ``model.keras`` (load it with
  ``tf.keras.models.load_model``) and a SavedModel in ``1/``, the version folder TensorFlow
  Serving (the ``tensorflow-inference`` image) loads.

It prints one line per epoch (``epoch 3/40 train-loss: ... validation-loss: ...
validation-auc: ...``) and, after training, the restored best model's scores; metric
definitions such as ``validation-auc: ([0-9.]+)`` turn the last of them into the job's
``FinalMetricDataList``. Only numpy and TensorFlow are imported: no kit code.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import numpy as np


def read_channel(folder: str) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every ``.csv`` file in ``folder`` (label first, no header)."""
    files = sorted(Path(folder).glob("*.csv"))
    if not files:
        raise ValueError(f"no .csv file in the channel folder {folder}")
    table = np.vstack([np.loadtxt(path, delimiter=",", ndmin=2) for path in files])
    return table[:, 1:].astype("float32"), table[:, 0].astype("float32")


def flag(value: str) -> bool:
    """``"true"``/``"1"`` -> True, ``"false"``/``"0"`` -> False (how SageMaker passes booleans)."""
    if str(value).strip().lower() in ("1", "true", "yes"):
        return True
    if str(value).strip().lower() in ("0", "false", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def units(value: str) -> list[int]:
    """``"64,32"`` -> ``[64, 32]``: the width of each hidden layer; ``""`` -> no hidden layer."""
    return [int(part) for part in str(value).split(",") if part.strip()]


def build_mlp(
    x_train: np.ndarray,
    *,
    hidden_units: list[int],
    dropout: float = 0.0,
    batch_norm: bool = False,
    learning_rate: float = 1e-3,
) -> Any:
    """A compiled Keras MLP: standardise, hidden ReLU layers (with optional batch
    normalisation and dropout), one sigmoid output; Adam, binary cross-entropy, AUC.

    The ``Normalization`` layer learns each column's mean and variance from ``x_train``, so
    the saved model takes raw features.
    """
    import tensorflow as tf

    normalise = tf.keras.layers.Normalization()
    normalise.adapt(x_train)
    layers: list[Any] = [tf.keras.Input(shape=(x_train.shape[1],)), normalise]
    for width in hidden_units:
        if batch_norm:
            layers += [
                tf.keras.layers.Dense(width, use_bias=False, kernel_initializer="he_normal"),
                tf.keras.layers.BatchNormalization(),
                tf.keras.layers.Activation("relu"),
            ]
        else:
            layers.append(
                tf.keras.layers.Dense(width, activation="relu", kernel_initializer="he_normal")
            )
        if dropout > 0:
            layers.append(tf.keras.layers.Dropout(dropout))
    layers.append(tf.keras.layers.Dense(1, activation="sigmoid"))
    model = tf.keras.Sequential(layers)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        metrics=[tf.keras.metrics.AUC(name="auc")],
    )
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--hidden-units", type=units, default=[64, 32])
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--batch-norm", type=flag, default=False)
    parser.add_argument("--patience", type=int, default=0, help="0: no early stopping")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--validation", default=os.environ.get("SM_CHANNEL_VALIDATION"))
    args, _ = parser.parse_known_args()
    if not args.train or not args.validation:
        parser.error("the job needs a train and a validation channel")

    import tensorflow as tf

    x_train, y_train = read_channel(args.train)
    x_val, y_val = read_channel(args.validation)
    print(f"train rows: {len(y_train)} validation rows: {len(y_val)} features: {x_train.shape[1]}")
    tf.keras.utils.set_random_seed(args.seed)
    model = build_mlp(
        x_train,
        hidden_units=args.hidden_units,
        dropout=args.dropout,
        batch_norm=args.batch_norm,
        learning_rate=args.learning_rate,
    )

    def report(epoch: int, logs: dict[str, float]) -> None:
        print(
            f"epoch {epoch + 1}/{args.epochs} train-loss: {logs['loss']:.4f} "
            f"validation-loss: {logs['val_loss']:.4f} validation-auc: {logs['val_auc']:.4f}",
            flush=True,
        )

    callbacks: list[Any] = [tf.keras.callbacks.LambdaCallback(on_epoch_end=report)]
    if args.patience > 0:
        callbacks.append(
            tf.keras.callbacks.EarlyStopping(
                monitor="val_auc", mode="max", patience=args.patience, restore_best_weights=True
            )
        )
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=args.epochs,
        batch_size=args.batch_size,
        callbacks=callbacks,
        verbose=0,
    )
    ran = len(history.history["loss"])
    best = int(np.argmax(history.history["val_auc"])) + 1 if args.patience > 0 else ran
    print(f"epochs run: {ran}")
    print(f"best epoch: {best}")
    loss, auc = model.evaluate(x_val, y_val, batch_size=1024, verbose=0)
    print(f"final validation-loss: {loss:.4f} validation-auc: {auc:.4f}")

    model_dir = Path(args.model_dir)
    model.save(model_dir / "model.keras")
    model.export(str(model_dir / "1"), verbose=False)  # TensorFlow Serving's version folder


if __name__ == "__main__":
    main()
