"""The exercise machinery: placeholder, the three problem kinds, hints, display, progress."""

from __future__ import annotations

import copy
import math
import os
import pickle
import subprocess
import sys
import textwrap
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from labs import progress
from labs.errors import LabsError
from labs.exercises import (
    Case,
    CheckResult,
    CustomExercise,
    Exercise,
    FunctionExercise,
    Status,
    ValueExercise,
    ____,
    _display,
    all_exercises,
    core,
    is_placeholder,
)


@pytest.fixture(autouse=True)
def labs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress goes to a temporary LABS_HOME, and no lab counts as running."""
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))
    monkeypatch.setattr(core, "_progress_warned", False)

    def no_lab() -> Any:
        raise LabsError("No lab is running yet: run `lab = labs.start()` first.")

    import labs.lab

    monkeypatch.setattr(labs.lab, "current", no_lab, raising=False)
    return tmp_path / "labs-home"


class FakeLab:
    """Stands in for labs.start()'s Lab: only what these example checks read."""

    mode = "local"
    bucket = "labs-bucket"

    def __init__(self) -> None:
        self.objects = {"data/train.csv": {"ServerSideEncryption": "aws:kms"}}


# ------------------------------------------------------------------ example exercises

row_count = ValueExercise(
    title="Count the rows",
    prompt="How many data rows does the file have?",
    expected=lambda: 100,
    wrong_answer_reasons=lambda n: {n + 1: "You counted the header row."},
    typical_wrong=[99],
    hints=["Use len(df).", "The header is not a row."],
    solution="row_count = len(df)",
    explanation="len(df) counts rows, not the header.",
)

auc = ValueExercise(title="AUC", expected=0.8712, abs_tol=0.005, hints=["roc_auc_score"])

region = ValueExercise(title="Region", expected="us-east-1", ignore_case=True)

algorithms = ValueExercise(
    title="Algorithms",
    expected={"xgboost", "linear-learner"},
    wrong_answer_reasons=[({"xgboost", "kmeans"}, "k-means is unsupervised.")],
)

split = ValueExercise(title="Split", expected=[0.7, 0.15, 0.15])

hyperparameters = ValueExercise(title="HPs", expected={"max_depth": 5, "eta": 0.2})

bucket_name = ValueExercise(title="Bucket", expected=lambda lab: lab.bucket)


def _scale_reference(values: list[float], factor: float = 1.0) -> list[float]:
    return [v * factor for v in values]


scale = FunctionExercise(
    title="Scale a list",
    cases=[
        (([1.0, 2.0], 2.0), [2.0, 4.0]),
        Case(args=([0.1, 0.2],), kwargs={"factor": 3.0}),
        Case(args=([],), expected=[], label="scale of an empty list"),
    ],
    reference_function=_scale_reference,
    typical_wrong=[lambda values, factor=1.0: values],
    hints=["Multiply each value."],
    solution="def scale(values, factor=1.0):\n    return [v * factor for v in values]",
)


def _encrypted(answer: Any, lab: FakeLab) -> CheckResult:
    if not isinstance(answer, str):
        return CheckResult.fail("Give the object key as a string.")
    meta = lab.objects.get(answer)
    if meta is None:
        return CheckResult.fail(f"There is no object {answer!r} in the bucket.")
    if meta.get("ServerSideEncryption") != "aws:kms":
        return CheckResult.fail("The object is not encrypted with SSE-KMS.")
    return CheckResult.ok("The object is encrypted with SSE-KMS.")


encrypted = CustomExercise(
    title="Encrypt with KMS",
    check=_encrypted,
    reference=lambda lab: "data/train.csv",
    typical_wrong=["data/missing.csv", 42],
)

answer_is_two = CustomExercise(
    title="Two", check=lambda a: (a == 2, "checked"), reference=lambda: 2
)


ALL_EXAMPLES = [
    row_count,
    auc,
    region,
    algorithms,
    split,
    hyperparameters,
    bucket_name,
    scale,
    encrypted,
]


# ------------------------------------------------------------------------ placeholder


def test_placeholder_is_one_recognisable_object() -> None:
    assert repr(____) == "____ (replace me)"
    assert str(____) == "____ (replace me)"
    assert copy.copy(____) is ____ and copy.deepcopy([____])[0] is ____
    assert pickle.loads(pickle.dumps(____)) is ____
    assert type(____)() is ____


@pytest.mark.parametrize(
    "answer",
    [____, (1, ____), [____], {____}, frozenset({____}), {"a": ____}, {____: 1}],
    ids=["bare", "tuple", "list", "set", "frozenset", "dict-value", "dict-key"],
)
def test_placeholder_alone_or_in_a_container_is_not_attempted(answer: Any) -> None:
    assert is_placeholder(answer)
    for exercise in ALL_EXAMPLES:
        result = exercise.check(answer, lab=FakeLab())
        assert result.status is Status.NOT_ATTEMPTED, exercise.id
        assert "____" in result.message and not result


def test_check_without_an_answer_is_not_attempted() -> None:
    assert row_count.check().status == "not_attempted"


def test_placeholder_deeper_down_is_incorrect_and_says_so() -> None:
    nested = ValueExercise(title="Nested", expected=[[1, 2], [3]], id="t.nested")
    result = nested.check([[1, ____], [3]])
    assert result.status is Status.INCORRECT
    assert "____" in result.message


# ----------------------------------------------------------------------- ValueExercise


def test_value_correct() -> None:
    for answer in (100, 100.0, np.int64(100), np.float32(100)):
        result = row_count.check(answer)
        assert result.status is Status.CORRECT and result
        assert result.exercise_id == "test_exercise_core.row_count"


def test_value_incorrect_has_a_reason() -> None:
    result = row_count.check(57)
    assert result.status is Status.INCORRECT
    assert "57" in result.message and "100" not in result.message  # no give-away


def test_wrong_answer_reasons_explain_typical_mistakes() -> None:
    assert row_count.check(101).message == "You counted the header row."
    assert algorithms.check(["kmeans", "xgboost"]).message == "k-means is unsupervised."


def test_numbers_use_the_tolerance() -> None:
    assert auc.check(0.87).correct
    assert auc.check(np.float64(0.874)).correct
    assert not auc.check(0.86).correct


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("100", "without quotes"),
        (pd.Series([100]), ".iloc[0]"),
        (pd.DataFrame({"n": [100]}), ".iloc[0, 0]"),
        (np.array([100]), ".item()"),
        ([100], "[0]"),
        (None, "None"),
        (math.nan, "NaN"),
        (True, "bool"),
    ],
)
def test_number_messages_say_what_to_fix(answer: Any, words: str) -> None:
    result = row_count.check(answer)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_text_answers() -> None:
    assert region.check("  US-East-1 ").correct
    strict = ValueExercise(title="Strict", expected="SSE-KMS", id="t.strict")
    assert strict.check("SSE-KMS").correct
    assert "upper/lower case" in strict.check("sse-kms").message
    assert "Expected text" in strict.check(3).message


def test_sets_lists_and_dicts() -> None:
    assert algorithms.check(["linear-learner", "xgboost"]).correct
    assert algorithms.check({"xgboost", "linear-learner"}).correct
    assert "should not be there ('kmeans')" in algorithms.check({"kmeans"}).message
    assert split.check((0.7, 0.15, 0.15)).correct
    assert split.check(np.array([0.7, 0.15, 0.15])).correct
    assert "Expected 3 items, got 2" in split.check([0.7, 0.3]).message
    assert "At index 1" in split.check([0.7, 0.2, 0.1]).message
    assert "Order matters" in split.check({0.7, 0.15}).message
    unordered = ValueExercise(title="Any order", expected=[1, 2, 3], ordered=False, id="t.uo")
    assert unordered.check([3, 1, 2]).correct
    assert hyperparameters.check({"eta": 0.2, "max_depth": 5}).correct
    assert "Missing key: 'eta'" in hyperparameters.check({"max_depth": 5}).message
    assert "For key 'eta'" in hyperparameters.check({"max_depth": 5, "eta": 0.3}).message


def test_expected_value_may_depend_on_the_lab() -> None:
    assert bucket_name.check("labs-bucket", lab=FakeLab()).correct
    assert not bucket_name.check("other", lab=FakeLab()).correct


def test_a_check_that_needs_the_lab_says_to_start_it(labs_home: Path) -> None:
    result = bucket_name.check("labs-bucket")
    assert result.status is Status.INCORRECT
    assert "labs.start()" in result.message
    # Not the learner's fault: not recorded as an incorrect attempt.
    assert "test_exercise_core.bucket_name" not in progress.load().exercises


def test_expected_value_that_fails_to_compute_is_reported() -> None:
    broken = ValueExercise(title="Broken", expected=lambda: 1 / 0, id="t.broken")
    result = broken.check(1)
    assert result.status is Status.INCORRECT
    assert "could not be computed" in result.message


# -------------------------------------------------------------------- FunctionExercise


def test_function_correct() -> None:
    def my_scale(values: list[float], factor: float = 1.0) -> list[float]:
        return [v * factor for v in values]

    result = scale.check(my_scale)
    assert result.correct and "3 test cases" in result.message


def test_function_wrong_output_names_the_case() -> None:
    def my_scale(values, factor=1.0):
        return [v + factor for v in values]

    result = scale.check(my_scale)
    assert result.status is Status.INCORRECT
    assert result.message.startswith("my_scale([1.0, 2.0], 2.0) returned [3.0, 4.0]")
    assert "expected [2.0, 4.0]" in result.message


def _adds_instead(values: list[float], factor: float = 1.0) -> list[float]:
    """Adds the factor instead of multiplying by it."""
    return [v + factor for v in values]


scale_with_diagnosis = FunctionExercise(
    title="Scale a list",
    cases=[(([1.0, 2.0], 2.0), [2.0, 4.0]), (([0.5], 4.0), [2.0])],
    reference_function=_scale_reference,
    typical_wrong=[_adds_instead, lambda values, factor=1.0: values],
)


def test_function_matching_a_documented_mistake_gets_its_reason() -> None:
    def my_scale(values, factor=1.0):
        return [factor + v for v in values]

    result = scale_with_diagnosis.check(my_scale)
    assert result.status is Status.INCORRECT
    assert "common mistake: Adds the factor instead of multiplying by it." in result.message


def test_function_wrong_in_its_own_way_gets_no_borrowed_reason() -> None:
    def my_scale(values, factor=1.0):
        return [v * factor + 1 for v in values]

    result = scale_with_diagnosis.check(my_scale)
    assert result.status is Status.INCORRECT
    assert "common mistake" not in result.message


def test_function_that_raises_is_reported_not_propagated() -> None:
    def my_scale(values, factor=1.0):
        raise KeyError("boom")

    result = scale.check(my_scale)
    assert result.status is Status.INCORRECT
    assert "raised KeyError" in result.message and "boom" in result.message


def test_function_that_exits_is_reported() -> None:
    result = scale.check(lambda values, factor=1.0: sys.exit(3))
    assert result.status is Status.INCORRECT and "SystemExit" in result.message


def test_function_without_return() -> None:
    def my_scale(values, factor=1.0):
        [v * factor for v in values]

    assert "forget `return`" in scale.check(my_scale).message


def test_function_returning_the_placeholder_is_not_attempted() -> None:
    assert scale.check(lambda values, factor=1.0: ____).status is Status.NOT_ATTEMPTED


def test_not_a_function() -> None:
    result = scale.check([2.0, 4.0])
    assert result.status is Status.INCORRECT
    assert "Expected a function" in result.message and "scale.check(my_function)" in (
        result.message
    )


def test_function_inputs_are_copied() -> None:
    seen: list[list[float]] = []

    def mutating(values, factor=1.0):
        seen.append(list(values))
        values.append(99.0)
        return [v * factor for v in values[:-1]]

    assert scale.check(mutating).correct
    assert seen[0] == [1.0, 2.0]
    assert scale.cases()[0].args[0] == [1.0, 2.0]


def test_function_cases_may_depend_on_the_lab() -> None:
    exercise = FunctionExercise(
        title="Prefix",
        cases=lambda lab: [((f"s3://{lab.bucket}/x",), "x")],
        reference_function=lambda uri: uri.rsplit("/", 1)[-1],
        id="t.prefix",
    )
    assert exercise.check(lambda uri: uri.split("/")[-1], lab=FakeLab()).correct
    assert not exercise.check(lambda uri: uri, lab=FakeLab()).correct


# ---------------------------------------------------------------------- CustomExercise


def test_custom_correct_and_incorrect() -> None:
    lab = FakeLab()
    assert encrypted.check("data/train.csv", lab=lab).message == (
        "The object is encrypted with SSE-KMS."
    )
    lab.objects["plain.csv"] = {}
    result = encrypted.check("plain.csv", lab=lab)
    assert result.status is Status.INCORRECT and "SSE-KMS" in result.message
    assert answer_is_two.check(2).correct and not answer_is_two.check(3).correct


def test_custom_check_that_raises_names_the_problem() -> None:
    def check(answer: Any, lab: Any) -> bool:
        return lab.objects[answer]["ServerSideEncryption"] == "aws:kms"

    exercise = CustomExercise(title="Raises", check=check, id="t.raises")
    result = exercise.check("nope.csv", lab=FakeLab())
    assert result.status is Status.INCORRECT
    assert "KeyError" in result.message and "nope.csv" in result.message


def test_custom_check_returning_nonsense_is_a_kit_bug(labs_home: Path) -> None:
    exercise = CustomExercise(title="Nonsense", check=lambda a: "yes", id="t.nonsense")
    result = exercise.check(1)
    assert result.status is Status.INCORRECT and "bug in the kit" in result.message
    assert "t.nonsense" not in progress.load().exercises


def test_custom_check_hitting_a_setup_error_is_not_recorded(labs_home: Path) -> None:
    def check(answer: Any, lab: Any) -> bool:
        raise LabsError("Dataset 'churn' is missing: run `lab.ensure_dataset('churn')`.")

    result = CustomExercise(title="Setup", check=check, id="t.setup").check(1, lab=FakeLab())
    assert result.status is Status.INCORRECT and "ensure_dataset" in result.message
    assert "t.setup" not in progress.load().exercises


def test_custom_check_needing_the_lab_without_one() -> None:
    result = encrypted.check("data/train.csv")
    assert result.status is Status.INCORRECT and "labs.start()" in result.message


# ---------------------------------------------------------------------- never raises


class EqRaises:
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__ exploded")

    __hash__ = object.__hash__


class ReprRaises:
    def __repr__(self) -> str:
        raise RuntimeError("__repr__ exploded")


class LenLies(list):
    def __iter__(self):
        raise RuntimeError("cannot iterate")


def _raiser(*args: Any, **kwargs: Any) -> Any:
    raise ValueError("learner code failed")


def _recursive_list() -> list[Any]:
    loop: list[Any] = [1, 2]
    loop.append(loop)
    return loop


HOSTILE = [
    None,
    math.nan,
    math.inf,
    -0.0,
    10**400,
    1 + 2j,
    "",
    "not a number",
    b"bytes",
    True,
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}),
    pd.Series([1.0, math.nan]),
    np.array([[1, 2], [3, 4]]),
    np.array(5),
    EqRaises(),
    ReprRaises(),
    LenLies([1, 2, 3]),
    _raiser,
    print,
    int,
    types.ModuleType("mod"),
    (x for x in range(3)),
    _recursive_list(),
    {"key": EqRaises()},
    [EqRaises(), EqRaises(), EqRaises()],
    object(),
]


@pytest.mark.parametrize("answer", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_check_never_raises(answer: Any) -> None:
    for exercise in [*ALL_EXAMPLES, answer_is_two]:
        result = exercise.check(answer, lab=FakeLab())
        assert isinstance(result, CheckResult)
        assert result.status in (Status.CORRECT, Status.INCORRECT), exercise.id
        if result.status is Status.INCORRECT:
            assert result.message.strip(), exercise.id


def test_check_never_raises_when_the_comparison_explodes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise MemoryError("out of memory")

    monkeypatch.setattr(core, "compare", explode)
    # MemoryError is an Exception: reported, not raised.
    result = row_count.check(100)
    assert result.status is Status.INCORRECT and "MemoryError" in result.message


# --------------------------------------------------------------------- hints, solution


def _exercise_with_hints(n: int) -> ValueExercise:
    return ValueExercise(
        title="Hints",
        expected=1,
        hints=[f"hint number {i}" for i in range(1, n + 1)],
        id="t.hints",
    )


def test_hints_are_tiered(capsys: pytest.CaptureFixture[str]) -> None:
    exercise = _exercise_with_hints(3)
    for expected in ("Hint 1 of 3", "Hint 2 of 3", "Hint 3 of 3", "Hint 3 of 3"):
        exercise.hint()
        assert expected in capsys.readouterr().out
    exercise.hint(2)
    assert "hint number 2" in capsys.readouterr().out
    exercise.hint(3)
    assert "last hint" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [0, 4, -1, "2", 2.5, None, True])
def test_bad_hint_numbers_explain_and_never_raise(
    bad: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    exercise = _exercise_with_hints(3)
    exercise.hint(1)
    capsys.readouterr()
    exercise.hint(bad)
    out = capsys.readouterr().out
    if bad is None:
        assert "Hint 2 of 3" in out
    else:
        assert "There are 3 hints" in out


def test_no_hints(capsys: pytest.CaptureFixture[str]) -> None:
    ValueExercise(title="None", expected=1, id="t.nohints").hint()
    assert "no hints" in capsys.readouterr().out


def test_solution_shows_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    row_count.solution()
    out = capsys.readouterr().out
    assert "Solution (test_exercise_core.row_count)" in out
    assert "row_count = len(df)" in out
    ValueExercise(title="No solution", expected=1, id="t.nosol").solution()
    assert "No solution is written" in capsys.readouterr().out


def test_exercise_attributes() -> None:
    assert row_count.hints == ("Use len(df).", "The header is not a row.")
    assert row_count.solution_code == "row_count = len(df)"
    assert row_count.name == "row_count"
    assert "ValueExercise test_exercise_core.row_count" in repr(row_count)


# -------------------------------------------------------------------- harness protocol


def test_reference_and_typical_wrong_protocol() -> None:
    lab = FakeLab()
    for exercise in ALL_EXAMPLES:
        assert exercise.check(exercise.reference(lab), lab=lab).correct, exercise.id
        for wrong in exercise.typical_wrong(lab):
            result = exercise.check(wrong, lab=lab)
            assert result.status is Status.INCORRECT and result.message, exercise.id
    assert row_count.typical_wrong() == [99, 101]
    assert scale.reference() is _scale_reference
    assert answer_is_two.reference() == 2


def test_reference_missing_is_an_error_for_the_harness() -> None:
    exercise = CustomExercise(title="No ref", check=lambda a: True, id="t.noref")
    with pytest.raises(NotImplementedError):
        exercise.reference(FakeLab())
    assert exercise.typical_wrong(FakeLab()) == []


# -------------------------------------------------------------------------- progress


def test_checks_are_recorded() -> None:
    row_count.check(____)
    row_count.check(57)
    row_count.check(100)
    summary = progress.load().exercises["test_exercise_core.row_count"]
    assert (summary.checks, summary.attempts, summary.correct) == (3, 2, 1)
    assert summary.best == "correct" and summary.first_correct


def test_a_broken_progress_store_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise progress.ProgressError("disk full")

    monkeypatch.setattr(progress, "record_exercise", broken)
    with pytest.warns(RuntimeWarning, match="disk full"):
        assert row_count.check(100).correct
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert row_count.check(57).status is Status.INCORRECT


# ---------------------------------------------------------------------------- display


def test_plain_python_display(capsys: pytest.CaptureFixture[str]) -> None:
    result = row_count.check(100)
    out = capsys.readouterr().out
    assert out.startswith("Correct (test_exercise_core.row_count): Well done.")
    assert "len(df) counts rows" in out
    row_count.check(101)
    out = capsys.readouterr().out
    assert out.startswith("Incorrect (test_exercise_core.row_count): You counted the header")
    assert "row_count.hint()" in out
    row_count.check(____)
    assert capsys.readouterr().out.startswith("Not attempted yet")
    row_count.check(5, show=False)
    assert capsys.readouterr().out == ""
    result._ipython_display_()  # outside IPython it shows again
    assert "Correct" in capsys.readouterr().out


def test_check_result_repr_and_truth() -> None:
    result = CheckResult("incorrect", "You counted the header row.", "m.q1")
    assert repr(result) == "Incorrect (m.q1): You counted the header row."
    assert not result and result.status == "incorrect"
    assert bool(CheckResult.ok()) and repr(CheckResult.ok()) == "Correct"
    assert CheckResult.fail("no").status is Status.INCORRECT


def test_html_is_escaped() -> None:
    html = _display.render_html("incorrect", "m.q1", "got <script>alert(1)</script> `x`")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<code>x</code>" in html
    assert "#b3261e" in html  # red for incorrect


def test_jupyter_display_is_html_and_not_shown_twice(tmp_path: Path) -> None:
    # In a fresh interpreter: an IPython shell here would change display for other tests.
    script = textwrap.dedent(
        """
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        published = []
        shell.display_pub.publish = lambda data, metadata=None, **kw: published.append(data)

        def run(code):
            published.clear()
            shell.run_cell(code, store_history=True).raise_error()
            return list(published)

        run("from labs.exercises import ValueExercise, ____")
        run("q1 = ValueExercise(title='t', expected=3, hints=['h'], solution='x = 3')")
        out = run("q1.check(3)")  # last expression of the cell: shown once
        assert len(out) == 1, out
        assert "text/html" in out[0] and "Correct" in out[0]["text/html"]
        assert out[0]["text/plain"].startswith("Correct (__main__.q1)")
        assert len(run("r = q1.check(4)")) == 1
        assert len(run("r")) == 1  # a later cell shows it again
        assert "Hint 1 of 1" in run("q1.hint()")[0]["text/html"]
        assert "x = 3" in run("q1.solution()")[0]["text/html"]
        print("ok")
        """
    )
    env_home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LABS_HOME": str(env_home)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


# --------------------------------------------------------------------------- registry


def _write_package(root: Path, name: str, modules: dict[str, str]) -> None:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(textwrap.dedent(source))


EXERCISE_SOURCE = """
from labs.exercises import ValueExercise
q1 = ValueExercise(title="one", expected=1)
q2 = ValueExercise(title="two", expected=2)
_private = ValueExercise(title="hidden", expected=3)
"""


def test_registry_finds_exercises_in_every_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_package(
        tmp_path,
        "fake_exercises_ok",
        {
            "start_here": EXERCISE_SOURCE,
            "modeling_02": "from fake_exercises_ok.start_here import q1\n" + EXERCISE_SOURCE,
            "core": EXERCISE_SOURCE,
            "_helpers": EXERCISE_SOURCE,
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = all_exercises("fake_exercises_ok")
    assert [e.id for e in found] == [
        "modeling_02.q1",
        "modeling_02.q2",
        "start_here.q1",
        "start_here.q2",
    ]
    assert all(isinstance(e, Exercise) for e in found)


def test_registry_refuses_duplicate_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    duplicate = """
    from labs.exercises import ValueExercise
    q1 = ValueExercise(title="one", expected=1, id="same.id")
    """
    _write_package(tmp_path, "fake_exercises_dup", {"a": duplicate, "b": duplicate})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError, match=r"same\.id"):
        all_exercises("fake_exercises_dup")


def test_registry_of_the_kit_imports() -> None:
    # The kit's own exercises: ids are unique and every one is an Exercise.
    found = all_exercises()
    assert len({e.id for e in found}) == len(found)
