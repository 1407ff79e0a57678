"""Run one container command as a supervised child process.

The child runs in its own process group. Its stdout and stderr are read line by line by
two threads and handed to the caller's ``log`` callback on the calling thread, in real
time; every line is matched against the metric definitions (``re.search``, first group as
a float) and reported through ``metric``. ``should_stop()`` is polled every half second;
a stop (or the time limit) sends SIGTERM to the whole group, then SIGKILL after a grace
period, as SageMaker does with its 120-second notice. Whatever the group left running when
the main process ended is killed too, as a container's end would. So is every group still
running when the kit's own interpreter exits (a notebook kernel shut down or restarted
mid-job, the end of a test run), which would otherwise wait for the job to end.
"""

from __future__ import annotations

import atexit
import concurrent.futures.thread  # noqa: F401  (registers its exit hook before ours: see below)
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

MAX_FAILURE_REASON = 1024
STDERR_TAIL_LINES = 20
STOP_POLL_SECONDS = 0.5
DEFAULT_STOP_GRACE_SECONDS = 5.0

LogFn = Callable[[str], None]
MetricFn = Callable[[str, float], None]
StopFn = Callable[[], bool]

# Every child started by run_command and not yet ended, for _kill_running at exit.
_running: set[subprocess.Popen[bytes]] = set()
_running_lock = threading.Lock()


@dataclass
class ScriptResult:
    """How a container command ended.

    ``status`` is SageMaker's job status (``Completed``, ``Failed`` or ``Stopped``),
    ``secondary_status`` its secondary status (the same, or ``MaxRuntimeExceeded``).
    ``failure_reason`` (Failed only) is at most 1024 characters, without SageMaker's
    ``AlgorithmError:`` prefix. ``final_metrics`` holds the last value of each metric;
    ``checkpoint_files`` the files left in the checkpoint folder (training only).
    """

    status: str
    secondary_status: str
    exit_code: int | None
    failure_reason: str | None
    seconds: float
    command: list[str]
    final_metrics: dict[str, float] = field(default_factory=dict)
    checkpoint_files: list[Path] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """True when the job completed."""
        return self.status == "Completed"

    @property
    def stopped(self) -> bool:
        """True when the job was stopped (asked to, or over its time limit)."""
        return self.status == "Stopped"


@dataclass
class _Outcome:
    exit_code: int | None
    stop_reason: str | None
    seconds: float
    stderr_tail: list[str]
    final_metrics: dict[str, float]


class MetricMatcher:
    """Matches log lines against ``[{"Name", "Regex"}]`` metric definitions."""

    def __init__(self, definitions: Sequence[dict[str, str]], log: LogFn) -> None:
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for definition in definitions or ():
            try:
                self.patterns.append((definition["Name"], re.compile(definition["Regex"])))
            except (KeyError, re.error) as error:
                log(f"labs: metric definition {definition!r} ignored: {error}")

    def values(self, line: str) -> list[tuple[str, float]]:
        """``(name, value)`` for every definition whose regex matches ``line``."""
        found = []
        for name, pattern in self.patterns:
            match = pattern.search(line)
            if match is None or not match.groups() or match.group(1) is None:
                continue
            try:
                found.append((name, float(match.group(1))))
            except ValueError:
                continue
        return found


def run_command(
    command: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    metric_definitions: Sequence[dict[str, str]] = (),
    log: LogFn,
    metric: MetricFn,
    should_stop: StopFn,
    timeout_seconds: float | None = None,
    stop_grace_seconds: float = DEFAULT_STOP_GRACE_SECONDS,
) -> _Outcome:
    """Run ``command`` to its end under supervision (see the module docstring)."""
    matcher = MetricMatcher(metric_definitions, log)
    lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    final: dict[str, float] = {}
    started = time.monotonic()
    process = subprocess.Popen(
        list(command),
        cwd=str(cwd),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **_new_group(),
    )
    with _running_lock:
        _running.add(process)
    readers = [
        threading.Thread(target=_pump, args=(stream, name, lines), daemon=True)
        for stream, name in ((process.stdout, "stdout"), (process.stderr, "stderr"))
    ]
    for reader in readers:
        reader.start()
    stop_reason: str | None = None
    term_sent: float | None = None
    killed = False
    ended_at: float | None = None
    open_streams = 2
    next_poll = started
    try:
        while True:
            for stream_name, text in _take(lines, limit=500):
                if text is None:
                    open_streams -= 1
                    continue
                if stream_name == "stderr":
                    tail.append(text)
                log(text)
                for name, value in matcher.values(text):
                    final[name] = value
                    metric(name, value)
            now = time.monotonic()
            if process.poll() is not None:
                if ended_at is None:
                    ended_at = now
                    _signal_group(process, signal.SIGKILL if os.name != "nt" else None)
                if open_streams == 0 or now - ended_at > 2.0:
                    break
                continue
            if term_sent is None:
                if timeout_seconds is not None and now - started >= timeout_seconds:
                    stop_reason = "MaxRuntimeExceeded"
                elif now >= next_poll:
                    next_poll = now + STOP_POLL_SECONDS
                    if should_stop():
                        stop_reason = "Stopped"
                if stop_reason is not None:
                    term_sent = now
                    _signal_group(process, signal.SIGTERM)
            elif not killed and now - term_sent >= stop_grace_seconds:
                killed = True
                _signal_group(process, signal.SIGKILL if os.name != "nt" else None)
    finally:
        if process.poll() is None:
            _signal_group(process, signal.SIGKILL if os.name != "nt" else None)
            process.wait()
        with _running_lock:
            _running.discard(process)
        for reader in readers:
            reader.join(timeout=1.0)
    seconds = (ended_at or time.monotonic()) - started
    return _Outcome(process.returncode, stop_reason, seconds, list(tail), final)


def failure_reason(
    *,
    failure_file: Path | None,
    stderr_tail: Sequence[str],
    exit_code: int | None,
    toolkit_command: Sequence[str] | None = None,
) -> str:
    """The FailureReason of a failed container command (at most 1024 characters).

    The text of ``failure_file`` when the script wrote one (its first 1024 characters, as
    SageMaker takes them); else, for classic script mode (``toolkit_command`` given), the
    training toolkit's ``ExecuteUserScriptError`` message around the tail of stderr; else
    the tail of stderr itself (from its first ``Traceback`` line when there is one). The end
    of stderr (the exception) is what is kept.
    """
    if failure_file is not None and failure_file.is_file():
        text = failure_file.read_text(encoding="utf-8", errors="replace").strip()
        if text:
            return text[:MAX_FAILURE_REASON]
    lines = [line.rstrip() for line in stderr_tail]
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call")]
    if starts:  # the noise before a Python traceback says nothing about the failure
        lines = lines[starts[0] :]
    tail = "\n".join(lines).strip()
    if toolkit_command is not None:
        head = f'ExecuteUserScriptError:\nExitCode {exit_code}\nErrorMessage "'
        end = f'"\nCommand "{" ".join(toolkit_command)}"'
        room = MAX_FAILURE_REASON - len(head) - len(end)
        if room < 80:  # a very long command: keep the error, not the command
            end, room = '"', MAX_FAILURE_REASON - len(head) - 1
        return head + _keep_end(tail, room) + end
    if not tail:
        return _keep_end(f"The script exited with code {exit_code}; see the job's logs.", 1024)
    return _keep_end(tail, MAX_FAILURE_REASON)


def _take(lines: queue.Queue[tuple[str, str | None]], limit: int) -> list[tuple[str, str | None]]:
    """Up to ``limit`` queued lines, waiting at most 0.1 s for the first."""
    try:
        taken = [lines.get(timeout=0.1)]
    except queue.Empty:
        return []
    while len(taken) < limit:
        try:
            taken.append(lines.get_nowait())
        except queue.Empty:
            break
    return taken


def _keep_end(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return "..." + text[-(limit - 3) :]


def _pump(stream: IO[bytes] | None, name: str, lines: queue.Queue[tuple[str, str | None]]) -> None:
    if stream is None:
        lines.put((name, None))
        return
    try:
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if "\r" in text:  # progress bars redraw with \r: keep what was drawn last
                parts = [part for part in text.split("\r") if part.strip()]
                text = parts[-1] if parts else ""
            lines.put((name, text))
    except (OSError, ValueError):
        pass
    finally:
        lines.put((name, None))


def _kill_running() -> None:
    """At interpreter exit, kill the process group of every child still running.

    The jobs run on a ``ThreadPoolExecutor``, whose exit hook joins its threads: with a
    script still running, the interpreter (a notebook kernel being shut down, a test
    run) would hang until the job ended, and once killed it would leave the script
    running as an orphan. Registered with ``threading._register_atexit`` after the
    executor's hook (imported above), so it runs first (hooks run in reverse order); the
    killed script ends its job and the executor's join returns.
    """
    with _running_lock:
        processes = list(_running)
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signal.SIGKILL if os.name != "nt" else None)


_register_at_exit = getattr(threading, "_register_atexit", atexit.register)
_register_at_exit(_kill_running)


def _new_group() -> dict[str, object]:
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
    return {"start_new_session": True}


def _signal_group(process: subprocess.Popen[bytes], sig: int | None) -> None:
    """Send ``sig`` to the child's whole process group (``None``: kill, on Windows)."""
    try:
        if os.name == "nt":
            if sig == signal.SIGTERM:
                process.terminate()
            else:
                process.kill()
            return
        os.killpg(process.pid, sig if sig is not None else signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
