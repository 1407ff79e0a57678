"""Status bookkeeping for a job that moto recorded and the runtime runs.

moto keeps each job as an object whose attributes become the Describe* response. The
runtime updates those attributes as the job moves on; what moto has no field for (the
stop flag, the metric history) is kept here, keyed by the job's ARN.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from labs.algorithms.base import AlgorithmError


def now() -> datetime:
    """The current time, as moto stores times."""
    return datetime.now(UTC)


class JobStopped(Exception):
    """The job was asked to stop (Stop*Job, or its MaxRuntimeInSeconds passed)."""


@dataclass(frozen=True)
class Outcome:
    """How a run ended: SageMaker's terminal status and, for Failed, the reason."""

    status: str
    failure_reason: str | None = None


#: The outcome a run has until it reaches one (an interpreter exit mid-run keeps it).
UNFINISHED = Outcome("Failed", "InternalServerError: the local runtime ended unexpectedly.")


def outcome_of(execute: Callable[[], Outcome], log: Callable[[str], None]) -> Outcome:
    """Run ``execute`` and say how the job ended: its own outcome, Stopped, or Failed.

    A learner's mistake (:class:`~labs.algorithms.AlgorithmError`) fails the job with its
    message as the FailureReason; an unexpected error inside the kit fails it too, with
    the traceback in the job's log, so a job never hangs in InProgress.
    """
    try:
        return execute()
    except JobStopped:
        return Outcome("Stopped")
    except AlgorithmError as error:
        return Outcome("Failed", str(error))
    except Exception as error:
        log(traceback.format_exc())
        return Outcome(
            "Failed", f"InternalServerError: local runtime: {type(error).__name__}: {error}"
        )


@dataclass
class RunState:
    """What the runtime knows about one running job besides moto's record."""

    stop: threading.Event = field(default_factory=threading.Event)
    stop_reason: str | None = None
    metric_history: dict[str, list[tuple[int | None, float]]] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)


_states: dict[str, RunState] = {}
_lock = threading.Lock()


def state(arn: str) -> RunState:
    """The run state of the job with this ARN (created on first use)."""
    with _lock:
        return _states.setdefault(arn, RunState())


def run_guarded(work: Any, status_attr: str, job: Any, *args: Any) -> None:
    """Run ``work(job, *args)``; if it fails before the job could report, fail the job.

    A job's own run reports its errors through its status; this catches what escapes it
    (its setup, say), so a job never stays InProgress with nothing running it.
    """
    try:
        work(job, *args)
    except Exception as error:
        job.failure_reason = (
            f"InternalServerError: the local runtime could not run the job: "
            f"{type(error).__name__}: {error}"
        )[:1024]
        if hasattr(job, "secondary_status"):
            job.secondary_status = "Failed"
        setattr(job, status_attr, "Failed")
        state(job.arn).done.set()


def stop_all(reason: str) -> None:
    """Ask every job that is still running to stop (the interpreter is exiting)."""
    with _lock:
        states = [s for s in _states.values() if not s.done.is_set()]
    for run_state in states:
        if not run_state.stop.is_set():
            run_state.stop_reason = reason
            run_state.stop.set()


def forget(arn: str) -> None:
    """Drop what is kept for a deleted job, so a new job of the same name starts afresh."""
    with _lock:
        _states.pop(arn, None)


class SecondaryStatus:
    """Moves a training job through SageMaker's secondary statuses with their transitions."""

    def __init__(self, job: Any) -> None:
        self.job = job
        job.secondary_status_transitions = []

    def enter(self, status: str, message: str) -> None:
        """Close the current transition and open ``status``."""
        stamp = now()
        transitions = self.job.secondary_status_transitions
        if transitions and "EndTime" not in transitions[-1]:
            transitions[-1]["EndTime"] = stamp
        transitions.append({"Status": status, "StartTime": stamp, "StatusMessage": message})
        self.job.secondary_status = status
        self.job.last_modified_time = stamp

    def finish(self, status: str, message: str) -> None:
        """Enter a final status and close it at once."""
        self.enter(status, message)
        self.job.secondary_status_transitions[-1]["EndTime"] = now()
