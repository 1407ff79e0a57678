"""Exercises of notebook 01-4-transformation-and-orchestration: choose the service, add a Retry."""

from __future__ import annotations

import copy
import json
from typing import Any

from labs.exercises.core import CheckResult, CustomExercise

# ------------------------------------------------------------------------------ q1

SERVICES = ("Glue", "EMR", "Batch", "Processing")

SCENARIOS: dict[str, str] = {
    "a": (
        "Every night, join three CSV extracts in S3 into partitioned Parquet tables in the "
        "Data Catalog, processing only the files that are new since the last run. No one "
        "wants to manage servers."
    ),
    "b": (
        "A 40 TB Spark and Hive workload runs all day on a cluster the team tunes itself, "
        "with HBase and Presto on the side and Spot Instances for the task nodes."
    ),
    "c": (
        "Run a containerised C++ simulation (no Spark) over 10,000 input files, one job per "
        "file, on Spot Instances, queued by priority."
    ),
    "d": (
        "Clean and split the training data with scikit-learn and compute pre-training bias "
        "metrics, as one step of a SageMaker pipeline that trains right after."
    ),
}

ANSWERS: dict[str, str] = {"a": "Glue", "b": "EMR", "c": "Batch", "d": "Processing"}

WHY_NOT: dict[tuple[str, str], str] = {
    ("a", "EMR"): "EMR can do it, but someone manages clusters; Glue is serverless Spark with "
    "the Data Catalog and job bookmarks, which process only new data.",
    ("a", "Batch"): "AWS Batch runs containers you build; it has no Spark, Data Catalog or job "
    "bookmarks. Glue has all three, serverless.",
    ("a", "Processing"): "Processing runs ML data prep next to SageMaker; a catalogued, "
    "incremental ETL into Parquet tables is what Glue (crawlers, bookmarks) is for.",
    ("b", "Glue"): "Glue is serverless Spark: no HBase or Presto, no cluster to tune, no Spot "
    "task nodes. A long-running, tuned Hadoop-ecosystem cluster is EMR.",
    ("b", "Batch"): "AWS Batch runs container jobs, not Spark, Hive, HBase or Presto clusters: "
    "that is EMR.",
    ("b", "Processing"): "A Processing job is one job on instances that stop when it ends; an "
    "all-day Spark/Hive/HBase cluster is EMR.",
    ("c", "Glue"): "Glue runs Spark or Python shell scripts, not your own C++ container: AWS "
    "Batch runs any container, with job queues, array jobs and Spot.",
    ("c", "EMR"): "There is no Spark or Hadoop here: AWS Batch runs container jobs from a "
    "queue, as array jobs, on Spot.",
    ("c", "Processing"): "Processing could run one container, but 10,000 queued jobs with "
    "priorities is AWS Batch (job queues, array jobs, Spot compute environments).",
    ("d", "Glue"): "Glue can clean data, but a step that uses scikit-learn and bias metrics "
    "(Clarify) inside a SageMaker pipeline is a SageMaker Processing job.",
    ("d", "EMR"): "An EMR cluster for one scikit-learn step is overkill; SageMaker Processing "
    "runs it as a pipeline step (and SageMaker Clarify computes bias metrics as one).",
    ("d", "Batch"): "AWS Batch knows nothing of SageMaker pipelines or Clarify; a Processing "
    "job is the pipeline's own data-prep step.",
}

_ALIASES = {
    "glue": "Glue",
    "aws glue": "Glue",
    "emr": "EMR",
    "amazon emr": "EMR",
    "batch": "Batch",
    "aws batch": "Batch",
    "processing": "Processing",
    "sagemaker processing": "Processing",
    "sagemaker ai processing": "Processing",
}


def _service(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _ALIASES.get(" ".join(value.lower().replace("amazon", "").split()).strip())


def _check_services(answer: Any) -> CheckResult:
    if not isinstance(answer, dict):
        return CheckResult.fail(
            "Give a dict from scenario letter to service, e.g. {'a': 'Glue', 'b': 'EMR', ...}."
        )
    missing = [letter for letter in ANSWERS if letter not in answer]
    if missing:
        return CheckResult.fail(f"Scenario {', '.join(missing)} has no answer yet.")
    extra = [key for key in answer if key not in ANSWERS]
    if extra:
        return CheckResult.fail(f"There is no scenario {extra[0]!r}: the letters are a to d.")
    reasons = []
    for letter, expected in ANSWERS.items():
        chosen = _service(answer[letter])
        if chosen is None:
            return CheckResult.fail(
                f"Scenario {letter}: {answer[letter]!r} is not one of {', '.join(SERVICES)}."
            )
        if chosen != expected:
            reasons.append(f"{letter}: {WHY_NOT[(letter, chosen)]}")
    if reasons:
        right = len(ANSWERS) - len(reasons)
        return CheckResult.fail(f"{right} of {len(ANSWERS)} right. " + " ".join(reasons))
    return CheckResult.ok(
        "Glue for serverless, catalogued Spark ETL; EMR for clusters you control; AWS Batch "
        "for any container at scale; Processing for data prep inside the SageMaker workflow."
    )


q1 = CustomExercise(
    title="Glue, EMR, AWS Batch or Processing?",
    prompt=(
        "For each scenario a to d (labs.exercises.transformation_and_orchestration.SCENARIOS), "
        "choose the service that fits best: 'Glue', 'EMR', 'Batch' or 'Processing'. Answer "
        "with a dict such as {'a': 'Glue', ...}."
    ),
    check=_check_services,
    hints=[
        "Look for the clue words: serverless + Data Catalog + only new data; a cluster you "
        "tune with HBase/Presto; any container with queues; a step of a SageMaker pipeline.",
        "Job bookmarks (process only new data) are a Glue feature; Spot task nodes are an "
        "EMR cluster feature; array jobs and job queues are AWS Batch.",
        "Exactly one scenario goes to each service.",
    ],
    solution='choices = {"a": "Glue", "b": "EMR", "c": "Batch", "d": "Processing"}\n',
    reference=lambda: dict(ANSWERS),
    typical_wrong=[
        {"a": "Glue", "b": "Glue", "c": "Batch", "d": "Processing"},
        {"a": "EMR", "b": "Glue", "c": "Batch", "d": "Processing"},
        {"a": "Glue", "b": "EMR", "c": "Processing", "d": "Batch"},
        {"a": "Glue", "b": "EMR", "c": "Batch"},
        {"a": "Glue", "b": "EMR", "c": "Batch", "d": "Lambda"},
        ["Glue", "EMR", "Batch", "Processing"],
    ],
)

# ------------------------------------------------------------------------------ q2

PROCESSING_TASK = "arn:aws:states:::sagemaker:createProcessingJob.sync"
RETRIED_ERRORS = ("States.TaskFailed", "States.ALL")


def base_definition() -> dict[str, Any]:
    """A small pipeline like the notebook's: Glue, then Processing, failures to a Fail state."""
    return {
        "StartAt": "BuildHourlyFeatures",
        "States": {
            "BuildHourlyFeatures": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "sensor-hourly-features"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "PipelineFailed"}],
                "Next": "PrepareSplits",
            },
            "PrepareSplits": {
                "Type": "Task",
                "Resource": PROCESSING_TASK,
                "Parameters": {"ProcessingJobName.$": "$$.Execution.Name"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "PipelineFailed"}],
                "End": True,
            },
            "PipelineFailed": {"Type": "Fail", "Error": "PipelineFailed"},
        },
    }


def _as_definition(answer: Any) -> dict[str, Any] | None:
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError:
            return None
    return answer if isinstance(answer, dict) else None


def _check_retry(answer: Any) -> CheckResult:
    definition = _as_definition(answer)
    if definition is None or not isinstance(definition.get("States"), dict):
        return CheckResult.fail(
            "Give the whole state machine definition: a dict (or its JSON) with 'StartAt' "
            "and 'States'."
        )
    states = definition["States"]
    if definition.get("StartAt") not in states:
        return CheckResult.fail(f"StartAt names {definition.get('StartAt')!r}, not a state.")
    tasks = [
        name
        for name, state in states.items()
        if isinstance(state, dict) and state.get("Resource") == PROCESSING_TASK
    ]
    if not tasks:
        return CheckResult.fail(f"No Task state runs the Processing job ({PROCESSING_TASK}).")
    state = states[tasks[0]]
    retriers = state.get("Retry")
    if not retriers:
        others = [n for n, s in states.items() if isinstance(s, dict) and s.get("Retry")]
        where = f" (there is one on {others[0]}, the wrong state)" if others else ""
        return CheckResult.fail(f"{tasks[0]} has no Retry{where}: add a Retry list to it.")
    retrier = retriers[0]
    errors = retrier.get("ErrorEquals", [])
    if not any(error in errors for error in RETRIED_ERRORS):
        return CheckResult.fail(
            f"The retrier catches {errors}: a failed Processing job surfaces as "
            "States.TaskFailed (or use States.ALL)."
        )
    attempts = retrier.get("MaxAttempts", 3)
    if attempts == 3:
        return CheckResult.fail(
            "MaxAttempts counts the retries after the first attempt, not all attempts: "
            "'two more times' is MaxAttempts 2 (and 3 is also the default)."
        )
    if attempts != 2:
        return CheckResult.fail(f"MaxAttempts is {attempts}; the task asks for 2 retries.")
    if retrier.get("IntervalSeconds", 1) != 30:
        return CheckResult.fail(
            f"IntervalSeconds is {retrier.get('IntervalSeconds', 1)} (1 when left out): wait "
            "30 s before the first retry."
        )
    if retrier.get("BackoffRate", 2.0) != 2:
        return CheckResult.fail(
            f"BackoffRate is {retrier.get('BackoffRate')}: 2 doubles the wait (30 s, then 60 s)."
        )
    for catcher in state.get("Catch", []):
        if catcher.get("Next") not in states:
            return CheckResult.fail(
                f"The Catch of {tasks[0]} goes to {catcher.get('Next')!r}, which is not a state."
            )
    return CheckResult.ok(
        f"{tasks[0]} now retries after 30 s and 60 s, then its Catch sends the failure to "
        "PipelineFailed. Retry runs before Catch."
    )


def _with_retry(**retrier: Any) -> dict[str, Any]:
    definition = base_definition()
    definition["States"]["PrepareSplits"]["Retry"] = [
        {"ErrorEquals": ["States.TaskFailed"], **retrier}
    ]
    return definition


def _reference_retry() -> dict[str, Any]:
    return _with_retry(IntervalSeconds=30, MaxAttempts=2, BackoffRate=2.0)


def _typical_wrong_retry() -> list[Any]:
    on_glue = base_definition()
    on_glue["States"]["BuildHourlyFeatures"]["Retry"] = [
        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 30, "MaxAttempts": 2}
    ]
    wrong_errors = _reference_retry()
    wrong_errors["States"]["PrepareSplits"]["Retry"][0]["ErrorEquals"] = ["States.Timeout"]
    broken_catch = _reference_retry()
    broken_catch["States"]["PrepareSplits"]["Catch"][0]["Next"] = "NotifyTeam"
    return [
        base_definition(),
        on_glue,
        _with_retry(IntervalSeconds=30, MaxAttempts=3, BackoffRate=2.0),
        _with_retry(MaxAttempts=2, BackoffRate=2.0),
        _with_retry(IntervalSeconds=30, MaxAttempts=2, BackoffRate=1.0),
        wrong_errors,
        broken_catch,
        json.dumps(base_definition())[:-5],
        copy.deepcopy(base_definition()["States"]),
    ]


q2 = CustomExercise(
    title="Retry the Processing step",
    prompt=(
        "Copy the state machine definition and give its Processing step a Retry: when the "
        "job fails (States.TaskFailed), try again at most two more times, 30 seconds after "
        "the first failure and then twice as long. Keep its Catch. Pass the whole definition."
    ),
    check=_check_retry,
    hints=[
        "A Task state takes a 'Retry' list next to its 'Catch'; each retrier has "
        "'ErrorEquals', 'IntervalSeconds', 'MaxAttempts' and 'BackoffRate'.",
        "MaxAttempts counts retries, not attempts: two more tries is MaxAttempts 2.",
        "BackoffRate 2 multiplies the interval by 2 each time: 30 s, then 60 s.",
    ],
    solution=(
        "import copy\n"
        "definition_with_retry = copy.deepcopy(definition)\n"
        'definition_with_retry["States"]["PrepareSplits"]["Retry"] = [\n'
        '    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 30, "MaxAttempts": 2,'
        ' "BackoffRate": 2.0}\n'
        "]\n"
    ),
    reference=_reference_retry,
    typical_wrong=_typical_wrong_retry,
)
