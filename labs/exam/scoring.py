"""Scoring a practice exam: the scaled 100-1000 score, pass or fail, per-domain feedback.

The rules the exam guides state, kept as they are:

- every question is right or wrong: a multiple-response question counts only when exactly
  the right options are chosen (no partial credit), and an unanswered question is wrong;
- the score is compensatory: only the total decides pass or fail, not each domain;
- the report gives each domain "Meets competencies" or "Needs improvement".

**The scaled score is an approximation.** AWS reports 100-1000 with a pass mark (750 for
MLS-C01, 720 for MLA-C01) but does not publish how raw results map onto that scale; on the
real exam the mapping is set per form by equating, and 15 of the 65 questions are unscored
and unmarked. The kit cannot know which of its questions a real form would leave unscored,
so every question of a practice exam counts, and the map is the kit's own choice:

- a piecewise linear map through three anchors: no question right is 100, all right is
  1000, and :data:`PASS_FRACTION` of the questions right is exactly the pass mark;
- the anchors are 72% for MLS-C01 and 70% for MLA-C01. They sit where a single straight
  line from 100 to 1000 would put the pass marks (750 is 72.2% of the way, 720 is 68.9%),
  rounded to whole percentages, and they are stated so a learner can read the score as
  "how far above or below the pass line";
- the score is rounded down, so a result below the anchor never shows the pass mark.

So on a 65-question MLS-C01 form 47 right (72.3%) scores 752 and passes, 46 right (70.8%)
scores 738 and fails. A domain "Meets competencies" when its own share of right answers
reaches the same anchor, and "Needs improvement" otherwise.

>>> scaled_score(47, 65, "MLS-C01"), scaled_score(46, 65, "MLS-C01")
(752, 738)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from labs.exam import blueprints
from labs.exam.bank import Question
from labs.exam.forms import form_domain

__all__ = [
    "MEETS",
    "NEEDS_IMPROVEMENT",
    "PASS_FRACTION",
    "DomainResult",
    "ExamResult",
    "QuestionResult",
    "domain_feedback",
    "pass_fraction",
    "question_record",
    "result_record",
    "scaled_score",
    "score",
]

#: The share of questions right that maps exactly onto the pass mark (see the module doc).
PASS_FRACTION: dict[str, Fraction] = {
    "MLS-C01": Fraction(72, 100),
    "MLA-C01": Fraction(70, 100),
}
MEETS = "Meets competencies"
NEEDS_IMPROVEMENT = "Needs improvement"


def _exam(exam: str | blueprints.Exam) -> blueprints.Exam:
    return exam if isinstance(exam, blueprints.Exam) else blueprints.get_exam(exam)


def pass_fraction(exam: str | blueprints.Exam = "MLS-C01") -> Fraction:
    """The raw share of right answers that the kit maps onto ``exam``'s pass mark."""
    return PASS_FRACTION[_exam(exam).code]


def scaled_score(correct: int, total: int, exam: str | blueprints.Exam = "MLS-C01") -> int:
    """The scaled score (100-1000) of ``correct`` right answers out of ``total``.

    Piecewise linear through (0, 100), (:func:`pass_fraction`, pass mark) and (1, 1000),
    computed exactly and rounded down.
    """
    chosen = _exam(exam)
    if total <= 0:
        raise ValueError(f"total must be at least 1 (got {total})")
    if not 0 <= correct <= total:
        raise ValueError(f"correct must be between 0 and {total} (got {correct})")
    share = Fraction(correct, total)
    anchor = pass_fraction(chosen)
    low, mark, high = chosen.score_min, chosen.pass_mark, chosen.score_max
    if share < anchor:
        value = low + (mark - low) * share / anchor
    else:
        value = mark + (high - mark) * (share - anchor) / (1 - anchor)
    return math.floor(value)


def domain_feedback(correct: int, total: int, exam: str | blueprints.Exam = "MLS-C01") -> str:
    """ "Meets competencies" when the domain's share right reaches the pass anchor."""
    if total <= 0:
        raise ValueError(f"a domain needs at least one question (got {total})")
    return MEETS if Fraction(correct, total) >= pass_fraction(exam) else NEEDS_IMPROVEMENT


@dataclass(frozen=True)
class QuestionResult:
    """One question of a scored exam: what was chosen and whether it was right."""

    number: int
    question: Question
    chosen: tuple[str, ...]
    correct: bool
    flagged: bool = False

    @property
    def answered(self) -> bool:
        """False when no option was chosen (which counts as wrong)."""
        return bool(self.chosen)


@dataclass(frozen=True)
class DomainResult:
    """One domain's share of a scored exam and its feedback line."""

    number: int
    name: str
    weight: int
    correct: int
    total: int
    feedback: str

    @property
    def meets(self) -> bool:
        """True for "Meets competencies"."""
        return self.feedback == MEETS


@dataclass(frozen=True)
class ExamResult:
    """A scored exam: the scaled score, pass or fail, per domain, per question."""

    exam: blueprints.Exam
    questions: tuple[QuestionResult, ...]
    domains: tuple[DomainResult, ...]
    scaled: int

    @property
    def correct(self) -> int:
        """Questions answered right."""
        return sum(q.correct for q in self.questions)

    @property
    def total(self) -> int:
        """Questions in the exam."""
        return len(self.questions)

    @property
    def passed(self) -> bool:
        """True when the scaled score reaches the pass mark."""
        return self.scaled >= self.exam.pass_mark

    @property
    def missed(self) -> tuple[QuestionResult, ...]:
        """The questions answered wrong or not at all, in exam order."""
        return tuple(q for q in self.questions if not q.correct)


def score(
    exam: str | blueprints.Exam,
    questions: Sequence[Question],
    answers: Mapping[str, Iterable[str]],
    flagged: Iterable[str] = (),
) -> ExamResult:
    """Score ``questions`` with ``answers`` (question id -> chosen letters).

    A missing or empty answer is wrong; a multiple-response answer is right only when it
    is exactly the right set. Domains follow ``exam``: ``mls_task`` for MLS-C01,
    ``mla_task`` for MLA-C01.
    """
    chosen_exam = _exam(exam)
    if not questions:
        raise ValueError("an exam needs at least one question")
    marked = set(flagged)
    results = []
    for number, question in enumerate(questions, start=1):
        picked = tuple(sorted({str(c).strip().upper() for c in answers.get(question.id, ())}))
        right = bool(picked) and question.is_correct(picked)
        results.append(QuestionResult(number, question, picked, right, question.id in marked))
    domains = []
    for domain in chosen_exam.domains:
        mine = [r for r in results if form_domain(r.question, chosen_exam) == domain.number]
        if not mine:
            continue
        right = sum(r.correct for r in mine)
        feedback = domain_feedback(right, len(mine), chosen_exam)
        domains.append(
            DomainResult(domain.number, domain.name, domain.weight, right, len(mine), feedback)
        )
    correct = sum(r.correct for r in results)
    return ExamResult(
        chosen_exam,
        tuple(results),
        tuple(domains),
        scaled_score(correct, len(results), chosen_exam),
    )


def question_record(question: Question, chosen: Sequence[str], correct: bool) -> dict[str, Any]:
    """How one answered question is kept in the progress store (exams and drills alike)."""
    return {
        "id": question.id,
        "mls_task": question.mls_task,
        "mla_task": question.mla_task,
        "category": question.category,
        "chosen": list(chosen),
        "correct": bool(correct),
    }


def result_record(result: ExamResult) -> dict[str, Any]:
    """The scored exam as the progress store keeps it (without the attempt's timing)."""
    return {
        "kind": "exam",
        "exam": result.exam.code,
        "scaled": result.scaled,
        "passed": result.passed,
        "pass_mark": result.exam.pass_mark,
        "correct": result.correct,
        "total": result.total,
        "domains": {
            str(d.number): {"correct": d.correct, "total": d.total, "feedback": d.feedback}
            for d in result.domains
        },
        "questions": [
            {**question_record(q.question, q.chosen, q.correct), "flagged": q.flagged}
            for q in result.questions
        ],
    }
