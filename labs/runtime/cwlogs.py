"""A job's log stream in CloudWatch Logs, written as the job runs."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any


class LogStream:
    """Lines a job prints, sent to ``/aws/sagemaker/<kind>`` stream ``<job>/algo-1-<time>``.

    Lines are buffered and sent in batches (at most every half second, or on ``close``),
    so a chatty job does not make one API call per line. The SDK's ``logs=True`` and the
    console-style reads in notebooks find the stream by the job-name prefix, as on AWS.
    ``stream`` names the stream outright (an endpoint's is ``<variant>/<instance id>``).
    """

    def __init__(
        self, logs: Any, group: str, job_name: str, echo: Any = None, stream: str | None = None
    ) -> None:
        self._logs = logs
        self.group = group
        self.stream = stream or f"{job_name}/algo-1-{int(time.time())}"
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._echo = echo
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_group(logGroupName=group)
        # A job of a deleted job's name, started in the same second, gets the same stream
        # name: it appends to it, as a restarted container appends to its stream.
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_stream(logGroupName=group, logStreamName=self.stream)

    def write(self, line: str) -> None:
        """Append one line (a trailing newline is dropped)."""
        event = {"timestamp": int(time.time() * 1000), "message": line.rstrip("\n")}
        with self._lock:
            self._pending.append(event)
            due = time.monotonic() - self._last_flush > 0.5 or len(self._pending) >= 500
        if self._echo is not None:
            self._echo(event["message"])
        if due:
            self.flush()

    def flush(self) -> None:
        """Send what is buffered."""
        with self._lock:
            events, self._pending = self._pending, []
            self._last_flush = time.monotonic()
        if events:
            self._logs.put_log_events(
                logGroupName=self.group, logStreamName=self.stream, logEvents=events
            )

    def close(self) -> None:
        """Send the rest."""
        self.flush()
