"""Text to tokens: a regex tokenizer, stop-word removal, n-grams, BlazingText lines.

The pieces a text pipeline is made of, small enough to read in one go. scikit-learn's
``CountVectorizer`` and ``TfidfVectorizer`` do the same steps internally; these make each
step visible. :func:`blazingtext_line` writes one example in the format the SageMaker AI
BlazingText algorithm reads in supervised mode: ``__label__<class>`` followed by the
space-separated tokens of one sentence (developer guide, "BlazingText algorithm", input
and output interface).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["TOKEN_PATTERN", "blazingtext_line", "ngrams", "remove_stop_words", "tokenize"]

#: A word is a run of letters, digits or apostrophes: "isn't" stays one token.
TOKEN_PATTERN = re.compile(r"[a-z0-9']+")


def tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Split ``text`` into word tokens; punctuation is dropped.

    >>> tokenize("The lid isn't sturdy!!!")
    ['the', 'lid', "isn't", 'sturdy']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize() takes a string, not {type(text).__name__}")
    if lowercase:
        return TOKEN_PATTERN.findall(text.lower())
    return re.findall(r"[A-Za-z0-9']+", text)


def remove_stop_words(tokens: Iterable[str], stop_words: Iterable[str]) -> list[str]:
    """The tokens that are not in ``stop_words``, in order."""
    stop = set(stop_words)
    return [t for t in tokens if t not in stop]


def ngrams(tokens: Sequence[str], n: int) -> list[str]:
    """The ``n``-grams of ``tokens`` as space-joined strings, in order.

    >>> ngrams(["not", "great", "at", "all"], 2)
    ['not great', 'great at', 'at all']
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def blazingtext_line(label: str, text: str) -> str:
    """One BlazingText supervised-mode training line: ``__label__<label> <tokens>``.

    The label may not contain spaces (BlazingText splits on whitespace), so spaces in it
    become underscores.
    """
    label = str(label).strip().replace(" ", "_")
    if not label:
        raise ValueError("a BlazingText line needs a non-empty label")
    return " ".join([f"__label__{label}", *tokenize(text)])
