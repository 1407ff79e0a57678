"""The error the kit's Model Monitor stand-in raises for a learner's mistake."""

from labs.errors import LabsError


class MonitoringError(LabsError):
    """A dataset, baseline or constraints file the local monitor cannot use; says why."""
