"""The deep-learning lab's training scripts: where they are, what they log, how to read it.

``labs/modeling/scripts/`` holds SageMaker AI script-mode training scripts for the
TensorFlow image (``tf_mlp.py``, ``tf_cnn.py``). A ``ModelTrainer`` uploads the folder as its
``SourceCode(source_dir=...)`` and runs one of them. Each prints one line per epoch::

    epoch 3/40 train-loss: 0.4123 validation-loss: 0.4311 validation-auc: 0.8702

:data:`MLP_METRICS` and :data:`CNN_METRICS` are the metric definitions (name and regex)
that turn those lines into CloudWatch metrics and the job's ``FinalMetricDataList``;
:func:`epoch_table` turns a job's log (``job_report.log_messages``) into a learning curve.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

__all__ = ["CNN_METRICS", "MLP_METRICS", "SCRIPTS_DIR", "epoch_table", "log_value"]

#: The folder a ``SourceCode(source_dir=...)`` uploads: the scripts and nothing else.
SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"

_NUMBER = r"([0-9]+\.?[0-9]*(?:[eE][-+]?[0-9]+)?)"

#: Metric definitions of ``tf_mlp.py``: the last match of each regex is the final value.
MLP_METRICS: list[dict[str, str]] = [
    {"Name": "train:loss", "Regex": rf"train-loss: {_NUMBER}"},
    {"Name": "validation:loss", "Regex": rf"validation-loss: {_NUMBER}"},
    {"Name": "validation:auc", "Regex": rf"validation-auc: {_NUMBER}"},
]

#: Metric definitions of ``tf_cnn.py``.
CNN_METRICS: list[dict[str, str]] = [
    {"Name": "train:loss", "Regex": rf"train-loss: {_NUMBER}"},
    {"Name": "validation:loss", "Regex": rf"validation-loss: {_NUMBER}"},
    {"Name": "validation:accuracy", "Regex": rf"validation-accuracy: {_NUMBER}"},
]

_EPOCH = re.compile(r"^epoch (\d+)/\d+ (.+)$")
_FIELD = re.compile(rf"([a-z]+)-([a-z]+): {_NUMBER}")


def epoch_table(messages: list[str]) -> pd.DataFrame:
    """The per-epoch lines of a script's log as a table: index ``epoch`` (from 1), one
    column per value (``train:loss``, ``validation:loss``, ``validation:auc``, ...).

    Raises ``ValueError`` when the log has no epoch line (the job failed before training,
    or the log is not one of these scripts').
    """
    rows: dict[int, dict[str, float]] = {}
    for message in messages:
        match = _EPOCH.match(message.strip())
        if match:
            fields = _FIELD.findall(match.group(2))
            rows[int(match.group(1))] = {f"{a}:{b}": float(v) for a, b, v in fields}
    if not rows:
        raise ValueError("no 'epoch N/M ...' line in the log: did the training job run?")
    table = pd.DataFrame.from_dict(rows, orient="index").sort_index()
    table.index.name = "epoch"
    return table


def log_value(messages: list[str], label: str) -> int | None:
    """The integer a script logged as ``<label>: N`` (e.g. ``"epochs run"``), or None."""
    pattern = re.compile(rf"^{re.escape(label)}: (\d+)$")
    for message in reversed(messages):
        match = pattern.match(message.strip())
        if match:
            return int(match.group(1))
    return None
