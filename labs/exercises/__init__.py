"""Exercises for the labs: check / hint / solution, one module per notebook.

In a notebook::

    from labs.exercises import ____
    from labs.exercises.start_here import q1

    row_count = ____        # replace the placeholder with your answer
    q1.check(row_count)     # Correct / Incorrect with a reason / Not attempted yet
    q1.hint()               # the next hint; q1.hint(2) for hint 2
    q1.solution()           # the reference solution

The machinery lives in :mod:`labs.exercises.core`; every other public module here holds
the exercises of one notebook (``start_here`` for ``00-start-here``).
"""

from labs.exercises.core import (
    Case,
    CheckResult,
    CustomExercise,
    Exercise,
    FunctionExercise,
    Status,
    ValueExercise,
    ____,
    all_exercises,
    is_placeholder,
)

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
