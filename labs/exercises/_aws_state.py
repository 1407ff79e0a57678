"""Small pieces the exercise checks share: reading a named resource back, and swapping
two answers of a matching exercise to make a typical wrong answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from labs.exercises.core import CheckResult

#: Error codes AWS (and the local AWS) answer a Describe call with for a missing name.
NOT_FOUND_CODES = frozenset(
    {"ValidationException", "ResourceNotFound", "ResourceNotFoundException", "NoSuchEntity"}
)


def describe_named(
    answer: Any, what: str, describe: Callable[[str], dict[str, Any]], fix: str
) -> dict[str, Any] | CheckResult:
    """The description of the resource the learner named, or the failed check to return.

    ``answer`` must be a non-empty string; ``describe(name)`` is the boto3 call (e.g.
    ``lambda n: sm.describe_training_job(TrainingJobName=n)``); ``what`` names the kind
    ("training job") in the messages; ``fix`` says how to get a right name. A missing
    resource is a failed check; any other error (access denied, throttling) propagates,
    so the learner sees it rather than a misleading "there is none".
    """
    if not isinstance(answer, str) or not answer.strip():
        return CheckResult.fail(f"Give the {what}'s name as a string.")
    name = answer.strip()
    try:
        return describe(name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in NOT_FOUND_CODES:
            raise
        return CheckResult.fail(f"There is no {what} named {name!r}: {fix}")


def swap_answers(expected: Mapping[str, str], first: str, second: str) -> dict[str, str]:
    """``expected`` with the two items whose answers are ``first`` and ``second`` swapped:
    the typical wrong answer of a matching exercise that confuses those two."""
    answer = dict(expected)
    a, b = (k for k, v in expected.items() if v in (first, second))
    answer[a], answer[b] = answer[b], answer[a]
    return answer
