"""Wait for several SageMaker AI training jobs started without waiting, polling quickly.

``ModelTrainer.train(wait=False)`` (or boto3 ``create_training_job``) returns at once, so
a notebook can start a scan of jobs (K-Means for k = 2..16) together and wait once.
:func:`wait_for_training_jobs` polls ``DescribeTrainingJob`` until every job has ended.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

__all__ = ["wait_for_training_jobs"]

_ENDED = ("Completed", "Failed", "Stopped")


def wait_for_training_jobs(
    sagemaker: Any, names: Sequence[str], *, timeout: float = 1800, poll: float = 0.5
) -> dict[str, dict[str, Any]]:
    """Poll until every job in ``names`` has Completed, Failed or Stopped.

    Returns name -> the last ``describe_training_job`` answer, in the order given.
    Raises TimeoutError naming the jobs still running after ``timeout`` seconds; a failed
    job is returned, not raised (check ``TrainingJobStatus`` and ``FailureReason``).
    """
    done: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while True:
        for name in names:
            if name not in done:
                job = sagemaker.describe_training_job(TrainingJobName=name)
                if job["TrainingJobStatus"] in _ENDED:
                    done[name] = job
        if len(done) == len(names):
            return {name: done[name] for name in names}
        if time.monotonic() > deadline:
            running = [n for n in names if n not in done]
            raise TimeoutError(f"training jobs still running after {timeout:.0f} s: {running}")
        time.sleep(poll)
