"""labs.features.time_encoding: the wrap-around of cyclical encodings."""

import numpy as np
import pytest

from labs.features.time_encoding import cyclical_pairs


def test_neighbours_across_midnight_stay_neighbours():
    late, early, noon = cyclical_pairs([23.5, 0.5, 12.0], 24)
    assert np.linalg.norm(late - early) == pytest.approx(2 * np.sin(np.pi / 24))
    assert np.linalg.norm(late - noon) > 1.9
    np.testing.assert_allclose(cyclical_pairs([0, 24, 48], 24), [[0, 1]] * 3, atol=1e-12)


def test_a_period_must_be_positive():
    with pytest.raises(ValueError, match="period"):
        cyclical_pairs([1, 2], 0)
