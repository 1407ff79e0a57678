"""The contract between the local runtime and the built-in algorithm stand-ins.

The runtime (``labs.runtime``) recognises a training job's image, finds the
:class:`AlgorithmSpec`, checks the hyperparameters with :meth:`AlgorithmSpec.validate`,
lays the input channels out as folders and calls ``spec.train(context)`` with a
:class:`TrainingContext`. A learner's mistake (bad hyperparameter, bad data) is an
:class:`AlgorithmError` whose text is the job's ``FailureReason``.

Extensions to the agreed interface (all additive, with defaults):

- :class:`Hyperparameter` has ``low_inclusive`` / ``high_inclusive`` for the open bounds
  AWS documents (``subsample`` in (0, 1], ``tweedie_variance_power`` in (1, 2)), a
  ``"list"`` kind (comma-separated or JSON list, each item checked against ``choices``),
  and for ``int`` / ``float`` kinds ``choices`` names literal words also accepted
  (``"auto"``).
- :class:`AlgorithmSpec` has ``check`` (cross-parameter rules, run by ``validate``) and
  :meth:`AlgorithmSpec.validate_channels`; ``content_types[0]`` is the algorithm's default
  when a channel has no ``ContentType``.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("int", "float", "str", "bool", "categorical", "list")

#: A number as the algorithms print it, for metric regexes.
NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"

#: Hyperparameter SageMaker automatic model tuning adds to every training job it starts.
TUNING_OBJECTIVE = "_tuning_objective_metric"


class AlgorithmError(Exception):
    """A job failure a learner caused (bad hyperparameter, bad input).

    ``str(error)`` is the FailureReason, worded like SageMaker's, e.g.
    ``"ClientError: Missing required hyperparameter: num_round"``.
    """


def client_error(message: str) -> AlgorithmError:
    """An :class:`AlgorithmError` whose text starts with ``ClientError:`` like SageMaker's."""
    return AlgorithmError(f"ClientError: {message}")


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter of a built-in algorithm: its type, rules and default.

    ``low`` / ``high`` bound numbers (inclusive unless ``low_inclusive`` /
    ``high_inclusive`` say otherwise). ``choices`` are the valid values of a
    ``categorical`` or the items of a ``list``; for ``int`` and ``float`` they are words
    accepted besides a number (e.g. ``"auto"``).
    """

    name: str
    kind: str
    required: bool = False
    default: Any = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    low_inclusive: bool = True
    high_inclusive: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Hyperparameter {self.name}: unknown kind {self.kind!r}")

    def parse(self, raw: Any) -> Any:
        """The typed value of ``raw`` (usually a string); AlgorithmError names the rule broken."""
        text = str(raw).strip() if not isinstance(raw, (list, tuple)) else raw
        if self.kind in ("int", "float"):
            if isinstance(text, str) and text.lower() in self.choices:
                return text.lower()
            return self._check_range(self._number(text))
        if self.kind == "bool":
            return self._bool(text)
        if self.kind == "categorical":
            return self._categorical(text)
        if self.kind == "list":
            return self._list(text)
        return text

    def describe_range(self) -> str:
        """The valid values as text, e.g. ``[0, 1]``, ``(0, +inf)`` or ``one of a, b``."""
        if self.kind in ("categorical", "list"):
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        low = "-inf" if self.low is None else _fmt(self.low)
        high = "+inf" if self.high is None else _fmt(self.high)
        left = "[" if self.low is not None and self.low_inclusive else "("
        right = "]" if self.high is not None and self.high_inclusive else ")"
        words = "".join(f" or {c}" for c in self.choices)
        kind = "an integer" if self.kind == "int" else "a number"
        return f"{kind} in {left}{low}, {high}{right}{words}"

    def _fail(self, message: str) -> AlgorithmError:
        return client_error(f"Hyperparameter {self.name}: {message}")

    def _number(self, text: Any) -> int | float:
        try:
            value = float(text)
        except (TypeError, ValueError):
            value = math.nan
        if math.isnan(value):
            raise self._fail(f"could not parse value {text!r}: expected {self.describe_range()}")
        if self.kind == "float":
            return value
        if not value.is_integer():
            raise self._fail(f"{text!r} is not an integer: expected {self.describe_range()}")
        return int(value)

    def _check_range(self, value: float) -> float:
        too_low = self.low is not None and (
            value < self.low or (not self.low_inclusive and value == self.low)
        )
        too_high = self.high is not None and (
            value > self.high or (not self.high_inclusive and value == self.high)
        )
        if too_low or too_high:
            raise self._fail(f"{_fmt(value)} is not in range: expected {self.describe_range()}")
        return value

    def _bool(self, text: Any) -> bool:
        word = str(text).strip().lower()
        if word in ("true", "1", "yes"):
            return True
        if word in ("false", "0", "no"):
            return False
        raise self._fail(f"{text!r} is not valid: expected true or false")

    def _categorical(self, text: Any) -> str:
        if text in self.choices:
            return str(text)
        folded = {c.lower(): c for c in self.choices}
        if str(text).lower() in folded:
            return folded[str(text).lower()]
        close = difflib.get_close_matches(str(text), self.choices, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise self._fail(f"{text!r} is not valid: expected {self.describe_range()}.{hint}")

    def _list(self, text: Any) -> tuple[str, ...]:
        items = _split_list(text)
        if not items:
            raise self._fail(f"{text!r} is empty: expected a list of {', '.join(self.choices)}")
        if self.choices:
            for item in items:
                if item not in self.choices:
                    raise self._fail(
                        f"{item!r} in {text!r} is not valid: expected items from "
                        f"{', '.join(self.choices)}"
                    )
        return tuple(items)


def _split_list(text: Any) -> list[str]:
    """Items of a list hyperparameter given as a list, JSON, Python repr or ``a,b``."""
    if isinstance(text, (list, tuple)):
        return [str(t).strip() for t in text if str(t).strip()]
    raw = str(text).strip()
    if raw.startswith("["):
        try:
            loaded = json.loads(raw.replace("'", '"'))
            if isinstance(loaded, list):
                return [str(t).strip() for t in loaded if str(t).strip()]
        except json.JSONDecodeError:
            raw = raw.strip("[]")
    return [part.strip().strip("'\"") for part in raw.split(",") if part.strip().strip("'\"")]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class Metric:
    """A metric the algorithm emits, with SageMaker's name, direction and regex."""

    name: str
    direction: str
    regex: str

    def __post_init__(self) -> None:
        if self.direction not in ("Maximize", "Minimize"):
            raise ValueError(f"Metric {self.name}: direction must be Maximize or Minimize")
        re.compile(self.regex)


@dataclass
class Channel:
    """An input channel: a folder holding its files (possibly several, possibly nested)."""

    name: str
    path: Path
    content_type: str | None = None


@dataclass
class TrainingContext:
    """Everything ``train()`` gets: parsed hyperparameters, channels, output folders, hooks."""

    hyperparameters: dict[str, Any]
    channels: dict[str, Channel]
    model_dir: Path
    output_dir: Path
    log: Callable[[str], None]
    metric: Callable[[str, float, int | None], None]
    should_stop: Callable[[], bool]
    num_cpus: int = 1


@dataclass(frozen=True)
class AlgorithmSpec:
    """A built-in algorithm: how to recognise it, its rules, its metrics and its trainer."""

    name: str
    image_repositories: tuple[str, ...]
    hyperparameters: tuple[Hyperparameter, ...]
    channels: dict[str, bool]
    content_types: tuple[str, ...]
    metrics: tuple[Metric, ...]
    train: Callable[[TrainingContext], None]
    check: Callable[[dict[str, Any]], None] | None = None
    title: str = ""
    _by_name: dict[str, Hyperparameter] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({hp.name: hp for hp in self.hyperparameters})

    def hyperparameter(self, name: str) -> Hyperparameter:
        """The declared hyperparameter ``name`` (KeyError if it is not one)."""
        return self._by_name[name]

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Parse, range-check and default ``raw`` (the job's string map).

        Every declared hyperparameter is in the result: its parsed value, its default,
        or ``None`` when it has neither. Raises AlgorithmError for a missing required
        hyperparameter, an unknown name, a value that does not parse or is out of range,
        and a broken conditional rule (``check``).
        """
        for hp in self.hyperparameters:
            if hp.required and hp.name not in raw:
                raise client_error(f"Missing required hyperparameter: {hp.name}")
        for name in raw:
            if name not in self._by_name:
                close = difflib.get_close_matches(name, list(self._by_name), n=1, cutoff=0.7)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise client_error(
                    f"Extraneous hyperparameter found: {name}.{hint} "
                    f"{self.title or self.name} does not take a hyperparameter of that name."
                )
        values: dict[str, Any] = {}
        for hp in self.hyperparameters:
            values[hp.name] = hp.parse(raw[hp.name]) if hp.name in raw else hp.default
        if self.check is not None:
            self.check(values)
        return values

    def validate_channels(self, names: Iterable[str]) -> None:
        """AlgorithmError for a missing required channel or a channel this algorithm lacks.

        ``names`` are the job's channel names (a ``TrainingContext.channels`` dict works).
        Every ``train()`` calls this first; the runtime may call it before it starts.
        """
        given = list(names)
        title = self.title or self.name
        for name, required in self.channels.items():
            if required and name not in given:
                raise client_error(
                    f"Missing required channel: {name}. {title} takes the channels: "
                    f"{_channel_list(self.channels)}"
                )
        for name in given:
            if name not in self.channels:
                raise client_error(
                    f"Extraneous channel found: {name}. {title} takes the channels: "
                    f"{_channel_list(self.channels)}"
                )

    @property
    def default_content_type(self) -> str:
        """The content type assumed for a channel that has none."""
        return self.content_types[0]


def _channel_list(channels: Mapping[str, bool]) -> str:
    return ", ".join(f"{n} ({'required' if r else 'optional'})" for n, r in channels.items())


def tuning_objective(values: Mapping[str, Any]) -> str | None:
    """The objective metric name a tuning job passed to this training job, if any."""
    value = values.get(TUNING_OBJECTIVE)
    return str(value) if value else None


def tuning_hyperparameter() -> Hyperparameter:
    """The hidden hyperparameter SageMaker tuning jobs set on their training jobs."""
    return Hyperparameter(
        TUNING_OBJECTIVE,
        "str",
        description="Set by automatic model tuning: the objective metric of the tuning job.",
    )
