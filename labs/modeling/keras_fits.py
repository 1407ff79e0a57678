"""Quick Keras fits inside the notebook: learning curves for one setting at a time.

A training job per setting would spend most of its time starting TensorFlow; for showing
what a learning rate, a batch size, dropout or early stopping does, a fit in the notebook's
own process on a small table is enough. :func:`fit_curve` builds the same MLP that the
lab's training script builds (``labs/modeling/scripts/tf_mlp.py``) and returns its
per-epoch losses; :func:`diagnose` names what a curve shows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from labs.modeling.scripts import tf_mlp

__all__ = ["baseline_loss", "diagnose", "fit_curve", "limit_threads"]


def limit_threads(intra_op: int = 1, inter_op: int = 1) -> None:
    """Cap TensorFlow's thread pools for this process (before its first operation).

    On a shared laptop or a two-core CI runner, small models train as fast on one thread
    and do not slow their neighbours. Calling it again after TensorFlow started is a no-op.
    """
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:  # TensorFlow is already running: the pools are fixed
        pass


def fit_curve(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    hidden_units: Sequence[int] = (64, 32),
    dropout: float = 0.0,
    batch_norm: bool = False,
    learning_rate: float = 1e-3,
    batch_size: int = 64,
    epochs: int = 30,
    patience: int = 0,
    seed: int = 0,
    model: Any = None,
) -> pd.DataFrame:
    """Fit ``tf_mlp.build_mlp`` and return its learning curve.

    One row per epoch run (index ``epoch`` from 1), columns ``train:loss``,
    ``validation:loss``, ``validation:auc``. ``patience > 0`` adds early stopping on the
    validation AUC that restores the best weights. ``table.attrs`` holds ``seconds`` (the
    fit's wall time) and the settings.
    """
    import tensorflow as tf

    if len(x_train) != len(y_train) or len(x_val) != len(y_val):
        raise ValueError("features and labels must have the same number of rows")
    if model is None:
        tf.keras.utils.set_random_seed(seed)
        model = tf_mlp.build_mlp(
            np.asarray(x_train, dtype="float32"),
            hidden_units=list(hidden_units),
            dropout=dropout,
            batch_norm=batch_norm,
            learning_rate=learning_rate,
        )
    callbacks: list[Any] = []
    if patience > 0:
        callbacks.append(
            tf.keras.callbacks.EarlyStopping(
                monitor="val_auc", mode="max", patience=patience, restore_best_weights=True
            )
        )
    # tf.data pipelines: Keras re-wraps NumPy validation data every epoch, which costs more
    # than the epoch itself on a table this small.
    train = (
        tf.data.Dataset.from_tensor_slices(
            (np.asarray(x_train, dtype="float32"), np.asarray(y_train, dtype="float32"))
        )
        .shuffle(len(x_train), seed=seed)
        .batch(batch_size)
    )
    validation = (
        tf.data.Dataset.from_tensor_slices(
            (np.asarray(x_val, dtype="float32"), np.asarray(y_val, dtype="float32"))
        )
        .batch(len(x_val))
        .cache()
    )
    started = time.perf_counter()
    history = model.fit(
        train,
        validation_data=validation,
        epochs=epochs,
        callbacks=callbacks,
        shuffle=False,  # the pipeline shuffles each epoch itself
        verbose=0,
    )
    table = pd.DataFrame(
        {
            "train:loss": history.history["loss"],
            "validation:loss": history.history["val_loss"],
            "validation:auc": history.history["val_auc"],
        },
        index=pd.RangeIndex(1, len(history.history["loss"]) + 1, name="epoch"),
    )
    table.attrs.update(
        seconds=time.perf_counter() - started,
        hidden_units=list(hidden_units),
        dropout=dropout,
        batch_norm=batch_norm,
        learning_rate=learning_rate,
        batch_size=batch_size,
        epochs=epochs,
        patience=patience,
        baseline=baseline_loss(y_train),
    )
    return table


def baseline_loss(y: np.ndarray | pd.Series) -> float:
    """The cross-entropy of always predicting the positive share of ``y``: what a model
    that learned nothing scores."""
    p = float(np.clip(np.mean(np.asarray(y, dtype=float)), 1e-7, 1 - 1e-7))
    return float(-(p * np.log(p) + (1 - p) * np.log(1 - p)))


def diagnose(curve: pd.DataFrame, baseline: float | None = None, *, rise: float = 0.10) -> str:
    """``"overfitting"``, ``"underfitting"`` or ``"good fit"`` for a learning curve.

    - overfitting: the last validation loss is more than ``rise`` (10%) above its best
      epoch's while the training loss ended below it: the model learns the training rows'
      noise;
    - underfitting: even the best validation loss is within 10% of ``baseline``
      (:func:`baseline_loss`, the loss of predicting the class shares for everyone): the
      model learned little (too small, too few epochs, a learning rate too low or too high);
    - otherwise a good fit.

    ``baseline`` defaults to the one :func:`fit_curve` stored in ``curve.attrs``.
    """
    if baseline is None:
        baseline = curve.attrs.get("baseline")
        if baseline is None:
            raise ValueError("give the baseline loss: this curve does not carry one")
    for column in ("train:loss", "validation:loss"):
        if column not in curve.columns:
            raise ValueError(f"a learning curve needs a {column!r} column")
    if curve.empty:
        raise ValueError("the learning curve has no epoch")
    train_end = float(curve["train:loss"].iloc[-1])
    val_end = float(curve["validation:loss"].iloc[-1])
    val_best = float(curve["validation:loss"].min())
    if val_end > (1 + rise) * val_best and train_end < val_end:
        return "overfitting"
    if val_best > 0.9 * baseline:
        return "underfitting"
    return "good fit"
