"""The worker pool that runs local jobs in the background, as SageMaker runs them remotely.

When the interpreter exits (a kernel shut down or restarted, the end of a test run) with jobs
still running, :func:`exiting` turns true and every running job is asked to stop, so a
tuning job does not try to start more children on a pool that is shutting down.
"""

from __future__ import annotations

import atexit
import concurrent.futures.thread  # noqa: F401  (registers its exit hook before ours)
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from labs.runtime import jobstate

_pool: ThreadPoolExecutor | None = None
_exiting = threading.Event()


def submit(work: Callable[..., Any], *args: Any) -> Future[Any]:
    """Run ``work(*args)`` on the pool: at most one job per CPU core at a time."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="labs-job")
    return _pool.submit(work, *args)


def exiting() -> bool:
    """True once the interpreter has begun to exit: start no new job."""
    return _exiting.is_set()


def _stop_everything() -> None:
    # Runs before the pool's own exit hook (hooks run in reverse order of registration),
    # which joins the workers: the jobs they run stop instead of running on.
    _exiting.set()
    jobstate.stop_all("Stopped")


getattr(threading, "_register_atexit", atexit.register)(_stop_everything)
