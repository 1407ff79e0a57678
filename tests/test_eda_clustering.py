"""labs.eda.clustering: scanning k, the elbow, cluster sizes and profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labs.eda import clustering
from labs.errors import LabsError


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(c, 0.4, size=(60, 2)) for c in ((0, 0), (6, 0), (0, 6), (6, 6))])


def test_scan_finds_four_blobs(blobs):
    scan = clustering.scan_k(blobs, range(2, 8), seed=0)
    assert list(scan.index) == [2, 3, 4, 5, 6, 7]
    assert scan["inertia"].is_monotonic_decreasing
    assert scan["silhouette"].idxmax() == 4
    assert clustering.elbow_point(scan.index, scan["inertia"]) == 4


def test_scan_is_seeded(blobs):
    first = clustering.scan_k(blobs, [3], seed=1, silhouette_sample=100)
    pd.testing.assert_frame_equal(
        first, clustering.scan_k(blobs, [3], seed=1, silhouette_sample=100)
    )


def test_elbow_on_a_hand_made_curve():
    # steep to k = 3, then nearly flat
    assert clustering.elbow_point([1, 2, 3, 4, 5, 6], [100, 50, 12, 10, 9, 8]) == 3
    with pytest.raises(LabsError, match="at least three"):
        clustering.elbow_point([1, 2], [3, 1])


def test_cluster_sizes_largest_first():
    sizes = clustering.cluster_sizes([2, 0, 2, 2, 1, 0])
    assert sizes.index.tolist() == [2, 0, 1]
    assert sizes["size"].tolist() == [3, 2, 1]
    assert sizes["share"].sum() == pytest.approx(1)


def test_profile_means_and_sizes():
    scaled = pd.DataFrame({"x": [1.0, 3.0, 10.0], "y": [0.0, 0.0, -1.0]})
    profile = clustering.cluster_profile(scaled, [0, 0, 1])
    assert profile.index.tolist() == [0, 1]
    assert profile.loc[0, "x"] == 2.0 and profile.loc[1, "y"] == -1.0
    assert profile["size"].tolist() == [2, 1]
    with pytest.raises(LabsError, match="one label per row"):
        clustering.cluster_profile(scaled, [0, 1])


@pytest.mark.parametrize(
    ("X", "ks", "message"),
    [
        (np.array([[1.0, np.nan], [2, 3], [4, 5], [6, 7]]), [2], "missing values"),
        (np.ones((10, 2)), [1, 2], "between 2 and 9"),
        (np.ones(5), [2], "2-D table"),
    ],
)
def test_learner_mistakes_get_clear_errors(X, ks, message):
    with pytest.raises(LabsError, match=message):
        clustering.scan_k(X, ks)
