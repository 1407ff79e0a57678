"""The kit's CloudFormation stack: ``labs aws setup``, ``status`` and ``teardown``.

- setup creates a change set from ``infra/labs-kit.yaml`` (a new stack, or an update of
  the existing one), shows every change, asks, and only then executes it.
- status shows the stack, whether its template is the kit's current one, its outputs, and
  any kit resources that are costing money now.
- teardown refuses while kit resources still run (``labs cleanup`` first), asks, empties
  the kit bucket (every object version) and deletes the stack.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError

from labs.aws import cleanup, prompt, tags
from labs.aws.session import Account, error_text, stack_name
from labs.errors import LabsError

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "labs-kit.yaml"
CAPABILITIES = ["CAPABILITY_NAMED_IAM"]
REQUIRED_OUTPUTS = ("BucketName", "ExecutionRoleArn", "KmsKeyArn")
# Parameter name -> the log group it lets the stack own.
LOG_GROUPS = {
    "ManageTrainingLogGroup": "/aws/sagemaker/TrainingJobs",
    "ManageProcessingLogGroup": "/aws/sagemaker/ProcessingJobs",
    "ManageTransformLogGroup": "/aws/sagemaker/TransformJobs",
}
_LOG_GROUP_RESOURCES = {
    "ManageTrainingLogGroup": "TrainingLogGroup",
    "ManageProcessingLogGroup": "ProcessingLogGroup",
    "ManageTransformLogGroup": "TransformLogGroup",
}
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
_FAILED_CREATE = ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED")
_TIMEOUT = 30 * 60
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # the template's AllowedPattern

Say = Callable[[str], None]
Ask = Callable[[str], str]


class StackError(LabsError):
    """The stack is in a state the command cannot work from; the message says what to do."""


@dataclass
class StackInfo:
    """What ``DescribeStacks`` says about the kit stack."""

    name: str
    stack_id: str
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    updated: datetime | None = None

    @property
    def busy(self) -> bool:
        """True while CloudFormation is working on the stack."""
        return self.status.endswith("_IN_PROGRESS") and self.status != "REVIEW_IN_PROGRESS"


# ----------------------------------------------------------------------- template


def template_body() -> str:
    """The kit's template, ``infra/labs-kit.yaml``, as text."""
    if not TEMPLATE.is_file():
        raise StackError(
            f"The kit's template is not at {TEMPLATE}. Run the command from a clone of the kit "
            "installed with `make lab` (or `pip install -e .`)."
        )
    return TEMPLATE.read_text()


def _parsed(body: str | dict[str, Any]) -> Any:
    return body if isinstance(body, dict) else yaml.safe_load(body)


def is_current(cf: Any, name: str) -> bool:
    """True when the deployed stack's template is the kit's template (same content)."""
    deployed = cf.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    return _parsed(deployed) == _parsed(template_body())


def describe(cf: Any, name: str) -> StackInfo | None:
    """The stack, or ``None`` when there is no stack of that name."""
    try:
        stacks = cf.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if "does not exist" in error.response.get("Error", {}).get("Message", ""):
            return None
        raise
    if not stacks:
        return None
    raw = stacks[0]
    return StackInfo(
        name=raw["StackName"],
        stack_id=raw["StackId"],
        status=raw["StackStatus"],
        outputs={o["OutputKey"]: o["OutputValue"] for o in raw.get("Outputs") or []},
        parameters={
            p["ParameterKey"]: p.get("ParameterValue", "") for p in raw.get("Parameters") or []
        },
        updated=raw.get("LastUpdatedTime") or raw.get("CreationTime"),
    )


# -------------------------------------------------------------------------- setup


@dataclass
class SetupOptions:
    """What ``labs aws setup`` was asked to set (``None``: keep the stack's, or default)."""

    budget_email: str | None = None
    budget_usd: float | None = None
    scratch_days: int | None = None
    log_days: int | None = None
    yes: bool = False


def _parameters(
    account: Account, existing: StackInfo | None, options: SetupOptions, say: Say
) -> list[dict[str, Any]]:
    given = {
        "BudgetEmail": options.budget_email,
        "MonthlyBudgetUsd": None if options.budget_usd is None else f"{options.budget_usd:g}",
        "ScratchExpiryDays": None if options.scratch_days is None else str(options.scratch_days),
        "LogRetentionDays": None if options.log_days is None else str(options.log_days),
    }
    params: list[dict[str, Any]] = []
    names = _parsed(template_body()).get("Parameters", {})
    for key in [k for k in names if k not in LOG_GROUPS]:
        value = given.get(key)
        if value is not None:
            params.append({"ParameterKey": key, "ParameterValue": value})
        elif existing is not None and key in existing.parameters:
            # Left out, a parameter would fall back to its default on update.
            params.append({"ParameterKey": key, "UsePreviousValue": True})
    owned = _owned_resources(account, existing)
    logs = account.client("logs")
    for key, group in LOG_GROUPS.items():
        manage = "true"
        if _LOG_GROUP_RESOURCES[key] not in owned and _log_group_exists(logs, group):
            manage = "false"
            say(
                f"Note: {group} exists already outside the stack, so the stack leaves it alone. "
                "To bound its retention yourself: aws logs put-retention-policy "
                f"--log-group-name {group} --retention-in-days 14"
            )
        params.append({"ParameterKey": key, "ParameterValue": manage})
    return params


def _owned_resources(account: Account, existing: StackInfo | None) -> set[str]:
    if existing is None or existing.status == "REVIEW_IN_PROGRESS":
        return set()
    cf = account.client("cloudformation")
    owned: set[str] = set()
    for page in cf.get_paginator("list_stack_resources").paginate(StackName=existing.name):
        for item in page.get("StackResourceSummaries", []):
            if not item.get("ResourceStatus", "").startswith("DELETE"):
                owned.add(item["LogicalResourceId"])
    return owned


def _log_group_exists(logs: Any, name: str) -> bool:
    found = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
    return any(group["logGroupName"] == name for group in found)


def _wait_change_set(cf: Any, name: str, change_set: str, poll: float) -> dict[str, Any]:
    deadline = time.monotonic() + _TIMEOUT
    while True:
        described = cf.describe_change_set(StackName=name, ChangeSetName=change_set)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return described
        if time.monotonic() > deadline:
            raise StackError(f"The change set {change_set} was not ready after 30 minutes.")
        time.sleep(poll)


def _changes(cf: Any, name: str, change_set: str, first: dict[str, Any]) -> list[dict[str, Any]]:
    changes = list(first.get("Changes", []))
    token = first.get("NextToken")
    while token:
        page = cf.describe_change_set(StackName=name, ChangeSetName=change_set, NextToken=token)
        changes += page.get("Changes", [])
        token = page.get("NextToken")
    return [c["ResourceChange"] for c in changes if c.get("Type") == "Resource"]


def _show_changes(changes: list[dict[str, Any]], say: Say) -> None:
    rows = [
        [
            c.get("Action", ""),
            c.get("LogicalResourceId", ""),
            c.get("ResourceType", ""),
            c.get("Replacement", "") if c.get("Action") == "Modify" else "",
        ]
        for c in changes
    ]
    headers = ["action", "resource", "type", "replaced?"]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    for cells in [headers, ["-" * w for w in widths], *rows]:
        say("  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    if any(c.get("Replacement") in ("True", "Conditional") for c in changes):
        say(
            "  'True' or 'Conditional' under replaced? means CloudFormation deletes the resource "
            "and creates a new one: a replaced bucket or key loses what it holds."
        )


def _abandon(cf: Any, name: str, change_set: str, creating: bool) -> None:
    """Delete a change set that will not run (and the empty stack a new one made)."""
    with contextlib.suppress(ClientError):
        cf.delete_change_set(StackName=name, ChangeSetName=change_set)
    if creating:
        cf.delete_stack(StackName=name)


def setup(
    account: Account,
    options: SetupOptions,
    *,
    ask: Ask | None = None,
    say: Say = print,
    poll: float = 5.0,
) -> int:
    """Create or update the kit stack through a change set the learner approves."""
    name = stack_name()
    if options.budget_email and not _EMAIL.match(options.budget_email):
        raise StackError(
            f"{options.budget_email!r} is not an e-mail address: give one such as "
            "you@example.com, or leave --budget-email out."
        )
    cf = account.client("cloudformation")
    say(f"Account {account.account}, region {account.region}, stack {name}.")
    existing = describe(cf, name)
    if existing is not None:
        if existing.status in _FAILED_CREATE:
            raise StackError(
                f"The stack {name} is in {existing.status}: its creation failed and it cannot be "
                "updated. Remove it with `labs aws teardown`, then run `labs aws setup` again."
            )
        if existing.busy:
            raise StackError(
                f"The stack {name} is busy ({existing.status}). Wait until it finishes "
                "(`labs aws status`), then run `labs aws setup` again."
            )
        if existing.status == "REVIEW_IN_PROGRESS":  # an earlier setup that was not applied
            cf.delete_stack(StackName=name)
            _wait_gone(cf, name, poll)
            existing = None
    creating = existing is None
    params = _parameters(account, existing, options, say)
    change_set = "labs-kit-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    try:
        cf.create_change_set(
            StackName=name,
            ChangeSetName=change_set,
            TemplateBody=template_body(),
            ChangeSetType="CREATE" if creating else "UPDATE",
            Capabilities=CAPABILITIES,
            Parameters=params,
            Tags=[{"Key": tags.KIT_TAG, "Value": tags.kit_version()}],
            Description="labs aws setup",
        )
    except ClientError as error:
        if any(text in error_text(error) for text in _NO_CHANGES):
            say("The stack is up to date with the kit's template: nothing to change.")
            return 0
        raise StackError(f"CloudFormation refused the change set: {error_text(error)}") from None
    described = _wait_change_set(cf, name, change_set, poll)
    if described["Status"] == "FAILED":
        reason = described.get("StatusReason", "no reason given")
        _abandon(cf, name, change_set, creating)
        if any(text in reason for text in _NO_CHANGES):
            say("The stack is up to date with the kit's template: nothing to change.")
            return 0
        raise StackError(f"CloudFormation could not prepare the change set: {reason}")
    changes = _changes(cf, name, change_set, described)
    if not changes and not creating:
        _abandon(cf, name, change_set, creating)
        say("The stack is up to date with the kit's template: nothing to change.")
        return 0
    verb = "create" if creating else "update"
    say(f"\nChange set {change_set} would {verb} the stack {name}:")
    _show_changes(changes, say)
    question = f"Apply these {len(changes)} changes to {name} in {account.region}?"
    if not prompt.confirm(question, yes=options.yes, ask=ask, say=say):
        _abandon(cf, name, change_set, creating)
        say("Nothing was changed.")
        return 1
    started = datetime.now(UTC)
    cf.execute_change_set(StackName=name, ChangeSetName=change_set)
    final = _wait_stack(cf, name, poll, say, since=started)
    if final.status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        _explain_failure(cf, final, say, since=started)
        return 1
    say(f"\nThe stack {name} is {final.status}.")
    _show_outputs(final, say)
    say("\nNext: `labs doctor --aws` checks the account, then `LABS_MODE=aws make lab`.")
    return 0


def _wait_gone(cf: Any, name: str, poll: float) -> None:
    """Wait until no live stack has ``name`` (after deleting an empty one)."""
    deadline = time.monotonic() + _TIMEOUT
    while (info := describe(cf, name)) is not None and info.status != "DELETE_COMPLETE":
        if time.monotonic() > deadline:
            raise StackError(f"The stack {name} was not deleted after 30 minutes.")
        time.sleep(poll)


def _wait_stack(
    cf: Any, stack_id: str, poll: float, say: Say, *, since: datetime | None = None
) -> StackInfo:
    """Poll until the stack is no longer busy, printing resource events as they come."""
    deadline = time.monotonic() + _TIMEOUT
    seen: set[str] = set()
    while True:
        info = describe(cf, stack_id)
        if info is None:
            raise StackError(f"The stack {stack_id} disappeared while it was being changed.")
        for event in _new_events(cf, stack_id, seen, since):
            why = event.get("ResourceStatusReason")
            reason = f"  {why}" if why else ""
            say(
                f"  {event.get('ResourceStatus', ''):<22} {event.get('ResourceType', ''):<28} "
                f"{event.get('LogicalResourceId', '')}{reason}"
            )
        if not info.busy:
            return info
        if time.monotonic() > deadline:
            raise StackError(f"The stack is still {info.status} after 30 minutes.")
        time.sleep(poll)


def _new_events(
    cf: Any, stack_id: str, seen: set[str], since: datetime | None
) -> list[dict[str, Any]]:
    try:
        events = cf.describe_stack_events(StackName=stack_id).get("StackEvents", [])
    except ClientError:
        return []
    fresh = []
    for event in reversed(events):  # oldest first
        if event["EventId"] in seen:
            continue
        seen.add(event["EventId"])
        stamp = event.get("Timestamp")
        if since is not None and isinstance(stamp, datetime) and stamp < since:
            continue
        fresh.append(event)
    return fresh


def _explain_failure(cf: Any, info: StackInfo, say: Say, *, since: datetime) -> None:
    say(f"\nThe stack {info.name} ended in {info.status}. What failed:")
    reasons = [
        f"  {e.get('LogicalResourceId', '')}: {e.get('ResourceStatusReason', '')}"
        for e in _new_events(cf, info.stack_id, set(), since)
        if str(e.get("ResourceStatus", "")).endswith("FAILED")
    ]
    for line in reasons or ["  (no resource reported a reason; see the CloudFormation console)"]:
        say(line)
    if info.status in _FAILED_CREATE:
        say("Remove the failed stack with `labs aws teardown`, fix the cause, and run setup again.")
    else:
        say("CloudFormation rolled the update back; the stack works as before the update.")


def _show_outputs(info: StackInfo, say: Say) -> None:
    width = max((len(k) for k in info.outputs), default=0)
    for key, value in info.outputs.items():
        say(f"  {key:<{width}}  {value}")


# ------------------------------------------------------------------------- status


def status(account: Account, *, say: Say = print) -> int:
    """Show the stack, its outputs, whether it is current, and running kit resources."""
    name = stack_name()
    cf = account.client("cloudformation")
    info = describe(cf, name)
    say(f"Account {account.account}, region {account.region}.")
    if info is None or info.status == "REVIEW_IN_PROGRESS":
        say(f"No kit stack {name} here. Create it with `labs aws setup`.")
        return 1
    when = f"{info.updated:%Y-%m-%d %H:%M} UTC" if info.updated else "unknown"
    say(f"Stack     {info.name}: {info.status} (last change {when})")
    if not info.busy and info.status not in _FAILED_CREATE:
        current = is_current(cf, name)
        say(
            "Template  "
            + (
                "the kit's current template"
                if current
                else "differs from infra/labs-kit.yaml: `labs aws setup` shows the changes"
            )
        )
    budget = info.parameters.get("BudgetEmail") or ""
    say(
        "Budget    "
        + (
            f"alarm to {budget} at ${info.parameters.get('MonthlyBudgetUsd', '?')} a month"
            if budget
            else "none (labs aws setup --budget-email you@example.com adds one)"
        )
    )
    say("Outputs")
    _show_outputs(info, say)
    findings = cleanup.find(account.session, account.region)
    if findings.leftovers:
        say("\nKit resources costing money or waiting to be removed:")
        say(cleanup.table(findings.leftovers))
        say(cleanup.summary(findings) + " `labs cleanup` removes them.")
    else:
        say("\nNo kit-tagged SageMaker resources are running.")
    for problem in findings.problems:
        say(f"  note: {problem}")
    return 0


# ----------------------------------------------------------------------- teardown


def _versions(s3: Any, bucket: str) -> list[dict[str, str]]:
    """Every object version and delete marker in ``bucket``."""
    found: list[dict[str, str]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
            found.append({"Key": item["Key"], "VersionId": item["VersionId"]})
    return found


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker; return how many were deleted."""
    items = _versions(s3, bucket)
    for start in range(0, len(items), 1000):
        answer = s3.delete_objects(
            Bucket=bucket, Delete={"Objects": items[start : start + 1000], "Quiet": True}
        )
        errors = answer.get("Errors", [])
        if errors:
            first = errors[0]
            raise StackError(
                f"{len(errors)} objects of s3://{bucket} could not be deleted, e.g. "
                f"{first.get('Key')}: {first.get('Code')} {first.get('Message')}"
            )
    return len(items)


def _bucket_exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        return False
    return True


def teardown(
    account: Account,
    *,
    yes: bool = False,
    ask: Ask | None = None,
    say: Say = print,
    poll: float = 5.0,
) -> int:
    """Empty the kit bucket and delete the stack, after a yes."""
    name = stack_name()
    cf = account.client("cloudformation")
    info = describe(cf, name)
    if info is None:
        say(f"There is no stack {name} in {account.region}: nothing to tear down.")
        return 0
    if info.busy:
        raise StackError(
            f"The stack {name} is busy ({info.status}). Wait until it finishes "
            "(`labs aws status`), then run `labs aws teardown` again."
        )
    findings = cleanup.find(account.session, account.region)
    if findings.leftovers:
        say(cleanup.table(findings.leftovers))
        raise StackError(
            f"{cleanup.summary(findings)} Remove them first with `labs cleanup` (they would "
            "keep running, and billing, without the stack's role), then run teardown again."
        )
    bucket = info.outputs.get("BucketName", "")
    s3 = account.client("s3")
    has_bucket = bool(bucket) and _bucket_exists(s3, bucket)
    count = len(_versions(s3, bucket)) if has_bucket else 0
    say(f"This deletes, in account {account.account} ({account.region}):")
    if has_bucket:
        say(f"  - every object in s3://{bucket}: {count} object versions, then the bucket")
    say(f"  - the stack {name}: the execution role, the log groups it owns, the budget alarm")
    say("  - the kit's KMS key: scheduled for deletion, gone after 7 days (AWS's waiting time)")
    question = f"Delete the stack {name} and everything in it?"
    if not prompt.confirm(question, yes=yes, ask=ask, say=say):
        say("Nothing was deleted.")
        return 1
    if has_bucket:
        deleted = empty_bucket(s3, bucket)
        say(f"Emptied s3://{bucket} ({deleted} object versions deleted).")
    started = datetime.now(UTC)
    cf.delete_stack(StackName=name)
    try:
        final = _wait_stack(cf, info.stack_id, poll, say, since=started)
    except (BotoCoreError, ClientError) as error:
        raise StackError(f"Could not follow the deletion: {error_text(error)}") from None
    if final.status != "DELETE_COMPLETE":
        _explain_failure(cf, final, say, since=started)
        return 1
    say(
        f"The stack {name} is deleted. The KMS key is pending deletion and goes after 7 days; "
        "nothing else of the kit is left in this region."
    )
    return 0
