"""labs.modeling.blazingtext_lines: tokens and __label__ lines as BlazingText reads them."""

from __future__ import annotations

import pytest

from labs.algorithms._fasttext import split_line
from labs.modeling.blazingtext_lines import sentence, tokenize, training_file, training_line


def test_tokenize_lowercases_and_splits_punctuation_but_keeps_contractions():
    assert tokenize("The lid ISN'T sturdy, at all!!") == [
        "the", "lid", "isn't", "sturdy", ",", "at", "all", "!", "!",
    ]  # fmt: skip
    assert sentence("  Worth   every penny.  ") == "worth every penny ."


def test_training_line_round_trips_through_the_stand_in_parser():
    line = training_line("negative", "Not wroth the price.")
    assert line == "__label__negative not wroth the price ."
    example = split_line(line)
    assert example.labels == ["negative"] and example.tokens == [
        "not",
        "wroth",
        "the",
        "price",
        ".",
    ]


def test_training_file_has_one_line_per_example():
    text = training_file(["a", "b"], ["One.", "Two!"])
    assert text == "__label__a one .\n__label__b two !\n"


@pytest.mark.parametrize("label", ["", "  ", "very good"])
def test_a_label_must_be_one_token(label):
    with pytest.raises(ValueError, match="one token"):
        training_line(label, "text")
