"""Exercises of notebook 05-7-choosing-ai-services: pick the service, run a spot job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labs.exercises._aws_state import describe_named
from labs.exercises.core import CheckResult, CustomExercise
from labs.operations.ai_services import find
from labs.operations.spot_training import churn_training_request

# --------------------------------------------------------------------------- q1

#: requirement id -> (the requirement, the service that answers it, why).
REQUIREMENTS: dict[str, tuple[str, str, str]] = {
    "call_recordings": (
        "Turn recorded support calls into text, with who said what",
        "Amazon Transcribe",
        "speech to text, with speaker labels",
    ),
    "read_aloud": (
        "Read order updates aloud to customers in a natural voice",
        "Amazon Polly",
        "text to speech",
    ),
    "invoices": (
        "Pull the totals and line-item tables out of scanned invoices",
        "Amazon Textract",
        "documents with forms and tables (AnalyzeExpense, AnalyzeDocument)",
    ),
    "moderation": (
        "Reject unsafe images that users upload",
        "Amazon Rekognition",
        "image analysis with content moderation",
    ),
    "reviews": (
        "Find the sentiment of product reviews and the PII in them",
        "Amazon Comprehend",
        "NLP on text: sentiment and PII detection",
    ),
    "languages": (
        "Offer the product catalogue in ten languages",
        "Amazon Translate",
        "machine translation of text",
    ),
    "booking_bot": (
        "A bot that books appointments by voice or chat",
        "Amazon Lex",
        "conversational intents and slots (Lex V2)",
    ),
    "recommendations": (
        "Recommend products from each shopper's clickstream",
        "Amazon Personalize",
        "a managed recommender trained on interactions",
    ),
    "demand_forecast": (
        "Forecast weekly demand per store, in a brand-new AWS account",
        "Amazon SageMaker AI",
        "Amazon Forecast is closed to new customers; SageMaker Canvas or SageMaker AI "
        "(DeepAR) is the way now",
    ),
}

_WHY_NOT: dict[tuple[str, str], str] = {
    ("demand_forecast", "Amazon Forecast"): (
        "Amazon Forecast is no longer available to new customers, and this is a new account: "
        "AWS points to SageMaker Canvas (time-series forecasting), which is part of "
        "Amazon SageMaker AI"
    ),
    ("moderation", "Amazon Textract"): (
        "Textract reads documents; judging whether a picture is unsafe is image analysis"
    ),
    ("invoices", "Amazon Rekognition"): (
        "Rekognition's DetectText finds words in photos, but not forms, tables or invoice "
        "fields: that is Textract"
    ),
    ("invoices", "Amazon Comprehend"): (
        "Comprehend analyses text you already have; the invoices are scans that must be read first"
    ),
    ("booking_bot", "Amazon Polly"): (
        "Polly only speaks; a bot must understand the request and keep the dialog (Lex), "
        "and can use Polly's voices for its answers"
    ),
    ("booking_bot", "Amazon Transcribe"): (
        "Transcribe writes speech down, but it does not understand intents or run a dialog"
    ),
    ("reviews", "Amazon Translate"): "Translate changes the language, it does not analyse it",
}


def _normalise(answer: Any) -> dict[str, Any] | str:
    if not isinstance(answer, Mapping):
        return f"Give a dict from requirement id to service name, not {type(answer).__name__}."
    missing = [key for key in REQUIREMENTS if key not in answer]
    unknown = [key for key in answer if key not in REQUIREMENTS]
    if unknown:
        return f"Unknown requirement id(s) {unknown}; the ids are {list(REQUIREMENTS)}."
    if missing:
        return f"Choose a service for every requirement; missing: {missing}."
    return dict(answer)


def _check_choices(answer: Any) -> CheckResult:
    choices = _normalise(answer)
    if isinstance(choices, str):
        return CheckResult.fail(choices)
    wrong = []
    for key, (requirement, expected, why) in REQUIREMENTS.items():
        service = find(str(choices[key]))
        if service is None:
            wrong.append(f"{key}: {choices[key]!r} is not one of the services of this lab")
            continue
        if service.name == expected:
            continue
        reason = _WHY_NOT.get(
            (key, service.name),
            f"{service.name} {service.does}; this needs {why}",
        )
        wrong.append(f"{key} ({requirement}): {reason}")
    if wrong:
        return CheckResult.fail(f"{len(wrong)} of {len(REQUIREMENTS)} wrong. " + " | ".join(wrong))
    return CheckResult.ok(
        "Every requirement has its service. On the exam, first name what goes in and what "
        "must come out (audio to text, text to audio, scan to fields, ...), then check that "
        "the service is still open to new customers."
    )


def _reference_choices() -> dict[str, str]:
    return {key: expected for key, (_, expected, _) in REQUIREMENTS.items()}


def _wrong_choices() -> list[Any]:
    good = _reference_choices()
    return [
        {**good, "demand_forecast": "Amazon Forecast"},
        {**good, "invoices": "Rekognition"},
        {**good, "call_recordings": "Amazon Comprehend"},
        {**good, "read_aloud": "Transcribe", "call_recordings": "Polly"},
        {**good, "booking_bot": "Amazon Polly"},
        {**good, "recommendations": "Amazon Forecast"},
        {**good, "reviews": "Amazon Kendra"},
        {k: v for k, v in good.items() if k != "languages"},
        ["Amazon Transcribe"],
    ]


q1 = CustomExercise(
    title="Pick the AI service for each requirement",
    prompt=(
        "Fill choices with one service name per requirement id (see REQUIREMENTS). The "
        "services: Comprehend, Rekognition, Textract, Transcribe, Polly, Translate, Lex, "
        "Personalize, Forecast, Fraud Detector, SageMaker AI, Bedrock."
    ),
    check=_check_choices,
    hints=[
        "Name what goes in and what comes out: audio -> text, text -> audio, scan -> "
        "fields, image -> labels, text -> insight, text -> other language, dialog, "
        "interactions -> recommendations.",
        "Textract reads documents (forms, tables); Rekognition analyses pictures; Comprehend "
        "analyses text you already have.",
        "One requirement is about a new account: check the availability column of the "
        "catalogue for Amazon Forecast.",
    ],
    solution=(
        "choices = {\n"
        + "".join(f'    "{key}": "{expected}",\n' for key, (_, expected, _) in REQUIREMENTS.items())
        + "}\n"
    ),
    reference=_reference_choices,
    typical_wrong=_wrong_choices,
)


# --------------------------------------------------------------------------- q2


def _check_spot_job(answer: Any, lab: Any) -> CheckResult:
    sm = lab.client("sagemaker")
    job = describe_named(
        answer,
        "training job",
        lambda name: sm.describe_training_job(TrainingJobName=name),
        "create it with sm.create_training_job(**spot_request) first.",
    )
    if isinstance(job, CheckResult):
        return job
    if not job.get("EnableManagedSpotTraining"):
        return CheckResult.fail(
            "The job runs on on-demand capacity: set EnableManagedSpotTraining=True."
        )
    stopping = job.get("StoppingCondition", {})
    runtime, wait = stopping.get("MaxRuntimeInSeconds"), stopping.get("MaxWaitTimeInSeconds")
    if wait is None or runtime is None or wait < runtime:
        return CheckResult.fail(
            "StoppingCondition needs MaxWaitTimeInSeconds >= MaxRuntimeInSeconds (waiting for "
            "spot capacity plus running time)."
        )
    checkpoint = (job.get("CheckpointConfig") or {}).get("S3Uri", "")
    if not checkpoint.startswith(f"s3://{lab.bucket}/"):
        return CheckResult.fail(
            "Without CheckpointConfig.S3Uri (in the kit bucket) an interrupted spot job starts "
            "over from the beginning: add CheckpointConfig={'S3Uri': lab.s3_uri(...)}."
        )
    if job["TrainingJobStatus"] == "Failed":
        return CheckResult.fail(f"The job failed: {job.get('FailureReason', 'no reason')}.")
    return CheckResult.ok(
        f"{job['TrainingJobName']} is a managed spot job: it may wait up to {wait} s in all, "
        f"run up to {runtime} s, and resumes from {checkpoint} after an interruption."
    )


def _start(lab: Any, name: str, **changes: Any) -> str:
    import time

    request = churn_training_request(lab, name, num_round=5)
    for key, value in changes.items():
        if key == "MaxWaitTimeInSeconds":
            request["StoppingCondition"][key] = value
        else:
            request[key] = value
    sm = lab.client("sagemaker")
    try:
        sm.describe_training_job(TrainingJobName=name)
    except sm.exceptions.ClientError:
        sm.create_training_job(**request)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = sm.describe_training_job(TrainingJobName=name)["TrainingJobStatus"]
        if status in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(0.5)
    return name


def _reference_spot(lab: Any) -> str:
    return _start(
        lab,
        "ai-services-spot-reference",
        EnableManagedSpotTraining=True,
        MaxWaitTimeInSeconds=1200,
        CheckpointConfig={"S3Uri": lab.s3_uri("ai-services/checkpoints/reference")},
    )


def _wrong_spot(lab: Any) -> list[Any]:
    return [
        _start(lab, "ai-services-spot-on-demand"),
        _start(
            lab,
            "ai-services-spot-no-checkpoint",
            EnableManagedSpotTraining=True,
            MaxWaitTimeInSeconds=1200,
        ),
        "ai-services-no-such-job",
        None,
    ]


q2 = CustomExercise(
    title="Turn the training job into a managed spot job",
    prompt=(
        "Start a copy of the churn training request as a managed spot job that may wait up "
        "to 20 minutes in all and checkpoints to the kit bucket; give the check its name."
    ),
    check=_check_spot_job,
    hints=[
        "Three changes to the request: one flag, one stopping condition, one checkpoint location.",
        'spot_request["EnableManagedSpotTraining"] = True; '
        'spot_request["StoppingCondition"]["MaxWaitTimeInSeconds"] = 1200 (at least '
        "MaxRuntimeInSeconds).",
        'spot_request["CheckpointConfig"] = {"S3Uri": lab.s3_uri("ai-services/checkpoints/'
        'mine")}, then sm.create_training_job(**spot_request).',
    ],
    solution=(
        'spot_request = churn_training_request(lab, f"churn-spot-{suffix}")\n'
        'spot_request["EnableManagedSpotTraining"] = True\n'
        'spot_request["StoppingCondition"]["MaxWaitTimeInSeconds"] = 1200\n'
        'spot_request["CheckpointConfig"] = {"S3Uri": lab.s3_uri("ai-services/checkpoints/mine")}\n'
        "sm.create_training_job(**spot_request)\n"
        'sm.get_waiter("training_job_completed_or_stopped").wait(\n'
        '    TrainingJobName=spot_request["TrainingJobName"]\n'
        ")\n"
        'spot_job = spot_request["TrainingJobName"]\n'
    ),
    reference=_reference_spot,
    typical_wrong=_wrong_spot,
)
