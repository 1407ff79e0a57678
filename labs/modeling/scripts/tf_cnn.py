"""A SageMaker AI training script: a small Keras convolutional network for 8x8 digit images.

Script mode with the TensorFlow training image runs this file unchanged on SageMaker AI and
on the kit's local runtime:

- hyperparameters as command-line arguments (``--epochs 15 --filters 16 ...``);
- the data in ``SM_CHANNEL_TRAIN`` and ``SM_CHANNEL_VALIDATION``: CSV files, the digit (0-9)
  in the first column and the 64 pixel values (0-16, row by row) after it, no header;
- the model goes to ``SM_MODEL_DIR``: ``model.keras`` and a SavedModel in ``1/`` for
  TensorFlow Serving. The model takes the 64 raw pixel values and returns ten class
  probabilities.

It prints one line per epoch (``epoch 3/15 train-loss: ... validation-loss: ...
validation-accuracy: ...``) and the final model's validation scores; the metric definition
``validation-accuracy: ([0-9.]+)`` turns the last into ``FinalMetricDataList``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import numpy as np

SIDE = 8  # the images are 8 x 8 pixels, one channel
MAX_PIXEL = 16.0


def read_channel(folder: str) -> tuple[np.ndarray, np.ndarray]:
    """Pixels and digit labels of every ``.csv`` file in ``folder`` (label first, no header)."""
    files = sorted(Path(folder).glob("*.csv"))
    if not files:
        raise ValueError(f"no .csv file in the channel folder {folder}")
    table = np.vstack([np.loadtxt(path, delimiter=",", ndmin=2) for path in files])
    if table.shape[1] != SIDE * SIDE + 1:
        raise ValueError(f"expected 65 columns (label + 64 pixels), got {table.shape[1]}")
    return table[:, 1:].astype("float32"), table[:, 0].astype("int64")


def build_cnn(
    *, filters: int = 16, dropout: float = 0.25, learning_rate: float = 3e-3, classes: int = 10
) -> Any:
    """A compiled CNN: rescale and reshape the 64 pixels to 8x8x1, two 3x3 convolution
    blocks (the first followed by 2x2 max pooling), dropout, a softmax layer."""
    import tensorflow as tf

    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(SIDE * SIDE,)),
            tf.keras.layers.Rescaling(1.0 / MAX_PIXEL),
            tf.keras.layers.Reshape((SIDE, SIDE, 1)),
            tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu"),
            tf.keras.layers.MaxPooling2D(2),
            tf.keras.layers.Conv2D(2 * filters, 3, padding="same", activation="relu"),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dropout(dropout),
            tf.keras.layers.Dense(classes, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--dropout", type=float, default=0.25)
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
    print(f"train images: {len(y_train)} validation images: {len(y_val)}")
    tf.keras.utils.set_random_seed(args.seed)
    model = build_cnn(filters=args.filters, dropout=args.dropout, learning_rate=args.learning_rate)

    def report(epoch: int, logs: dict[str, float]) -> None:
        print(
            f"epoch {epoch + 1}/{args.epochs} train-loss: {logs['loss']:.4f} "
            f"validation-loss: {logs['val_loss']:.4f} "
            f"validation-accuracy: {logs['val_accuracy']:.4f}",
            flush=True,
        )

    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=args.epochs,
        batch_size=args.batch_size,
        callbacks=[tf.keras.callbacks.LambdaCallback(on_epoch_end=report)],
        verbose=0,
    )
    print(f"epochs run: {len(history.history['loss'])}")
    print(f"parameters: {model.count_params()}")
    loss, accuracy = model.evaluate(x_val, y_val, batch_size=1024, verbose=0)
    print(f"final validation-loss: {loss:.4f} validation-accuracy: {accuracy:.4f}")

    model_dir = Path(args.model_dir)
    model.save(model_dir / "model.keras")
    model.export(str(model_dir / "1"), verbose=False)  # TensorFlow Serving's version folder


if __name__ == "__main__":
    main()
