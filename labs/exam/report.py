"""Text for the terminal and notebooks: questions, explanations and the score report.

Plain text only (no colour, no cursor control), so the same text reads in a terminal, in
a notebook cell and in a test.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterable, Sequence

from labs.curriculum import LAB_PLAN
from labs.exam import blueprints
from labs.exam.answers import choose_hint
from labs.exam.bank import Question
from labs.exam.scoring import ExamResult, pass_fraction

__all__ = [
    "clock",
    "lab_line",
    "render_explanations",
    "render_question",
    "render_report",
    "width",
    "wrap",
]


def width() -> int:
    """Text width: the terminal's, between 60 and 100 columns."""
    return max(60, min(100, shutil.get_terminal_size((88, 24)).columns - 1))


def wrap(text: str, indent: str = "", hanging: str | None = None) -> str:
    """``text`` wrapped to :func:`width`, each paragraph on its own."""
    later = indent if hanging is None else hanging
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()] or [""]
    return "\n".join(
        textwrap.fill(" ".join(p.split()), width(), initial_indent=indent, subsequent_indent=later)
        for p in paragraphs
    )


def clock(seconds: float) -> str:
    """``9727`` -> ``"2:42:07"`` (hours:minutes:seconds, rounded down)."""
    whole = max(0, int(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def lab_line(question: Question) -> str:
    """``"Evaluation: metrics, ... (04-3-evaluation)"``: the lab that teaches the question."""
    return f"{LAB_PLAN.get(question.lab, question.lab)} ({question.lab})"


def render_question(question: Question, chosen: Iterable[str] = ()) -> str:
    """The stem and the options, marking the chosen letters with ``>``."""
    picked = set(chosen)
    lines = [wrap(question.stem)]
    if question.choose > 1 and choose_hint(question) not in question.stem:
        lines.append(choose_hint(question))
    lines.append("")
    for letter, text in question.options:
        mark = ">" if letter in picked else " "
        lines.append(wrap(text, f" {mark} {letter}. ", "      "))
    return "\n".join(lines)


def render_explanations(question: Question, chosen: Sequence[str]) -> str:
    """Every option with why it is right or wrong, the documentation topic and the lab."""
    picked = set(chosen)
    lines = []
    for letter, text in question.options:
        right = letter in question.answer
        if letter in picked:
            tag = "(your answer, right) " if right else "(your answer, wrong) "
        else:
            tag = "(right answer) " if right else ""
        lines.append(wrap(f"{tag}{text}", f"  {letter}. ", "     "))
        lines.append(wrap(question.explanation(letter), "       ", "       "))
    lines.append(wrap(f"Documentation: {question.reference}", "  ", "    "))
    lines.append(wrap(f"Lab to revisit: {lab_line(question)}", "  ", "    "))
    return "\n".join(lines)


def _letters(chosen: Sequence[str]) -> str:
    return ", ".join(chosen) if chosen else "nothing"


def render_report(
    result: ExamResult, *, seconds_used: float | None = None, timed_out: bool = False
) -> str:
    """The score report: scaled score and pass or fail, per-domain feedback, missed questions."""
    exam = result.exam
    share = result.correct / result.total
    unanswered = sum(not q.answered for q in result.questions)
    verdict = "PASS" if result.passed else "FAIL"
    rule = "=" * width()
    lines = [
        rule,
        f"{exam.code} practice exam: your result",
        rule,
        f"Score: {result.scaled} of {exam.score_max}  (pass mark {exam.pass_mark})  {verdict}",
        f"{result.correct} of {result.total} questions right ({share:.0%}), "
        f"{unanswered} unanswered"
        + (f", time used {clock(seconds_used)}" if seconds_used is not None else ""),
    ]
    if timed_out:
        lines.append("Time ran out: the exam was submitted with the answers given so far.")
    lines += [
        wrap(
            f"The scaled score is the kit's approximation: AWS does not publish its scaling. "
            f"Here {float(pass_fraction(exam)):.0%} of the questions right maps to "
            f"{exam.pass_mark}, none to {exam.score_min}, all to {exam.score_max}, "
            f"linear in between."
        ),
        "",
        "Section-level feedback",
    ]
    name_width = max(len(f"{d.number} {d.name}") for d in result.domains)
    lines.append(f"  {'domain':<{name_width}}  weight  right  feedback")
    for d in result.domains:
        label = f"{d.number} {d.name}"
        lines.append(
            f"  {label:<{name_width}}  {d.weight:>5}%  {f'{d.correct}/{d.total}':>5}  {d.feedback}"
        )
    lines.append(
        wrap(
            f"A domain meets competencies at {float(pass_fraction(exam)):.0%} right or more. "
            "Scoring is compensatory: only the total score decides pass or fail."
        )
    )
    missed = result.missed
    lines += ["", f"Review of the missed questions ({len(missed)})"]
    if not missed:
        lines.append("None: every question right.")
    for q in missed:
        task = blueprints.task(q.question.mls_task if exam.prefix == "MLS" else q.question.mla_task)
        lines += [
            "-" * width(),
            f"Question {q.number}  ({q.question.id}, {task.id} {task.title})",
            f"You chose {_letters(q.chosen)}; the answer is {_letters(q.question.answer)}."
            + ("  [flagged]" if q.flagged else ""),
            "",
            wrap(q.question.stem),
            "",
            render_explanations(q.question, q.chosen),
        ]
    return "\n".join(lines)
