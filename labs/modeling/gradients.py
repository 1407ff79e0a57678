"""Vanishing gradients, measured: the size of each layer's gradient in a deep network.

Backpropagation multiplies, layer by layer, by the derivative of the activation. The
sigmoid's derivative is at most 0.25, so in a deep sigmoid network the gradient that
reaches the first layers shrinks roughly geometrically with depth: those layers barely
learn. ReLU (derivative 1 where active), He initialisation and batch normalisation keep
the gradient's size about the same from the last layer to the first.

:func:`deep_mlp` builds such a network; :func:`layer_gradient_norms` measures the L2 norm
of the loss gradient with respect to each ``Dense`` layer's weights on one batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["deep_mlp", "layer_gradient_norms", "vanishing_ratio"]


def deep_mlp(
    n_features: int,
    *,
    depth: int = 10,
    width: int = 32,
    activation: str = "sigmoid",
    batch_norm: bool = False,
    initializer: str = "glorot_uniform",
    learning_rate: float = 1e-3,
    seed: int = 0,
) -> Any:
    """A compiled binary classifier with ``depth`` hidden ``Dense`` layers of ``width`` units.

    With ``batch_norm`` each hidden layer is Dense -> BatchNormalization -> activation.
    The inputs should be standardised (mean 0, variance 1) already.
    """
    import tensorflow as tf

    if depth < 1 or width < 1:
        raise ValueError("depth and width must be at least 1")
    tf.keras.utils.set_random_seed(seed)
    layers: list[Any] = [tf.keras.Input(shape=(n_features,))]
    for number in range(1, depth + 1):
        dense = tf.keras.layers.Dense(
            width, kernel_initializer=initializer, use_bias=not batch_norm, name=f"hidden_{number}"
        )
        layers.append(dense)
        if batch_norm:
            layers.append(tf.keras.layers.BatchNormalization())
        layers.append(tf.keras.layers.Activation(activation))
    layers.append(tf.keras.layers.Dense(1, activation="sigmoid", name="output"))
    model = tf.keras.Sequential(layers)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        metrics=[tf.keras.metrics.AUC(name="auc")],
    )
    return model


def layer_gradient_norms(model: Any, x: np.ndarray, y: np.ndarray) -> pd.Series:
    """The L2 norm of d(loss)/d(kernel) of each ``Dense`` layer of ``model`` on ``(x, y)``.

    One forward and backward pass in training mode (batch normalisation uses the batch's
    statistics, as during ``fit``); nothing is updated. Indexed by layer name, first layer
    first.
    """
    import tensorflow as tf

    dense = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    if not dense:
        raise ValueError("the model has no Dense layer")
    kernels = [layer.kernel for layer in dense]
    x = tf.convert_to_tensor(np.asarray(x, dtype="float32"))
    y = tf.convert_to_tensor(np.asarray(y, dtype="float32").reshape(-1, 1))
    with tf.GradientTape() as tape:
        predictions = model(x, training=True)
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, predictions))
    gradients = tape.gradient(loss, kernels)
    norms = [float(tf.norm(gradient).numpy()) for gradient in gradients]
    return pd.Series(norms, index=[layer.name for layer in dense], name="gradient norm")


def vanishing_ratio(norms: pd.Series) -> float:
    """How much smaller the first layer's gradient is than the last hidden layer's
    (``norms`` from :func:`layer_gradient_norms`, the output layer left out): 1 means no
    shrinking, 1e-4 means ten thousand times smaller."""
    hidden = norms.iloc[:-1]
    if len(hidden) < 2:
        raise ValueError("need at least two hidden layers")
    return float(hidden.iloc[0] / hidden.iloc[-1])
