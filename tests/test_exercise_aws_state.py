"""The shared pieces of exercise checks: reading a named resource back, swapping answers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labs.exercises import CheckResult, Status
from labs.exercises._aws_state import describe_named, swap_answers


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}}, "DescribeTrainingJob")


def _raises(code: str):
    def describe(name: str) -> dict:
        raise _error(code)

    return describe


@pytest.mark.parametrize("answer", [None, "", "   ", 42])
def test_a_name_must_be_a_non_empty_string(answer) -> None:
    result = describe_named(answer, "training job", lambda n: {"Name": n}, "fix it")
    assert isinstance(result, CheckResult) and result.status is Status.INCORRECT
    assert "training job's name as a string" in result.message


def test_the_description_comes_back_for_a_stripped_name() -> None:
    assert describe_named(" job-1 ", "training job", lambda n: {"Name": n}, "") == {"Name": "job-1"}


def test_a_missing_resource_is_a_failed_check_with_the_fix() -> None:
    result = describe_named("gone", "tuning job", _raises("ValidationException"), "use X.")
    assert isinstance(result, CheckResult) and result.status is Status.INCORRECT
    assert result.message == "There is no tuning job named 'gone': use X."


def test_other_errors_are_not_disguised_as_a_missing_resource() -> None:
    with pytest.raises(ClientError):
        describe_named("job", "training job", _raises("AccessDeniedException"), "")


def test_swap_answers_swaps_exactly_the_two_named_answers() -> None:
    expected = {"a": "real-time", "b": "batch", "c": "serverless"}
    assert swap_answers(expected, "batch", "real-time") == {
        "a": "batch",
        "b": "real-time",
        "c": "serverless",
    }
    assert expected == {"a": "real-time", "b": "batch", "c": "serverless"}
