"""Compare a learner's answer with the expected one, and say in plain words what differs.

:func:`compare` returns ``None`` when the answer matches, otherwise one sentence a learner
can act on ("Expected a number, got a Series with 1 value: take it out with .iloc[0]").
It never reveals the expected value of a top-level answer. It may raise for truly hostile
objects (an ``__eq__`` that raises); the caller turns that into an "incorrect" result.
"""

from __future__ import annotations

import math
import numbers
import reprlib
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = 6
_repr.maxtuple = 6
_repr.maxset = 6
_repr.maxdict = 6


@dataclass(frozen=True)
class Options:
    """How strictly answers are compared.

    Attributes:
        rel_tol: relative tolerance for numbers (``math.isclose``).
        abs_tol: absolute tolerance for numbers.
        ignore_case: compare text case-insensitively.
        normalize_whitespace: strip text and collapse runs of whitespace before comparing.
        ordered: lists and tuples must be in the expected order (else compared as multisets).
    """

    rel_tol: float = 1e-6
    abs_tol: float = 1e-9
    ignore_case: bool = False
    normalize_whitespace: bool = True
    ordered: bool = True


DEFAULT = Options()


def short_repr(value: Any) -> str:
    """A short ``repr`` of ``value`` that never raises."""
    try:
        return _repr.repr(value)
    except Exception:
        return f"<{_type_name(value)} object>"


def _type_name(value: Any) -> str:
    try:
        return type(value).__name__
    except Exception:
        return "object"


def _is_instance(value: Any, module: str, name: str) -> bool:
    """``isinstance(value, module.name)`` without importing ``module``."""
    mod = sys.modules.get(module)
    cls = getattr(mod, name, None) if mod is not None else None
    return cls is not None and isinstance(value, cls)


def is_bool(value: Any) -> bool:
    """True for ``bool`` and NumPy booleans."""
    return isinstance(value, bool) or _is_instance(value, "numpy", "bool_")


def is_number(value: Any) -> bool:
    """True for real numbers (int, float, Fraction, Decimal, NumPy scalars), not bools."""
    if is_bool(value) or isinstance(value, complex):
        return False
    return isinstance(value, numbers.Number) and not _is_instance(value, "numpy", "complexfloating")


def describe(value: Any) -> str:
    """Name ``value`` the way a learner would: "the number 3", "a DataFrame with 2 rows"."""
    try:
        return _describe(value)
    except Exception:
        return _an_object(value)


def _a(name: str) -> str:
    """``name`` with its indefinite article: "a list", "an OrderedDict"."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _an_object(value: Any) -> str:
    name = _type_name(value)
    return "a bare object()" if name == "object" else f"{_a(name)} object"


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    if getattr(type(value), "_labs_placeholder", False):
        return "the placeholder ____ (replace it)"
    if is_bool(value):
        return f"{bool(value)} (a bool)"
    if is_number(value):
        return f"the number {short_repr(value)}"
    if isinstance(value, complex):
        return f"the complex number {value!r}"
    if isinstance(value, str):
        return f"the text {short_repr(value)}"
    if isinstance(value, bytes):
        return f"the bytes {short_repr(value)}"
    if _is_instance(value, "pandas", "DataFrame"):
        rows, cols = value.shape
        return f"a DataFrame with {rows} row{_s(rows)} and {cols} column{_s(cols)}"
    if _is_instance(value, "pandas", "Series"):
        return f"a Series with {len(value)} value{_s(len(value))}"
    if _is_instance(value, "numpy", "ndarray"):
        if value.ndim == 0:
            return f"a 0-dimensional NumPy array holding {value.item()!r}"
        return f"a NumPy array of shape {value.shape}"
    if isinstance(value, Mapping):
        return f"{_a(_type_name(value))} with {len(value)} key{_s(len(value))}"
    if isinstance(value, list | tuple | set | frozenset):
        return f"{_a(_type_name(value))} of {len(value)} item{_s(len(value))}"
    if isinstance(value, type):
        return f"the class {value.__name__}"
    if callable(value):
        name = getattr(value, "__name__", None)
        return f"the function {name}" if isinstance(name, str) else "a callable object"
    return _an_object(value)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _single_value_hint(value: Any) -> str | None:
    """How to take the one value out of a one-element container, or None."""
    try:
        if _is_instance(value, "pandas", "DataFrame") and value.shape == (1, 1):
            return ".iloc[0, 0]"
        if _is_instance(value, "pandas", "Series") and len(value) == 1:
            return ".iloc[0]"
        if _is_instance(value, "numpy", "ndarray") and value.size == 1:
            return ".item()"
        if isinstance(value, list | tuple) and len(value) == 1:
            return "[0]"
    except Exception:
        return None
    return None


def _norm_text(text: str, opts: Options) -> str:
    if opts.normalize_whitespace:
        text = " ".join(text.split())
    if opts.ignore_case:
        text = text.casefold()
    return text


def _is_sequence(value: Any) -> bool:
    """Ordered collections a learner may give for a list: list, tuple, array, Series."""
    if isinstance(value, str | bytes | Mapping | set | frozenset):
        return False
    if _is_instance(value, "pandas", "DataFrame"):
        return False
    if _is_instance(value, "numpy", "ndarray"):
        return value.ndim >= 1
    return isinstance(value, Collection)


def _to_list(value: Any) -> list[Any]:
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and (
        _is_instance(value, "numpy", "ndarray")
        or _is_instance(value, "pandas", "Series")
        or _is_instance(value, "pandas", "Index")
    ):
        return list(tolist())
    return list(value)


def compare(answer: Any, expected: Any, opts: Options = DEFAULT) -> str | None:
    """``None`` when ``answer`` matches ``expected`` under ``opts``, else the reason it does not."""
    if answer is None and expected is not None:
        return (
            "Your answer is None. A function without `return` (or one that only prints) "
            "gives None: check the line that sets it."
        )
    if expected is None:
        return None if answer is None else f"Expected None, got {describe(answer)}."
    if is_bool(expected):
        return _compare_bool(answer, expected)
    if is_number(expected):
        return _compare_number(answer, expected, opts)
    if isinstance(expected, str):
        return _compare_text(answer, expected, opts)
    if isinstance(expected, set | frozenset):
        return _compare_set(answer, expected, opts)
    if isinstance(expected, Mapping):
        return _compare_mapping(answer, expected, opts)
    if isinstance(expected, list | tuple):
        return _compare_sequence(answer, expected, opts)
    return _compare_other(answer, expected)


def _compare_bool(answer: Any, expected: Any) -> str | None:
    if not is_bool(answer):
        return f"Expected True or False, got {describe(answer)}."
    return None if bool(answer) == bool(expected) else f"{bool(answer)} is not the right answer."


def _compare_number(answer: Any, expected: Any, opts: Options) -> str | None:
    if is_bool(answer):
        return f"Expected a number, got {describe(answer)}."
    if is_number(answer):
        if isinstance(answer, numbers.Integral) and isinstance(expected, numbers.Integral):
            a_int, e_int = int(answer), int(expected)
            if abs(a_int - e_int) <= max(opts.abs_tol, opts.rel_tol * abs(e_int)):
                return None
            return f"{short_repr(answer)} is not the expected value."
        try:
            got = float(answer)
        except (TypeError, ValueError, OverflowError):
            return f"Your answer ({describe(answer)}) cannot be read as a number."
        if math.isnan(got):
            return (
                "Your answer is NaN (not a number): a missing value or a division by zero "
                "upstream produced it."
            )
        want = float(expected)
        if math.isclose(got, want, rel_tol=opts.rel_tol, abs_tol=opts.abs_tol):
            return None
        return f"{short_repr(answer)} is not the expected value."
    if isinstance(answer, str):
        try:
            float(answer.strip())
        except ValueError:
            return f"Expected a number, got {describe(answer)}."
        return (
            f"You gave the text {answer!r}. Give the number itself, without quotes "
            f"(or convert it with int(...) or float(...))."
        )
    single = _single_value_hint(answer)
    if single:
        return (
            f"Expected a single number, got {describe(answer)}. Take the value out, "
            f"for example with {single}."
        )
    return f"Expected a number, got {describe(answer)}."


def _compare_text(answer: Any, expected: str, opts: Options) -> str | None:
    if not isinstance(answer, str):
        single = _single_value_hint(answer)
        extra = f" Take the value out, for example with {single}." if single else ""
        return f"Expected text (a str), got {describe(answer)}.{extra}"
    got, want = _norm_text(answer, opts), _norm_text(expected, opts)
    if got == want:
        return None
    if got.casefold() == want.casefold():
        return f"{short_repr(answer)} has the wrong upper/lower case."
    if not opts.normalize_whitespace and " ".join(got.split()) == " ".join(want.split()):
        return f"{short_repr(answer)} has extra or missing spaces."
    return f"{short_repr(answer)} is not the expected answer."


def _normalise_item(item: Any, opts: Options) -> Any:
    return _norm_text(item, opts) if isinstance(item, str) else item


def _compare_set(answer: Any, expected: Collection[Any], opts: Options) -> str | None:
    if not (isinstance(answer, set | frozenset) or _is_sequence(answer)):
        return f"Expected a set (or list) of items, got {describe(answer)}."
    try:
        got = {_normalise_item(x, opts) for x in _to_list(answer)}
    except TypeError:
        return "Your answer holds items that cannot go in a set (lists or dicts?)."
    want = {_normalise_item(x, opts) for x in expected}
    if got == want:
        return None
    missing = len(want - got)
    extra = sorted((short_repr(x) for x in got - want), key=str)
    parts = []
    if extra:
        shown = ", ".join(extra[:5]) + (", ..." if len(extra) > 5 else "")
        parts.append(f"{len(extra)} item{_s(len(extra))} should not be there ({shown})")
    if missing:
        parts.append(
            f"{missing} expected item{_s(missing)} {'is' if missing == 1 else 'are'} missing"
        )
    return "Not quite: " + " and ".join(parts) + "."


def _compare_sequence(
    answer: Any, expected: list[Any] | tuple[Any, ...], opts: Options
) -> str | None:
    if isinstance(answer, set | frozenset):
        if opts.ordered:
            return "Order matters here: give a list, not a set."
    elif not _is_sequence(answer):
        return (
            f"Expected a list of {len(expected)} item{_s(len(expected))}, got {describe(answer)}."
        )
    got = _to_list(answer)
    if len(got) != len(expected):
        return f"Expected {len(expected)} item{_s(len(expected))}, got {len(got)}."
    if opts.ordered:
        for index, (item, want) in enumerate(zip(got, expected, strict=True)):
            reason = compare(item, want, opts)
            if reason is not None:
                return f"At index {index}: {reason}"
        return None
    unmatched = list(got)
    for want in expected:
        for i, item in enumerate(unmatched):
            if compare(item, want, opts) is None:
                del unmatched[i]
                break
    if not unmatched:
        return None
    return (
        f"{len(unmatched)} of your items {'does' if len(unmatched) == 1 else 'do'} not match "
        f"an expected one, for example {short_repr(unmatched[0])}."
    )


def _compare_mapping(answer: Any, expected: Mapping[Any, Any], opts: Options) -> str | None:
    if not isinstance(answer, Mapping):
        return f"Expected a dict, got {describe(answer)}."
    missing = [k for k in expected if k not in answer]
    extra = [k for k in answer if k not in expected]
    if missing:
        keys = ", ".join(short_repr(k) for k in missing[:5])
        return f"Missing key{_s(len(missing))}: {keys}."
    if extra:
        keys = ", ".join(short_repr(k) for k in extra[:5])
        return f"Unexpected key{_s(len(extra))}: {keys}."
    for key, want in expected.items():
        reason = compare(answer[key], want, opts)
        if reason is not None:
            return f"For key {short_repr(key)}: {reason}"
    return None


def _compare_other(answer: Any, expected: Any) -> str | None:
    try:
        equal = answer == expected
        if not isinstance(equal, bool):
            all_ = getattr(equal, "all", None)
            equal = bool(all_()) if callable(all_) else bool(equal)
    except Exception as error:
        return (
            f"Your answer ({describe(answer)}) could not be compared with the expected one "
            f"({type(error).__name__}: {error})."
        )
    if equal:
        return None
    text = describe(answer)
    return f"{text[:1].upper()}{text[1:]} is not the expected answer."
