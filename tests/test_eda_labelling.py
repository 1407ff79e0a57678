"""labs.eda.labelling: simulated workers of known accuracy, and majority-vote consolidation."""

from __future__ import annotations

import pandas as pd
import pytest

from labs.eda import labelling
from labs.errors import LabsError


def test_workers_have_the_accuracy_asked_for():
    truth = ["a", "b", "c"] * 2000
    votes = labelling.simulate_annotators(truth, [0.9, 0.6], seed=1)
    assert list(votes.columns) == ["worker_1", "worker_2"]
    assert (votes["worker_1"] == truth).mean() == pytest.approx(0.9, abs=0.02)
    assert (votes["worker_2"] == truth).mean() == pytest.approx(0.6, abs=0.02)
    wrong = votes.loc[votes["worker_2"] != pd.Series(truth), "worker_2"]
    assert set(wrong) == {"a", "b", "c"}  # wrong answers spread over the other classes


def test_seeded_and_reproducible():
    truth = ["x", "y"] * 50
    first = labelling.simulate_annotators(truth, [0.7], seed=3)
    assert first.equals(labelling.simulate_annotators(truth, [0.7], seed=3))
    assert not first.equals(labelling.simulate_annotators(truth, [0.7], seed=4))


def test_majority_vote_and_ties_go_to_the_first_worker():
    votes = pd.DataFrame(
        {"w1": ["a", "a", "c", "b"], "w2": ["a", "b", "b", "a"], "w3": ["b", "b", "a", "c"]}
    )
    assert labelling.majority_vote(votes).tolist() == ["a", "b", "c", "b"]


def test_three_independent_workers_beat_the_best_one():
    truth = ["p", "n", "u"] * 1000
    votes = labelling.simulate_annotators(truth, [0.8, 0.8, 0.8], seed=0)
    vote = labelling.majority_vote(votes)
    assert (vote == pd.Series(truth)).mean() > (votes["worker_1"] == truth).mean() + 0.05


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([], [0.9]), "no items"),
        ((["a", "b"], []), "at least one worker"),
        ((["a", "b"], [1.2]), "between 0 and 1"),
        ((["a", "a"], [0.9]), "two classes"),
    ],
)
def test_clear_errors(args, message):
    with pytest.raises(LabsError, match=message):
        labelling.simulate_annotators(*args)
