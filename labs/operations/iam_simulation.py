"""Ask IAM what a role or a policy allows: ``SimulatePrincipalPolicy`` and
``SimulateCustomPolicy`` as a table.

Both are plain IAM API calls, so the same code runs against AWS and the local AWS (where
the kit adds the two calls to moto: see README, "How local mode fills moto's gaps"). One
call per distinct context; the result has one row per action and resource, with IAM's
decision (``allowed``, ``implicitDeny`` or ``explicitDeny``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

__all__ = ["context_entries", "simulate"]


def context_entries(context: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """``ContextEntries`` for a Simulate* call from ``{"key": value or [values]}``.

    Booleans become ``boolean`` entries, numbers ``numeric``, everything else ``string``.
    """
    entries = []
    for key, value in (context or {}).items():
        values = list(value) if isinstance(value, list | tuple) else [value]
        first = values[0] if values else ""
        kind = (
            "boolean"
            if isinstance(first, bool)
            else "numeric"
            if isinstance(first, int | float)
            else "string"
        )
        entries.append(
            {
                "ContextKeyName": key,
                "ContextKeyValues": [
                    str(v).lower() if kind == "boolean" else str(v) for v in values
                ],
                "ContextKeyType": kind,
            }
        )
    return entries


def simulate(
    iam: Any,
    actions: Sequence[str],
    resources: Sequence[str] = ("*",),
    *,
    role_arn: str | None = None,
    policy: Mapping[str, Any] | str | None = None,
    context: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """IAM's decision for every action on every resource, as a table.

    Give exactly one of ``role_arn`` (``SimulatePrincipalPolicy``: the policies attached
    to that user, group or role) or ``policy`` (``SimulateCustomPolicy``: a policy
    document you wrote, as a dict or JSON text). ``context`` holds condition keys
    (``{"iam:PassedToService": "sagemaker.amazonaws.com"}``). Columns: ``action``,
    ``resource``, ``decision``, ``allowed`` (bool), ``missing_context`` (condition keys a
    statement needed but the simulation did not supply).
    """
    if (role_arn is None) == (policy is None):
        raise ValueError("give either role_arn= (a role's policies) or policy= (a document)")
    request: dict[str, Any] = {
        "ActionNames": list(actions),
        "ResourceArns": list(resources),
        "ContextEntries": context_entries(context),
    }
    if role_arn is not None:
        request["PolicySourceArn"] = role_arn
        call = iam.get_paginator("simulate_principal_policy")
    else:
        document = policy if isinstance(policy, str) else json.dumps(policy)
        request["PolicyInputList"] = [document]
        call = iam.get_paginator("simulate_custom_policy")
    rows = []
    for page in call.paginate(**request):
        for result in page["EvaluationResults"]:
            rows.append(
                {
                    "action": result["EvalActionName"],
                    "resource": result.get("EvalResourceName", "*"),
                    "decision": result["EvalDecision"],
                    "allowed": result["EvalDecision"] == "allowed",
                    "missing_context": list(result.get("MissingContextValues") or []),
                }
            )
    return pd.DataFrame(
        rows, columns=["action", "resource", "decision", "allowed", "missing_context"]
    )
