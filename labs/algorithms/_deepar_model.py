"""The model behind the DeepAR stand-in: a global MLP on scaled windows with a likelihood.

One network is learned across every series (DeepAR's main idea). A training example is a
window of one series at a forecast origin ``t``:

- **inputs**: the last ``context_length`` values, the values at the lags ``time_freq``
  implies (for daily data 7, 14, 21, 28 days and a year before each forecast step) that
  fall outside the context, all divided by the series' **scale** ``1 + mean |context|``
  (DeepAR's mean scaling, so big and small series share one model); ``log(scale)``; the
  calendar position of the first forecast step (day of week and day of year for daily
  data); the ``cat`` features one-hot encoded; the ``dynamic_feat`` values over the
  horizon;
- **outputs**: the next ``prediction_length`` values divided by the same scale (a direct
  multi-horizon forecast, not step-by-step).

A noise model is then fitted to held-out residuals: their spread by horizon and series
scale, and, for ``student-T``, the tail weight. Forecasts are Monte Carlo samples from the
chosen likelihood, each step drawn independently; the mean and quantiles come from the
samples, as DeepAR's do. Cold start: a few training windows have their history hidden and
are scaled by the typical scale of their ``cat`` group, so a series with no history gets a
forecast from its categories alone.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from labs.algorithms._timeseries import Series

LIKELIHOODS = ("gaussian", "beta", "negative-binomial", "student-T", "deterministic-L1")
_FREQ = re.compile(r"^\s*(\d*)\s*(min|M|W|D|H)\s*$")
#: Lags of the basic frequencies, in steps (as the developer guide lists for daily data).
_LAGS = {
    "D": (7, 14, 21, 28, 365),
    "H": (24, 48, 72, 168, 336),
    "W": (52,),
    "M": (12, 24),
    "min": (60, 120, 1440),
}
#: Steps per cycle of the calendar feature one-hot encoded for each basic frequency.
_PHASES = {"D": 7, "H": 24, "min": 60, "M": 12}
_BATCHES_PER_EPOCH = 50
_POOL_LIMIT = 120_000
_COLD_START_SHARE = 0.05


@dataclass(frozen=True)
class Frequency:
    """A ``time_freq`` such as ``D``, ``5min`` or ``2H``: a multiple of a basic unit."""

    multiple: int
    unit: str

    @property
    def text(self) -> str:
        """The frequency as DeepAR writes it, e.g. ``5min``."""
        return f"{self.multiple if self.multiple != 1 else ''}{self.unit}"

    def offset(self) -> pd.DateOffset:
        """One step as a pandas offset."""
        name = {"M": "months", "W": "weeks", "D": "days", "H": "hours", "min": "minutes"}
        return pd.DateOffset(**{name[self.unit]: self.multiple})

    def lags(self) -> tuple[int, ...]:
        """The lag steps this frequency uses (one year for daily data is 365 steps)."""
        found = sorted({max(1, round(lag / self.multiple)) for lag in _LAGS[self.unit]})
        return tuple(found)

    def stamps(self, start: pd.Timestamp, periods: int) -> pd.DatetimeIndex:
        """``periods`` timestamps from ``start``, one step apart."""
        return pd.date_range(start=start, periods=periods, freq=self.offset())

    def calendar(self, stamps: pd.DatetimeIndex) -> np.ndarray:
        """Calendar features per timestamp: a one-hot cycle position and the time of year."""
        year = (stamps.dayofyear.to_numpy() - 1) / 365.25
        columns = [np.sin(2 * np.pi * year), np.cos(2 * np.pi * year)]
        cycle = _PHASES.get(self.unit)
        if cycle:
            position = {
                "D": stamps.dayofweek,
                "H": stamps.hour,
                "min": stamps.minute,
                "M": stamps.month - 1,
            }[self.unit].to_numpy()
            columns.extend((position == k).astype(float) for k in range(cycle))
        return np.column_stack(columns)


def parse_frequency(text: str) -> Frequency:
    """``"5min"`` -> ``Frequency(5, "min")``; ValueError for anything else."""
    match = _FREQ.match(str(text))
    if not match or (match.group(1) and int(match.group(1)) < 1):
        raise ValueError(
            f"{text!r} is not a valid time_freq: expected an optional integer followed by M, "
            "W, D, H or min (for example D, 5min, 2H)"
        )
    return Frequency(int(match.group(1) or 1), match.group(2))


@dataclass
class Config:
    """The settings a forecaster is built with (from the job's hyperparameters)."""

    prediction_length: int
    context_length: int
    frequency: Frequency
    likelihood: str = "student-T"
    num_cells: int = 40
    num_layers: int = 2
    learning_rate: float = 1e-3
    mini_batch_size: int = 128
    epochs: int = 10
    early_stopping_patience: int | None = None
    cardinality: tuple[int, ...] = ()
    num_dynamic_feat: int = 0
    seed: int = 0


@dataclass
class Noise:
    """Residual spread in scaled units: ``sigma² = k · exp(a + b·log(scale) + c·h/P)``."""

    coef: np.ndarray
    factor: float
    df: float = 30.0

    def sigma(self, log_scale: np.ndarray, horizon: int) -> np.ndarray:
        """Standard deviation per series (rows) and step (columns), in scaled units."""
        steps = np.arange(horizon) / max(horizon - 1, 1)
        log_var = self.coef[0] + self.coef[1] * log_scale[:, None] + self.coef[2] * steps
        return np.sqrt(self.factor * np.exp(log_var))


@dataclass
class Windows:
    """Model inputs, targets (scaled) and the scale of each window."""

    X: np.ndarray
    Y: np.ndarray
    scale: np.ndarray


@dataclass
class Forecaster:
    """A trained global forecaster; :meth:`sample` draws forecast paths for new series."""

    config: Config
    scaler: StandardScaler = field(default_factory=StandardScaler)
    network: MLPRegressor | None = None
    noise: Noise | None = None
    prior_scales: dict[tuple[int, ...], float] = field(default_factory=dict)
    feature_priors: list[dict[int, float]] = field(default_factory=list)
    global_scale: float = 1.0
    history: list[tuple[int, float, float]] = field(default_factory=list)

    # Inputs

    def _prior(self, cat: tuple[int, ...]) -> float:
        if cat in self.prior_scales:
            return self.prior_scales[cat]
        known = [p[c] for p, c in zip(self.feature_priors, cat, strict=False) if c in p]
        return float(np.mean(known)) if known else self.global_scale

    def windows(
        self, series: Series, origins: np.ndarray, hide: np.ndarray | None = None
    ) -> Windows:
        """The model inputs at ``origins`` (forecast from index ``t``) of one series.

        ``hide`` marks windows whose history is hidden (cold-start training examples).
        Targets past the end of the series are NaN.
        """
        cfg = self.config
        P, C = cfg.prediction_length, cfg.context_length
        lags = [lag for lag in cfg.frequency.lags() if lag > C]
        pad = C + max(lags, default=0) + 1
        values = np.concatenate([np.full(pad, np.nan), series.target, np.full(P, np.nan)])
        t = np.asarray(origins, dtype=int)
        context = sliding_window_view(values, C)[pad + t - C].copy()
        blocks = []
        steps = np.arange(P)
        for lag in lags:
            block = sliding_window_view(values, P)[pad + t - lag].copy()
            block[:, steps >= lag] = np.nan
            blocks.append(block)
        hidden = np.zeros(t.size, dtype=bool) if hide is None else hide
        context[hidden] = np.nan
        for block in blocks:
            block[hidden] = np.nan
        observed = ~np.isnan(context)
        count = observed.sum(axis=1)
        with np.errstate(invalid="ignore"):
            mean_abs = np.nansum(np.abs(context), axis=1) / np.maximum(count, 1)
        prior = self._prior(series.cat)
        scale = np.where(count > 0, 1.0 + mean_abs, prior)
        columns = [np.nan_to_num(context / scale[:, None], nan=0.0)]
        columns.append((count / C)[:, None])
        for block in blocks:
            columns.append(np.nan_to_num(block / scale[:, None], nan=0.0))
            columns.append((~np.isnan(block)).mean(axis=1)[:, None])
        columns.append(np.log(scale)[:, None])
        stamps = cfg.frequency.stamps(series.start, int(t.max()) + 1)
        columns.append(cfg.frequency.calendar(stamps)[t])
        for k, size in enumerate(cfg.cardinality):
            onehot = np.zeros((t.size, size))
            onehot[:, series.cat[k]] = 1.0
            columns.append(onehot)
        if cfg.num_dynamic_feat:
            dynamic = series.dynamic_feat[: cfg.num_dynamic_feat]
            padded = np.concatenate(
                [dynamic, np.zeros((dynamic.shape[0], P))], axis=1
            )  # training windows read at most P past the end
            for row in padded:
                columns.append(sliding_window_view(row, P)[t])
        X = np.column_stack(columns)
        Y = sliding_window_view(values, P)[pad + t] / scale[:, None]
        return Windows(X, Y, scale)

    # Training

    def fit(
        self,
        series: Sequence[Series],
        log: Callable[[str], None],
        should_stop: Callable[[], bool],
    ) -> None:
        """Learn the network and the noise model from every window of every series."""
        cfg = self.config
        rng = np.random.default_rng(cfg.seed)
        self._fit_priors(series)
        train, valid = self._pool(series, rng)
        self.scaler.fit(train.X)
        X, Xv = self.scaler.transform(train.X), self.scaler.transform(valid.X)
        network = MLPRegressor(
            hidden_layer_sizes=(cfg.num_cells,) * cfg.num_layers,
            learning_rate_init=cfg.learning_rate,
            batch_size=min(cfg.mini_batch_size, X.shape[0]),
            alpha=1e-4,
            random_state=cfg.seed,
        )
        per_epoch = min(X.shape[0], _BATCHES_PER_EPOCH * cfg.mini_batch_size)
        best, best_loss, waited = None, math.inf, 0
        for epoch in range(cfg.epochs):
            if should_stop():
                log(f"Stop requested: ending training before epoch {epoch}.")
                break
            rows = rng.choice(X.shape[0], size=per_epoch, replace=False)
            network.partial_fit(X[rows], train.Y[rows])
            valid_loss = float(np.mean((network.predict(Xv) - valid.Y) ** 2))
            train_loss = 2 * float(network.loss_)  # scikit-learn reports half the MSE
            self.history.append((epoch, train_loss, valid_loss))
            log(
                f"#quality_metric: host=algo-1, epoch={epoch}, train mse <loss>="
                f"{train_loss!r}, validation mse <loss>={valid_loss!r}"
            )
            if valid_loss < best_loss:
                best, best_loss, waited = copy.deepcopy(network), valid_loss, 0
            else:
                waited += 1
                if cfg.early_stopping_patience and waited >= cfg.early_stopping_patience:
                    log(
                        f"Early stopping: no improvement in {waited} epochs; keeping epoch "
                        f"{epoch - waited}."
                    )
                    break
        # With early_stopping_patience the lowest-loss model is kept, as DeepAR documents.
        keep_best = cfg.early_stopping_patience is not None and best is not None
        self.network = best if keep_best else network
        self.noise = self._fit_noise(Xv, valid)

    def _fit_priors(self, series: Sequence[Series]) -> None:
        scales = [(s.cat, 1.0 + float(np.nanmean(np.abs(s.target)))) for s in series if s.observed]
        self.global_scale = float(np.median([v for _, v in scales]))
        groups: dict[tuple[int, ...], list[float]] = {}
        for cat, value in scales:
            groups.setdefault(cat, []).append(value)
        self.prior_scales = {cat: float(np.mean(v)) for cat, v in groups.items()}
        self.feature_priors = []
        for k in range(len(self.config.cardinality)):
            by_value: dict[int, list[float]] = {}
            for cat, value in scales:
                by_value.setdefault(cat[k], []).append(value)
            self.feature_priors.append({c: float(np.mean(v)) for c, v in by_value.items()})

    def _pool(self, series: Sequence[Series], rng: np.random.Generator) -> tuple[Windows, Windows]:
        P = self.config.prediction_length
        spans = [max(len(s) - P, 0) for s in series]
        total = sum(spans)
        keep = min(1.0, _POOL_LIMIT / max(total, 1))
        parts = []
        for s, span in zip(series, spans, strict=True):
            if span < 1:
                continue
            origins = np.arange(1, span + 1)
            if keep < 1.0:
                origins = origins[rng.random(origins.size) < keep]
            hide = rng.random(origins.size) < _COLD_START_SHARE
            if origins.size:
                parts.append(self.windows(s, origins, hide))
        X = np.vstack([p.X for p in parts])
        Y = np.vstack([p.Y for p in parts])
        scale = np.concatenate([p.scale for p in parts])
        complete = ~np.isnan(Y).any(axis=1)
        X, Y, scale = X[complete], Y[complete], scale[complete]
        order = rng.permutation(X.shape[0])
        cut = max(1, min(5000, X.shape[0] // 10))
        valid, train = order[:cut], order[cut:]
        if train.size == 0:
            train = valid
        return Windows(X[train], Y[train], scale[train]), Windows(X[valid], Y[valid], scale[valid])

    def _fit_noise(self, Xv: np.ndarray, valid: Windows) -> Noise:
        P = self.config.prediction_length
        residual = valid.Y - self._predict_scaled(Xv)
        log_scale = np.repeat(np.log(valid.scale), P)
        steps = np.tile(np.arange(P) / max(P - 1, 1), valid.Y.shape[0])
        design = np.column_stack([np.ones_like(steps), log_scale, steps])
        target = np.log(residual.ravel() ** 2 + 1e-8)
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        fitted = np.exp(design @ coef)
        factor = float(np.mean(residual.ravel() ** 2 / fitted))
        noise = Noise(coef, factor)
        z = residual / noise.sigma(np.log(valid.scale), P)
        excess = float(np.mean(z**4) / np.mean(z**2) ** 2 - 3.0)
        noise.df = float(np.clip(4.0 + 6.0 / excess, 2.5, 30.0)) if excess > 0 else 30.0
        return noise

    def _predict_scaled(self, X: np.ndarray) -> np.ndarray:
        assert self.network is not None
        out = self.network.predict(X)
        return out.reshape(X.shape[0], -1)

    # Forecasting

    def distribution(self, series: Sequence[Series]) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation (original units) of the next ``prediction_length``
        values of each series (rows), forecast from the end of its ``target``."""
        parts = [self.windows(s, np.array([len(s)])) for s in series]
        X = self.scaler.transform(np.vstack([p.X for p in parts]))
        scale = np.concatenate([p.scale for p in parts])
        mu = self._predict_scaled(X) * scale[:, None]
        assert self.noise is not None
        sd = self.noise.sigma(np.log(scale), self.config.prediction_length) * scale[:, None]
        return mu, sd

    def sample(
        self, series: Sequence[Series], num_samples: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Forecast samples shaped ``(series, num_samples, prediction_length)``."""
        mu, sd = self.distribution(series)
        return draw(self.config.likelihood, mu, sd, num_samples, rng, self.noise)

    def nll(self, series: Sequence[Series]) -> float:
        """Mean negative log-likelihood of the last ``prediction_length`` values of each
        series, forecast from the values before them."""
        P = self.config.prediction_length
        history = [
            Series(s.start, s.target[:-P], s.cat, s.dynamic_feat) for s in series if len(s) > P
        ]
        actual = np.vstack([s.target[-P:] for s in series if len(s) > P])
        mu, sd = self.distribution(history)
        return log_loss(self.config.likelihood, actual, mu, sd, self.noise)


def draw(
    likelihood: str,
    mu: np.ndarray,
    sd: np.ndarray,
    num_samples: int,
    rng: np.random.Generator,
    noise: Noise | None,
) -> np.ndarray:
    """Samples ``(series, num_samples, steps)`` from ``likelihood`` with mean ``mu`` and
    standard deviation ``sd`` (per series and step)."""
    shape = (mu.shape[0], num_samples, mu.shape[1])
    m, s = mu[:, None, :], sd[:, None, :]
    if likelihood == "deterministic-L1":
        return np.broadcast_to(m, shape).copy()
    if likelihood == "gaussian":
        return m + s * rng.standard_normal(shape)
    if likelihood == "student-T":
        df = noise.df if noise else 30.0
        return m + s * math.sqrt((df - 2) / df) * rng.standard_t(df, size=shape)
    if likelihood == "negative-binomial":
        mean = np.maximum(np.broadcast_to(m, shape), 1e-6)
        var = np.maximum(np.broadcast_to(s, shape) ** 2, mean * 1.0001)
        shape_r = mean**2 / (var - mean)
        return rng.poisson(rng.gamma(shape_r, mean / shape_r)).astype(float)
    if likelihood == "beta":
        mean = np.clip(np.broadcast_to(m, shape), 1e-4, 1 - 1e-4)
        var = np.minimum(np.broadcast_to(s, shape) ** 2, mean * (1 - mean) * 0.99)
        common = mean * (1 - mean) / var - 1
        return rng.beta(mean * common, (1 - mean) * common)
    raise ValueError(f"unknown likelihood {likelihood!r}")


def log_loss(
    likelihood: str, actual: np.ndarray, mu: np.ndarray, sd: np.ndarray, noise: Noise | None
) -> float:
    """Mean negative log-likelihood of ``actual`` (NaN ignored) under the forecast."""
    keep = ~np.isnan(actual)
    y, m, s = actual[keep], mu[keep], np.maximum(sd[keep], 1e-6)
    if likelihood == "deterministic-L1":
        return float(np.mean(np.abs(y - m)))
    if likelihood == "gaussian":
        return float(-np.mean(stats.norm.logpdf(y, m, s)))
    if likelihood == "student-T":
        df = noise.df if noise else 30.0
        return float(-np.mean(stats.t.logpdf(y, df, m, s * math.sqrt((df - 2) / df))))
    if likelihood == "negative-binomial":
        mean = np.maximum(m, 1e-6)
        var = np.maximum(s**2, mean * 1.0001)
        r = mean**2 / (var - mean)
        return float(-np.mean(stats.nbinom.logpmf(np.round(y), r, r / (r + mean))))
    mean = np.clip(m, 1e-4, 1 - 1e-4)
    var = np.minimum(s**2, mean * (1 - mean) * 0.99)
    common = mean * (1 - mean) / var - 1
    clipped = np.clip(y, 1e-4, 1 - 1e-4)
    return float(-np.mean(stats.beta.logpdf(clipped, mean * common, (1 - mean) * common)))
