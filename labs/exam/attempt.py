"""A practice exam in progress: its questions, answers, flags, position and time left.

An :class:`Attempt` is plain state with the moves the exam screen makes (answer, flag,
move). It is saved to the progress store (``exam_attempt``) after every change by
:func:`save`, and :func:`load_open` reads it back for ``labs exam --resume``. Questions
are stored by id and found again in the bank on resume; the bank folder used is stored
too, so an attempt on a custom bank (``--bank``) resumes on it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labs import progress
from labs.errors import LabsError
from labs.exam import blueprints
from labs.exam.bank import Question, load_bank
from labs.exam.forms import FormError, draw_form

__all__ = ["Attempt", "discard", "load_open", "new_attempt", "save", "seen_in_exams"]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Attempt:
    """One practice exam being sat. ``position`` is 0-based; ``answers`` map id -> letters."""

    id: str
    exam: str
    questions: list[Question]
    minutes: float
    remaining_seconds: float
    seed: int
    bank: str | None = None
    started: str = field(default_factory=_now)
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    flagged: set[str] = field(default_factory=set)
    position: int = 0
    fresh_form: bool = True

    @property
    def blueprint(self) -> blueprints.Exam:
        """The exam's blueprint."""
        return blueprints.get_exam(self.exam)

    @property
    def current(self) -> Question:
        """The question on screen."""
        return self.questions[self.position]

    def answer(self, letters: Sequence[str]) -> None:
        """Set the current question's answer (empty letters clear it)."""
        if letters:
            self.answers[self.current.id] = tuple(letters)
        else:
            self.answers.pop(self.current.id, None)

    def toggle_flag(self) -> bool:
        """Flag or unflag the current question; True when it is now flagged."""
        qid = self.current.id
        if qid in self.flagged:
            self.flagged.discard(qid)
            return False
        self.flagged.add(qid)
        return True

    def go(self, position: int) -> None:
        """Move to ``position`` (0-based), kept within the exam."""
        self.position = max(0, min(len(self.questions) - 1, position))

    def unanswered(self) -> list[int]:
        """1-based numbers of the questions with no answer."""
        return [i for i, q in enumerate(self.questions, start=1) if q.id not in self.answers]

    def flagged_numbers(self) -> list[int]:
        """1-based numbers of the flagged questions."""
        return [i for i, q in enumerate(self.questions, start=1) if q.id in self.flagged]

    def to_dict(self) -> dict[str, Any]:
        """The attempt as JSON-ready data (questions by id)."""
        return {
            "id": self.id,
            "exam": self.exam,
            "questions": [q.id for q in self.questions],
            "minutes": self.minutes,
            "remaining_seconds": round(max(0.0, self.remaining_seconds), 3),
            "seed": self.seed,
            "bank": self.bank,
            "started": self.started,
            "updated": _now(),
            "answers": {k: list(v) for k, v in self.answers.items()},
            "flagged": sorted(self.flagged),
            "position": self.position,
            "fresh_form": self.fresh_form,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], bank: Sequence[Question]) -> Attempt:
        """Rebuild a saved attempt, finding its questions in ``bank`` by id."""
        by_id = {q.id: q for q in bank}
        try:
            ids = [str(i) for i in data["questions"]]
            missing = [i for i in ids if i not in by_id]
            if missing:
                raise LabsError(
                    f"The unfinished exam uses questions that are no longer in the bank "
                    f"({', '.join(missing[:5])}). Start a new exam with `labs exam --new`."
                )
            answers = {
                str(k): tuple(str(x) for x in v)
                for k, v in data.get("answers", {}).items()
                if k in by_id and v
            }
            return cls(
                id=str(data["id"]),
                exam=blueprints.get_exam(str(data["exam"])).code,
                questions=[by_id[i] for i in ids],
                minutes=float(data["minutes"]),
                remaining_seconds=float(data["remaining_seconds"]),
                seed=int(data.get("seed", 0)),
                bank=data.get("bank"),
                started=str(data.get("started", _now())),
                answers=answers,
                flagged={str(f) for f in data.get("flagged", []) if f in by_id},
                position=max(0, min(len(ids) - 1, int(data.get("position", 0)))),
                fresh_form=bool(data.get("fresh_form", True)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise LabsError(
                f"The saved unfinished exam cannot be read ({type(error).__name__}: {error}). "
                "Start a new exam with `labs exam --new`."
            ) from None


def seen_in_exams(store: progress.Progress, exam: str) -> set[str]:
    """Ids of the questions in the learner's earlier practice exams of ``exam``."""
    return {
        str(q.get("id"))
        for result in store.practice("exam")
        if result.get("exam") == exam
        for q in result.get("questions", [])
        if isinstance(q, dict)
    }


def new_attempt(
    exam: str,
    bank: Sequence[Question],
    *,
    minutes: float | None = None,
    seed: int | None = None,
    avoid: Iterable[str] = (),
    bank_path: str | Path | None = None,
) -> Attempt:
    """Draw a form and start an attempt (not yet saved).

    The form leaves out the ids in ``avoid`` (questions seen in earlier exams) when the
    bank can still fill a form without them; otherwise it may repeat them, and
    ``fresh_form`` is False. ``minutes`` defaults to the blueprint's time.
    """
    chosen = blueprints.get_exam(exam)
    if minutes is not None and not minutes > 0:
        raise LabsError(f"--minutes must be more than 0 (got {minutes:g}).")
    limit = float(minutes if minutes is not None else chosen.minutes)
    seed = seed if seed is not None else secrets.randbelow(2**31)
    fresh = True
    avoid = set(avoid)
    try:
        form = draw_form(bank, chosen.code, seed=seed, exclude=avoid)
    except FormError:
        if not avoid:
            raise
        form = draw_form(bank, chosen.code, seed=seed)
        fresh = False
    return Attempt(
        id=f"{chosen.code}-{_now()}-{seed}",
        exam=chosen.code,
        questions=list(form),
        minutes=limit,
        remaining_seconds=limit * 60,
        seed=seed,
        bank=str(Path(bank_path).resolve()) if bank_path is not None else None,
        fresh_form=fresh,
    )


def save(attempt: Attempt) -> None:
    """Store the attempt in the progress store, replacing any saved state of it."""
    progress.save_exam_attempt(attempt.to_dict())


def discard() -> None:
    """Forget the unfinished attempt, if any."""
    progress.save_exam_attempt(None)


def load_open(store: progress.Progress | None = None) -> Attempt | None:
    """The unfinished attempt, rebuilt from its bank, or None when there is none."""
    store = store if store is not None else progress.load()
    data = store.exam_attempt
    if not data:
        return None
    bank_path = data.get("bank")
    return Attempt.from_dict(data, load_bank(bank_path) if bank_path else load_bank())
