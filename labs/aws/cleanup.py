"""Find the kit's SageMaker leftovers that cost money, and delete or stop them.

Used by ``labs cleanup`` (every kit resource in a region) and ``lab.cleanup()`` (what one
notebook made). A resource is the kit's only when it carries the ``labs:kit`` tag, seen
through the Resource Groups Tagging API or, for anything that API has not indexed yet,
through SageMaker's own ``ListTags``; just before a resource is deleted or stopped,
``ListTags`` is asked again. A resource whose tags cannot be read is left alone.

What is looked for, in the order it is removed (monitoring first, so nothing starts a new
job; endpoints before their configs and models):

=========================  ============================  ==========================
kind                       which ones                    action
=========================  ============================  ==========================
monitoring schedule        any                           delete
hyperparameter tuning job  InProgress                    stop
training job               InProgress                    stop
processing job             InProgress                    stop
transform job              InProgress                    stop
endpoint                   any but Deleting              delete
endpoint config            any                           delete (free, but clutter)
model                      any                           delete (free, but clutter)
notebook instance          InService or Pending          stop
notebook instance          Stopped or Failed             delete
=========================  ============================  ==========================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from labs.aws import prices, prompt, tags
from labs.aws.session import error_text

_RUNNING = {"StatusEquals": "InProgress"}


@dataclass(frozen=True)
class Kind:
    """How to list, price and remove one kind of SageMaker resource."""

    label: str
    lister: str
    items_key: str
    name_key: str
    arn_key: str
    status_key: str | None
    list_args: dict[str, str] = field(default_factory=dict)
    remover: str = ""  # the client method that deletes or stops it


KINDS: tuple[Kind, ...] = (
    Kind(
        "monitoring schedule",
        "list_monitoring_schedules",
        "MonitoringScheduleSummaries",
        "MonitoringScheduleName",
        "MonitoringScheduleArn",
        "MonitoringScheduleStatus",
        remover="delete_monitoring_schedule",
    ),
    Kind(
        "tuning job",
        "list_hyper_parameter_tuning_jobs",
        "HyperParameterTuningJobSummaries",
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobArn",
        "HyperParameterTuningJobStatus",
        _RUNNING,
        "stop_hyper_parameter_tuning_job",
    ),
    Kind(
        "training job",
        "list_training_jobs",
        "TrainingJobSummaries",
        "TrainingJobName",
        "TrainingJobArn",
        "TrainingJobStatus",
        _RUNNING,
        "stop_training_job",
    ),
    Kind(
        "processing job",
        "list_processing_jobs",
        "ProcessingJobSummaries",
        "ProcessingJobName",
        "ProcessingJobArn",
        "ProcessingJobStatus",
        _RUNNING,
        "stop_processing_job",
    ),
    Kind(
        "transform job",
        "list_transform_jobs",
        "TransformJobSummaries",
        "TransformJobName",
        "TransformJobArn",
        "TransformJobStatus",
        _RUNNING,
        "stop_transform_job",
    ),
    Kind(
        "endpoint",
        "list_endpoints",
        "Endpoints",
        "EndpointName",
        "EndpointArn",
        "EndpointStatus",
        remover="delete_endpoint",
    ),
    Kind(
        "endpoint config",
        "list_endpoint_configs",
        "EndpointConfigs",
        "EndpointConfigName",
        "EndpointConfigArn",
        None,
        remover="delete_endpoint_config",
    ),
    Kind("model", "list_models", "Models", "ModelName", "ModelArn", None, remover="delete_model"),
    Kind(
        "notebook instance",
        "list_notebook_instances",
        "NotebookInstances",
        "NotebookInstanceName",
        "NotebookInstanceArn",
        "NotebookInstanceStatus",
        remover="delete_notebook_instance",
    ),
)


@dataclass
class Leftover:
    """One kit-tagged resource that costs money (or clutters the account)."""

    kind: Kind
    name: str
    arn: str
    status: str
    notebook: str
    action: str  # "delete", "stop", or "wait" (busy changing state; nothing to do now)
    instances: str = "-"
    hourly: float | None = 0.0  # estimated USD per hour; None when unknown

    @property
    def label(self) -> str:
        """The resource's kind, e.g. ``endpoint``."""
        return self.kind.label


@dataclass
class Findings:
    """What a search found, and what it could not look at."""

    region: str
    leftovers: list[Leftover] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def hourly(self) -> float | None:
        """Estimated USD per hour of everything found (None when any part is unknown)."""
        amounts = [item.hourly for item in self.leftovers]
        return None if any(a is None for a in amounts) else sum(a or 0.0 for a in amounts)

    @property
    def actionable(self) -> list[Leftover]:
        """The leftovers that can be deleted or stopped now."""
        return [item for item in self.leftovers if item.action != "wait"]


def _kit_arns(tagging: Any, problems: list[str]) -> dict[str, dict[str, str]]:
    """ARN (lower case) -> tags of every SageMaker resource carrying ``labs:kit``."""
    found: dict[str, dict[str, str]] = {}
    try:
        pages = tagging.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": tags.KIT_TAG}], ResourceTypeFilters=["sagemaker"]
        )
        for page in pages:
            for item in page.get("ResourceTagMappingList", []):
                found[item["ResourceARN"].lower()] = tags.as_dict(item.get("Tags"))
    except (BotoCoreError, ClientError) as error:
        problems.append(
            f"the Resource Groups Tagging API could not be read ({error_text(error)}); each "
            "resource's tags were read from SageMaker instead"
        )
    return found


def _tags_of(sagemaker: Any, arn: str, known: dict[str, dict[str, str]]) -> dict[str, str]:
    if arn.lower() in known:
        return known[arn.lower()]
    collected: list[dict[str, str]] = []
    for page in sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
        collected += page.get("Tags", [])
    return tags.as_dict(collected)


def _listed(sagemaker: Any, kind: Kind) -> Iterable[dict[str, Any]]:
    for page in sagemaker.get_paginator(kind.lister).paginate(**kind.list_args):
        yield from page.get(kind.items_key, [])


def _action(kind: Kind, status: str) -> str | None:
    """What to do with a kit resource of ``kind`` in ``status`` (None: leave it)."""
    if kind.label == "endpoint":
        return None if status == "Deleting" else "delete"
    if kind.label == "notebook instance":
        if status in ("InService", "Pending"):
            return "stop"
        if status in ("Stopped", "Failed"):
            return "delete"
        return None if status == "Deleting" else "wait"
    if kind.remover.startswith("stop_"):
        return "stop" if status == "InProgress" else None
    return "delete"


def served_locally() -> tuple[Kind, ...]:
    """The kinds the local AWS (moto) has list calls for; it has no monitoring schedules."""
    from moto.sagemaker.responses import SageMakerResponse

    return tuple(kind for kind in KINDS if hasattr(SageMakerResponse, kind.lister))


def find(
    session: Any,
    region: str,
    *,
    notebook: str | None = None,
    kinds: Sequence[Kind] = KINDS,
) -> Findings:
    """Every kit-tagged SageMaker resource of ``kinds`` in ``region`` that costs money.

    With ``notebook``, only those whose ``labs:notebook`` tag is that name.
    """
    findings = Findings(region)
    sagemaker = session.client("sagemaker", region_name=region)
    tagging = session.client("resourcegroupstaggingapi", region_name=region)
    known = _kit_arns(tagging, findings.problems)
    for kind in kinds:
        try:
            items = list(_listed(sagemaker, kind))
        except (BotoCoreError, ClientError) as error:
            findings.problems.append(f"{kind.label}s could not be listed ({error_text(error)})")
            continue
        for item in items:
            status = str(item.get(kind.status_key, "")) if kind.status_key else ""
            action = _action(kind, status)
            if action is None:
                continue
            arn = item[kind.arn_key]
            try:
                found = _tags_of(sagemaker, arn, known)
            except (BotoCoreError, ClientError) as error:
                findings.problems.append(
                    f"the tags of {kind.label} {item[kind.name_key]} could not be read "
                    f"({error_text(error)}); it was left alone"
                )
                continue
            if not tags.is_kit_resource(found):
                continue
            owner = found.get(tags.NOTEBOOK_TAG, tags.UNKNOWN_NOTEBOOK)
            if notebook is not None and owner != notebook:
                continue
            leftover = Leftover(kind, item[kind.name_key], arn, status, owner, action)
            _price(sagemaker, leftover, item, region)
            findings.leftovers.append(leftover)
    return findings


# ------------------------------------------------------------------------ pricing


def _instances(instance_type: str | None, count: int, region: str) -> tuple[str, float | None]:
    if not instance_type:
        return "-", None
    hourly = prices.load().hourly(region, instance_type)
    return f"{count} x {instance_type}", None if hourly is None else hourly * count


def _price(sagemaker: Any, leftover: Leftover, item: dict[str, Any], region: str) -> None:
    """Fill in what the leftover runs on and its estimated cost per hour."""
    label = leftover.label
    name = leftover.name
    try:
        if label in ("endpoint config", "model"):
            leftover.hourly = 0.0
        elif label == "notebook instance":
            # A stopped instance still bills its storage volume, which the table lacks.
            described, hourly = _instances(item.get("InstanceType"), 1, region)
            leftover.instances = described
            leftover.hourly = hourly if leftover.action == "stop" else None
        elif label == "training job":
            config = sagemaker.describe_training_job(TrainingJobName=name)["ResourceConfig"]
            _set(leftover, config.get("InstanceType"), config.get("InstanceCount", 1), region)
        elif label == "processing job":
            job = sagemaker.describe_processing_job(ProcessingJobName=name)
            config = job["ProcessingResources"]["ClusterConfig"]
            _set(leftover, config.get("InstanceType"), config.get("InstanceCount", 1), region)
        elif label == "transform job":
            config = sagemaker.describe_transform_job(TransformJobName=name)["TransformResources"]
            _set(leftover, config.get("InstanceType"), config.get("InstanceCount", 1), region)
        elif label == "tuning job":
            _price_tuning(sagemaker, leftover, region)
        elif label == "endpoint":
            _price_endpoint(sagemaker, leftover, region)
        else:  # monitoring schedules bill per run of their processing job
            leftover.hourly = None
    except (BotoCoreError, ClientError, KeyError, TypeError):
        leftover.hourly = None


def _set(leftover: Leftover, instance_type: str | None, count: int, region: str) -> None:
    leftover.instances, leftover.hourly = _instances(instance_type, int(count), region)


def _price_tuning(sagemaker: Any, leftover: Leftover, region: str) -> None:
    job = sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=leftover.name)
    definition = job.get("TrainingJobDefinition") or (job.get("TrainingJobDefinitions") or [{}])[0]
    config = definition.get("ResourceConfig", {})
    limits = job.get("HyperParameterTuningJobConfig", {}).get("ResourceLimits", {})
    parallel = int(limits.get("MaxParallelTrainingJobs", 1))
    per_job = int(config.get("InstanceCount", 1))
    _set(leftover, config.get("InstanceType"), per_job * parallel, region)
    if config.get("InstanceType"):
        jobs = "1 job" if parallel == 1 else f"up to {parallel} jobs"
        leftover.instances = f"{per_job} x {config['InstanceType']} per job, {jobs} at once"


def _price_endpoint(sagemaker: Any, leftover: Leftover, region: str) -> None:
    endpoint = sagemaker.describe_endpoint(EndpointName=leftover.name)
    running = {v["VariantName"]: v for v in endpoint.get("ProductionVariants", [])}
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    parts: list[str] = []
    total: float | None = 0.0
    for variant in config.get("ProductionVariants", []):
        if variant.get("ServerlessConfig"):
            parts.append("serverless")
            continue
        live = running.get(variant["VariantName"], {})
        count = int(live.get("CurrentInstanceCount", variant.get("InitialInstanceCount", 1)))
        described, hourly = _instances(variant.get("InstanceType"), count, region)
        parts.append(described)
        total = None if total is None or hourly is None else total + hourly
    leftover.instances = ", ".join(parts) or "-"
    leftover.hourly = total


# ----------------------------------------------------------------------- removing


def _still_running(sagemaker: Any, leftover: Leftover) -> bool:
    """After a failed stop: is the job still InProgress (else someone stopped it already)?"""
    describe = {
        "tuning job": ("describe_hyper_parameter_tuning_job", "HyperParameterTuningJobName"),
        "training job": ("describe_training_job", "TrainingJobName"),
        "processing job": ("describe_processing_job", "ProcessingJobName"),
        "transform job": ("describe_transform_job", "TransformJobName"),
    }[leftover.label]
    answer = getattr(sagemaker, describe[0])(**{describe[1]: leftover.name})
    return answer.get(leftover.kind.status_key or "", "") == "InProgress"


def _still_kit(sagemaker: Any, leftover: Leftover) -> bool:
    """Ask SageMaker itself, just before acting: does the resource carry ``labs:kit``?

    The tagging API's index can lag behind a tag that was removed; ``ListTags`` cannot.
    """
    return tags.is_kit_resource(_tags_of(sagemaker, leftover.arn, {}))


def remove(session: Any, findings: Findings, say: Callable[[str], None] = print) -> list[str]:
    """Delete or stop every actionable leftover, in order. Returns what failed.

    Each resource's tags are read again from SageMaker first; one that no longer carries
    ``labs:kit`` is left alone.
    """
    sagemaker = session.client("sagemaker", region_name=findings.region)
    failures: list[str] = []
    for leftover in findings.actionable:
        kind = leftover.kind
        method = (
            "stop_notebook_instance"
            if kind.label == "notebook instance" and leftover.action == "stop"
            else kind.remover
        )
        what = f"{leftover.label} {leftover.name}"
        try:
            if not _still_kit(sagemaker, leftover):
                say(f"  left alone: {what} no longer carries the {tags.KIT_TAG} tag")
                continue
            getattr(sagemaker, method)(**{kind.name_key: leftover.name})
        except (BotoCoreError, ClientError) as error:
            if leftover.action == "stop" and kind.label != "notebook instance":
                try:
                    if not _still_running(sagemaker, leftover):
                        say(f"  already stopping: {what}")
                        continue
                except (BotoCoreError, ClientError):
                    pass
            failures.append(f"{what}: {error_text(error)}")
            say(f"  FAILED to {leftover.action} {what}: {error_text(error)}")
            continue
        done = "stopping" if leftover.action == "stop" else "deleted"
        say(f"  {done}: {what}")
    return failures


# ------------------------------------------------------------------------ display


def table(leftovers: Sequence[Leftover]) -> str:
    """The leftovers as aligned columns: kind, name, status, instances, $/h, notebook, action."""
    headers = ["kind", "name", "status", "instances", "est. $/h", "notebook", "action"]
    rows = [
        [
            item.label,
            item.name,
            item.status or "-",
            item.instances,
            "free" if item.hourly == 0 else prices.dollars(item.hourly),
            item.notebook,
            item.action,
        ]
        for item in leftovers
    ]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def summary(findings: Findings) -> str:
    """One line: how many leftovers and their estimated cost per hour."""
    hourly = findings.hourly
    if hourly == 0:
        cost = "none of them billed by the hour"
    elif hourly is None:
        cost = "cost per hour partly unknown (see the table)"
    else:
        taken = prices.load().taken
        cost = f"about {prices.dollars(hourly)} per hour (on-demand, prices as of {taken})"
    return f"{_count(len(findings.leftovers))} kit-tagged in {findings.region}, {cost}."


def _count(number: int) -> str:
    return f"{number} resource" if number == 1 else f"{number} resources"


# ------------------------------------------------------------------------ commands


def command(
    account: Any,
    *,
    notebook: str | None = None,
    yes: bool = False,
    ask: Callable[[str], str] | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """``labs cleanup``: list what the kit left running; remove it on a yes (or ``--yes``)."""
    scope = f" made by notebook {notebook}" if notebook else ""
    say(f"Kit-tagged SageMaker resources{scope} in account {account.account}, {account.region}:")
    findings = find(account.session, account.region, notebook=notebook)
    for problem in findings.problems:
        say(f"  note: {problem}")
    if not findings.leftovers:
        say("  none. Nothing of the kit is running or left over here.")
        return 0
    say(table(findings.leftovers))
    say(summary(findings))
    actionable = findings.actionable
    if not actionable:
        say("They are changing state now; run `labs cleanup` again in a few minutes.")
        return 0
    question = f"Delete or stop {'it' if len(actionable) == 1 else f'these {len(actionable)}'}?"
    if not prompt.confirm(question, yes=yes, ask=ask, say=say):
        say("Nothing was deleted or stopped. `labs cleanup --yes` does it without asking.")
        return 1
    failures = remove(account.session, findings, say)
    if failures:
        say(f"{len(failures)} could not be removed: see FAILED above, fix, and run it again.")
        return 1
    say(
        "Done. Endpoints and jobs take a few minutes to go; `labs cleanup` again shows what is "
        "still on its way out."
    )
    return 0


def notebook_cleanup(
    session: Any,
    region: str,
    notebook: str,
    *,
    kinds: Sequence[Kind] = KINDS,
    say: Callable[[str], None] = print,
) -> list[str]:
    """A notebook's cleanup cell: remove what ``notebook`` made, without asking.

    Returns what could not be removed (empty when all went).
    """
    findings = find(session, region, notebook=notebook, kinds=kinds)
    for problem in findings.problems:
        say(f"note: {problem}")
    if not findings.leftovers:
        say(f"Cleanup: nothing tagged with notebook {notebook} is left.")
        return []
    say(f"Cleanup: removing what notebook {notebook} made ({summary(findings)})")
    say(table(findings.leftovers))
    return remove(session, findings, say)
