"""Transfer learning without downloads: reuse a small network's hidden layer on a new task.

The recipe of lab 04-8, on the kit's 8x8 digits:

1. :func:`shifted` moves each image by up to one pixel, as real images are rarely centred;
2. :func:`pretrain` fits a one-hidden-layer network (scikit-learn ``MLPClassifier``) on
   many shifted images of the *source* classes (digits 0-4);
3. :func:`hidden_features` freezes that layer and uses its activations as features;
4. :func:`label_budget_curve` trains a logistic regression on a few labels per *target*
   class (digits 5-9), once on the raw pixels (from scratch) and once on the reused
   features, and reports the test accuracy for each number of labels.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

Featurizer = Callable[[np.ndarray], np.ndarray]


def shifted(images: np.ndarray, rng: np.random.Generator, max_shift: int = 1) -> np.ndarray:
    """Each 8x8 image (a row of 64 pixels) moved by -max_shift..max_shift pixels in each
    direction, the uncovered border filled with zeros."""
    side = math.isqrt(images.shape[1])
    if side * side != images.shape[1]:
        raise ValueError(f"rows of {images.shape[1]} pixels are not square images")
    squares = np.asarray(images, dtype=float).reshape(-1, side, side)
    k = max_shift
    padded = np.pad(squares, ((0, 0), (k, k), (k, k)))
    moves = rng.integers(-k, k + 1, size=(len(squares), 2))
    out = np.empty_like(squares)
    for i, (dy, dx) in enumerate(moves):
        # Cropping the zero-padded image at (k - dy, k - dx) moves its content by (dy, dx).
        out[i] = padded[i, k - dy : k - dy + side, k - dx : k - dx + side]
    return out.reshape(len(squares), side * side)


def pretrain(
    X: np.ndarray, y: np.ndarray, hidden_units: int = 128, max_iter: int = 100, seed: int = 0
) -> MLPClassifier:
    """A one-hidden-layer ReLU network fitted on the source task (Adam, ``max_iter`` epochs).

    Stopping at ``max_iter`` before the loss has fully converged is expected here: the
    hidden layer is what we keep, and it is good long before the last decimal. BLAS runs on
    one thread: on matrices this small, more threads only fight over the cores (ten times
    slower on a busy two-core laptop).
    """
    net = MLPClassifier(hidden_layer_sizes=(hidden_units,), max_iter=max_iter, random_state=seed)
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return net.fit(X, y)


def hidden_features(net: MLPClassifier, X: np.ndarray) -> np.ndarray:
    """The first hidden layer's ReLU activations of ``net`` for ``X``: frozen features."""
    if net.activation != "relu":
        raise ValueError(f"expected a ReLU network, got activation={net.activation!r}")
    return np.maximum(0.0, np.asarray(X, dtype=float) @ net.coefs_[0] + net.intercepts_[0])


def label_budget_curve(
    X: np.ndarray,
    y: np.ndarray,
    pool: np.ndarray,
    test: np.ndarray,
    labels_per_class: Sequence[int],
    featurizers: Mapping[str, Featurizer],
    repeats: int = 5,
) -> pd.DataFrame:
    """Mean test accuracy of a logistic regression trained on ``n`` labelled rows per class.

    For each ``n`` in ``labels_per_class`` and each repeat (seed 0, 1, ...), ``n`` rows of
    every class are drawn from the row indexes ``pool``; each featurizer turns ``X`` into
    features; the model is scored on the rows ``test``. Rows: ``n``; columns: featurizer
    names. The same draws are used for every featurizer, so the columns compare fairly.
    """
    classes = np.unique(y[pool])
    features = {name: f(X) for name, f in featurizers.items()}
    with threadpool_limits(limits=1):  # small fits: one BLAS thread is fastest
        return _curve(y, pool, test, labels_per_class, features, classes, repeats)


def _curve(
    y: np.ndarray,
    pool: np.ndarray,
    test: np.ndarray,
    labels_per_class: Sequence[int],
    features: Mapping[str, np.ndarray],
    classes: np.ndarray,
    repeats: int,
) -> pd.DataFrame:
    rows = []
    for n in labels_per_class:
        scores: dict[str, list[float]] = {name: [] for name in features}
        for seed in range(repeats):
            rng = np.random.default_rng(seed)
            chosen = np.concatenate(
                [rng.choice(pool[y[pool] == c], size=n, replace=False) for c in classes]
            )
            for name, F in features.items():
                model = LogisticRegression(max_iter=3000).fit(F[chosen], y[chosen])
                scores[name].append(float(model.score(F[test], y[test])))
        rows.append({"labels per class": n, **{k: float(np.mean(v)) for k, v in scores.items()}})
    return pd.DataFrame(rows).set_index("labels per class")
