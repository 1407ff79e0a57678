"""The learner's progress store: notebook runs, exercise checks and (later) exam results.

One JSON file, ``progress.json``, in the user's data directory
(``platformdirs.user_data_dir("labs")``), or in ``$LABS_HOME`` when that variable is set.
The variable is read at every call, so a test or a second kit install can point it
elsewhere.

Schema (``version`` 1)::

    {
      "version": 1,
      "notebooks": {
        "00-start-here": {
          "runs": 3, "passed": 2,
          "last_status": "passed", "last_seconds": 12.5, "last_run": "2025-01-01T10:00:00Z",
          "last_mode": "local", "best_seconds": 11.9, "first_passed": "2025-01-01T09:00:00Z"
        }
      },
      "exercises": {
        "start_here.q1": {
          "checks": 4,          # every check(), including "not attempted" ones
          "attempts": 3,        # checks with a real answer (correct or incorrect)
          "correct": 1,         # correct checks
          "best": "correct",    # best status so far: correct > incorrect > not_attempted
          "last": "correct",
          "first_seen": "...", "last_seen": "...", "first_correct": "..." or null
        }
      },
      "exams": [                # practice results, appended by labs.exam, oldest first
        {"kind": "exam", "exam": "MLS-C01", "finished": "...", "scaled": 780, "passed": true,
         "questions": [{"id": "d3-017", "mls_task": "MLS 3.5", "correct": false, ...}], ...},
        {"kind": "drill", "scope": "MLS 3.5", "finished": "...", "questions": [...], ...}
      ],
      "review_queue": {         # spaced repetition of missed questions (labs.exam.repetition)
        "d3-017": {"box": 1, "due": 4, "misses": 1, "last_seen": "..."}
      },
      "exam_attempt": {...}     # the practice exam in progress, if any (labs.exam.attempt)
    }

``review_queue`` and ``exam_attempt`` appear once the exam engine first writes them.

Unknown keys (for example from a newer kit) are kept as they are when the file is
rewritten. Timestamps are UTC, ISO 8601, ``YYYY-MM-DDTHH:MM:SSZ``.

Work is never lost:

- every write goes to a temporary file in the same folder, is flushed and fsynced, then
  atomically replaces ``progress.json``; a crash mid-write leaves the old file intact;
- every change re-reads the file and applies itself under an exclusive lock on
  ``progress.json.lock`` (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows,
  no lock where neither exists), so two kernels writing at once both keep their records;
- a file that cannot be parsed is moved aside to ``progress.json.corrupt-<timestamp>``
  with a warning, and a fresh store starts.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labs.errors import LabsError

SCHEMA_VERSION = 1
FILE_NAME = "progress.json"
NOTEBOOK_STATUSES = ("passed", "failed")
EXERCISE_STATUSES = ("correct", "incorrect", "not_attempted")
_RANK = {"not_attempted": 0, "incorrect": 1, "correct": 2}
# Temporary files older than this are left over from a crashed writer and are removed.
_STALE_TMP_SECONDS = 600

__all__ = [
    "EXERCISE_STATUSES",
    "NOTEBOOK_STATUSES",
    "SCHEMA_VERSION",
    "ExerciseSummary",
    "NotebookSummary",
    "Progress",
    "ProgressError",
    "load",
    "record_exercise",
    "record_notebook_run",
    "record_practice",
    "reset",
    "save_exam_attempt",
    "store_path",
    "update",
]


class ProgressError(LabsError):
    """The progress file cannot be read or written (permissions, full disk, ...)."""


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class NotebookSummary:
    """What the store knows about one notebook's runs."""

    id: str
    runs: int = 0
    passed: int = 0
    last_status: str | None = None
    last_seconds: float | None = None
    last_run: str | None = None
    last_mode: str | None = None
    best_seconds: float | None = None
    first_passed: str | None = None

    @property
    def ever_passed(self) -> bool:
        """True once any run of the notebook passed."""
        return self.passed > 0


@dataclass(frozen=True)
class ExerciseSummary:
    """What the store knows about one exercise's checks."""

    id: str
    checks: int = 0
    attempts: int = 0
    correct: int = 0
    best: str = "not_attempted"
    last: str = "not_attempted"
    first_seen: str | None = None
    last_seen: str | None = None
    first_correct: str | None = None

    @property
    def solved(self) -> bool:
        """True once any check of the exercise was correct."""
        return self.best == "correct"


@dataclass(frozen=True)
class Progress:
    """A read-only snapshot of the store, as returned by :func:`load`."""

    path: Path
    version: int = SCHEMA_VERSION
    notebooks: Mapping[str, NotebookSummary] = field(default_factory=dict)
    exercises: Mapping[str, ExerciseSummary] = field(default_factory=dict)
    exams: list[dict[str, Any]] = field(default_factory=list)
    review_queue: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    exam_attempt: dict[str, Any] | None = None

    def practice(self, kind: str) -> list[dict[str, Any]]:
        """The practice results of one ``kind`` (``"exam"`` or ``"drill"``), oldest first."""
        return [e for e in self.exams if e.get("kind") == kind]


# ----------------------------------------------------------------------- public API


def store_path() -> Path:
    """The progress file: ``$LABS_HOME/progress.json``, else in the user data directory."""
    home = os.environ.get("LABS_HOME")
    if home:
        return Path(home).expanduser() / FILE_NAME
    import platformdirs

    return Path(platformdirs.user_data_dir("labs", appauthor=False)) / FILE_NAME


def load() -> Progress:
    """Read the store. A missing file gives empty progress; a corrupt one is moved aside."""
    path = store_path()
    if not path.exists():
        return _view(path, _fresh())
    with _locked(path):
        doc = _read(path)
    return _view(path, doc)


def record_notebook_run(
    notebook: str, status: str, seconds: float, mode: str = "local"
) -> NotebookSummary:
    """Record one run of ``notebook`` (e.g. ``"00-start-here"``).

    ``status`` is ``"passed"`` or ``"failed"``, ``seconds`` the wall time of the run, ``mode``
    ``"local"`` or ``"aws"``. Returns the notebook's updated summary.
    """
    _require_id(notebook, "notebook")
    if status not in NOTEBOOK_STATUSES:
        raise ValueError(f"status must be one of {NOTEBOOK_STATUSES}, not {status!r}")
    try:
        secs = float(seconds)
    except (TypeError, ValueError):
        raise ValueError(f"seconds must be a number, not {seconds!r}") from None
    if math.isnan(secs) or math.isinf(secs) or secs < 0:
        raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")
    _require_id(mode, "mode")
    now = _now()

    def change(doc: dict[str, Any]) -> None:
        entry = _entry(doc["notebooks"], notebook)
        entry["runs"] = _int(entry.get("runs")) + 1
        entry["last_status"] = status
        entry["last_seconds"] = secs
        entry["last_run"] = now
        entry["last_mode"] = mode
        if status == "passed":
            entry["passed"] = _int(entry.get("passed")) + 1
            best = entry.get("best_seconds")
            if not isinstance(best, int | float) or secs < best:
                entry["best_seconds"] = secs
            if not entry.get("first_passed"):
                entry["first_passed"] = now
        else:
            entry.setdefault("passed", 0)

    doc = update(change)
    return _notebook_view(notebook, doc["notebooks"][notebook])


def record_exercise(exercise_id: str, status: str) -> ExerciseSummary:
    """Record one check of exercise ``exercise_id`` (e.g. ``"start_here.q1"``).

    ``status`` is ``"correct"``, ``"incorrect"`` or ``"not_attempted"``. Returns the
    exercise's updated summary (check count, best status, first-correct time, ...).
    """
    _require_id(exercise_id, "exercise_id")
    if status not in EXERCISE_STATUSES:
        raise ValueError(f"status must be one of {EXERCISE_STATUSES}, not {status!r}")
    now = _now()

    def change(doc: dict[str, Any]) -> None:
        entry = _entry(doc["exercises"], exercise_id)
        entry["checks"] = _int(entry.get("checks")) + 1
        entry.setdefault("attempts", 0)
        entry.setdefault("correct", 0)
        if status != "not_attempted":
            entry["attempts"] = _int(entry.get("attempts")) + 1
        if status == "correct":
            entry["correct"] = _int(entry.get("correct")) + 1
            if not entry.get("first_correct"):
                entry["first_correct"] = now
        else:
            entry.setdefault("first_correct", None)
        best = entry.get("best")
        if _RANK[status] >= (_RANK.get(best, -1) if isinstance(best, str) else -1):
            entry["best"] = status
        entry["last"] = status
        if not entry.get("first_seen"):
            entry["first_seen"] = now
        entry["last_seen"] = now

    doc = update(change)
    return _exercise_view(exercise_id, doc["exercises"][exercise_id])


def record_practice(
    result: Mapping[str, Any],
    review: Callable[[dict[str, Any], int], None] | None = None,
) -> dict[str, Any]:
    """Append one practice result (an exam or a drill) to ``exams``, in one locked write.

    ``result`` must have ``kind`` (``"exam"`` or ``"drill"``). ``review``, when given, is
    called with the ``review_queue`` mapping and the number of drills recorded so far
    (this one included) and edits the queue in place, so the result and the queue change
    together. An exam result also closes the open attempt. Returns the stored result.
    """
    kind = result.get("kind")
    if kind not in ("exam", "drill"):
        raise ValueError(f"result kind must be 'exam' or 'drill', not {kind!r}")
    stored = {**result, "recorded": _now()}

    def change(doc: dict[str, Any]) -> None:
        doc["exams"].append(stored)
        if review is not None:
            queue = doc.get("review_queue")
            if not isinstance(queue, dict):
                queue = doc["review_queue"] = {}
            entries = [e for e in doc["exams"] if isinstance(e, dict)]
            review(queue, sum(e.get("kind") == "drill" for e in entries))
        if kind == "exam":
            doc.pop("exam_attempt", None)

    update(change)
    return stored


def save_exam_attempt(attempt: Mapping[str, Any] | None) -> None:
    """Store the practice exam in progress (``None`` discards it). One attempt at a time."""

    def change(doc: dict[str, Any]) -> None:
        if attempt is None:
            doc.pop("exam_attempt", None)
        else:
            doc["exam_attempt"] = dict(attempt)

    update(change)


def update(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply ``change`` to the raw document under the lock, and write it atomically.

    ``change`` receives the freshly read document (see the module docstring for its
    schema) and edits it in place. This is the one write path: the ``record_*`` functions
    use it, and so will the exam engine for ``exams``. Returns the document as written.
    Raises :class:`ProgressError` when the file cannot be written.
    """
    path = store_path()
    try:
        with _locked(path):
            doc = _read(path)
            change(doc)
            _write_atomic(path, doc)
    except OSError as error:
        raise ProgressError(
            f"Could not save progress to {path}: {error}. Check that the folder is writable, "
            "or set LABS_HOME to another folder."
        ) from error
    return doc


def reset() -> Path | None:
    """Start progress afresh. The old file is kept as ``progress.json.reset-<timestamp>``.

    Returns the path the old file was moved to, or ``None`` when there was no progress.
    """
    path = store_path()
    if not path.exists():
        return None
    with _locked(path):
        if not path.exists():
            return None
        target = _aside_path(path, "reset")
        os.replace(path, target)
    return target


# ------------------------------------------------------------------------ internals


def _fresh() -> dict[str, Any]:
    return {"version": SCHEMA_VERSION, "notebooks": {}, "exercises": {}, "exams": []}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _require_id(value: Any, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, not {value!r}")


def _entry(section: dict[str, Any], key: str) -> dict[str, Any]:
    entry = section.get(key)
    if not isinstance(entry, dict):
        entry = section[key] = {}
    return entry


def _aside_path(path: Path, label: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
        n += 1
    return target


def _problem(doc: Any) -> str | None:
    """Why ``doc`` is not a usable progress document, or None when it is."""
    if not isinstance(doc, dict):
        return "the top level is not a JSON object"
    version = doc.get("version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return f"bad version {version!r}"
    for key, kind in (("notebooks", dict), ("exercises", dict), ("exams", list)):
        if key in doc and not isinstance(doc[key], kind):
            return f"{key!r} is not a JSON {'object' if kind is dict else 'array'}"
    return None


def _read(path: Path) -> dict[str, Any]:
    """Read the document; call with the lock held. Moves a corrupt file aside."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return _fresh()
    except OSError as error:
        return _move_aside(path, f"it could not be read: {error}")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return _move_aside(path, f"it is not valid JSON: {error}")
    problem = _problem(doc)
    if problem:
        return _move_aside(path, problem)
    doc.setdefault("version", SCHEMA_VERSION)
    doc.setdefault("notebooks", {})
    doc.setdefault("exercises", {})
    doc.setdefault("exams", [])
    return doc


def _move_aside(path: Path, reason: str) -> dict[str, Any]:
    target = _aside_path(path, "corrupt")
    try:
        os.replace(path, target)
    except OSError as error:
        raise ProgressError(
            f"The progress file {path} is damaged ({reason}) and could not be moved aside "
            f"({error}). Move or delete it, or set LABS_HOME to another folder."
        ) from error
    warnings.warn(
        f"The progress file {path} was damaged ({reason}). It was moved to {target} and a "
        "fresh progress file was started.",
        RuntimeWarning,
        stacklevel=3,
    )
    return _fresh()


def _write_atomic(path: Path, doc: dict[str, Any]) -> None:
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        _replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _replace(source: str, target: Path) -> None:
    # On Windows a reader holding the target open makes os.replace fail for a moment.
    for attempt in range(20):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == 19:
                raise
            time.sleep(0.05)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale_tmp(path: Path) -> None:
    cutoff = time.time() - _STALE_TMP_SECONDS
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (creating the folder if needed)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ProgressError(
            f"Could not open the progress folder {path.parent}: {error}. Set LABS_HOME to a "
            "writable folder."
        ) from error
    try:
        unlock = _lock_fd(fd)
        try:
            _remove_stale_tmp(path)
            yield
        finally:
            unlock()
    finally:
        os.close(fd)


def _lock_fd(fd: int) -> Callable[[], None]:
    """Lock ``fd`` exclusively, blocking; return the function that unlocks it."""
    try:
        import fcntl
    except ImportError:
        pass
    else:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return lambda: fcntl.flock(fd, fcntl.LOCK_UN)
    try:
        import msvcrt
    except ImportError:
        return lambda: None  # no locking available: atomic writes still protect the file
    deadline = time.monotonic() + 30
    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            break
        except OSError:
            if time.monotonic() > deadline:
                return lambda: None  # give up waiting rather than hang the notebook
            time.sleep(0.02)

    def unlock() -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    return unlock


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _opt_float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _notebook_view(key: str, entry: Any) -> NotebookSummary:
    e = entry if isinstance(entry, dict) else {}
    return NotebookSummary(
        id=key,
        runs=_int(e.get("runs")),
        passed=_int(e.get("passed")),
        last_status=_opt_str(e.get("last_status")),
        last_seconds=_opt_float(e.get("last_seconds")),
        last_run=_opt_str(e.get("last_run")),
        last_mode=_opt_str(e.get("last_mode")),
        best_seconds=_opt_float(e.get("best_seconds")),
        first_passed=_opt_str(e.get("first_passed")),
    )


def _exercise_view(key: str, entry: Any) -> ExerciseSummary:
    e = entry if isinstance(entry, dict) else {}
    best = e.get("best") if e.get("best") in _RANK else "not_attempted"
    last = e.get("last") if e.get("last") in _RANK else "not_attempted"
    return ExerciseSummary(
        id=key,
        checks=_int(e.get("checks")),
        attempts=_int(e.get("attempts")),
        correct=_int(e.get("correct")),
        best=best,
        last=last,
        first_seen=_opt_str(e.get("first_seen")),
        last_seen=_opt_str(e.get("last_seen")),
        first_correct=_opt_str(e.get("first_correct")),
    )


def _view(path: Path, doc: dict[str, Any]) -> Progress:
    return Progress(
        path=path,
        version=doc.get("version", SCHEMA_VERSION),
        notebooks={k: _notebook_view(k, v) for k, v in doc.get("notebooks", {}).items()},
        exercises={k: _exercise_view(k, v) for k, v in doc.get("exercises", {}).items()},
        exams=[e for e in doc.get("exams", []) if isinstance(e, dict)],
        review_queue={
            k: v for k, v in (_dict(doc.get("review_queue")) or {}).items() if isinstance(v, dict)
        },
        exam_attempt=_dict(doc.get("exam_attempt")),
    )


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None
