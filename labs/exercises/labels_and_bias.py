"""Exercises of notebook 02-3-labels-and-bias: CI and DPL of a facet, and the JS divergence."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from labs.exercises.core import Case, FunctionExercise, ValueExercise


def _adults_with_seniors():  # -> pd.DataFrame
    """The notebook's ``adults`` table (plausible ages 18-89) with a ``senior`` column."""
    import labs.data

    churn = labs.data.load("churn")
    adults = churn[churn["age"].between(18, 89)].copy()
    adults["senior"] = adults["age"] >= 65
    return adults


def _ci_dpl(adults, d_is_senior: bool = True) -> dict[str, float]:
    in_d = adults["senior"] == d_is_senior
    n_d, n_a = int(in_d.sum()), int((~in_d).sum())
    q_d = float(adults.loc[in_d, "churn"].mean())
    q_a = float(adults.loc[~in_d, "churn"].mean())
    return {"CI": (n_a - n_d) / (n_a + n_d), "DPL": q_a - q_d}


def _expected_senior() -> dict[str, float]:
    return _ci_dpl(_adults_with_seniors())


def _senior_mistakes(expected: dict[str, float]) -> list[tuple[dict[str, float], str]]:
    adults = _adults_with_seniors()
    swapped = _ci_dpl(adults, d_is_senior=False)
    counts_not_shares = dict(expected)
    in_d = adults["senior"]
    counts_not_shares["DPL"] = float(
        adults.loc[~in_d, "churn"].sum() - adults.loc[in_d, "churn"].sum()
    )
    return [
        (
            swapped,
            "Both signs are flipped: you made the seniors facet a. Facet d is the group you "
            "study (the seniors); facet a is everyone else, and CI = (n_a - n_d)/(n_a + n_d).",
        ),
        (
            {"CI": expected["CI"], "DPL": -expected["DPL"]},
            "CI is right, DPL has the wrong sign: DPL = q_a - q_d (facet a's churn rate minus "
            "the seniors').",
        ),
        (
            {"CI": -expected["CI"], "DPL": expected["DPL"]},
            "DPL is right, CI has the wrong sign: CI = (n_a - n_d)/(n_a + n_d), positive when "
            "facet d is the smaller group.",
        ),
        (
            counts_not_shares,
            "DPL compares proportions (q = churners / members of the facet), not counts of "
            "churners.",
        ),
    ]


q1 = ValueExercise(
    title="CI and DPL of the seniors facet",
    prompt=(
        "Facet d is the customers aged 65 or over in `adults`; facet a is every other adult. "
        "The label of interest is churn = 1. Give {'CI': ..., 'DPL': ...} as Clarify defines "
        "them."
    ),
    expected=_expected_senior,
    rel_tol=1e-3,
    abs_tol=1e-4,
    wrong_answer_reasons=_senior_mistakes,
    hints=[
        "Build a boolean column: adults['senior'] = adults['age'] >= 65. That is facet d.",
        "CI = (n_a - n_d) / (n_a + n_d) counts rows; DPL = q_a - q_d compares churn rates "
        "(the mean of churn in each facet).",
        "bias.pretraining_bias(adults, label='churn', positive=1, facet='senior', "
        "facet_d=True) computes both: read .CI and .DPL.",
    ],
    solution=(
        'adults["senior"] = adults["age"] >= 65\n'
        "report = bias.pretraining_bias(\n"
        '    adults, label="churn", positive=1, facet="senior", facet_d=True\n'
        ")\n"
        'senior_metrics = {"CI": report.CI, "DPL": report.DPL}\n'
    ),
    explanation=(
        "CI near 0.8 says seniors are a small slice of the data (a model sees few of them); "
        "DPL near 0 says their churn rate is close to everyone else's."
    ),
)


def _js_reference(p_a: Sequence[float], p_d: Sequence[float]) -> float:
    a, d = np.asarray(p_a, dtype=float), np.asarray(p_d, dtype=float)
    mid = (a + d) / 2

    def kl(p: np.ndarray, q: np.ndarray) -> float:
        mask = p > 0
        return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))

    return 0.5 * (kl(a, mid) + kl(d, mid))


def _kl_instead(p_a: Sequence[float], p_d: Sequence[float]) -> float:
    """KL(Pa || Pd) instead of JS: KL is asymmetric and compares each distribution with the other,
    not with their average P = (Pa + Pd) / 2.
    """
    a, d = np.asarray(p_a, dtype=float), np.asarray(p_d, dtype=float)
    return float(np.sum(a * np.log(a / d)))


def _js_in_bits(p_a: Sequence[float], p_d: Sequence[float]) -> float:
    """Logarithm base 2 (bits): Clarify's JS uses the natural logarithm."""
    return _js_reference(p_a, p_d) / math.log(2)


def _js_without_half(p_a: Sequence[float], p_d: Sequence[float]) -> float:
    """The two KL terms summed without the factor 1/2."""
    return 2 * _js_reference(p_a, p_d)


q2 = FunctionExercise(
    title="Write the Jensen-Shannon divergence",
    prompt=(
        "Write js_divergence(p_a, p_d) for two label distributions (lists of probabilities "
        "over the same labels), with Clarify's formula: JS = 1/2 [KL(P_a || P) + "
        "KL(P_d || P)], P = (P_a + P_d)/2, natural logarithms. Do not call labs.eda.bias."
    ),
    cases=[
        Case(args=([0.8, 0.2], [0.3, 0.7]), label="the docs' loan example"),
        Case(args=([0.5, 0.5], [0.5, 0.5]), label="two equal distributions"),
        Case(args=([0.2, 0.3, 0.5], [0.6, 0.3, 0.1]), label="three labels"),
        Case(args=([1.0, 0.0], [0.0, 1.0]), label="no label in common (JS = ln 2)"),
    ],
    reference_function=_js_reference,
    rel_tol=1e-6,
    abs_tol=1e-9,
    hints=[
        "Start from KL(p || q) = sum over labels of p * ln(p / q); a label with p = 0 adds 0.",
        "P is the average of the two distributions: compare each of them with P, not with "
        "each other.",
        "np.log is the natural log; skip terms where p == 0 (mask = p > 0) so 0 * ln 0 "
        "counts as 0.",
    ],
    solution=(
        "import numpy as np\n"
        "\n"
        "def js_divergence(p_a, p_d):\n"
        "    a, d = np.asarray(p_a, float), np.asarray(p_d, float)\n"
        "    mid = (a + d) / 2\n"
        "\n"
        "    def kl(p, q):\n"
        "        mask = p > 0\n"
        "        return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))\n"
        "\n"
        "    return 0.5 * (kl(a, mid) + kl(d, mid))\n"
    ),
    typical_wrong=[_kl_instead, _js_in_bits, _js_without_half],
    explanation=(
        "Unlike KL, JS is symmetric and always finite: it stays below ln 2 even when one "
        "facet never shows a label the other does."
    ),
)
