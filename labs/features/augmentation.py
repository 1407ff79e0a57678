"""Image augmentation for the 8x8 digits: shifted copies of each training image.

A model trained on few images learns where the ink is, not what the digit looks like: a
digit written one pixel to the left is new to it. Augmentation adds label-preserving
variations of the training images (here one-pixel shifts; for photos also flips, crops,
rotations, colour changes) so the model sees that variation during training.

>>> import numpy as np
>>> image = np.arange(4.0).reshape(1, 4)          # one 2x2 image: [[0, 1], [2, 3]]
>>> shift_images(image, dx=1, dy=0, side=2).tolist()
[[0.0, 0.0, 0.0, 2.0]]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from labs.errors import LabsError

__all__ = ["ONE_PIXEL", "augment_with_shifts", "shift_images"]

#: The four one-pixel shifts (dx, dy): right, left, down, up.
ONE_PIXEL: tuple[tuple[int, int], ...] = ((1, 0), (-1, 0), (0, 1), (0, -1))


def _images(X: np.ndarray, side: int) -> np.ndarray:
    array = np.asarray(X, dtype=float)
    if array.ndim != 2 or array.shape[1] != side * side:
        raise LabsError(
            f"Give the images as rows of {side * side} pixels (shape (n, {side * side})), "
            f"not an array of shape {array.shape}."
        )
    return array.reshape(-1, side, side)


def _window(offset: int, side: int) -> tuple[slice, slice]:
    """(target, source) slices that move a row or column of ``side`` cells by ``offset``."""
    return slice(max(offset, 0), side + min(offset, 0)), slice(
        max(-offset, 0), side - max(offset, 0)
    )


def shift_images(X: np.ndarray, dx: int, dy: int, side: int = 8) -> np.ndarray:
    """Every image moved ``dx`` pixels right and ``dy`` down; uncovered pixels are blank (0)."""
    if abs(dx) >= side or abs(dy) >= side:
        raise LabsError(f"A shift of ({dx}, {dy}) moves a {side}x{side} image out of sight.")
    images = _images(X, side)
    out = np.zeros_like(images)
    rows_to, rows_from = _window(dy, side)
    cols_to, cols_from = _window(dx, side)
    out[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return out.reshape(len(images), side * side)


def augment_with_shifts(
    X: np.ndarray,
    y: np.ndarray,
    shifts: Iterable[tuple[int, int]] = ONE_PIXEL,
    side: int = 8,
) -> tuple[np.ndarray, np.ndarray]:
    """The images followed by a shifted copy of all of them per shift, labels repeated."""
    images = np.asarray(X, dtype=float)
    labels = np.asarray(y)
    if len(images) != len(labels):
        raise LabsError(f"{len(images)} images but {len(labels)} labels: give one label each.")
    moved = [shift_images(images, dx, dy, side) for dx, dy in shifts]
    return np.vstack([images, *moved]), np.concatenate([labels] * (1 + len(moved)))
