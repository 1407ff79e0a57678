"""Text as BlazingText reads it: tokenised sentences and ``__label__`` training lines.

BlazingText does no preprocessing of its own: it splits each line on spaces. So the
learner tokenises first (lower-case, punctuation split off as its own token) and writes
one line per example, ``__label__<label>`` then the tokens:

>>> training_line("negative", "The lid isn't sturdy, at all!")
"__label__negative the lid isn't sturdy , at all !"

The same :func:`sentence` goes in the endpoint's ``instances``, so a request is tokenised
exactly as the training data was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LABEL_PREFIX = "__label__"
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words (``isn't`` stays one token) and punctuation marks as tokens."""
    return _TOKEN.findall(str(text).lower())


def sentence(text: str) -> str:
    """The tokens of ``text`` joined by single spaces: what BlazingText expects."""
    return " ".join(tokenize(text))


def training_line(label: str, text: str) -> str:
    """``__label__<label> <tokens>``: one supervised-mode training line.

    A label is one token: ValueError if it is empty or holds whitespace.
    """
    label = str(label).strip()
    if not label or any(ch.isspace() for ch in label):
        raise ValueError(f"A BlazingText label is one token without spaces, got {label!r}")
    return f"{LABEL_PREFIX}{label} {sentence(text)}"


def training_file(labels: Iterable[str], texts: Iterable[str]) -> str:
    """The lines of :func:`training_line` for each (label, text), newline-terminated."""
    return "".join(
        training_line(label, text) + "\n" for label, text in zip(labels, texts, strict=True)
    )
