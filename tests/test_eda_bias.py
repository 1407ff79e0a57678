"""labs.eda.bias: Clarify's pre-training bias metrics, checked against the docs' formulas."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from labs.eda import bias
from labs.errors import LabsError


def test_class_imbalance_formula_and_sign():
    assert bias.class_imbalance(80, 20) == pytest.approx(0.6)
    assert bias.class_imbalance(20, 80) == pytest.approx(-0.6)
    assert bias.class_imbalance(50, 50) == 0
    assert bias.class_imbalance(10, 0) == 1


def test_dpl_is_qa_minus_qd():
    assert bias.difference_in_proportions(0.8, 0.3) == pytest.approx(0.5)
    with pytest.raises(LabsError, match="between 0 and 1"):
        bias.difference_in_proportions(1.5, 0.3)


def test_kl_matches_the_docs_loan_example():
    # Clarify docs: 0.8*ln(0.8/0.3) + 0.2*ln(0.2/0.7) = 0.53
    assert bias.kl_divergence([0.8, 0.2], [0.3, 0.7]) == pytest.approx(
        0.8 * math.log(0.8 / 0.3) + 0.2 * math.log(0.2 / 0.7)
    )
    assert round(bias.kl_divergence([0.8, 0.2], [0.3, 0.7]), 2) == 0.53


def test_kl_is_asymmetric_and_can_be_infinite():
    a, d = [0.8, 0.2], [0.3, 0.7]
    assert bias.kl_divergence(a, d) != pytest.approx(bias.kl_divergence(d, a))
    assert bias.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert bias.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))


def test_js_is_symmetric_bounded_and_zero_for_equal():
    a, d = [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]
    assert bias.js_divergence(a, d) == pytest.approx(bias.js_divergence(d, a))
    assert bias.js_divergence(a, a) == 0
    assert bias.js_divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(math.log(2))
    mid = [(x + y) / 2 for x, y in zip(a, d, strict=True)]
    expected = 0.5 * (bias.kl_divergence(a, mid) + bias.kl_divergence(d, mid))
    assert bias.js_divergence(a, d) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("p_a", "p_d", "message"),
    [
        ([0.5, 0.6], [0.5, 0.5], "sum to 1"),
        ([0.5, 0.5], [0.2, 0.3, 0.5], "same labels"),
        ([], [], "non-empty"),
    ],
)
def test_bad_distributions_say_why(p_a, p_d, message):
    with pytest.raises(LabsError, match=message):
        bias.js_divergence(p_a, p_d)


def test_pretraining_bias_on_a_small_table():
    df = pd.DataFrame(
        {
            "group": ["x"] * 6 + ["y"] * 4,
            "label": [1, 1, 1, 0, 0, 0, 1, 0, 0, 0],
        }
    )
    report = bias.pretraining_bias(df, label="label", positive=1, facet="group", facet_d="y")
    assert (report.n_a, report.n_d) == (6, 4)
    assert pytest.approx(0.2) == report.CI
    assert report.q_a == pytest.approx(0.5) and report.q_d == pytest.approx(0.25)
    assert pytest.approx(0.25) == report.DPL
    # label distributions over [0, 1]: a = [0.5, 0.5], d = [0.75, 0.25]
    assert pytest.approx(bias.kl_divergence([0.5, 0.5], [0.75, 0.25])) == report.KL
    assert pytest.approx(bias.js_divergence([0.5, 0.5], [0.75, 0.25])) == report.JS
    assert report.as_dict()["facet"] == "group"


def test_facet_d_may_be_several_values_and_booleans():
    df = pd.DataFrame(
        {"g": ["p", "q", "r", "r"], "senior": [True, False, False, False], "y": [1, 0, 1, 0]}
    )
    two = bias.pretraining_bias(df, label="y", positive=1, facet="g", facet_d=["p", "q"])
    assert (two.n_a, two.n_d) == (2, 2)
    flag = bias.pretraining_bias(df, label="y", positive=1, facet="senior", facet_d=True)
    assert (flag.n_a, flag.n_d, flag.q_d) == (3, 1, 1.0)


def test_mistakes_give_clear_errors():
    df = pd.DataFrame({"g": ["p", "q"], "y": [1, 0]})
    with pytest.raises(LabsError, match="no column 'age'"):
        bias.pretraining_bias(df, label="y", positive=1, facet="age", facet_d="p")
    with pytest.raises(LabsError, match="Facet d is empty"):
        bias.pretraining_bias(df, label="y", positive=1, facet="g", facet_d="z")
