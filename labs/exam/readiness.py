"""Readiness: how ready a learner is, per task statement, per domain and for the exam.

The rule, for each task statement of an exam:

- **labs**: labs completed / labs tagged with the task (a lab counts once any headless
  run of it passed; the curriculum maps notebooks to task statements by their metadata);
- **exercises**: exercises solved / exercises of those labs;
- **questions**: right answers among the task's latest :data:`WINDOW` answers in practice
  exams and drills, divided by at least :data:`MIN_ANSWERS` (so two lucky answers make
  40%, not 100%). Exam questions left unanswered are not counted here (they say nothing
  about what the learner knows), though the exam's score counts them wrong.

``readiness = 0.2 x labs + 0.2 x exercises + 0.6 x questions``. A part with nothing to
measure (no lab tagged with the task yet, labs without exercises) drops out and the
weights of the others are scaled up to sum to 1; questions always count. A domain's
readiness is the mean of its tasks, the exam's the mean of its domains weighted by the
blueprint's domain weights. Levels: :data:`READY` (75%) and up is "ready", from
:data:`GETTING_THERE` (50%) "getting there", below that "not yet".

Questions weigh most because they are the exam's own measure; labs and exercises say the
learner has worked through the topic by hand.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from labs import curriculum, progress
from labs.exam import blueprints

__all__ = [
    "GETTING_THERE",
    "MIN_ANSWERS",
    "READY",
    "WEIGHTS",
    "WINDOW",
    "DomainReadiness",
    "ExamReadiness",
    "TaskReadiness",
    "assess",
    "current",
    "level",
    "table",
]

WEIGHTS = {"labs": 0.2, "exercises": 0.2, "questions": 0.6}
WINDOW = 20
MIN_ANSWERS = 5
READY = 0.75
GETTING_THERE = 0.5


def level(value: float) -> str:
    """``"ready"``, ``"getting there"`` or ``"not yet"``."""
    if value >= READY:
        return "ready"
    return "getting there" if value >= GETTING_THERE else "not yet"


@dataclass(frozen=True)
class Tally:
    """Right answers out of answered ones."""

    correct: int = 0
    answered: int = 0

    def text(self) -> str:
        """``"7/10"``, or ``"-"`` when nothing was answered."""
        return f"{self.correct}/{self.answered}" if self.answered else "-"


@dataclass(frozen=True)
class TaskReadiness:
    """One task statement's evidence and readiness."""

    task: blueprints.Task
    labs_done: int
    labs_total: int
    exercises_solved: int
    exercises_total: int | None
    exam: Tally
    drill: Tally
    recent: Tally
    readiness: float

    @property
    def parts(self) -> dict[str, float | None]:
        """Each part of the rule as a fraction (None when it has nothing to measure)."""
        return _parts(self)


@dataclass(frozen=True)
class DomainReadiness:
    """A domain: its tasks and their mean readiness."""

    domain: blueprints.Domain
    tasks: tuple[TaskReadiness, ...]

    @property
    def readiness(self) -> float:
        """The mean of the tasks' readiness."""
        return sum(t.readiness for t in self.tasks) / len(self.tasks)


@dataclass(frozen=True)
class ExamReadiness:
    """An exam: its domains and the weighted overall readiness."""

    exam: blueprints.Exam
    domains: tuple[DomainReadiness, ...]

    @property
    def readiness(self) -> float:
        """Domain readiness weighted by the blueprint's domain weights."""
        total = sum(d.domain.weight for d in self.domains)
        return sum(d.readiness * d.domain.weight for d in self.domains) / total

    @property
    def tasks(self) -> list[TaskReadiness]:
        """Every task statement, in blueprint order."""
        return [t for d in self.domains for t in d.tasks]


def _parts(t: TaskReadiness) -> dict[str, float | None]:
    labs = t.labs_done / t.labs_total if t.labs_total else None
    exercises = (
        t.exercises_solved / t.exercises_total if t.labs_total and t.exercises_total else None
    )
    questions = t.recent.correct / max(t.recent.answered, MIN_ANSWERS)
    return {"labs": labs, "exercises": exercises, "questions": questions}


def _combine(parts: dict[str, float | None]) -> float:
    present = {k: v for k, v in parts.items() if v is not None}
    weight = sum(WEIGHTS[k] for k in present)
    return sum(WEIGHTS[k] * v for k, v in present.items()) / weight


def _answers(store: progress.Progress, exam: blueprints.Exam) -> dict[str, list[tuple[str, bool]]]:
    """Task id -> (kind, right?) for every practice answer tagged for ``exam``, oldest first."""
    key = "mls_task" if exam.prefix == "MLS" else "mla_task"
    found: dict[str, list[tuple[str, bool]]] = {}
    for result in store.exams:
        kind = result.get("kind")
        if kind not in ("exam", "drill"):
            continue
        for q in result.get("questions", []):
            if not isinstance(q, dict) or not isinstance(q.get(key), str):
                continue
            if kind == "exam" and not q.get("chosen"):
                continue  # left unanswered: no evidence either way
            found.setdefault(q[key], []).append((kind, bool(q.get("correct"))))
    return found


def _tally(items: Iterable[tuple[str, bool]]) -> Tally:
    items = list(items)
    return Tally(sum(ok for _, ok in items), len(items))


def assess(
    exam: str | blueprints.Exam,
    infos: Sequence[curriculum.NotebookInfo],
    store: progress.Progress,
    exercise_ids: set[str] | None,
) -> ExamReadiness:
    """Readiness for ``exam`` from the curriculum, the progress store and the exercise ids.

    ``exercise_ids`` lists every exercise of the kit (None when unknown: exercises then drop
    out of the rule).
    """
    chosen = exam if isinstance(exam, blueprints.Exam) else blueprints.get_exam(exam)
    answers = _answers(store, chosen)
    solved = {k for k, v in store.exercises.items() if v.solved}
    domains = []
    for domain in chosen.domains:
        tasks = []
        for task in domain.tasks:
            labs = [info for info in infos if task.id in info.tasks]
            done = sum(
                bool(store.notebooks.get(i.id) and store.notebooks[i.id].ever_passed) for i in labs
            )
            prefixes = tuple(curriculum.exercise_module(i.id) + "." for i in labs)
            if exercise_ids is None:
                mine: set[str] | None = None
            else:
                mine = {e for e in exercise_ids if prefixes and e.startswith(prefixes)}
            got = answers.get(task.id, [])
            draft = TaskReadiness(
                task=task,
                labs_done=done,
                labs_total=len(labs),
                exercises_solved=len(solved & mine) if mine is not None else 0,
                exercises_total=len(mine) if mine is not None else None,
                exam=_tally(a for a in got if a[0] == "exam"),
                drill=_tally(a for a in got if a[0] == "drill"),
                recent=_tally(got[-WINDOW:]),
                readiness=0.0,
            )
            tasks.append(TaskReadiness(**{**draft.__dict__, "readiness": _combine(_parts(draft))}))
        domains.append(DomainReadiness(domain, tuple(tasks)))
    return ExamReadiness(chosen, tuple(domains))


def _exercise_ids() -> set[str] | None:
    try:
        listing = importlib.import_module("labs.exercises").all_exercises()
    except Exception:  # a broken exercise module must not break the readiness report
        return None
    return {e.id for e in listing}


def current(exam: str = "MLS-C01") -> ExamReadiness:
    """Readiness for ``exam`` from this kit's curriculum and the learner's progress store."""
    return assess(exam, curriculum.notebooks(), progress.load(), _exercise_ids())


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def table(ready: ExamReadiness) -> str:
    """The readiness report as a terminal table: per task, per domain, overall."""
    headers = ["task", "labs", "exercises", "exam", "drill", "recent", "readiness", ""]
    rows: list[list[str]] = []
    for d in ready.domains:
        rows.append(
            [
                f"{d.domain.number} {d.domain.name} ({d.domain.weight}%)",
                "",
                "",
                "",
                "",
                "",
                _percent(d.readiness),
                level(d.readiness),
            ]
        )
        for t in d.tasks:
            rows.append(
                [
                    f"  {t.task.id} {t.task.title}",
                    f"{t.labs_done}/{t.labs_total}" if t.labs_total else "-",
                    f"{t.exercises_solved}/{t.exercises_total}"
                    if t.labs_total and t.exercises_total
                    else "-",
                    t.exam.text(),
                    t.drill.text(),
                    t.recent.text(),
                    _percent(t.readiness),
                    level(t.readiness),
                ]
            )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    first = widths[0]
    task_width = min(first, 52)

    def line(cells: Sequence[str]) -> str:
        name = cells[0] if len(cells[0]) <= task_width else cells[0][: task_width - 1] + "…"
        out = [name.ljust(task_width)] + [
            c.rjust(w) if i < len(cells) - 1 else c
            for i, (c, w) in enumerate(zip(cells[1:], widths[1:], strict=True), start=1)
        ]
        return ("  " + "  ".join(out)).rstrip()

    lines = [
        f"{ready.exam.code} readiness: {_percent(ready.readiness)} ({level(ready.readiness)})",
        line(headers),
        line(["-" * w for w in [task_width, *widths[1:]]]),
        *(line(r) for r in rows),
        "  readiness = 0.2 labs + 0.2 exercises + 0.6 questions (right among the latest "
        f"{WINDOW} answers, out of at least {MIN_ANSWERS});",
        "  a part with nothing to measure drops out. Ready at 75%, getting there at 50%.",
    ]
    return "\n".join(lines)
