"""Run a notebook headless, the way the test suite and ``labs run`` do.

Each run starts a fresh ``python3`` kernel in the notebook's folder, in local mode
(``LABS_MODE=local``) with the network guard on (:func:`labs.local.netguard.kernel_env`).
A notebook passes when every cell runs without an error *and* the guard recorded no
attempt to leave the machine: a library that catches the blocked connection and carries
on still fails the run. The notebook file is never written to.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labs import curriculum
from labs.local import netguard

__all__ = ["RunResult", "run_notebook"]

KERNEL_NAME = "python3"
GUARD_LOG = "network-guard.jsonl"
_MAX_MESSAGE = 300


@dataclass(frozen=True)
class RunResult:
    """The outcome of one headless run.

    ``error`` is a one-line summary (the failing code cell's number, which is its ``[n]``
    after "Run All", and the exception's name and message; or the blocked hosts), ``None``
    when the run passed. ``violations`` are the network guard's records.
    """

    notebook_id: str
    path: Path
    passed: bool
    seconds: float
    error: str | None = None
    violations: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def status(self) -> str:
        """``"passed"`` or ``"failed"``, as the progress store spells it."""
        return "passed" if self.passed else "failed"


def _one_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # ANSI colours from IPython
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _summarise_exception(error: BaseException, code_cell: int | None, timeout: float) -> str:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    where = f"code cell {code_cell}" if code_cell else "before the first cell"
    if isinstance(error, CellExecutionError):
        message = _one_line(error.evalue)
        return f"{where}: {error.ename}" + (f": {message}" if message else "")
    if isinstance(error, CellTimeoutError):
        return f"{where}: timed out after {timeout:g} s"
    if isinstance(error, DeadKernelError):
        return f"{where}: the kernel died"
    return f"{where}: {type(error).__name__}: {_one_line(str(error))}"


def _summarise_violations(records: list[dict[str, Any]]) -> str:
    seen: list[str] = []
    for record in records:
        port = record.get("port")
        target = f"{record.get('host')}" + ("" if port is None else f":{port}")
        label = f"{record.get('what', 'connect')} to {target}"
        if label not in seen:
            seen.append(label)
    shown = ", ".join(seen[:5]) + (f" and {len(seen) - 5} more" if len(seen) > 5 else "")
    return f"network guard blocked {shown} (local mode must not leave this machine)"


def _kernel_env(log_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["LABS_MODE"] = "local"
    env.update(netguard.kernel_env(log_path))
    return env


def _execute(path: Path, timeout: float, workdir: Path) -> str | None:
    """Execute the notebook in memory; return the error summary, or None when it ran clean.

    The guard log and the kernel's own stderr go to files in ``workdir``. Cell output,
    fd-level output included, reaches the notebook, so that stderr holds only what the
    kernel says before it is up or as it dies: its last line explains a kernel that died.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    current = {"code_cell": 0}

    def on_cell_execute(cell: Any, cell_index: int) -> None:
        if cell.get("cell_type") == "code":
            current["code_cell"] += 1

    kernel_log = workdir / "kernel-stderr.log"
    try:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            timeout=timeout,
            resources={"metadata": {"path": str(path.parent)}},
            on_cell_execute=on_cell_execute,
        )
        with open(kernel_log, "wb") as stderr:
            # Keyword arguments of execute() go to KernelManager.start_kernel() and on to
            # Popen: env= is the kernel's whole environment (cwd comes from resources).
            client.execute(env=_kernel_env(workdir / GUARD_LOG), stderr=stderr)
    except Exception as error:
        summary = _summarise_exception(error, current["code_cell"] or None, timeout)
        if not isinstance(error, CellExecutionError | CellTimeoutError):
            last = _last_words(kernel_log)
            summary += f" (kernel stderr: {last})" if last else ""
        return summary
    return None


def _last_words(kernel_log: Path) -> str | None:
    """The kernel's last stderr line, without ipykernel's routine startup warnings."""
    try:
        text = kernel_log.read_text(errors="replace")
    except OSError:
        return None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("[IPKernelApp]")]
    return _one_line(lines[-1]) if lines else None


def run_notebook(path: str | Path, timeout: float = 600, *, record: bool = True) -> RunResult:
    """Run the notebook at ``path`` from a fresh kernel in local mode, guard on.

    ``timeout`` is the limit in seconds for each cell. Any ``.ipynb`` works; its id is the
    ``labs`` metadata id, else the file stem. With ``record`` (the default) the run is
    saved to the progress store. The notebook file itself is never modified.
    """
    path = Path(path).resolve()
    info = curriculum.load_info(path)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="labs-run-") as tmp:
        if info.read_error:
            error: str | None = f"cannot read the notebook: {_one_line(info.read_error)}"
            blocked: list[dict[str, Any]] = []
        else:
            error = _execute(path, timeout, Path(tmp))
            blocked = netguard.violations(Path(tmp) / GUARD_LOG)
    seconds = time.monotonic() - start
    if blocked:
        guard = _summarise_violations(blocked)
        error = f"{error}; {guard}" if error else guard
    result = RunResult(info.id, path, error is None, seconds, error, blocked)
    if record:
        _record(result)
    return result


def _record(result: RunResult) -> None:
    from labs import progress  # imported late: the store is optional for a run
    from labs.errors import LabsError

    try:
        progress.record_notebook_run(
            result.notebook_id, result.status, result.seconds, mode="local"
        )
    except LabsError as error:
        warnings.warn(f"The run was not saved to your progress: {error}", stacklevel=3)
