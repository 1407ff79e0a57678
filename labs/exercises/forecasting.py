"""Exercises of notebook 04-7-forecasting: a DeepAR record, the horizon, wQuantileLoss."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from labs.exercises.core import Case, CheckResult, CustomExercise, FunctionExercise
from labs.modeling import forecast_metrics

#: The series of q1: store_2's sales of item_04 in the first week of March 2024.
Q1_STORE, Q1_ITEM = "store_2", "item_04"
Q1_FIRST, Q1_DAYS = "2024-03-01", 7


def q1_week() -> pd.DataFrame:
    """The rows of q1's series, as the notebook shows them."""
    from labs import data

    retail = data.load("retail")
    rows = retail[
        (retail["store_id"] == Q1_STORE)
        & (retail["item_id"] == Q1_ITEM)
        & (retail["date"] >= pd.Timestamp(Q1_FIRST))
    ]
    return rows.sort_values("date").head(Q1_DAYS)[["date", "store_id", "item_id", "units_sold"]]


def _q1_reference() -> dict[str, Any]:
    week = q1_week()
    return {
        "start": f"{Q1_FIRST} 00:00:00",
        "target": [float(v) for v in week["units_sold"]],
        "cat": [1, 3],
    }


def _as_record(answer: Any) -> dict[str, Any]:
    if isinstance(answer, str):
        return json.loads(answer)
    if isinstance(answer, dict):
        return answer
    raise TypeError(f"expected a dict or a JSON string, got {type(answer).__name__}")


def _check_record(answer: Any) -> CheckResult:
    try:
        record = _as_record(answer)
    except (json.JSONDecodeError, TypeError) as error:
        return CheckResult.fail(f"Give the record as a dict (or one JSON line): {error}")
    if not isinstance(record, dict):
        return CheckResult.fail("A DeepAR record is one JSON object: a dict, not a list.")
    expected = _q1_reference()
    missing = [k for k in ("start", "target") if k not in record]
    if missing:
        return CheckResult.fail(f"The record needs {' and '.join(missing)}: DeepAR requires both.")
    extra = sorted(set(record) - {"start", "target", "cat", "dynamic_feat"})
    if extra:
        return CheckResult.fail(
            f'DeepAR does not know the field(s) {extra}: the store and item go in "cat" as '
            'numbers, the date only in "start".'
        )
    try:
        start = pd.Timestamp(record["start"])
    except (ValueError, TypeError):
        return CheckResult.fail(f'"start" {record["start"]!r} is not a timestamp.')
    if start.tzinfo is not None:
        return CheckResult.fail('"start" must not carry a time zone: write "2024-03-01 00:00:00".')
    if start != pd.Timestamp(Q1_FIRST):
        return CheckResult.fail(
            f'"start" is {start}, but the series starts on {Q1_FIRST}: the first date of the week.'
        )
    target = record["target"]
    if not isinstance(target, list) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in target
    ):
        return CheckResult.fail(
            '"target" must be a plain list of numbers (the units sold per day, in date order), '
            "not rows or dicts."
        )
    if [float(v) for v in target] != expected["target"]:
        if sorted(float(v) for v in target) == sorted(expected["target"]):
            return CheckResult.fail(
                '"target" has the right values in the wrong order: sort by date.'
            )
        return CheckResult.fail(
            f'"target" should be the {Q1_DAYS} daily units_sold values of {Q1_STORE} / '
            f"{Q1_ITEM} from {Q1_FIRST}, in date order."
        )
    cat = record.get("cat")
    if cat is None:
        return CheckResult.fail('Add "cat": [store code, item code] so the model knows the group.')
    if cat == [2, 4]:
        return CheckResult.fail(
            '"cat" codes start at 0: store_1 is 0, so store_2 is 1 and item_04 is 3.'
        )
    if cat != expected["cat"]:
        return CheckResult.fail(
            f'"cat" should be [store code, item code] from CAT_CODES: got {cat!r}. DeepAR '
            "takes integer codes, not names."
        )
    return CheckResult.ok("A valid DeepAR training record for that week.")


def _q1_wrong() -> list[Any]:
    right = _q1_reference()
    week = q1_week()
    return [
        {k: v for k, v in right.items() if k != "start"},
        {**right, "cat": [2, 4]},
        {**right, "cat": [Q1_STORE, Q1_ITEM]},
        {**right, "target": list(reversed(right["target"]))},
        {**right, "start": "2024-03-01T00:00:00+00:00"},
        {**right, "target": week.to_dict("records")},
        {**right, "store_id": Q1_STORE},
    ]


q1 = CustomExercise(
    title="Write one series as a DeepAR record",
    prompt=(
        f"Build the DeepAR record (a dict, or one JSON line) of {Q1_STORE}'s sales of {Q1_ITEM} "
        f'for the {Q1_DAYS} days from {Q1_FIRST} (the table `week`), with "cat" = '
        "[store code, item code] from CAT_CODES."
    ),
    check=_check_record,
    hints=[
        'Three fields: "start" (the first timestamp), "target" (the values in date order) '
        'and "cat" (integer codes).',
        'week["units_sold"].tolist() is the target; CAT_CODES["store_id"]["store_2"] is the '
        "store code.",
        'Write "start" as "2024-03-01 00:00:00": DeepAR takes no time zone.',
    ],
    solution=(
        "record = {\n"
        '    "start": str(week["date"].iloc[0]),\n'
        '    "target": week["units_sold"].astype(float).tolist(),\n'
        '    "cat": [CAT_CODES["store_id"]["store_2"], CAT_CODES["item_id"]["item_04"]],\n'
        "}\n"
    ),
    reference=_q1_reference,
    typical_wrong=_q1_wrong,
)


def _check_lengths(answer: Any) -> CheckResult:
    if not isinstance(answer, dict) or not {"prediction_length", "context_length"} <= set(answer):
        return CheckResult.fail(
            'Give a dict: {"prediction_length": ..., "context_length": ...} (numbers of steps).'
        )
    horizon, context = answer["prediction_length"], answer["context_length"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (horizon, context)):
        return CheckResult.fail("Both lengths are whole numbers of time steps (days here).")
    if horizon == 2:
        return CheckResult.fail(
            "time_freq is D, so lengths count days, not weeks: two weeks are 14 steps."
        )
    if horizon < 14:
        return CheckResult.fail(
            f"prediction_length={horizon} forecasts only {horizon} days, but each order covers "
            "the next 14 days; DeepAR cannot forecast past prediction_length."
        )
    if horizon > 14:
        return CheckResult.fail(
            f"prediction_length={horizon} forecasts further than the 14 days an order covers: "
            "the extra days cost accuracy and nobody uses them."
        )
    if context >= 365:
        return CheckResult.fail(
            "DeepAR adds lags of 1-4 weeks and a year itself, so the context need not cover a "
            "year: the guide advises a context_length about equal to prediction_length."
        )
    if context < 7:
        return CheckResult.fail(
            f"context_length={context} shows the model less than one week of recent sales; "
            "about the same as prediction_length is the guide's advice."
        )
    if context > 2 * horizon:
        return CheckResult.fail(
            f"context_length={context} is much longer than the horizon: the guide advises about "
            "the same as prediction_length (the lags supply the longer history)."
        )
    return CheckResult.ok("prediction_length = 14 days; context_length about the same.")


q2 = CustomExercise(
    title="Choose prediction_length and context_length",
    prompt=(
        "Daily sales (time_freq='D'). Every Monday the planners order stock for the next two "
        'weeks. Give {"prediction_length": ..., "context_length": ...} for the DeepAR job.'
    ),
    check=_check_lengths,
    hints=[
        "Lengths count time steps of time_freq: here days.",
        "prediction_length is the horizon the model is trained for; it cannot forecast further.",
        "DeepAR Hyperparameters: context_length should be about the same as prediction_length; "
        "the model adds weekly and yearly lags itself.",
    ],
    solution='lengths = {"prediction_length": 14, "context_length": 14}\n',
    reference=lambda: {"prediction_length": 14, "context_length": 14},
    typical_wrong=[
        {"prediction_length": 2, "context_length": 2},
        {"prediction_length": 14, "context_length": 365},
        {"prediction_length": 7, "context_length": 7},
        {"prediction_length": 28, "context_length": 28},
        {"prediction_length": 14, "context_length": 3},
        [14, 14],
    ],
)


def _wql(actual: Sequence[float], forecast: Sequence[float], tau: float) -> float:
    return forecast_metrics.weighted_quantile_loss(actual, forecast, tau)


def _no_factor_two(actual: Sequence[float], forecast: Sequence[float], tau: float) -> float:
    """Leaves out the factor 2: DeepAR's wQuantileLoss is 2 x the summed pinball loss / sum |y|."""
    y, q = list(actual), list(forecast)
    loss = sum(tau * max(a - f, 0) + (1 - tau) * max(f - a, 0) for a, f in zip(y, q, strict=True))
    return loss / sum(abs(a) for a in y)


def _swapped_weights(actual: Sequence[float], forecast: Sequence[float], tau: float) -> float:
    """Swaps the weights: a forecast BELOW the actual (under-forecast) costs tau, not 1 - tau."""
    y, q = list(actual), list(forecast)
    loss = sum((1 - tau) * max(a - f, 0) + tau * max(f - a, 0) for a, f in zip(y, q, strict=True))
    return 2 * loss / sum(abs(a) for a in y)


def _mean_not_weighted(actual: Sequence[float], forecast: Sequence[float], tau: float) -> float:
    """Averages over the points instead of dividing by the sum of |actual| (it is weighted)."""
    y, q = list(actual), list(forecast)
    loss = sum(tau * max(a - f, 0) + (1 - tau) * max(f - a, 0) for a, f in zip(y, q, strict=True))
    return 2 * loss / len(y)


q3 = FunctionExercise(
    title="Compute DeepAR's weighted quantile loss",
    prompt=(
        "Write wql(actual, forecast, tau): DeepAR's wQuantileLoss[tau] of a tau-quantile "
        "forecast, 2 * sum(tau * max(y - q, 0) + (1 - tau) * max(q - y, 0)) / sum(|y|)."
    ),
    cases=[
        Case(args=([10.0, 20.0], [12.0, 18.0], 0.5)),
        Case(args=([10.0, 20.0, 30.0], [5.0, 22.0, 30.0], 0.9), label="wql(3 days, tau=0.9)"),
        Case(args=([10.0, 20.0, 30.0], [5.0, 22.0, 30.0], 0.1), label="wql(3 days, tau=0.1)"),
        Case(args=([4.0, 0.0, 6.0, 10.0], [4.0, 1.0, 8.0, 5.0], 0.8)),
    ],
    reference_function=_wql,
    rel_tol=1e-6,
    hints=[
        "For each point: if the actual is above the quantile (y > q) the loss is tau * (y - q), "
        "else (1 - tau) * (q - y).",
        "Add the losses up, multiply by 2 and divide by the sum of |actual| over the same points.",
    ],
    solution=(
        "def wql(actual, forecast, tau):\n"
        "    loss = sum(\n"
        "        tau * max(y - q, 0) + (1 - tau) * max(q - y, 0)\n"
        "        for y, q in zip(actual, forecast)\n"
        "    )\n"
        "    return 2 * loss / sum(abs(y) for y in actual)\n"
    ),
    typical_wrong=[_no_factor_two, _swapped_weights, _mean_not_weighted],
)
