"""Errors the kit raises for a learner's mistake or a missing setup step.

A :class:`LabsError` is shown in Jupyter as its message alone, without a traceback: it
describes something the learner can fix, and a stack of library frames would only hide
the fix. Everywhere else (scripts, tests) it is an ordinary exception.
"""


class LabsError(Exception):
    """A problem the learner can fix; the message says how."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback.
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


class ModeError(LabsError):
    """The requested mode (local or aws) cannot start as asked."""


class DatasetError(LabsError):
    """An unknown dataset name, or a dataset file that is missing or damaged."""
