"""Exercises: the ``____`` placeholder, check / hint / solution, and the registry.

A notebook uses an exercise like this::

    from labs.exercises import ____
    from labs.exercises.start_here import q1

    row_count = ____          # the learner replaces the placeholder
    q1.check(row_count)       # Correct / Incorrect with a reason / Not attempted yet
    q1.hint()                 # the next hint on each call; q1.hint(2) shows hint 2
    q1.solution()             # the reference solution's code

An exercise module (one per notebook, ``start_here.py`` for ``00-start-here``) defines
module-level instances of :class:`ValueExercise`, :class:`FunctionExercise` or
:class:`CustomExercise`. Its id is ``<module>.<variable>`` (``start_here.q1``).

Guarantees:

- ``check()`` never raises for anything a learner passes; it reports "incorrect" with a
  reason instead, and the placeholder (alone or inside a list, tuple, set or dict)
  reports "not attempted".
- Every check is recorded in :mod:`labs.progress`; a failure to record warns once and does
  not affect the check.
- Every exercise can be tested by one harness: :meth:`Exercise.reference` gives the
  reference solution's answer, :meth:`Exercise.typical_wrong` gives typical wrong
  answers, and :func:`all_exercises` finds every exercise in the package.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import inspect
import pkgutil
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from labs.errors import LabsError
from labs.exercises import _display
from labs.exercises._compare import Options, compare, describe, short_repr

__all__ = [
    "Case",
    "CheckResult",
    "CustomExercise",
    "Exercise",
    "FunctionExercise",
    "Status",
    "ValueExercise",
    "____",
    "all_exercises",
    "is_placeholder",
]


# ---------------------------------------------------------------------- placeholder


class _Placeholder:
    """The one ``____`` object: "the learner has not answered yet"."""

    _instance: ClassVar[_Placeholder | None] = None
    _labs_placeholder: ClassVar[bool] = True  # lets _compare.describe name it
    __slots__ = ()

    def __new__(cls) -> _Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____ (replace me)"

    __str__ = __repr__

    def __reduce__(self) -> str:
        return "____"  # pickles as the module attribute: one placeholder per process

    def __copy__(self) -> _Placeholder:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Placeholder:
        return self


____ = _Placeholder()
"""The placeholder a learner replaces with an answer. ``check(____)`` says "not attempted"."""


def is_placeholder(answer: Any) -> bool:
    """True for ``____``, or a list, tuple, set or dict holding ``____`` at its top level."""
    try:
        if answer is ____:
            return True
        if isinstance(answer, list | tuple | set | frozenset):
            return any(item is ____ for item in answer)
        if isinstance(answer, dict):
            return any(k is ____ for k in answer) or any(v is ____ for v in answer.values())
    except Exception:
        return False
    return False


# --------------------------------------------------------------------------- results


class Status(StrEnum):
    """The outcome of a check. Compares equal to its string value (``"correct"``, ...)."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not_attempted"


_LABELS = {
    Status.CORRECT: "Correct",
    Status.INCORRECT: "Incorrect",
    Status.NOT_ATTEMPTED: "Not attempted yet",
}


@dataclass(repr=False)
class CheckResult:
    """What ``check()`` found: a :class:`Status` and a message in the learner's terms.

    Truthy only when correct, so ``assert q1.check(answer)`` works in tests. In Jupyter,
    ``check()`` has already shown the result, so a result that is the last expression of
    the same cell is not shown twice; ``repr()`` gives a plain-text summary.
    """

    status: Status
    message: str = ""
    exercise_id: str | None = None
    _shown_in_cell: int | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @classmethod
    def ok(cls, message: str = "") -> CheckResult:
        """A correct result (for custom check functions)."""
        return cls(Status.CORRECT, message)

    @classmethod
    def fail(cls, reason: str) -> CheckResult:
        """An incorrect result with the reason (for custom check functions)."""
        return cls(Status.INCORRECT, reason)

    @property
    def correct(self) -> bool:
        """True when the answer is correct."""
        return self.status is Status.CORRECT

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        head = _LABELS[self.status]
        if self.exercise_id:
            head += f" ({self.exercise_id})"
        return f"{head}: {self.message}" if self.message else head

    def show(self) -> None:
        """Display the result (coloured in Jupyter, plain text elsewhere)."""
        _display.show(self.status.value, self.exercise_id or "", self.message)
        self._shown_in_cell = _display.execution_count()

    def _ipython_display_(self) -> None:
        count = _display.execution_count()
        if self._shown_in_cell is not None and self._shown_in_cell == count:
            return  # check() showed it in this very cell
        self.show()


def _coerce_result(value: Any) -> CheckResult:
    """Turn what a custom check returned into a :class:`CheckResult`."""
    if isinstance(value, CheckResult):
        return CheckResult(value.status, value.message)
    if isinstance(value, bool):
        return CheckResult(Status.CORRECT if value else Status.INCORRECT)
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], bool)
        and isinstance(value[1], str)
    ):
        return CheckResult(Status.CORRECT if value[0] else Status.INCORRECT, value[1])
    raise TypeError(
        "a check function must return a CheckResult, a bool or (bool, message), "
        f"not {short_repr(value)}"
    )


# ------------------------------------------------------------------- context helpers


def _accepts(fn: Callable[..., Any], n_args: int) -> bool:
    """True if ``fn`` can be called with ``n_args`` positional arguments."""
    try:
        inspect.signature(fn).bind(*([None] * n_args))
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins): assume the shorter form
        return False
    return True


class _LabProvider:
    """Gives the lab on first need: the one passed to check(), else the running lab."""

    def __init__(self, lab: Any = None) -> None:
        self._lab = lab

    def __call__(self) -> Any:
        if self._lab is None:
            try:
                from labs.lab import current
            except ImportError as error:  # pragma: no cover - labs.lab is part of the kit
                raise LabsError("No lab is running yet: run `lab = labs.start()` first.") from error
            self._lab = current()
        return self._lab


def _call_with_context(fn: Callable[..., Any], args: tuple[Any, ...], lab: _LabProvider) -> Any:
    """Call ``fn(*args, lab)`` if ``fn`` takes the extra argument, else ``fn(*args)``."""
    if _accepts(fn, len(args) + 1):
        return fn(*args, lab())
    return fn(*args)


_progress_warned = False


def _record(exercise_id: str, status: Status) -> None:
    global _progress_warned
    try:
        from labs import progress

        progress.record_exercise(exercise_id, status.value)
    except Exception as error:
        if not _progress_warned:
            _progress_warned = True
            warnings.warn(
                f"Your progress could not be saved ({error}). Checks still work; progress "
                "will not be recorded until this is fixed.",
                RuntimeWarning,
                stacklevel=3,
            )


# -------------------------------------------------------------------------- exercises


class _SetupProblem(Exception):
    """The check could not run for a reason that is not the learner's answer."""


class Exercise:
    """Base of every exercise: id, title, prompt, tiered hints and a solution.

    Args:
        title: a short title ("Count the rows").
        prompt: what the learner is asked to do.
        hints: hints from gentle to explicit; ``hint()`` shows the next one on each call.
        solution: the reference solution's code, shown by ``solution()``.
        explanation: shown with a correct answer (why it matters, what the exam asks).
        reference: ``reference(lab) -> answer`` (or ``reference() -> answer``): the answer
            the reference solution produces, performing any AWS actions it needs.
        typical_wrong: typical wrong answers, a list or ``typical_wrong(lab) -> list``.
        id: the exercise id; by default ``<module>.<variable>`` (``start_here.q1``).
    """

    kind: ClassVar[str] = "exercise"

    def __init__(
        self,
        *,
        title: str,
        prompt: str = "",
        hints: Sequence[str] = (),
        solution: str = "",
        explanation: str = "",
        reference: Callable[..., Any] | None = None,
        typical_wrong: Sequence[Any] | Callable[..., Sequence[Any]] | None = None,
        id: str | None = None,
    ) -> None:
        if isinstance(hints, str):
            hints = (hints,)
        self.title = title
        self.prompt = prompt
        self.hints: tuple[str, ...] = tuple(hints)
        self.solution_code = solution
        self.explanation = explanation
        self._reference_fn = reference
        self._typical_wrong = typical_wrong
        self._explicit_id = id
        self._id: str | None = id
        self._globals: dict[str, Any] = self._defining_globals()
        self._module = str(self._globals.get("__name__", "__main__"))
        self._next_hint = 0

    def _defining_globals(self) -> dict[str, Any]:
        """The globals of the code that created this exercise (past subclass __init__s)."""
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_name == "__init__":
            if frame.f_locals.get("self") is not self:
                break
            frame = frame.f_back
        return frame.f_globals if frame is not None else {}

    # ------------------------------------------------------------------ identity

    @property
    def id(self) -> str:
        """``<module>.<variable>``, e.g. ``start_here.q1``."""
        if self._id is None:
            short = self._module.rsplit(".", 1)[-1]
            for name, value in list(self._globals.items()):
                if value is self and not name.startswith("_"):
                    self._id = f"{short}.{name}"
                    break
            else:
                return f"{short}.<unnamed>"
        return self._id

    @property
    def name(self) -> str:
        """The variable name learners use (``q1``): the last part of the id."""
        return self.id.rsplit(".", 1)[-1]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}: {self.title}>"

    def _ipython_display_(self) -> None:
        _display.show("info", f"{self.id}: {self.title}", self.prompt)

    # --------------------------------------------------------------- learner API

    def check(self, answer: Any = ____, *, lab: Any = None, show: bool = True) -> CheckResult:
        """Check ``answer``, show the feedback, record it in the progress store, return it.

        Never raises for anything a learner passes. ``lab`` is the running lab (by default
        the one ``labs.start()`` started); ``show=False`` returns without displaying.
        """
        record = True
        try:
            if is_placeholder(answer):
                result = CheckResult(Status.NOT_ATTEMPTED, self._not_attempted_message(answer))
            else:
                result = self._evaluate(answer, _LabProvider(lab))
        except _SetupProblem as problem:
            result, record = CheckResult(Status.INCORRECT, str(problem)), False
        except LabsError as error:
            result, record = CheckResult(Status.INCORRECT, str(error)), False
        except Exception as error:
            result = CheckResult(
                Status.INCORRECT,
                f"Your answer ({describe(answer)}) could not be checked: "
                f"{type(error).__name__}: {error}",
            )
        if not result.message:
            result.message = self._default_message(result.status)
        result.exercise_id = self.id
        if record:
            _record(self.id, result.status)
        if show:
            self._show_result(result, suggest_hint=record)
        return result

    def hint(self, n: int | None = None) -> None:
        """Show the next hint (each call goes one tier further), or hint ``n`` (from 1)."""
        with contextlib.suppress(Exception):  # a hint never breaks a cell
            self._hint(n)

    def solution(self) -> None:
        """Show the reference solution's code."""
        if self.solution_code.strip():
            _display.show("solution", self.id, "", self.solution_code)
        else:
            _display.show("solution", self.id, "No solution is written for this exercise yet.")

    # ------------------------------------------------------------ harness API

    def reference(self, context: Any = None) -> Any:
        """The reference solution's answer; ``context`` is the lab (``labs.start()``)."""
        if self._reference_fn is None:
            raise NotImplementedError(f"exercise {self.id} has no reference solution")
        return _call_with_context(self._reference_fn, (), _LabProvider(context))

    def typical_wrong(self, context: Any = None) -> list[Any]:
        """Typical wrong answers; each must be reported incorrect with a reason."""
        return self._explicit_wrong(context)

    # ------------------------------------------------------------- for subclasses

    def _evaluate(self, answer: Any, lab: _LabProvider) -> CheckResult:
        raise NotImplementedError

    def _explicit_wrong(self, context: Any) -> list[Any]:
        wrong = self._typical_wrong
        if wrong is None:
            return []
        if callable(wrong):
            wrong = _call_with_context(wrong, (), _LabProvider(context))
        return list(wrong)

    def _not_attempted_message(self, answer: Any) -> str:
        if answer is ____:
            return "Replace ____ with your answer, then run the cell again."
        return "Your answer still contains ____: replace every ____, then run the cell again."

    def _default_message(self, status: Status) -> str:
        if status is Status.CORRECT:
            return "Well done."
        if status is Status.INCORRECT:
            return "That is not the expected answer."
        return "Replace ____ with your answer, then run the cell again."

    def _show_result(self, result: CheckResult, suggest_hint: bool = True) -> None:
        body = result.message
        if result.status is Status.CORRECT and self.explanation and body != self.explanation:
            body = f"{body}\n{self.explanation}"
        if result.status is Status.INCORRECT and self.hints and suggest_hint:
            body = f"{body}\nStuck? `{self.name}.hint()` gives a hint."
        _display.show(result.status.value, self.id, body)
        result._shown_in_cell = _display.execution_count()

    def _hint(self, n: int | None) -> None:
        total = len(self.hints)
        if total == 0:
            _display.show(
                "hint",
                self.id,
                f"There are no hints for this exercise; `{self.name}.solution()` shows a solution.",
            )
            return
        if n is None:
            index = min(self._next_hint, total - 1)
            self._next_hint = index + 1
        elif isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= total:
            index = n - 1
            self._next_hint = max(self._next_hint, n)
        else:
            _display.show(
                "hint",
                self.id,
                f"There {'is 1 hint' if total == 1 else f'are {total} hints'}: "
                f"`{self.name}.hint(1)` to `{self.name}.hint({total})`.",
            )
            return
        body = self.hints[index]
        if index == total - 1:
            body += f"\n(That was the last hint; `{self.name}.solution()` shows a solution.)"
        _display.show("hint", self.id, body, label=f"Hint {index + 1} of {total}")


def _options(
    rel_tol: float, abs_tol: float, ignore_case: bool, normalize_whitespace: bool, ordered: bool
) -> Options:
    return Options(
        rel_tol=rel_tol,
        abs_tol=abs_tol,
        ignore_case=ignore_case,
        normalize_whitespace=normalize_whitespace,
        ordered=ordered,
    )


class ValueExercise(Exercise):
    """The answer is a value: a number (with tolerance), text, a set, a list or a dict.

    Args:
        expected: the expected value, or a function computing it: ``expected()`` or
            ``expected(lab)`` (for values that depend on data or AWS state).
        rel_tol, abs_tol: tolerances for numbers (``math.isclose``), also inside lists.
        ignore_case: compare text case-insensitively.
        normalize_whitespace: ignore leading/trailing spaces and repeated spaces in text.
        ordered: for a list, whether the order matters.
        wrong_answer_reasons: typical mistakes and what to tell the learner:
            ``{wrong_value: reason}``, a list of ``(wrong_value, reason)`` pairs (for
            unhashable values), or a function ``f(expected) -> either of those`` for
            mistakes relative to the expected value (``{n + 1: "you counted the header"}``).
            These wrong values are also typical wrong answers for the test harness.
        **common: title, prompt, hints, solution, ... (see :class:`Exercise`).
    """

    kind: ClassVar[str] = "value"

    def __init__(
        self,
        *,
        expected: Any,
        rel_tol: float = 1e-6,
        abs_tol: float = 1e-9,
        ignore_case: bool = False,
        normalize_whitespace: bool = True,
        ordered: bool = True,
        wrong_answer_reasons: Mapping[Any, str]
        | Iterable[tuple[Any, str]]
        | Callable[[Any], Mapping[Any, str] | Iterable[tuple[Any, str]]]
        | None = None,
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self._expected = expected
        self.options = _options(rel_tol, abs_tol, ignore_case, normalize_whitespace, ordered)
        self._wrong_answer_reasons = wrong_answer_reasons

    def expected(self, context: Any = None) -> Any:
        """The expected value (computed now if it depends on data or the lab)."""
        return self._expected_value(_LabProvider(context))

    def _expected_value(self, lab: _LabProvider) -> Any:
        if not callable(self._expected):
            return self._expected
        try:
            return _call_with_context(self._expected, (), lab)
        except LabsError:
            raise
        except Exception as error:
            raise _SetupProblem(
                f"The expected answer of {self.id} could not be computed "
                f"({type(error).__name__}: {error})."
            ) from error

    def _mistakes(self, expected: Any) -> list[tuple[Any, str]]:
        reasons = self._wrong_answer_reasons
        if reasons is None:
            return []
        if callable(reasons):
            reasons = reasons(expected)
        if isinstance(reasons, Mapping):
            return list(reasons.items())
        return [(value, reason) for value, reason in reasons]

    def _evaluate(self, answer: Any, lab: _LabProvider) -> CheckResult:
        expected = self._expected_value(lab)
        reason = compare(answer, expected, self.options)
        if reason is None:
            return CheckResult(Status.CORRECT)
        for wrong, why in self._mistakes(expected):
            try:
                if compare(answer, wrong, self.options) is None:
                    return CheckResult(Status.INCORRECT, why)
            except Exception:
                continue
        return CheckResult(Status.INCORRECT, reason)

    def reference(self, context: Any = None) -> Any:
        """The reference answer: ``reference(lab)`` if given, else the expected value."""
        if self._reference_fn is not None:
            return super().reference(context)
        return self.expected(context)

    def typical_wrong(self, context: Any = None) -> list[Any]:
        """The explicit typical wrong answers plus the values in ``wrong_answer_reasons``."""
        wrong = self._explicit_wrong(context)
        if self._wrong_answer_reasons is not None:
            wrong += [value for value, _ in self._mistakes(self.expected(context))]
        return wrong


_MISSING: Any = object()


@dataclass(frozen=True)
class Case:
    """One test case of a :class:`FunctionExercise`.

    Args:
        args: positional arguments for the learner's function.
        expected: the expected return value; omitted, it is computed by the exercise's
            ``reference_function``.
        kwargs: keyword arguments.
        label: how feedback names the case (default: the call, ``f(2, 3)``).
    """

    args: tuple[Any, ...] = ()
    expected: Any = _MISSING
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    label: str | None = None


def _as_case(item: Any) -> Case:
    if isinstance(item, Case):
        return item
    if isinstance(item, tuple) and len(item) == 2:
        inputs, expected = item
        args = inputs if isinstance(inputs, tuple) else (inputs,)
        return Case(args=args, expected=expected)
    raise TypeError(f"a test case must be a Case or an (inputs, expected) pair, not {item!r}")


def _safe_copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


class FunctionExercise(Exercise):
    """The answer is a function; it is run against test cases.

    Args:
        cases: :class:`Case` objects or ``(inputs, expected)`` pairs, where ``inputs`` is a
            tuple of positional arguments (any other value is the single argument); or a
            function ``cases()`` / ``cases(lab)`` returning them (for data-dependent cases).
        reference_function: the reference implementation; it is the reference answer, and
            it computes the expected output of cases that omit it.
        rel_tol, abs_tol, ignore_case, normalize_whitespace, ordered: how outputs are
            compared (see :class:`ValueExercise`).
        **common: title, prompt, hints, solution, ... (see :class:`Exercise`).
    """

    kind: ClassVar[str] = "function"

    def __init__(
        self,
        *,
        cases: Iterable[Case | tuple[Any, Any]] | Callable[..., Iterable[Case | tuple[Any, Any]]],
        reference_function: Callable[..., Any] | None = None,
        rel_tol: float = 1e-6,
        abs_tol: float = 1e-9,
        ignore_case: bool = False,
        normalize_whitespace: bool = True,
        ordered: bool = True,
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self._cases = cases if callable(cases) else [_as_case(c) for c in cases]
        self.reference_function = reference_function
        self.options = _options(rel_tol, abs_tol, ignore_case, normalize_whitespace, ordered)

    def cases(self, context: Any = None) -> list[Case]:
        """The test cases (computed now if they depend on data or the lab)."""
        return self._case_list(_LabProvider(context))

    def _case_list(self, lab: _LabProvider) -> list[Case]:
        if callable(self._cases):
            return [_as_case(c) for c in _call_with_context(self._cases, (), lab)]
        return list(self._cases)

    def _expected_for(self, case: Case) -> Any:
        if case.expected is not _MISSING:
            return case.expected
        if self.reference_function is None:
            raise _SetupProblem(
                f"Exercise {self.id} is missing the expected output of a test case "
                "(a bug in the kit: please report it)."
            )
        try:
            return self.reference_function(*_safe_copy(case.args), **_safe_copy(dict(case.kwargs)))
        except Exception as error:
            raise _SetupProblem(
                f"The expected output of {self.id} could not be computed "
                f"({type(error).__name__}: {error})."
            ) from error

    def _evaluate(self, answer: Any, lab: _LabProvider) -> CheckResult:
        if not callable(answer):
            return CheckResult(
                Status.INCORRECT,
                f"Expected a function, got {describe(answer)}. Pass the function itself, "
                f"without calling it: `{self.name}.check(my_function)`.",
            )
        cases = self._case_list(lab)
        fname = getattr(answer, "__name__", None)
        if not isinstance(fname, str) or not fname.isidentifier():
            fname = "your_function"
        for case in cases:
            expected = self._expected_for(case)
            args, kwargs = _safe_copy(case.args), _safe_copy(dict(case.kwargs))
            call = case.label or _call_text(fname, case.args, case.kwargs)
            try:
                got = answer(*args, **kwargs)
            except (Exception, SystemExit) as error:
                message = f"{call} raised {type(error).__name__}: {error}"
                known = self._known_mistake(answer, cases, lab)
                if known:
                    message += f" It behaves like a common mistake: {known}"
                return CheckResult(Status.INCORRECT, message)
            if is_placeholder(got):
                return CheckResult(
                    Status.NOT_ATTEMPTED,
                    "Your function still returns ____: replace it with your code.",
                )
            reason = compare(got, expected, self.options)
            if reason is None:
                continue
            if got is None:
                return CheckResult(
                    Status.INCORRECT,
                    f"{call} returned None. Did you forget `return`?",
                )
            message = f"{call} returned {short_repr(got)}, expected {short_repr(expected)}."
            if "is not the expected" not in reason:
                message += f" {reason}"  # says more than the two values, e.g. which item
            known = self._known_mistake(answer, cases, lab)
            if known:
                message += f" It behaves like a common mistake: {known}"
            return CheckResult(Status.INCORRECT, message)
        n = len(cases)
        return CheckResult(Status.CORRECT, f"All {n} test case{'s' if n != 1 else ''} pass.")

    def _known_mistake(
        self, answer: Callable[..., Any], cases: list[Case], lab: _LabProvider
    ) -> str:
        """The docstring of the typical wrong function ``answer`` agrees with on every case.

        Typical wrong functions document the mistake they make in their docstring; when the
        learner's function gives the same outputs on all the cases, that docstring is the
        tailored reason. Empty when none matches (or the typical wrong answers need a lab
        that is not running).
        """
        try:
            listed = self._explicit_wrong(lab._lab)  # starts no lab unless the list needs one
            wrong = [w for w in listed if callable(w) and inspect.getdoc(w)]
        except Exception:
            return ""
        for mistake in wrong:
            if all(self._same_output(answer, mistake, case) for case in cases):
                return " ".join(inspect.getdoc(mistake).split())
        return ""

    def _same_output(
        self, answer: Callable[..., Any], other: Callable[..., Any], case: Case
    ) -> bool:
        outcomes = []
        for function in (answer, other):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # numpy's divide-by-zero noise
                    outcomes.append(
                        ("value", function(*_safe_copy(case.args), **_safe_copy(dict(case.kwargs))))
                    )
            except (Exception, SystemExit) as error:
                outcomes.append(("raised", type(error).__name__))
        (mine_kind, mine), (theirs_kind, theirs) = outcomes
        if mine_kind != theirs_kind:
            return False
        if mine_kind == "raised":
            return mine == theirs  # the same mistake fails the same way (ZeroDivisionError)
        try:
            # repr equality catches what == cannot: nan in the same places
            return compare(mine, theirs, self.options) is None or repr(mine) == repr(theirs)
        except Exception:
            return False

    def reference(self, context: Any = None) -> Any:
        """The reference function (or ``reference(lab)`` when given)."""
        if self._reference_fn is not None:
            return super().reference(context)
        if self.reference_function is None:
            raise NotImplementedError(f"exercise {self.id} has no reference function")
        return self.reference_function


def _call_text(fname: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str:
    parts = [short_repr(a) for a in args] + [f"{k}={short_repr(v)}" for k, v in kwargs.items()]
    return f"{fname}({', '.join(parts)})"


class CustomExercise(Exercise):
    """The answer is checked by a function: for AWS state, models, DataFrames, ...

    Args:
        check: ``check(answer, lab)`` or ``check(answer)`` returning a :class:`CheckResult`
            (``CheckResult.ok(message)``, ``CheckResult.fail(reason)``), a bool, or a
            ``(bool, message)`` pair. If it raises, the learner sees an incorrect result
            that names the problem. Read AWS state through ``lab.client(...)``.
        **common: title, prompt, hints, solution, reference, typical_wrong, ... (see
            :class:`Exercise`); ``reference`` is required for the test harness.
    """

    kind: ClassVar[str] = "custom"

    def __init__(self, *, check: Callable[..., Any], **common: Any) -> None:
        super().__init__(**common)
        self._check_fn = check

    def _evaluate(self, answer: Any, lab: _LabProvider) -> CheckResult:
        wants_lab = _accepts(self._check_fn, 2)
        context = lab() if wants_lab else None  # a missing lab is a setup problem
        try:
            value = self._check_fn(answer, context) if wants_lab else self._check_fn(answer)
        except LabsError:
            raise  # a setup step is missing (no lab, no dataset): check() reports it
        except Exception as error:
            return CheckResult(
                Status.INCORRECT,
                f"The check could not finish with your answer ({describe(answer)}): "
                f"{type(error).__name__}: {error}",
            )
        try:
            return _coerce_result(value)
        except TypeError as error:
            raise _SetupProblem(
                f"Exercise {self.id} could not be checked ({error}); a bug in the kit: "
                "please report it."
            ) from None


# --------------------------------------------------------------------------- registry

_NOT_EXERCISE_MODULES = frozenset({"core"})


def all_exercises(package: str = "labs.exercises") -> list[Exercise]:
    """Every exercise in ``package``, in module then definition order.

    Imports each module of the package except ``core`` and private ``_*`` modules, and
    collects the :class:`Exercise` instances defined at its top level (an exercise
    imported from another module counts there only). Sets each id to
    ``<module>.<variable>`` unless given explicitly. Raises ``ValueError`` on duplicate ids.
    """
    pkg = importlib.import_module(package)
    found: list[Exercise] = []
    seen: set[int] = set()
    owners: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.ispkg or info.name in _NOT_EXERCISE_MODULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for var, value in vars(module).items():
            if not isinstance(value, Exercise) or var.startswith("_"):
                continue
            if value._module != module.__name__ or id(value) in seen:
                continue
            seen.add(id(value))
            if value._explicit_id is None:
                value._id = f"{info.name}.{var}"
            where = f"{module.__name__}.{var}"
            if value.id in owners:
                raise ValueError(
                    f"exercise id {value.id!r} is used twice: {owners[value.id]} and {where}"
                )
            owners[value.id] = where
            found.append(value)
    return found
