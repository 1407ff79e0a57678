"""labs.modeling.transfer_learning: shifted images, frozen features, the label-budget curve."""

from __future__ import annotations

import numpy as np
import pytest

from labs import data
from labs.modeling.transfer_learning import (
    hidden_features,
    label_budget_curve,
    pretrain,
    shifted,
)


class FixedMoves:
    """A stand-in generator whose integers() always moves down 1 and left 1."""

    def integers(self, low, high, size):
        return np.tile([1, -1], (size[0], 1))


def test_shifted_moves_content_and_fills_the_border_with_zeros():
    image = np.arange(1, 17, dtype=float).reshape(1, 16)
    moved = shifted(image, FixedMoves()).reshape(4, 4)
    np.testing.assert_array_equal(moved[0], 0)
    np.testing.assert_array_equal(moved[:, 3], 0)
    np.testing.assert_array_equal(moved[1:, :3], image.reshape(4, 4)[:3, 1:])


def test_shifted_keeps_zero_shift_images_and_refuses_non_square_rows():
    rng = np.random.default_rng(0)
    images = rng.random((5, 64))
    np.testing.assert_array_equal(shifted(images, rng, max_shift=0), images)
    with pytest.raises(ValueError, match="not square"):
        shifted(np.zeros((2, 10)), rng)


def test_reused_features_beat_raw_pixels_with_few_labels():
    frame = data.load("digits")
    y = frame.pop("label").to_numpy()
    X = frame.to_numpy(dtype=float) / 16
    rng = np.random.default_rng(0)
    source = y < 5
    net = pretrain(np.vstack([shifted(X[source], rng) for _ in range(4)]), np.tile(y[source], 4))
    features = hidden_features(net, X[:3])
    assert features.shape == (3, 128) and (features >= 0).all()
    X_target, y_target = shifted(X[~source], rng), y[~source]
    order = rng.permutation(len(y_target))
    curve = label_budget_curve(
        X_target,
        y_target,
        pool=order[400:],
        test=order[:400],
        labels_per_class=[20],
        featurizers={"pixels": lambda a: a, "transfer": lambda a: hidden_features(net, a)},
        repeats=2,
    )
    assert list(curve.columns) == ["pixels", "transfer"] and list(curve.index) == [20]
    # measured 0.62 on pixels and 0.75 with the reused layer
    assert curve.loc[20, "transfer"] > curve.loc[20, "pixels"] + 0.06
