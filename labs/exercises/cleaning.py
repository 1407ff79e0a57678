"""Exercises of notebook 02-2-cleaning: name the kind of missingness of four columns, write
Tukey's IQR fences, and build a stop-word list that keeps negations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise

# ------------------------------------------------------------ q1: kinds of missingness

KINDS = ("MCAR", "MAR", "MNAR", "structural")
_MISSINGNESS = {
    "age": "MCAR",
    "data_usage_gb": "MAR",
    "satisfaction_score": "MNAR",
    "total_charges": "structural",
}
_MISSING_CLUES = {
    "age": "Its missing rate is the same in every group you look at: nothing observed or "
    "unobserved explains it.",
    "data_usage_gb": "Its missing rate depends on another observed column, internet_service "
    "(DSL meters fail to report).",
    "satisfaction_score": "Unhappy customers skip the survey: whether it is missing depends "
    "on the value that is missing.",
    "total_charges": "It is missing exactly when tenure_months is 0: there is no value to "
    "know yet, and the right fill is 0.",
}


def _kind(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    flat = "".join(value.split()).replace("-", "").replace("_", "").lower()
    names = {k.lower(): k for k in KINDS}
    names.update({"structurallymissing": "structural", "notapplicable": "structural"})
    return names.get(flat)


def _check_missingness(answer: Any) -> CheckResult:
    if not isinstance(answer, Mapping):
        return CheckResult.fail("Give a dict from column to kind, like {'age': 'MCAR', ...}.")
    missing = [c for c in _MISSINGNESS if c not in answer]
    if missing:
        return CheckResult.fail(f"Name the kind for every column: {', '.join(missing)} missing.")
    for column, expected in _MISSINGNESS.items():
        chosen = _kind(answer[column])
        if chosen is None:
            return CheckResult.fail(
                f"{column}: {answer[column]!r} is not one of {', '.join(KINDS)}."
            )
        if chosen != expected:
            return CheckResult.fail(f"{column}: not {chosen}. {_MISSING_CLUES[column]}")
    return CheckResult.ok(
        "MCAR can be dropped or filled simply; MAR is best filled from the columns that "
        "explain it; MNAR needs a 'was missing' indicator; structural gaps have a true value."
    )


q1 = CustomExercise(
    title="Name the kind of missingness",
    prompt=(
        "For age, data_usage_gb, satisfaction_score and total_charges, say whether their "
        "missing values are MCAR, MAR, MNAR or structural. Give a dict {column: kind}."
    ),
    check=_check_missingness,
    hints=[
        "Compare each column's missing rate across groups of another column, as the plots do.",
        "MAR: explained by another observed column. MNAR: explained by the missing value "
        "itself (you can only suspect it from the data). Structural: no value exists.",
        "total_charges is missing exactly where tenure_months is 0.",
    ],
    solution=(
        "kinds = {'age': 'MCAR', 'data_usage_gb': 'MAR', 'satisfaction_score': 'MNAR', "
        "'total_charges': 'structural'}\n"
    ),
    reference=lambda: dict(_MISSINGNESS),
    typical_wrong=[
        {c: "MCAR" for c in _MISSINGNESS},
        dict(_MISSINGNESS, data_usage_gb="MNAR", satisfaction_score="MAR"),
        dict(_MISSINGNESS, total_charges="MCAR"),
        dict(_MISSINGNESS, age="MAR"),
        dict(_MISSINGNESS, age="random"),
        {k: v for k, v in _MISSINGNESS.items() if k != "age"},
        list(_MISSINGNESS.values()),
    ],
)


# ----------------------------------------------------------------- q2: Tukey's IQR fences


def _reference_fences(values: Iterable[float]) -> tuple[float, float]:
    data = np.asarray(list(values), dtype=float)
    data = data[~np.isnan(data)]
    q1, q3 = np.quantile(data, [0.25, 0.75])
    return float(q1 - 1.5 * (q3 - q1)), float(q3 + 1.5 * (q3 - q1))


def _three_iqr(values: Iterable[float]) -> tuple[float, float]:
    """Fences at 3 IQR (Tukey's "far out" fences) instead of 1.5 IQR: fewer points flagged."""
    data = np.asarray(list(values), dtype=float)
    q1, q3 = np.nanquantile(data, [0.25, 0.75])
    return float(q1 - 3 * (q3 - q1)), float(q3 + 3 * (q3 - q1))


def _three_sigma(values: Iterable[float]) -> tuple[float, float]:
    """Mean plus or minus three standard deviations: the z-score rule, not Tukey's fences; outliers
    inflate the standard deviation they are judged by.
    """
    data = np.asarray(list(values), dtype=float)
    mean, std = np.nanmean(data), np.nanstd(data, ddof=1)
    return float(mean - 3 * std), float(mean + 3 * std)


def _quartiles_only(values: Iterable[float]) -> tuple[float, float]:
    """Returns Q1 and Q3 themselves: the fences lie 1.5 IQR beyond the quartiles."""
    q1, q3 = np.nanquantile(np.asarray(list(values), dtype=float), [0.25, 0.75])
    return float(q1), float(q3)


def _nan_blind(values: Iterable[float]) -> tuple[float, float]:
    """Quartiles computed with missing values in the data: np.quantile returns nan; use
    np.nanquantile or drop them first.
    """
    q1, q3 = np.quantile(np.asarray(list(values), dtype=float), [0.25, 0.75])
    return float(q1 - 1.5 * (q3 - q1)), float(q3 + 1.5 * (q3 - q1))


q2 = FunctionExercise(
    title="Tukey's IQR fences",
    prompt=(
        "Write iqr_fences(values) that returns (low, high) = (Q1 - 1.5 * IQR, Q3 + 1.5 * IQR) "
        "for a list or Series of numbers, ignoring missing values (NaN). Use the default "
        "(linear) quantiles of numpy or pandas."
    ),
    cases=[
        Case(([1, 2, 3, 4, 5, 6, 7, 8],), label="iqr_fences([1, ..., 8])"),
        Case(([10, 12, 11, 13, 12, 95],), label="iqr_fences([10, 12, 11, 13, 12, 95])"),
        Case(([3.0, float("nan"), 5.0, 4.0, 100.0],), label="iqr_fences([3, nan, 5, 4, 100])"),
        Case(([18, 35, 46, 56, 89, 999],), label="iqr_fences(ages with a 999 code)"),
    ],
    reference_function=_reference_fences,
    hints=[
        "Q1 and Q3 are the 25% and 75% quantiles: series.quantile([0.25, 0.75]) skips NaN.",
        "IQR = Q3 - Q1; the fences are 1.5 IQR beyond the quartiles, not beyond the median.",
        "q1, q3 = pd.Series(values).quantile([0.25, 0.75]); iqr = q3 - q1",
    ],
    solution=(
        "def iqr_fences(values):\n"
        "    q1, q3 = pd.Series(values, dtype=float).quantile([0.25, 0.75])\n"
        "    iqr = q3 - q1\n"
        "    return q1 - 1.5 * iqr, q3 + 1.5 * iqr\n"
    ),
    typical_wrong=[_three_iqr, _three_sigma, _quartiles_only, _nan_blind, "not a function"],
)


# ------------------------------------------------------ q3: stop words that keep negations

NEGATIONS = frozenset({"not", "no", "nor", "never", "cannot"})


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _check_stop_words(answer: Any) -> CheckResult:
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return CheckResult.fail("Give a set of words, e.g. ENGLISH_STOP_WORDS - {...}.")
    words = set(answer)
    if not all(isinstance(w, str) for w in words):
        return CheckResult.fail("Every stop word must be a string.")
    english = _stop_words()
    kept = sorted(NEGATIONS & words)
    if kept:
        return CheckResult.fail(
            f"Your list still removes {', '.join(kept)}: 'not great' would become 'great'. "
            "Take the negations out of the stop-word list."
        )
    extra = sorted(words - english)
    if extra:
        return CheckResult.fail(
            f"Start from ENGLISH_STOP_WORDS and only take words out; {extra[:5]} are not in it."
        )
    lost = english - words - NEGATIONS
    if len(lost) > 40:
        return CheckResult.fail(
            f"You took out {len(english) - len(words)} words: keep the rest of the list (the, "
            "a, and, ...) so it still removes the words that carry no meaning."
        )
    return CheckResult.ok(
        f"{len(words)} stop words, and not, no, nor, never and cannot survive: a sentiment "
        "model can still tell 'great' from 'not great'."
    )


q3 = CustomExercise(
    title="Stop words that keep negations",
    prompt=(
        "Build a set of stop words from scikit-learn's ENGLISH_STOP_WORDS that keeps the "
        "negations not, no, nor, never and cannot in the text (takes them out of the list) "
        "and still removes the other stop words."
    ),
    check=_check_stop_words,
    hints=[
        "ENGLISH_STOP_WORDS is a frozenset: set operations work on it.",
        "The difference of two sets, a - b, keeps what is in a and not in b.",
        'my_stop_words = ENGLISH_STOP_WORDS - {"not", "no", "nor", "never", "cannot"}',
    ],
    solution=(
        "from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS\n"
        "\n"
        'my_stop_words = ENGLISH_STOP_WORDS - {"not", "no", "nor", "never", "cannot"}\n'
    ),
    reference=lambda: _stop_words() - NEGATIONS,
    typical_wrong=lambda: [
        _stop_words(),
        _stop_words() - {"not"},
        {"not", "no"},
        set(),
        (_stop_words() - NEGATIONS) | {"great"},
        "not no never",
    ],
)
