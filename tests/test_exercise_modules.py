"""The one harness every exercise of the kit passes.

For each exercise found by ``labs.exercises.all_exercises()``:

- the reference solution's answer is correct;
- every typical wrong answer is incorrect, with a message that says why;
- the placeholder ``____`` reports "not attempted";
- it has what a learner needs: a title, a prompt, hints, a solution that compiles, and at
  least one typical wrong answer.

The ``lab`` fixture (conftest.py at the repository root) is ``labs.start()`` in local
mode, shared by the session; exercises that read AWS state get it through
``check(..., lab=lab)``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.exercises import Exercise, Status, ____, all_exercises

EXERCISES = all_exercises()


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress from these checks goes to a temporary folder, not the learner's."""
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))
    return tmp_path / "labs-home"


def test_the_kit_has_exercises() -> None:
    # An empty parametrisation would skip every test below; this one fails instead.
    assert len(EXERCISES) >= 1


each_exercise = pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])


@each_exercise
def test_reference_solution_is_correct(exercise: Exercise, lab) -> None:
    answer = exercise.reference(lab)
    result = exercise.check(answer, lab=lab)
    assert result.status is Status.CORRECT, f"{exercise.id}: {result.message}"


@each_exercise
def test_typical_wrong_answers_are_incorrect_with_a_reason(exercise: Exercise, lab) -> None:
    wrong_answers = exercise.typical_wrong(lab)
    assert wrong_answers, f"{exercise.id} lists no typical wrong answers"
    for wrong in wrong_answers:
        result = exercise.check(wrong, lab=lab)
        assert result.status is Status.INCORRECT, f"{exercise.id} accepted {wrong!r}"
        assert result.message.strip(), f"{exercise.id} gave no reason for {wrong!r}"


@each_exercise
def test_placeholder_is_not_attempted(exercise: Exercise, lab) -> None:
    result = exercise.check(____, lab=lab)
    assert result.status is Status.NOT_ATTEMPTED, f"{exercise.id}: {result.message}"
    assert result.message.strip()


@each_exercise
def test_exercise_is_complete(exercise: Exercise) -> None:
    assert exercise.title.strip(), f"{exercise.id} has no title"
    assert exercise.prompt.strip(), f"{exercise.id} has no prompt"
    assert exercise.hints and all(h.strip() for h in exercise.hints), f"{exercise.id}: hints"
    assert exercise.solution_code.strip(), f"{exercise.id} has no solution"
    compile(exercise.solution_code, f"<solution of {exercise.id}>", "exec")


@each_exercise
def test_hint_and_solution_show_without_error(
    exercise: Exercise, capsys: pytest.CaptureFixture[str]
) -> None:
    exercise.hint(1)
    exercise.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of" in out and exercise.solution_code.strip().splitlines()[0] in out
