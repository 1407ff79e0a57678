"""The worker pool that runs local jobs in the background, as SageMaker runs them remotely."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_pool: ThreadPoolExecutor | None = None


def submit(work: Callable[..., Any], *args: Any) -> Future[Any]:
    """Run ``work(*args)`` on the pool: at most one job per CPU core at a time."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="labs-job")
    return _pool.submit(work, *args)
