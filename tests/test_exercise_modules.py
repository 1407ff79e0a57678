"""The one harness every exercise of the kit passes.

For each exercise found by ``labs.exercises.all_exercises()``:

- the reference solution's answer is correct;
- every typical wrong answer is incorrect, with a message that says why; a typical wrong
  function is documented, and a learner's function that behaves like it is told its
  docstring;
- the placeholder ``____`` reports "not attempted";
- it has what a learner needs: a title, a prompt, hints, a solution that compiles, and at
  least one typical wrong answer.

The ``lab`` fixture (conftest.py at the repository root) is ``labs.start()`` in local
mode, shared by the session; exercises that read AWS state get it through
``check(..., lab=lab)``.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from labs.exercises import Exercise, FunctionExercise, Status, ____, all_exercises

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


FUNCTION_EXERCISES = [e for e in EXERCISES if isinstance(e, FunctionExercise)]


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=[e.id for e in FUNCTION_EXERCISES])
def test_typical_wrong_functions_are_documented_and_recognised(exercise: Exercise, lab) -> None:
    # A learner whose function makes a listed mistake is told which one: the typical wrong
    # function's docstring. That needs a docstring, and cases that tell the mistakes apart.
    for wrong in exercise.typical_wrong(lab):
        if not callable(wrong):
            continue
        name = getattr(wrong, "__name__", repr(wrong))
        doc = inspect.getdoc(wrong)
        assert doc, (
            f"{exercise.id}: typical wrong function {name} has no docstring; write one that "
            "names the mistake (a lambda cannot carry one: use a def)"
        )
        result = exercise.check(wrong, lab=lab)
        assert " ".join(doc.split()) in result.message, (
            f"{exercise.id}: the check of {name} does not name its mistake (another typical "
            f"wrong function gives the same outputs on every case?): {result.message}"
        )


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
