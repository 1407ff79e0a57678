"""Local stand-in for the SageMaker AI built-in DeepAR forecasting algorithm.

Sources: the developer guide pages "DeepAR Hyperparameters", "Tune a DeepAR Model"
(metrics ``test:RMSE``, ``test:mean_wQuantileLoss``, ``train:final_loss``), "DeepAR
Inference Formats" and "Input/Output Interface for the DeepAR Algorithm".

What a learner gets, as on AWS:

- Image ``.../forecasting-deepar:1`` (what ``image_uris.retrieve("forecasting-deepar",
  region)`` gives). Channels ``train`` (required) and ``test`` (optional). Files are JSON
  Lines, optionally gzipped, or Parquet (:mod:`labs.algorithms._timeseries`): one series
  per record with ``start``, ``target`` (``"NaN"`` or ``null`` for missing values) and
  optionally ``cat`` and ``dynamic_feat``. A record without ``start``, a bad value or a
  ``dynamic_feat`` of the wrong length fails the job and names the file and line.
- Required hyperparameters ``context_length``, ``epochs``, ``prediction_length``,
  ``time_freq`` (``D``, ``5min``, ``2H``, ``W``, ``M``...); the optional ones with their
  documented defaults (``likelihood`` student-T, ``num_cells`` 40, ``num_layers`` 2,
  ``learning_rate`` 0.001, ``mini_batch_size`` 128, ``dropout_rate`` 0.1,
  ``embedding_dimension`` 10, ``num_eval_samples`` 100, ``cardinality`` and
  ``num_dynamic_feat`` ``auto``, ``test_quantiles`` 0.1 ... 0.9).
- The test channel holds the train series extended by ``prediction_length`` values: its
  last ``prediction_length`` values are forecast from the values before them, giving
  ``test:RMSE`` (of the mean forecast), ``wQuantileLoss[τ]`` per test quantile and their
  mean ``test:mean_wQuantileLoss``, logged as ``#test_score (algo-1, RMSE): 12.3``.
  ``train:final_loss`` is the negative log-likelihood of the last training window.
- :func:`predict` answers like the endpoint: ``mean``, ``quantiles`` and ``samples`` per
  instance, ``num_samples`` sample paths.

How it differs from the real one (an LSTM trained with the likelihood as its loss): the
model is a scikit-learn multi-layer perceptron (``num_layers`` x ``num_cells`` ReLU units,
Adam with ``learning_rate``, ``mini_batch_size``) trained for ``epochs`` epochs of 50
random mini-batches of windows, with squared error on mean-scaled values; it forecasts the
whole horizon at once instead of step by step. The likelihood is fitted afterwards to
held-out residuals, whose spread depends on the horizon and on the series' scale, and
sample paths draw each step independently (so they lack the step-to-step correlation of
DeepAR's paths). ``cat`` features are one-hot encoded rather than embedded
(``embedding_dimension`` is accepted, not used) and ``dropout_rate`` is accepted, not
used. See :mod:`labs.algorithms._deepar_model`. The artifact ``model_algo-1`` is a joblib
file of this kit, not DeepAR's MXNet model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from labs.algorithms import _deepar_model, _timeseries
from labs.algorithms._common import info, load_model, quality_metric, report, save_model
from labs.algorithms._timeseries import Series
from labs.algorithms.base import (
    NUMBER,
    AlgorithmSpec,
    Hyperparameter,
    Metric,
    TrainingContext,
    client_error,
    tuning_hyperparameter,
)
from labs.modeling.forecast_metrics import rmse, weighted_quantile_loss

NAME = "forecasting-deepar"
TITLE = "DeepAR"
OUTPUT_TYPES = ("mean", "quantiles", "samples")
DEFAULT_QUANTILES = ("0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9")

_H = Hyperparameter
_POSITIVE = {"low": 0, "low_inclusive": False}
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("context_length", "int", required=True, low=1, description="Steps the model sees."),
    _H("epochs", "int", required=True, low=1, description="Maximum passes of training."),
    _H("prediction_length", "int", required=True, low=1, description="Forecast horizon."),
    _H("time_freq", "str", required=True, description="M, W, D, H or min, with a multiple."),
    _H("cardinality", "str", default="auto", description="auto, ignore or [n1, n2, ...]."),
    _H("dropout_rate", "float", default=0.1, low=0, high=1, high_inclusive=False),
    _H("early_stopping_patience", "int", low=1),
    _H("embedding_dimension", "int", default=10, low=1),
    _H("learning_rate", "float", default=0.001, **_POSITIVE),
    _H("likelihood", "categorical", default="student-T", choices=_deepar_model.LIKELIHOODS),
    _H("mini_batch_size", "int", default=128, low=1),
    _H("num_cells", "int", default=40, low=1),
    _H("num_dynamic_feat", "str", default="auto", description="auto, ignore or a count."),
    _H("num_eval_samples", "int", default=100, low=1),
    _H("num_layers", "int", default=2, low=1),
    _H("test_quantiles", "list", default=DEFAULT_QUANTILES),
    tuning_hyperparameter(),
)

METRICS = (
    Metric("test:RMSE", "Minimize", rf"#test_score \(algo-1, RMSE\): {NUMBER}"),
    Metric(
        "test:mean_wQuantileLoss",
        "Minimize",
        rf"#test_score \(algo-1, mean_wQuantileLoss\): {NUMBER}",
    ),
    quality_metric("train:final_loss", "final_loss", "Minimize", loss=True),
)


def _fail(name: str, message: str) -> Exception:
    return client_error(f"Hyperparameter {name}: {message}")


def _check(values: dict[str, Any]) -> None:
    try:
        values["time_freq"] = _deepar_model.parse_frequency(values["time_freq"])
    except ValueError as error:
        raise _fail("time_freq", str(error)) from None
    values["cardinality"] = _parse_cardinality(values["cardinality"])
    values["num_dynamic_feat"] = _parse_dynamic(values["num_dynamic_feat"])
    quantiles = []
    for item in values["test_quantiles"]:
        try:
            level = float(item)
        except ValueError:
            level = -1.0
        if not 0 < level < 1:
            raise _fail("test_quantiles", f"{item!r} is not a quantile between 0 and 1")
        quantiles.append(level)
    values["test_quantiles"] = tuple(quantiles)


def _parse_cardinality(raw: Any) -> str | tuple[int, ...]:
    text = str(raw).strip()
    if text.lower() in ("auto", "", "ignore"):
        return text.lower() or "auto"
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        items = None
    if not isinstance(items, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in items
    ):
        raise _fail(
            "cardinality",
            f"{text!r} is not valid: expected auto, ignore or a list of positive integers "
            "such as [5, 10]",
        )
    return tuple(items)


def _parse_dynamic(raw: Any) -> str | int:
    text = str(raw).strip().lower()
    if text in ("auto", "", "ignore"):
        return text or "auto"
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise _fail("num_dynamic_feat", f"{raw!r} is not valid: expected auto, ignore or a count")


# Training


def _resolve_cardinality(setting: str | tuple[int, ...], series: list[Series]) -> tuple[int, ...]:
    width = len(series[0].cat)
    if setting == "ignore":
        return ()
    if setting == "auto":
        return tuple(max(s.cat[k] for s in series) + 1 for k in range(width))
    if len(setting) != width:
        raise client_error(
            f"cardinality={list(setting)} gives {len(setting)} categorical feature(s) but the "
            f'train series have {width} "cat" value(s) each. Set cardinality to auto to '
            "infer it from the data."
        )
    for k, size in enumerate(setting):
        top = max(s.cat[k] for s in series)
        if top >= size:
            raise client_error(
                f"cat feature {k} has the value {top} but cardinality[{k}] is {size}: values "
                f"must be 0 .. {size - 1}."
            )
    return setting


def _resolve_dynamic(setting: str | int, series: list[Series]) -> int:
    found = series[0].dynamic_feat.shape[0]
    if setting == "ignore":
        return 0
    if setting == "auto":
        return found
    if setting != found:
        raise client_error(
            f"num_dynamic_feat={setting} but the train series have {found} dynamic_feat "
            "array(s) each."
        )
    return int(setting)


def _check_likelihood(likelihood: str, series: list[Series]) -> None:
    values = np.concatenate([s.target for s in series])
    values = values[~np.isnan(values)]
    if likelihood == "negative-binomial" and (values < 0).any():
        raise client_error(
            "likelihood=negative-binomial models counts: the train target has negative "
            "values. Use student-T or gaussian for real-valued data."
        )
    if likelihood == "beta" and ((values < 0) | (values > 1)).any():
        raise client_error(
            "likelihood=beta needs target values between 0 and 1 (rates or shares); the "
            "train target has values outside [0, 1]."
        )


def _check_lengths(series: list[Series], values: dict[str, Any]) -> None:
    need = values["context_length"] + values["prediction_length"]
    longest = max(len(s) for s in series)
    if longest < need:
        raise client_error(
            "No time series in the train channel is long enough: a training window needs "
            f"context_length + prediction_length = {need} values, and the longest series has "
            f"{longest}. Use longer series or smaller context_length / prediction_length."
        )


def _check_test(test: list[Series], config: _deepar_model.Config) -> None:
    P = config.prediction_length
    for number, s in enumerate(test, start=1):
        if len(s) <= P:
            raise client_error(
                f"Test series {number} has {len(s)} values: the test channel holds each series "
                f"extended by prediction_length ({P}) values, so it needs more than {P}."
            )
        _check_features(s, config, f"test series {number}")


def _check_features(s: Series, config: _deepar_model.Config, where: str) -> None:
    if config.cardinality and len(s.cat) != len(config.cardinality):
        raise client_error(
            f'{where.capitalize()} has {len(s.cat)} "cat" value(s); the model was trained '
            f"with {len(config.cardinality)}."
        )
    for k, size in enumerate(config.cardinality):
        if s.cat[k] >= size:
            raise client_error(
                f"{where.capitalize()}: cat[{k}] = {s.cat[k]} is not a category the model "
                f"knows (0 .. {size - 1})."
            )
    if s.dynamic_feat.shape[0] < config.num_dynamic_feat:
        raise client_error(
            f"{where.capitalize()} has {s.dynamic_feat.shape[0]} dynamic_feat array(s); the "
            f"model was trained with {config.num_dynamic_feat}."
        )


def train(ctx: TrainingContext) -> None:
    """Fit one global forecaster on the train series, score the test channel, save it."""
    SPEC.validate_channels(ctx.channels)
    values = ctx.hyperparameters
    series = _timeseries.read_series(ctx.channels["train"])
    _check_lengths(series, values)
    _check_likelihood(values["likelihood"], series)
    config = _deepar_model.Config(
        prediction_length=values["prediction_length"],
        context_length=values["context_length"],
        frequency=values["time_freq"],
        likelihood=values["likelihood"],
        num_cells=values["num_cells"],
        num_layers=values["num_layers"],
        learning_rate=values["learning_rate"],
        mini_batch_size=values["mini_batch_size"],
        epochs=values["epochs"],
        early_stopping_patience=values["early_stopping_patience"],
        cardinality=_resolve_cardinality(values["cardinality"], series),
        num_dynamic_feat=_resolve_dynamic(values["num_dynamic_feat"], series),
    )
    test = _timeseries.read_series(ctx.channels["test"]) if "test" in ctx.channels else None
    if test is not None:
        _check_test(test, config)
    info(
        ctx,
        f"Local stand-in for {TITLE}: {len(series)} series, {sum(len(s) for s in series)} "
        f"observations, time_freq={config.frequency.text}, prediction_length="
        f"{config.prediction_length}, context_length={config.context_length}, lags "
        f"{list(config.frequency.lags())}, cardinality {list(config.cardinality)}, "
        f"{config.num_dynamic_feat} dynamic feature(s), likelihood={config.likelihood}",
    )
    forecaster = _deepar_model.Forecaster(config)
    forecaster.fit(series, lambda line: info(ctx, line), ctx.should_stop)
    if forecaster.network is None:
        return
    final_loss = forecaster.nll(series)
    report(ctx, "train:final_loss", "final_loss", final_loss, loss=True)
    if test is not None:
        _score(ctx, forecaster, test, values)
    save_model(
        ctx.model_dir,
        {"algorithm": NAME, "forecaster": forecaster, "hyperparameters": _plain(values)},
    )


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    plain = dict(values)
    plain["time_freq"] = values["time_freq"].text
    return plain


def _score(
    ctx: TrainingContext,
    forecaster: _deepar_model.Forecaster,
    test: list[Series],
    values: dict[str, Any],
) -> None:
    P = values["prediction_length"]
    history = [Series(s.start, s.target[:-P], s.cat, s.dynamic_feat) for s in test]
    actual = np.vstack([s.target[-P:] for s in test])
    samples = forecaster.sample(history, values["num_eval_samples"], np.random.default_rng(0))
    value = rmse(actual, samples.mean(axis=1))
    info(ctx, f"#test_score (algo-1, RMSE): {value!r}")
    ctx.metric("test:RMSE", value, None)
    losses = []
    for level in values["test_quantiles"]:
        loss = weighted_quantile_loss(actual, np.quantile(samples, level, axis=1), level)
        info(ctx, f"#test_score (algo-1, wQuantileLoss[{level}]): {loss!r}")
        losses.append(loss)
    mean_loss = float(np.mean(losses))
    info(ctx, f"#test_score (algo-1, mean_wQuantileLoss): {mean_loss!r}")
    ctx.metric("test:mean_wQuantileLoss", mean_loss, None)


# Inference


def load(model_dir: Path) -> dict[str, Any]:
    """The model a training job saved in ``model_dir``."""
    return load_model(model_dir, NAME)


def configuration(raw: Any) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    """``(num_samples, output_types, quantiles)`` of a request's ``configuration``.

    Defaults as the batch transform documents them: 100 samples, mean and quantiles,
    quantiles 0.1 ... 0.9. AlgorithmError for a value that is not valid.
    """
    config = {} if raw is None else raw
    if not isinstance(config, dict):
        raise client_error('"configuration" must be an object such as {"num_samples": 100}')
    num_samples = config.get("num_samples", 100)
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1:
        raise client_error(f'"num_samples" must be a positive integer, got {num_samples!r}')
    outputs = config.get("output_types", ["mean", "quantiles"])
    if not isinstance(outputs, list) or not outputs or any(o not in OUTPUT_TYPES for o in outputs):
        raise client_error(
            f'"output_types" must be a list of {", ".join(OUTPUT_TYPES)}, got {outputs!r}'
        )
    quantiles = config.get("quantiles", list(DEFAULT_QUANTILES))
    if not isinstance(quantiles, list):
        raise client_error(f'"quantiles" must be a list such as ["0.1", "0.9"], got {quantiles!r}')
    for level in quantiles:
        try:
            number = float(level)
        except (TypeError, ValueError):
            number = -1.0
        if not 0 < number < 1:
            raise client_error(f"quantile {level!r} is not a number between 0 and 1")
    return num_samples, tuple(outputs), tuple(str(q) for q in quantiles)


def predict(
    model: dict[str, Any],
    instances: list[Any],
    config: Any = None,
    rng: np.random.Generator | None = None,
) -> list[dict[str, Any]]:
    """Forecast each instance (a DeepAR record) as the endpoint answers: one dict each
    with the ``output_types`` asked for (``mean``, ``quantiles``, ``samples``)."""
    forecaster: _deepar_model.Forecaster = model["forecaster"]
    settings = forecaster.config
    num_samples, outputs, quantiles = configuration(config)
    if not isinstance(instances, list) or not instances:
        raise client_error('"instances" must be a non-empty list of time series')
    series = []
    for number, record in enumerate(instances, start=1):
        try:
            s = _timeseries.parse_record(record, extra=settings.prediction_length)
        except _timeseries.RecordError as error:
            raise client_error(f"instance {number}: {error}") from None
        if settings.cardinality and not s.cat:
            raise client_error(
                f'instance {number} has no "cat": the model was trained with categorical '
                "features, so every instance needs them."
            )
        _check_features(s, settings, f"instance {number}")
        series.append(s)
    samples = forecaster.sample(series, num_samples, rng or np.random.default_rng(0))
    answers = []
    for paths in samples:
        answer: dict[str, Any] = {}
        if "quantiles" in outputs:
            answer["quantiles"] = {
                q: np.quantile(paths, float(q), axis=0).tolist() for q in quantiles
            }
        if "samples" in outputs:
            answer["samples"] = paths.tolist()
        if "mean" in outputs:
            answer["mean"] = paths.mean(axis=0).tolist()
        answers.append(answer)
    return answers


SPEC = AlgorithmSpec(
    name=NAME,
    title=TITLE,
    image_repositories=("forecasting-deepar",),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "test": False},
    content_types=_timeseries.CONTENT_TYPES,
    metrics=METRICS,
    train=train,
    check=_check,
)
