"""Exercises of notebook 04-1-framing-the-problem: approach per scenario, seasonal naive, cost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise, ValueExercise
from labs.modeling import baselines, error_costs

#: The approaches a learner may give for each scenario of q1.
CHOICES = (
    "no ML",
    "XGBoost",
    "K-Means",
    "DeepAR",
    "Amazon Comprehend",
    "Amazon Personalize",
)

#: The scenarios of q1, by letter.
SCENARIOS = {
    "a": "Flag every payment above $10,000 for review, as a regulation requires.",
    "b": "Predict which subscribers will cancel next month from a table of account data, "
    "with two years of labelled history.",
    "c": "Split customers into groups for marketing; nobody has labelled any groups.",
    "d": "Forecast daily demand for 2,000 products in 40 stores, many series with a short history.",
    "e": "Find the sentiment and the product names in support e-mails; the team has no ML "
    "experience.",
    "f": "Recommend products to each shopper of a web shop from their clicks and purchases, "
    "with a managed service.",
}

_ANSWERS = {
    "a": "no ML",
    "b": "XGBoost",
    "c": "K-Means",
    "d": "DeepAR",
    "e": "Amazon Comprehend",
    "f": "Amazon Personalize",
}

#: Why a wrong choice is wrong, by (scenario, choice).
_WHY = {
    ("a", "XGBoost"): "the rule is fixed and known: a simple comparison implements it exactly, "
    "a model would only approximate it",
    ("b", "K-Means"): "there are labels (cancelled or not) to learn from: this is supervised "
    "binary classification",
    ("b", "no ML"): "nobody can write the rule down, and there is labelled history to learn it",
    ("c", "XGBoost"): "XGBoost needs a label to learn; without labels this is clustering",
    ("d", "XGBoost"): "many related series with short histories are what DeepAR, one model "
    "trained across all series, is built for",
    ("e", "XGBoost"): "an AI service does this without training anything, which suits a team "
    "without ML experience",
    ("f", "K-Means"): "clusters are not per-shopper recommendations; Amazon Personalize learns "
    "from the interactions",
}


def _check_scenarios(answer: Any) -> CheckResult:
    if not isinstance(answer, dict):
        return CheckResult.fail(
            'Give a dict from scenario letter to approach, like {"a": "no ML", "b": ...}.'
        )
    keys = {str(k).strip().lower() for k in answer}
    missing = sorted(set(SCENARIOS) - keys)
    if missing:
        return CheckResult.fail(f"Answer every scenario: missing {', '.join(missing)}.")
    given = {str(k).strip().lower(): str(v).strip() for k, v in answer.items()}
    by_name = {c.lower(): c for c in CHOICES}
    for letter in sorted(SCENARIOS):
        choice = by_name.get(given[letter].lower())
        if choice is None:
            return CheckResult.fail(
                f"Scenario {letter}: {given[letter]!r} is not one of the choices {list(CHOICES)}."
            )
        if choice != _ANSWERS[letter]:
            why = _WHY.get((letter, choice), "re-read what the scenario has (labels? a rule?)")
            return CheckResult.fail(f"Scenario {letter}: not {choice}: {why}.")
    return CheckResult.ok("All six scenarios are framed right.")


def _wrong_scenarios() -> list[Any]:
    rules_as_ml = dict(_ANSWERS, a="XGBoost")
    clustering_labels = dict(_ANSWERS, b="K-Means")
    trees_for_segments = dict(_ANSWERS, c="XGBoost")
    no_service = dict(_ANSWERS, e="XGBoost")
    forecast_service = dict(_ANSWERS, d="Amazon Forecast")
    partial = {k: v for k, v in _ANSWERS.items() if k != "f"}
    return [
        rules_as_ml,
        clustering_labels,
        trees_for_segments,
        no_service,
        forecast_service,
        partial,
        "XGBoost",
    ]


q1 = CustomExercise(
    title="Frame six business problems",
    prompt=(
        "For each scenario in SCENARIOS, choose one approach from CHOICES and give a dict "
        'from letter to approach, e.g. {"a": "no ML", ...}.'
    ),
    check=_check_scenarios,
    hints=[
        "First ask: is there a known rule? Then: is there a label to learn from?",
        "Labels and a table: supervised (XGBoost). No labels: clustering (K-Means). "
        "Many related time series: DeepAR.",
        "Text understanding without an ML team is an AI service (Comprehend); per-user "
        "recommendations as a managed service is Personalize.",
    ],
    solution=(
        "approaches = {\n"
        '    "a": "no ML",\n'
        '    "b": "XGBoost",\n'
        '    "c": "K-Means",\n'
        '    "d": "DeepAR",\n'
        '    "e": "Amazon Comprehend",\n'
        '    "f": "Amazon Personalize",\n'
        "}\n"
    ),
    reference=lambda: dict(_ANSWERS),
    typical_wrong=_wrong_scenarios,
)


def _seasonal_naive(history: list[float], season: int, horizon: int) -> list[float]:
    return baselines.seasonal_naive(history, season, horizon).tolist()


def _first_values(history: Sequence[float], season: int, horizon: int) -> list[float]:
    """Copies the start of the history: the forecast repeats the most recent season."""
    return list(history)[:horizon]


def _last_value(history: Sequence[float], season: int, horizon: int) -> list[float]:
    """Repeats the last value (the plain naive forecast): seasonal naive repeats the last
    season, so each step copies the value one season earlier."""
    return [list(history)[-1]] * horizon


def _no_repeat(history: Sequence[float], season: int, horizon: int) -> list[float]:
    """Stops after one season: a horizon longer than the season must wrap around (h % season)."""
    return list(history)[-season:][:horizon]


_WEEK = [10.0, 12.0, 11.0, 13.0, 20.0, 30.0, 25.0]

q2 = FunctionExercise(
    title="Write the seasonal naive forecast",
    prompt=(
        "Write seasonal_naive(history, season, horizon) that returns a list of `horizon` "
        "forecasts, each the value exactly one season earlier (repeat the last season)."
    ),
    cases=[
        Case(args=([1.0, 2.0, 3.0, 4.0], 2, 2)),
        Case(args=([1.0, 2.0, 3.0, 4.0], 2, 5)),
        Case(args=([5.0, *_WEEK], 7, 7), label="seasonal_naive(one week and a day, 7, 7)"),
        Case(args=([5.0, *_WEEK, 9.0], 7, 10), label="seasonal_naive(9 days, 7, 10)"),
        Case(args=([3.0, 4.0, 8.0], 1, 3)),
    ],
    reference_function=_seasonal_naive,
    hints=[
        "Start from the last `season` values: history[-season:].",
        "Forecast step h (0, 1, 2, ...) is last_season[h % season]; the % repeats the "
        "season when the horizon is longer.",
    ],
    solution=(
        "def seasonal_naive(history, season, horizon):\n"
        "    last_season = list(history)[-season:]\n"
        "    return [last_season[h % season] for h in range(horizon)]\n"
    ),
    typical_wrong=[_first_values, _last_value, _no_repeat],
)

#: The costs of q3: a retention offer to someone who would have stayed, and a lost customer.
Q3_COST_FP = 20.0
Q3_COST_FN = 300.0

q3 = ValueExercise(
    title="The break-even threshold",
    prompt=(
        f"A false alarm costs ${Q3_COST_FP:.0f} (an offer to a customer who would stay) and a "
        f"missed churner ${Q3_COST_FN:.0f}. Above which churn probability should a customer "
        "get the offer? Give a number between 0 and 1."
    ),
    expected=error_costs.break_even_threshold(Q3_COST_FP, Q3_COST_FN),
    rel_tol=0,
    abs_tol=0.001,
    wrong_answer_reasons=[
        (0.5, "0.5 is the default threshold, right only when both errors cost the same."),
        (
            Q3_COST_FN / (Q3_COST_FP + Q3_COST_FN),
            "That is the wrong way round: expensive misses should make you flag more "
            "customers, so the threshold goes down, not up.",
        ),
        (
            Q3_COST_FP / Q3_COST_FN,
            "Close, but divide by the sum of both costs: at the threshold p, flagging costs "
            "(1 - p) x cost_fp and not flagging p x cost_fn.",
        ),
    ],
    hints=[
        "Flag a customer when the expected cost of not flagging, p x cost_fn, is larger than "
        "the expected cost of flagging, (1 - p) x cost_fp.",
        "Solve p x cost_fn = (1 - p) x cost_fp for p.",
    ],
    solution="threshold = 20 / (20 + 300)  # cost_fp / (cost_fp + cost_fn)\n",
)
