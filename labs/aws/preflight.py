"""The account checks of ``labs doctor --aws``: each says what it saw and the next step.

After credentials and region (checked in :mod:`labs.cli`): the account answers, the kit
stack exists, is complete and runs the kit's current template, its outputs are there, the
execution role trusts SageMaker and may use the kit bucket, the region has prices in the
kit's table, and the SageMaker quotas for the allow-listed instance types are not zero
(where the Service Quotas API tells).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from labs.aws import prices, stack
from labs.aws.session import Account, AccountError, connect, error_text, stack_name

OK, WARN, FAIL = "ok", "warn", "fail"
# The SageMaker uses whose per-instance-type quotas the kit checks, as Service Quotas
# names them: "<instance type> for <use> usage".
USES = ("training job", "processing job", "transform job", "endpoint")


@dataclass(frozen=True)
class Finding:
    """One account check: ``ok``, ``warn`` or ``fail``, what was seen, and the fix."""

    name: str
    status: str
    detail: str
    fix: str = ""


def run(region: str | None = None) -> list[Finding]:
    """Every account check, in order; later ones are skipped when an earlier one fails."""
    try:
        account = connect(region)
    except AccountError as error:
        return [Finding("AWS account", FAIL, str(error), "see the message")]
    findings = [Finding("AWS account", OK, f"{account.account} as {account.arn}")]
    info, stack_findings = _stack_checks(account)
    findings += stack_findings
    if info is not None and all(key in info.outputs for key in stack.REQUIRED_OUTPUTS):
        findings.append(_role_check(account, info.outputs))
    findings.append(_price_check(account.region))
    findings.append(quota_check(_quotas(account)))
    return findings


def _stack_checks(account: Account) -> tuple[stack.StackInfo | None, list[Finding]]:
    name = stack_name()
    cf = account.client("cloudformation")
    try:
        info = stack.describe(cf, name)
    except (BotoCoreError, ClientError) as error:
        return None, [Finding("kit stack", FAIL, error_text(error), "check your IAM permissions")]
    if info is None or info.status == "REVIEW_IN_PROGRESS":
        return None, [
            Finding("kit stack", FAIL, f"no stack {name} in {account.region}", "labs aws setup")
        ]
    if info.status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"):
        fix = (
            "wait, then run labs doctor --aws again"
            if info.busy
            else "labs aws teardown, then labs aws setup"
        )
        return info, [Finding("kit stack", FAIL, f"{name} is {info.status}", fix)]
    found = [Finding("kit stack", OK, f"{name} is {info.status}")]
    try:
        current = stack.is_current(cf, name)
    except (BotoCoreError, ClientError, stack.StackError) as error:
        found.append(Finding("stack template", WARN, f"could not compare: {error_text(error)}"))
    else:
        found.append(
            Finding("stack template", OK, "the kit's current template")
            if current
            else Finding(
                "stack template",
                FAIL,
                "differs from infra/labs-kit.yaml (the kit changed since setup)",
                "labs aws setup (it shows the changes and asks first)",
            )
        )
    missing = [key for key in stack.REQUIRED_OUTPUTS if key not in info.outputs]
    found.append(
        Finding("stack outputs", FAIL, f"missing {', '.join(missing)}", "labs aws setup")
        if missing
        else Finding("stack outputs", OK, f"bucket {info.outputs['BucketName']}")
    )
    return info, found


def _trusts_sagemaker(document: Mapping[str, Any]) -> bool:
    statements = document.get("Statement", [])
    for statement in [statements] if isinstance(statements, dict) else statements:
        principal = statement.get("Principal", {})
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        services = [services] if isinstance(services, str) else services
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if (
            statement.get("Effect") == "Allow"
            and "sagemaker.amazonaws.com" in services
            and "sts:AssumeRole" in actions
        ):
            return True
    return False


def _role_check(account: Account, outputs: Mapping[str, str]) -> Finding:
    role_arn = outputs["ExecutionRoleArn"]
    iam = account.client("iam")
    try:
        role = iam.get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]
    except (BotoCoreError, ClientError) as error:
        return Finding("execution role", FAIL, error_text(error), "labs aws setup")
    trust = role.get("AssumeRolePolicyDocument") or {}
    if isinstance(trust, str):
        import json
        from urllib.parse import unquote

        trust = json.loads(unquote(trust))
    if not _trusts_sagemaker(trust):
        return Finding(
            "execution role",
            FAIL,
            f"{role_arn} does not let SageMaker assume it",
            "labs aws setup (restores the trust policy)",
        )
    bucket = outputs["BucketName"]
    try:
        results = iam.simulate_principal_policy(
            PolicySourceArn=role_arn,
            ActionNames=["s3:GetObject", "s3:PutObject"],
            ResourceArns=[f"arn:aws:s3:::{bucket}/datasets/check"],
        )["EvaluationResults"]
    except (BotoCoreError, ClientError) as error:
        return Finding(
            "execution role",
            OK,
            f"trusted by SageMaker; its S3 access was not simulated ({error_text(error)})",
        )
    denied = [r["EvalActionName"] for r in results if r.get("EvalDecision") != "allowed"]
    if denied:
        return Finding(
            "execution role",
            FAIL,
            f"may not {', '.join(denied)} in s3://{bucket}",
            "labs aws setup (restores the role's policy)",
        )
    return Finding("execution role", OK, f"trusted by SageMaker, reads and writes s3://{bucket}")


def _price_check(region: str) -> Finding:
    table = prices.load()
    if region in table.regions:
        return Finding("price table", OK, f"prices for {region} as of {table.taken}")
    return Finding(
        "price table",
        WARN,
        f"no prices for {region}: the cost guard will say 'unknown'",
        f"use one of {', '.join(table.supported_regions)}, or check {table.source}",
    )


def _quotas(account: Account) -> dict[str, float] | str:
    """Quota name -> value for SageMaker, or the reason they could not be read."""
    try:
        client = account.client("service-quotas")
        values: dict[str, float] = {}
        pages = client.get_paginator("list_service_quotas").paginate(ServiceCode="sagemaker")
        for page in pages:
            for quota in page.get("Quotas", []):
                values[quota["QuotaName"]] = float(quota.get("Value", 0))
    except (BotoCoreError, ClientError) as error:
        return error_text(error)
    return values


def quota_check(quotas: Mapping[str, float] | str, types: Iterable[str] | None = None) -> Finding:
    """Judge the quotas of the allow-listed instance types (``types``) for each use."""
    if isinstance(quotas, str):
        return Finding(
            "SageMaker quotas",
            WARN,
            f"could not be read ({quotas})",
            "if a job fails with ResourceLimitExceeded, open Service Quotas > Amazon SageMaker",
        )
    wanted = list(types) if types is not None else list(prices.load().allowed)
    seen: dict[str, float] = {}
    for instance_type in wanted:
        for use in USES:
            name = f"{instance_type} for {use} usage"
            if name in quotas:
                seen[name] = quotas[name]
    if not seen:
        return Finding(
            "SageMaker quotas",
            WARN,
            f"the API listed none for {', '.join(wanted)}",
            "if a job fails with ResourceLimitExceeded, open Service Quotas > Amazon SageMaker",
        )
    zero = sorted(name for name, value in seen.items() if value <= 0)
    if zero:
        return Finding(
            "SageMaker quotas",
            FAIL,
            "zero for: " + "; ".join(zero),
            "request an increase in Service Quotas > Amazon SageMaker for each (new accounts "
            "often start at 0; approval can take a day)",
        )
    detail = f"{len(seen)} checked for {', '.join(wanted)}, none is 0"
    return Finding("SageMaker quotas", OK, detail)
