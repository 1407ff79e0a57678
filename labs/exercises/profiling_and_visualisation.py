"""Exercises of notebook 02-1-profiling-and-visualisation: a rank correlation that outliers
cannot hide, a chi-square p-value, and reading plots the way exam questions describe them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labs import data
from labs.exercises.core import CheckResult, CustomExercise, ValueExercise

# ------------------------------------------------------- q1: Spearman through the outliers

_PAIR = ("monthly_charges", "data_usage_gb")


def _correlation(method: str) -> float:
    churn = data.load("churn")
    return float(churn[_PAIR[0]].corr(churn[_PAIR[1]], method=method))


def _spearman() -> float:
    return _correlation("spearman")


def _wrong_correlations(expected: float) -> list[tuple[Any, str]]:
    return [
        (
            round(_correlation("pearson"), 4),
            "That is the Pearson correlation (the default of .corr()): the one the outliers "
            "hide. Pass method='spearman'.",
        ),
        (
            round(_correlation("kendall"), 4),
            "That is Kendall's tau, another rank correlation: ask .corr() for Spearman's.",
        ),
        (
            round(-expected, 4),
            "The sign is wrong: customers who use more data pay more, not less.",
        ),
    ]


q1 = ValueExercise(
    title="The rank correlation of charges and data usage",
    prompt=(
        "Compute the Spearman rank correlation between monthly_charges and data_usage_gb "
        "in the churn table (missing values are left out pairwise, as pandas does)."
    ),
    expected=_spearman,
    abs_tol=0.005,
    rel_tol=0,
    wrong_answer_reasons=_wrong_correlations,
    hints=[
        "Series.corr(other, method=...) computes a correlation between two columns.",
        "Spearman's correlation is Pearson's correlation of the ranks: method='spearman'.",
        'churn["monthly_charges"].corr(churn["data_usage_gb"], method="spearman")',
    ],
    solution=(
        'rank_corr = churn["monthly_charges"].corr(churn["data_usage_gb"], method="spearman")\n'
    ),
    explanation=(
        "Ranks do not care how far a value sits from the others, so six unit errors and ten "
        "extreme users cannot drown a strong monotonic relation, as they do Pearson's."
    ),
    reference=_spearman,
)


# ----------------------------------------------------------------- q2: a chi-square p-value

_TESTED = "paperless_billing"


def _chi_square(correction: bool = True) -> tuple[float, float]:
    import pandas as pd
    from scipy import stats

    churn = data.load("churn")
    result = stats.chi2_contingency(
        pd.crosstab(churn[_TESTED], churn["churn"]), correction=correction
    )
    return float(result.statistic), float(result.pvalue)


def _p_value() -> float:
    return _chi_square()[1]


def _wrong_p_values(expected: float) -> list[tuple[Any, str]]:
    statistic, _ = _chi_square()
    _, uncorrected = _chi_square(correction=False)
    return [
        (
            round(statistic, 4),
            "That is the chi-square statistic, the first value of the result: the p-value is "
            "its .pvalue (the second value).",
        ),
        (
            round(uncorrected, 4),
            "That p-value is without Yates' continuity correction: use chi2_contingency with "
            "its defaults (it corrects 2x2 tables).",
        ),
        (0.05, "0.05 is the usual significance level, not the p-value of this test."),
        (round(1 - expected, 4), "That is 1 - p: give the p-value itself."),
    ]


q2 = ValueExercise(
    title="Is paperless billing related to churn?",
    prompt=(
        "Run the chi-square test of independence between paperless_billing and churn with "
        "scipy.stats.chi2_contingency (defaults) on their contingency table, and give the "
        "p-value."
    ),
    expected=_p_value,
    rel_tol=1e-3,
    abs_tol=0,
    wrong_answer_reasons=_wrong_p_values,
    hints=[
        "pd.crosstab(churn['paperless_billing'], churn['churn']) is the contingency table.",
        "stats.chi2_contingency(table) returns statistic, pvalue, dof and expected_freq.",
        "p_value = stats.chi2_contingency(table).pvalue",
    ],
    solution=(
        "from scipy import stats\n"
        "\n"
        'table = pd.crosstab(churn["paperless_billing"], churn["churn"])\n'
        "p_value = stats.chi2_contingency(table).pvalue\n"
    ),
    explanation=(
        "p is about 0.11, above 0.05: no evidence of an association at the 5% level. Yet the "
        "generator gives paperless billing a small real effect: failing to reject the null "
        "hypothesis does not prove there is no effect, only that this sample cannot show it."
    ),
    reference=_p_value,
)


# ------------------------------------------------------------ q3: read plots like the exam

CONCLUSIONS: dict[str, str] = {
    "skewed": "long right tail: try a log transform (or a rank-based method)",
    "outliers": "a few extreme values: check them and decide (fix, cap, drop or keep)",
    "collinear": "two features carry the same information: drop one, combine them or use PCA",
    "seasonal": "a pattern that repeats on the calendar: add date features, split by time",
    "nonlinear": "a relation a straight line misses: bin the feature or use a tree model",
    "unrelated": "no evidence of a relation with the target: a candidate to drop",
}

PLOTS: dict[str, str] = {
    "a": "A histogram of data_usage_gb: most customers pile up below 300 GB and a thin run "
    "of bars stretches to 5,000 GB; the mean is well above the median.",
    "b": "A box plot of monthly_charges: the box spans 57 to 90 dollars, and six points sit "
    "above 1,800 dollars, far beyond the upper whisker.",
    "c": "A correlation heatmap: tenure_months and total_charges meet in a dark red cell of 0.84.",
    "d": "A line chart of daily units sold: a rise every Friday to Sunday and a dip early in "
    "each week, all three years long.",
    "e": "Churn rate against day_minutes: high below 90 minutes and above 260, flat in "
    "between; the Pearson correlation with churn is close to 0.",
    "f": "A chi-square test of state against churn gives p = 0.64.",
}

_PLOT_ANSWERS = {
    "a": "skewed",
    "b": "outliers",
    "c": "collinear",
    "d": "seasonal",
    "e": "nonlinear",
    "f": "unrelated",
}

_PLOT_CLUES = {
    "a": "A tall pile on the left, a thin tail to the right, mean above median: the shape "
    "has a name, and a transform fixes it.",
    "b": "Points beyond the whiskers (1.5 IQR past the box) are what a box plot flags.",
    "c": "0.84 between two inputs says they move together: a problem for linear models' "
    "coefficients, whatever their link with the target.",
    "d": "A pattern that comes back every week is tied to the calendar.",
    "e": "A correlation near 0 only rules out a straight-line relation; high at both ends "
    "is a U-shape.",
    "f": "p = 0.64 is far above 0.05: the data show no association.",
}


def _choice(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    flat = "".join(value.lower().split()).replace("-", "").replace("_", "")
    aliases = {"nonlinear": "nonlinear", "skew": "skewed", "outlier": "outliers"}
    if flat in aliases:
        return aliases[flat]
    return flat if flat in CONCLUSIONS else None


def _check_plots(answer: Any) -> CheckResult:
    if not isinstance(answer, Mapping):
        return CheckResult.fail(
            "Give a dict from letter to conclusion, like {'a': 'skewed', 'b': ...}."
        )
    missing = [k for k in PLOTS if k not in answer]
    if missing:
        return CheckResult.fail(f"Answer every plot: {', '.join(missing)} missing.")
    for key, expected in _PLOT_ANSWERS.items():
        chosen = _choice(answer[key])
        if chosen is None:
            return CheckResult.fail(
                f"Plot {key}: {answer[key]!r} is not one of {', '.join(CONCLUSIONS)}."
            )
        if chosen != expected:
            return CheckResult.fail(f"Plot {key}: not {chosen!r}. {_PLOT_CLUES[key]}")
    return CheckResult.ok(
        "Skew, outliers, collinearity, seasonality, a non-linear relation and no relation: "
        "the six readings exam scenarios describe most often."
    )


q3 = CustomExercise(
    title="Read six plots the way the exam describes them",
    prompt=(
        "For each description in PLOTS choose the conclusion it supports from CONCLUSIONS. "
        "Give a dict {'a': ..., ..., 'f': ...} of CONCLUSIONS keys."
    ),
    check=_check_plots,
    hints=[
        "Each conclusion is used exactly once.",
        "A Pearson correlation near 0 does not mean 'unrelated': look at the shape.",
        "A thin tail to the right = skewed; points past the whiskers = outliers; a high "
        "correlation between two inputs = collinear.",
    ],
    solution=(
        "readings = {'a': 'skewed', 'b': 'outliers', 'c': 'collinear', 'd': 'seasonal', "
        "'e': 'nonlinear', 'f': 'unrelated'}\n"
    ),
    reference=lambda: dict(_PLOT_ANSWERS),
    typical_wrong=[
        {k: "outliers" for k in PLOTS},
        dict(_PLOT_ANSWERS, e="unrelated", f="nonlinear"),
        dict(_PLOT_ANSWERS, a="outliers", b="skewed"),
        dict(_PLOT_ANSWERS, c="nonlinear", e="collinear"),
        dict(_PLOT_ANSWERS, d="trend"),
        {k: v for k, v in _PLOT_ANSWERS.items() if k != "f"},
        list(_PLOT_ANSWERS.values()),
    ],
)
