"""Simulated human annotators and annotation consolidation by majority vote.

A labelling service sends each item to several workers and consolidates their answers into
one label. This module simulates workers of known accuracy on items whose true label is
known, so a lab can measure what consolidation buys:

>>> votes = simulate_annotators(["pos", "neg", "pos"], [1.0, 1.0, 0.0], seed=0)
>>> votes["worker_3"].tolist()          # a worker who is always wrong
['neg', 'pos', 'neg']
>>> majority_vote(votes).tolist()       # is outvoted by the two who are always right
['pos', 'neg', 'pos']

A wrong answer is drawn uniformly from the other classes, so errors do not agree with
each other more than chance: the most favourable case for a vote. Real workers often
share mistakes (an ambiguous item fools everyone), which a vote cannot fix.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from labs.errors import LabsError

__all__ = ["majority_vote", "simulate_annotators"]


def simulate_annotators(
    true_labels: Sequence[Hashable],
    accuracies: Sequence[float],
    *,
    classes: Sequence[Hashable] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """One column per simulated worker (``worker_1`` ...), one row per item.

    Worker *i* gives the true label with probability ``accuracies[i]``, otherwise one of the
    other ``classes`` (default: the distinct true labels) at random. Seeded: the same
    arguments give the same answers.
    """
    truth = pd.Series(list(true_labels))
    if truth.empty:
        raise LabsError("There are no items to label.")
    if not accuracies:
        raise LabsError("Give at least one worker accuracy.")
    for acc in accuracies:
        if not 0.0 <= acc <= 1.0:
            raise LabsError(f"A worker accuracy is a probability, between 0 and 1; got {acc}.")
    labels = sorted(set(classes) if classes is not None else set(truth), key=str)
    if len(labels) < 2:
        raise LabsError("Labelling needs at least two classes.")
    unknown = set(truth) - set(labels)
    if unknown:
        raise LabsError(f"Some true labels are not among the classes: {sorted(unknown, key=str)}.")
    rng = np.random.default_rng(seed)
    index = {label: i for i, label in enumerate(labels)}
    true_idx = truth.map(index).to_numpy()
    columns = {}
    for w, acc in enumerate(accuracies, start=1):
        correct = rng.random(len(truth)) < acc
        # a wrong answer: shift the true class by 1..k-1 places, uniformly
        shift = rng.integers(1, len(labels), size=len(truth))
        answer = np.where(correct, true_idx, (true_idx + shift) % len(labels))
        columns[f"worker_{w}"] = [labels[i] for i in answer]
    return pd.DataFrame(columns, index=truth.index)


def majority_vote(annotations: pd.DataFrame) -> pd.Series:
    """The most frequent answer in each row; a tie goes to the answer of the first column.

    The first column should be your most trusted worker: it decides when the others split.
    """
    if not isinstance(annotations, pd.DataFrame) or annotations.shape[1] == 0:
        raise LabsError("Give a DataFrame with one column per worker.")

    def vote(row: pd.Series) -> Hashable:
        counts = row.value_counts()
        best = counts[counts == counts.max()].index
        return row.iloc[0] if row.iloc[0] in best else best[0]

    return annotations.apply(vote, axis=1).rename("consolidated")
