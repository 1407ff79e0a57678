"""Reading a learner's answer: letters such as ``B``, ``ad``, ``A, D`` or ``a d``.

>>> from labs.exam.bank import Question
>>> q = Question("d3-001", "MLS 3.5", "ml-concept", "multiple", "Which? (Choose two.)",
...     tuple((k, k) for k in "ABCDE"), ("A", "D"), tuple((k, k) for k in "ABCDE"),
...     "Guide: topic", "04-3-evaluation", choose=2)
>>> parse_answer("d, a", q)
('A', 'D')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from labs.errors import LabsError
from labs.exam.bank import CHOOSE_WORDS, Question

__all__ = ["AnswerError", "choose_hint", "looks_like_letters", "parse_answer"]

_SEPARATORS = re.compile(r"[\s,;/+]+")
_LETTERS_ONLY = re.compile(r"[A-Za-z]+")


class AnswerError(LabsError):
    """An answer that does not fit the question (an unknown letter, too many letters)."""


def looks_like_letters(text: str) -> bool:
    """True when ``text`` is letters and separators only (``"AD"``, ``"a, d"``)."""
    joined = _SEPARATORS.sub("", text.strip())
    return bool(joined) and bool(_LETTERS_ONLY.fullmatch(joined))


def choose_hint(question: Question) -> str:
    """How many options the question wants, in words: ``"Choose one."``, ``"Choose two."``."""
    return (
        f"Choose {CHOOSE_WORDS.get(question.choose, str(question.choose))}."
        if (question.choose > 1)
        else "Choose one."
    )


def parse_answer(
    text: str | Iterable[str], question: Question, *, exact_count: bool = True
) -> tuple[str, ...]:
    """The letters chosen, upper case, sorted, each once.

    ``text`` is what the learner typed (or an iterable of letters). Raises
    :class:`AnswerError` with a message for the learner when a letter is not an option, or
    when ``exact_count`` and the number of letters is not what the question asks for.
    """
    raw = text if isinstance(text, str) else " ".join(str(t) for t in text)
    joined = _SEPARATORS.sub("", raw.strip())
    if not joined:
        raise AnswerError("Type the letter of your answer, e.g. B.")
    if not _LETTERS_ONLY.fullmatch(joined):
        raise AnswerError(f"{raw.strip()!r} is not an answer: type option letters, e.g. B or AD.")
    letters = tuple(sorted({c.upper() for c in joined}))
    unknown = [c for c in letters if c not in question.letters]
    if unknown:
        allowed = f"{question.letters[0]}-{question.letters[-1]}"
        raise AnswerError(
            f"{', '.join(unknown)} {'is not an option' if len(unknown) == 1 else 'are not options'}"
            f" here: choose from {allowed}."
        )
    if exact_count and len(letters) != question.choose:
        wanted = CHOOSE_WORDS.get(question.choose, str(question.choose))
        if question.choose == 1:
            raise AnswerError("This question has one right answer: type a single letter.")
        raise AnswerError(
            f"This question asks you to choose {wanted}: type {wanted} letters, "
            f"e.g. {''.join(question.letters[: question.choose])}."
        )
    return letters
