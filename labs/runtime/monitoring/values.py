"""What each value of a column is: missing, Integral, Fractional or String.

Model Monitor reads CSV text and decides per value whether it is an integer, a decimal
number or a string; a column's ``inferred_type`` follows from the counts (any string makes
it String, else any decimal makes it Fractional, else Integral; no value at all makes it
Unknown). The kit does the same, with one deliberate simplification: a number whose
fractional part is zero counts as Integral whether it is written ``56`` or ``56.0``, so a
pandas float column that holds whole numbers and NaN (how pandas stores an integer column
with gaps) has the same type as the CSV file it came from. Only an empty value (or NaN /
None) is missing, as in Spark's CSV reader.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

INTEGRAL = "Integral"
FRACTIONAL = "Fractional"
STRING = "String"
UNKNOWN = "Unknown"
NUMERIC_TYPES = (INTEGRAL, FRACTIONAL)


@dataclass(frozen=True)
class ColumnValues:
    """One column split by kind; the boolean arrays have one entry per row."""

    missing: np.ndarray
    integral: np.ndarray
    fractional: np.ndarray
    string: np.ndarray
    numbers: np.ndarray  # the value as a float where it is a number, else NaN
    text: pd.Series  # the value as text where present

    @property
    def item_count(self) -> int:
        """Rows in the column."""
        return len(self.missing)

    @property
    def num_present(self) -> int:
        """Values that are not missing."""
        return int((~self.missing).sum())

    @property
    def num_missing(self) -> int:
        """Values that are missing."""
        return int(self.missing.sum())

    @property
    def inferred_type(self) -> str:
        """Integral, Fractional, String, or Unknown when no value is present."""
        if self.num_present == 0:
            return UNKNOWN
        if self.string.any():
            return STRING
        if self.fractional.any():
            return FRACTIONAL
        return INTEGRAL

    def numeric_values(self) -> np.ndarray:
        """The values that are numbers, as floats."""
        return self.numbers[self.integral | self.fractional]

    def matching(self, expected: str) -> int:
        """How many present values fit ``expected`` (an integer fits Fractional too)."""
        if expected == INTEGRAL:
            return int(self.integral.sum())
        if expected == FRACTIONAL:
            return int((self.integral | self.fractional).sum())
        return self.num_present


def classify(column: pd.Series) -> ColumnValues:
    """Split ``column`` into missing, Integral, Fractional and String values."""
    if pd.api.types.is_bool_dtype(column.dtype):
        column = (
            column.astype(object)
            .where(column.notna(), None)
            .map(lambda v: None if v is None else str(v).lower())
        )
    if pd.api.types.is_numeric_dtype(column.dtype):
        numbers = column.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(numbers)
        string = np.isinf(numbers)
        text = (
            column.astype(object)
            .where(~missing, None)
            .map(lambda v: None if v is None else _number_text(v))
        )
    else:
        raw = column.astype(object)
        absent = raw.isna().to_numpy()
        text = raw.where(~absent, None).map(lambda v: None if v is None else str(v).strip())
        missing = absent | (text == "").to_numpy()
        text = text.where(~missing, None)
        parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        string = ~missing & ~np.isfinite(parsed)
        numbers = np.where(string | missing, np.nan, parsed)
    is_number = ~missing & ~string
    whole = np.zeros(len(numbers), dtype=bool)
    whole[is_number] = np.mod(numbers[is_number], 1.0) == 0
    return ColumnValues(
        missing=missing,
        integral=is_number & whole,
        fractional=is_number & ~whole,
        string=string,
        numbers=np.where(is_number, numbers, np.nan),
        text=text,
    )


def _number_text(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else repr(number)
