"""labs.features.vif, and the exercises of 03-4 beyond the shared harness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA

import labs.data
from labs.exercises import Status
from labs.exercises.dimensionality_reduction import VIF_FEATURES, q1, q2
from labs.features.vif import vif


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_vif_of_independent_correlated_and_exact_features():
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((3, 2000))
    frame = pd.DataFrame({"a": a, "b": b, "twin": a + 0.5 * c})
    table = vif(frame)
    assert table["b"] == pytest.approx(1.0, abs=0.02)
    # twin = a + 0.5 c: R² of a on twin is 1 / 1.25, so VIF = 1 / (1 - 0.8) = 5.
    assert table["a"] == pytest.approx(5.0, rel=0.05)
    assert list(table.index)[-1] == "b"  # highest first
    exact = vif(frame.assign(total=frame["a"] + frame["b"]))
    assert np.isinf(exact["total"]) and np.isinf(exact["a"])


def test_vif_explains_bad_input():
    with pytest.raises(ValueError, match="two features"):
        vif(pd.DataFrame({"a": [1.0, 2.0]}))
    with pytest.raises(ValueError, match=r"missing values.*in: a"):
        vif(pd.DataFrame({"a": [1.0, None, 3.0], "b": [1.0, 2.0, 4.0]}))
    with pytest.raises(ValueError, match="numeric"):
        vif(pd.DataFrame({"a": ["x", "y", "z"], "b": [1.0, 2.0, 4.0]}))


def test_q1_solution_code_passes_and_off_by_one_is_explained():
    pixels = labs.data.load("digits").drop(columns="label").to_numpy(dtype=float)
    namespace = {"pixels": pixels, "PCA": PCA, "np": np}
    exec(q1.solution_code, namespace)
    assert q1.check(namespace["n_95"], show=False).correct
    result = q1.check(namespace["n_95"] - 1, show=False)
    assert result.status is Status.INCORRECT and "One short" in result.message


def test_q2_solution_code_passes_case_insensitively():
    namespace = {"churn": labs.data.load("churn"), "VIF_FEATURES": VIF_FEATURES, "vif": vif}
    exec(q2.solution_code, namespace)
    assert q2.check(namespace["top_vif_feature"], show=False).correct
    assert q2.check(namespace["top_vif_feature"].upper(), show=False).correct
    assert namespace["top_vif_feature"] in {"total_charges", "tenure_months"}
