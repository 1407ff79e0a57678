"""Drills: short practice sets from one domain or task statement, with feedback at once.

A drill picks ``count`` questions (10 by default) in its scope, in this order:

1. questions due in the review queue (missed before; see :mod:`labs.exam.repetition`),
   lowest box first;
2. questions the learner has never answered, in an exam or a drill;
3. the rest, least recently answered first (questions waiting in the queue but not yet due
   are left out while others remain).

Each answer is checked at once: right or wrong, every option's explanation, the AWS
documentation topic and the lab that teaches it. When the drill ends (its last answer,
:meth:`Drill.finish`, or Ctrl-C in the terminal) its answers go to the progress store and
the review queue in one write.

In a notebook::

    from labs.exam import drill
    session = drill.start(domain=3, count=5)
    session.show()              # the question on screen
    session.answer("B")         # prints the feedback, then the next question
    session.summary()
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from labs import progress
from labs.errors import LabsError
from labs.exam import blueprints, repetition
from labs.exam.answers import parse_answer
from labs.exam.bank import Question, load_bank
from labs.exam.report import render_explanations, render_question
from labs.exam.scoring import question_record

__all__ = ["DEFAULT_COUNT", "Drill", "Feedback", "Scope", "pick", "scope", "start"]

DEFAULT_COUNT = 10


@dataclass(frozen=True)
class Scope:
    """What a drill covers: a whole exam, one domain or one task statement."""

    exam: blueprints.Exam
    domain: int | None = None
    task: str | None = None

    @property
    def label(self) -> str:
        """``"MLS 3.4 Hyperparameter optimization"``, ``"MLS-C01 domain 3 Modeling"``, ..."""
        if self.task:
            return f"{self.task} {blueprints.task(self.task).title}"
        if self.domain:
            return f"{self.exam.code} domain {self.domain} {self.exam.domain(self.domain).name}"
        return f"{self.exam.code}, all domains"

    def covers(self, question: Question) -> bool:
        """True when ``question`` is in scope."""
        tag = question.mls_task if self.exam.prefix == "MLS" else question.mla_task
        if tag is None:
            return False
        if self.task:
            return tag == self.task
        if self.domain:
            return blueprints.task(tag).domain == self.domain
        return True


def scope(exam: str = "MLS-C01", domain: int | str | None = None, task: str | None = None) -> Scope:
    """The drill scope from what a learner types: ``domain=3`` or ``task="3.4"``.

    ``task`` takes ``"3.4"`` or ``"MLS 3.4"``. Raises :class:`LabsError` naming the valid
    choices for an unknown domain or task.
    """
    try:
        chosen = blueprints.get_exam(exam)
    except KeyError as error:
        raise LabsError(str(error.args[0])) from None
    if domain is not None and task is not None:
        raise LabsError("Drill one domain or one task statement, not both.")
    numbers = [d.number for d in chosen.domains]
    if domain is not None:
        try:
            number = int(domain)
        except (TypeError, ValueError):
            number = -1
        if number not in numbers:
            raise LabsError(
                f"{chosen.code} has no domain {domain!r}: choose one of "
                f"{', '.join(str(n) for n in numbers)}."
            )
        return Scope(chosen, domain=number)
    if task is not None:
        text = str(task).strip().upper()
        tag = text if text.startswith(chosen.prefix + " ") else f"{chosen.prefix} {text}"
        if tag not in blueprints.task_ids(chosen.code):
            valid = " ".join(
                sorted(
                    t.removeprefix(chosen.prefix + " ") for t in blueprints.task_ids(chosen.code)
                )
            )
            raise LabsError(f"{chosen.code} has no task statement {task!r}: choose one of {valid}.")
        return Scope(chosen, task=tag)
    return Scope(chosen)


def _answer_history(store: progress.Progress) -> dict[str, int]:
    """Question id -> the index of the latest practice result that answered it."""
    last: dict[str, int] = {}
    for index, result in enumerate(store.exams):
        for q in result.get("questions", []):
            if isinstance(q, dict) and "id" in q:
                last[str(q["id"])] = index
    return last


def pick(
    bank: Sequence[Question],
    where: Scope,
    store: progress.Progress,
    count: int = DEFAULT_COUNT,
    seed: int | None = None,
) -> list[Question]:
    """The questions of the next drill in ``where`` (see the module doc for the order)."""
    if count < 1:
        raise LabsError(f"A drill needs at least one question (got {count}).")
    pool = [q for q in bank if where.covers(q)]
    if not pool:
        raise LabsError(f"The question bank has no questions for {where.label} yet.")
    rng = random.Random(seed)
    by_id = {q.id: q for q in pool}
    drills_done = len(store.practice("drill"))
    due = [by_id[i] for i in repetition.due_ids(store.review_queue, drills_done) if i in by_id]
    waiting = {i for i in store.review_queue if i in by_id} - {q.id for q in due}
    history = _answer_history(store)
    rest = [q for q in pool if q not in due]
    rng.shuffle(rest)
    # never seen first, then least recently seen; not-yet-due queue entries last
    rest.sort(key=lambda q: (q.id in waiting, q.id in history, history.get(q.id, -1)))
    chosen = (due + rest)[:count]
    rng.shuffle(chosen)
    return chosen


@dataclass(frozen=True)
class Feedback:
    """The check of one drill answer."""

    question: Question
    chosen: tuple[str, ...]
    correct: bool

    def text(self) -> str:
        """Right or wrong, then every option's explanation, the docs and the lab."""
        if self.correct:
            head = "Right."
        else:
            head = (
                f"Not quite: you chose {', '.join(self.chosen) or 'nothing'}; "
                f"the answer is {', '.join(self.question.answer)}."
            )
        return f"{head}\n{render_explanations(self.question, self.chosen)}"

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())


@dataclass
class Drill:
    """A drill in progress. :meth:`answer` checks one answer and moves on."""

    scope: Scope
    questions: list[Question]
    record: bool = True
    given: list[Feedback] = field(default_factory=list)
    finished: bool = False

    @property
    def position(self) -> int:
        """0-based index of the question on screen (== number answered)."""
        return len(self.given)

    @property
    def current(self) -> Question | None:
        """The question waiting for an answer, or None when the drill is over."""
        if self.finished or self.position >= len(self.questions):
            return None
        return self.questions[self.position]

    def screen(self) -> str:
        """The question waiting for an answer, as text."""
        q = self.current
        if q is None:
            return "The drill is over: " + self.summary_text()
        return (
            f"Drill: {self.scope.label}, question {self.position + 1} of {len(self.questions)}\n\n"
            f"{render_question(q)}"
        )

    def show(self) -> None:
        """Print the question waiting for an answer."""
        print(self.screen())

    def check(self, letters: str | Iterable[str]) -> Feedback:
        """Check ``letters`` for the current question and move on (the drill ends after the
        last question and is recorded). Raises :class:`LabsError` for an answer that does
        not fit the question (unknown letter, wrong number of letters)."""
        q = self.current
        if q is None:
            raise LabsError("This drill is over. Start another with drill.start(...).")
        chosen = parse_answer(letters, q)
        feedback = Feedback(q, chosen, q.is_correct(chosen))
        self.given.append(feedback)
        if self.current is None:
            self.finish()
        return feedback

    def answer(self, letters: Any) -> None:
        """Notebook form of :meth:`check`: prints the feedback, then the next question.

        The kit's placeholder ``____`` (or ``None``) is "not answered yet": it prints a
        reminder and changes nothing, so a notebook runs end to end. The feedback is
        printed, not returned (use :meth:`check` for the :class:`Feedback` object).
        """
        from labs.exercises import is_placeholder

        if letters is None or is_placeholder(letters):
            print('Not answered yet: replace ____ with your letters, e.g. "B" or "AD".')
            return
        feedback = self.check(letters)
        print(feedback.text())
        print()
        print(self.screen())

    @property
    def correct(self) -> int:
        """Answers right so far."""
        return sum(f.correct for f in self.given)

    def summary_text(self) -> str:
        """``"7 of 10 right"`` and what comes back later."""
        if not self.given:
            return "Nothing answered yet."
        missed = len(self.given) - self.correct
        text = f"{self.correct} of {len(self.given)} right."
        if missed:
            text += (
                f" The {missed} missed question{'s' if missed > 1 else ''} will come back in "
                "your next drills."
            )
        return text

    def summary(self) -> None:
        """Print how the drill went."""
        print(self.summary_text())

    def finish(self) -> dict[str, Any] | None:
        """End the drill and record its answers (nothing is recorded without an answer).

        Returns the stored result, or None when there was nothing to record.
        """
        if self.finished:
            return None
        self.finished = True
        if not self.given or not self.record:
            return None
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        result = {
            "kind": "drill",
            "exam": self.scope.exam.code,
            "scope": self.scope.task
            or (f"{self.scope.exam.prefix} {self.scope.domain}" if self.scope.domain else "all"),
            "finished": when,
            "correct": self.correct,
            "total": len(self.given),
            "planned": len(self.questions),
            "questions": [question_record(f.question, f.chosen, f.correct) for f in self.given],
        }
        outcomes = [(f.question.id, f.correct) for f in self.given]
        return progress.record_practice(
            result, lambda queue, drills: repetition.review(queue, outcomes, drills, when)
        )


def start(
    exam: str = "MLS-C01",
    *,
    domain: int | str | None = None,
    task: str | None = None,
    count: int = DEFAULT_COUNT,
    bank: Sequence[Question] | str | None = None,
    seed: int | None = None,
    record: bool = True,
) -> Drill:
    """Pick a drill's questions and return it, ready for answers.

    ``bank`` is a list of questions or a folder of YAML files (default: the kit's bank).
    ``record=False`` keeps the drill out of the progress store.
    """
    where = scope(exam, domain, task)
    questions = bank if isinstance(bank, Sequence) and not isinstance(bank, str) else None
    if questions is None:
        questions = load_bank(bank)  # type: ignore[arg-type]
    return Drill(where, pick(questions, where, progress.load(), count, seed), record=record)
