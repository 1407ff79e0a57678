"""The JSONPath subset batch transform takes in ``InputFilter`` and ``OutputFilter``.

The developer guide ("Associate Prediction Results with Input Records", Supported JSONPath
Operators) lists what SageMaker accepts, and nothing more:

- ``$``: the root; every path starts with it. ``$`` alone selects the whole record.
- ``.name``: a child attribute (``$.features``); ``.*`` or ``[*]``: every child.
- ``['a','b']``: one or several attributes by name (``$['id','SageMakerOutput']``),
  also after a dot (``$.field1.['child1','child2']``); names inside brackets are not
  nested further.
- ``[1]``, ``[1,3,5]``, ``[-1]``: indexes, negative ones counted from the end.
- ``[2:5]``, ``[:5]``, ``[2:]``: a slice. The guide defines both ends as included
  ("``$[1:4]`` specifies the second through fifth columns"); an omitted start is the
  first element, an omitted end the last. One slice may follow indexes (``$[0,5:]``);
  two slices in one bracket are refused, as SageMaker refuses them.

A CSV row is a JSON array, so only index paths apply to it. An index outside the record
is an error, as on SageMaker ("If you specify indexes that aren't within the dimension
size of the joined dataset, you get an error"); slices are clipped to the record.

Use::

    path = parse("$[1:]")      # PathError for a path SageMaker would refuse
    path.apply(["7", "0.1", "3"])  # ['0.1', '3']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"[A-Za-z0-9_\-]+")
_INTEGER = re.compile(r"-?\d+")


class PathError(ValueError):
    """A filter SageMaker would refuse, or one that does not fit the record it is applied to."""


@dataclass(frozen=True)
class _Slice:
    """``[start:end]`` with both ends included; None means the first or the last element."""

    start: int | None
    end: int | None

    def indexes(self, length: int) -> list[int]:
        start = 0 if self.start is None else _absolute(self.start, length)
        end = length - 1 if self.end is None else _absolute(self.end, length)
        return list(range(max(start, 0), min(end, length - 1) + 1))


@dataclass(frozen=True)
class _Segment:
    """One step of a path: names, indexes (and at most one slice), or every child."""

    names: tuple[str, ...] = ()
    items: tuple[int | _Slice, ...] = ()
    wildcard: bool = False

    @property
    def single(self) -> bool:
        """True when the step selects one value (``.a``, ``['a']``, ``[3]``), not a group."""
        if self.wildcard:
            return False
        if self.names:
            return len(self.names) == 1
        return len(self.items) == 1 and isinstance(self.items[0], int)


@dataclass(frozen=True)
class JsonPath:
    """A parsed filter; :meth:`apply` selects from one decoded record."""

    text: str
    segments: tuple[_Segment, ...]

    @property
    def is_root(self) -> bool:
        """True for ``$``: the whole record, unchanged."""
        return not self.segments

    def apply(self, value: Any) -> Any:
        """The part of ``value`` the path selects (PathError if it does not fit)."""
        return _apply(self.segments, value, self.text)


ROOT = JsonPath("$", ())


def parse(text: str | None) -> JsonPath:
    """Parse a filter; None or an empty string means ``$``."""
    source = (text or "").strip()
    if not source:
        return ROOT
    if not source.startswith("$"):
        raise PathError(f"Invalid JsonPath: {source}: a path starts with $ (the root).")
    segments: list[_Segment] = []
    position = 1
    while position < len(source):
        char = source[position]
        if char == "[":
            segment, position = _bracket(source, position)
        elif char == "." and source[position + 1 : position + 2] == "[":
            segment, position = _bracket(source, position + 1)
        elif char == "." and source[position + 1 : position + 2] == "*":
            segment, position = _Segment(wildcard=True), position + 2
        elif char == ".":
            match = _NAME.match(source, position + 1)
            if match is None:
                raise PathError(
                    f"Invalid JsonPath: {source}: expected an attribute name after '.' at "
                    f"position {position}."
                )
            segment, position = _Segment(names=(match.group(),)), match.end()
        else:
            raise PathError(
                f"Invalid JsonPath: {source}: unexpected {char!r} at position {position}. "
                "Batch transform supports $, .name, .*, ['name','name'], [index,index] "
                "and [start:end]."
            )
        segments.append(segment)
    return JsonPath(source, tuple(segments))


def _bracket(source: str, position: int) -> tuple[_Segment, int]:
    """Parse ``[...]`` starting at ``position``; return the segment and the next position."""
    end = source.find("]", position)
    if end < 0:
        raise PathError(f"Invalid JsonPath: {source}: '[' at position {position} is not closed.")
    body = source[position + 1 : end].strip()
    if body == "*":
        return _Segment(wildcard=True), end + 1
    parts = [part.strip() for part in body.split(",")]
    if not body or any(not part for part in parts):
        raise PathError(f"Invalid JsonPath: {source}: empty element in [{body}].")
    if all(part[0] in "'\"" for part in parts):
        names = []
        for part in parts:
            if len(part) < 2 or part[-1] != part[0] or part[0] in part[1:-1]:
                raise PathError(f"Invalid JsonPath: {source}: bad attribute name {part}.")
            names.append(part[1:-1])
        return _Segment(names=tuple(names)), end + 1
    items: list[int | _Slice] = []
    for part in parts:
        if ":" in part:
            items.append(_slice(source, part))
        elif _INTEGER.fullmatch(part):
            items.append(int(part))
        else:
            raise PathError(
                f"Invalid JsonPath: {source}: {part!r} is neither an index, a slice nor a "
                "quoted attribute name."
            )
    if sum(isinstance(item, _Slice) for item in items) > 1:
        raise PathError(
            f"Invalid JsonPath: {source}: only single range filters of format (eg: [1:5]) "
            f"are supported. Format [{body}] is not supported."
        )
    return _Segment(items=tuple(items)), end + 1


def _slice(source: str, part: str) -> _Slice:
    start, _, end = (piece.strip() for piece in part.partition(":"))
    for piece in (start, end):
        if piece and not _INTEGER.fullmatch(piece):
            raise PathError(f"Invalid JsonPath: {source}: bad slice [{part}].")
    if ":" in end:
        raise PathError(f"Invalid JsonPath: {source}: slices take no step ([{part}]).")
    return _Slice(int(start) if start else None, int(end) if end else None)


def _absolute(index: int, length: int) -> int:
    return index + length if index < 0 else index


def _apply(segments: tuple[_Segment, ...], value: Any, text: str) -> Any:
    if not segments:
        return value
    segment, rest = segments[0], segments[1:]
    selected = _select(segment, value, text)
    if segment.single:
        return _apply(rest, selected, text)
    if isinstance(selected, dict):
        return {key: _apply(rest, child, text) for key, child in selected.items()}
    return [_apply(rest, child, text) for child in selected]


def _select(segment: _Segment, value: Any, text: str) -> Any:
    if segment.wildcard:
        if isinstance(value, dict):
            return list(value.values())
        if isinstance(value, list):
            return list(value)
        raise PathError(f"{text}: '*' needs an object or an array, not {_kind(value)}.")
    if segment.names:
        if not isinstance(value, dict):
            hint = " (a CSV row takes index paths such as $[0] or $[1:])" if _is_row(value) else ""
            raise PathError(
                f"{text}: attribute names need a JSON object, not {_kind(value)}{hint}."
            )
        missing = [name for name in segment.names if name not in value]
        if missing:
            raise PathError(f"{text}: the record has no attribute {missing[0]!r}.")
        if segment.single:
            return value[segment.names[0]]
        return {name: value[name] for name in segment.names}
    if not isinstance(value, list):
        raise PathError(f"{text}: indexes need an array (a CSV row), not {_kind(value)}.")
    chosen: list[Any] = []
    for item in segment.items:
        if isinstance(item, _Slice):
            chosen.extend(value[i] for i in item.indexes(len(value)))
            continue
        index = _absolute(item, len(value))
        if not 0 <= index < len(value):
            raise PathError(
                f"{text}: index {item} is outside the record, which has {len(value)} "
                f"element(s) (indexes 0 to {len(value) - 1})."
            )
        chosen.append(value[index])
    return chosen[0] if segment.single else chosen


def _is_row(value: Any) -> bool:
    return isinstance(value, list)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return f"the value {value!r}"
