"""Find and mask personal data (PII) in text and data frames with patterns, offline.

Pattern matching finds PII that has a fixed shape: e-mail addresses, phone numbers, US
Social Security numbers and payment card numbers (the card pattern is confirmed with the
Luhn checksum, so an order number of 16 digits is left alone). It cannot find what has no
shape, such as a person's name or an address: that is what an ML-based detector such as
Amazon Comprehend ``DetectPiiEntities`` is for. Entities are reported like Comprehend
reports them (``Type``, ``BeginOffset``, ``EndOffset``, types named as Comprehend names
them), so the two can be compared and combined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["PATTERNS", "PiiEntity", "find_pii", "luhn_valid", "mask_frame", "mask_text"]

#: Entity type (Comprehend's name) -> pattern. Order matters where patterns overlap: an
#: earlier match wins.
PATTERNS: dict[str, re.Pattern[str]] = {
    "EMAIL": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    "CREDIT_DEBIT_NUMBER": re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"),
    "SSN": re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)"),
    "PHONE": re.compile(r"(?<![\w+])(?:\+1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}(?!\d)"),
}


@dataclass(frozen=True)
class PiiEntity:
    """One piece of PII found in a text: its type and where it is (end exclusive)."""

    Type: str
    BeginOffset: int
    EndOffset: int

    def text(self, source: str) -> str:
        """The characters of ``source`` this entity covers."""
        return source[self.BeginOffset : self.EndOffset]


def luhn_valid(number: str) -> bool:
    """True when the digits of ``number`` pass the Luhn checksum (payment card numbers do)."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 13:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def find_pii(text: str, types: Iterable[str] | None = None) -> list[PiiEntity]:
    """The PII entities in ``text``, in order, without overlaps.

    ``types`` limits the search to some of :data:`PATTERNS` (default: all). Raises
    ``ValueError`` for an unknown type.
    """
    wanted = list(PATTERNS) if types is None else list(types)
    unknown = [t for t in wanted if t not in PATTERNS]
    if unknown:
        raise ValueError(f"unknown PII type(s) {unknown}; known: {', '.join(PATTERNS)}")
    found: list[PiiEntity] = []
    taken: list[tuple[int, int]] = []
    for kind in PATTERNS:
        if kind not in wanted:
            continue
        for match in PATTERNS[kind].finditer(text):
            begin, end = match.span()
            if kind == "CREDIT_DEBIT_NUMBER" and not luhn_valid(match.group()):
                continue
            if any(begin < t_end and t_begin < end for t_begin, t_end in taken):
                continue
            taken.append((begin, end))
            found.append(PiiEntity(kind, begin, end))
    return sorted(found, key=lambda e: e.BeginOffset)


def mask_text(text: str, entities: Sequence[PiiEntity] | None = None) -> str:
    """``text`` with each entity replaced by ``[TYPE]`` (entities default to :func:`find_pii`)."""
    chosen = find_pii(text) if entities is None else entities
    masked = text
    for entity in sorted(chosen, key=lambda e: e.BeginOffset, reverse=True):
        masked = masked[: entity.BeginOffset] + f"[{entity.Type}]" + masked[entity.EndOffset :]
    return masked


def mask_frame(
    frame: pd.DataFrame, columns: Sequence[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A copy of ``frame`` with PII masked in the text ``columns`` (default: every text
    column), and a count of what was masked: one row per column, one column per type."""
    chosen = list(columns) if columns is not None else list(frame.select_dtypes("object"))
    missing = [c for c in chosen if c not in frame.columns]
    if missing:
        raise ValueError(f"no column(s) {missing} in the frame; it has {list(frame.columns)}")
    masked = frame.copy()
    counts: dict[str, dict[str, int]] = {}
    for column in chosen:
        per_type: dict[str, int] = {kind: 0 for kind in PATTERNS}
        values = []
        for value in frame[column]:
            if not isinstance(value, str):
                values.append(value)
                continue
            entities = find_pii(value)
            for entity in entities:
                per_type[entity.Type] += 1
            values.append(mask_text(value, entities))
        masked[column] = values
        counts[column] = per_type
    return masked, pd.DataFrame.from_dict(counts, orient="index").rename_axis("column")
