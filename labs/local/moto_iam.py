"""Adds ``SimulatePrincipalPolicy`` and ``SimulateCustomPolicy`` to moto's IAM API.

moto 5.2 answers both with HTTP 500 (not implemented). The SageMaker SDK v3 calls
``SimulatePrincipalPolicy`` to validate the execution role when a ``ModelTrainer`` is
built, and the security labs use both. The methods are added to moto's own
``IamResponse``, so every client (boto3, the SDK, the AWS CLI) gets the same answers. The
evaluation itself lives in :mod:`labs.local.iam_policy_eval`.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.iam.exceptions import NoSuchEntity
from moto.iam.responses import IamResponse

from labs.local import iam_policy_eval as ev

_ADDED = ("simulate_principal_policy", "simulate_custom_policy")


def _default_document(policy: Any) -> str:
    return next(v.document for v in policy.versions if v.is_default)


def _policies_of(backend: Any, source_arn: str) -> list[ev.SourcePolicy]:
    """The identity policies of the user, role or group that ``source_arn`` names."""
    resource = source_arn.split(":", 5)[-1]
    kind, _, rest = resource.partition("/")
    name = rest.rsplit("/", 1)[-1]
    found: list[ev.SourcePolicy] = []

    def add(owner: Any, owner_type: str) -> None:
        for policy_name, document in owner.policies.items():
            found.append(ev.SourcePolicy(policy_name, owner_type, ev.parse_document(document)))
        for arn, managed in owner.managed_policies.items():
            managed_type = "aws-managed" if ":aws:policy/" in arn else "user-managed"
            found.append(
                ev.SourcePolicy(arn, managed_type, ev.parse_document(_default_document(managed)))
            )

    if kind == "role":
        add(backend.get_role(name), "role")
    elif kind == "user":
        add(backend.get_user(name), "user")
        for group in backend.get_groups_for_user(name):
            add(group, "group")
    elif kind == "group":
        add(backend.get_group(name), "group")
    else:
        raise NoSuchEntity(f"PolicySourceArn {source_arn} is not a user, group or role")
    return found


def _simulate(self: IamResponse, policies: list[ev.SourcePolicy]) -> ActionResult:
    for index, document in enumerate(self._get_param("PolicyInputList", []) or []):
        policies.append(
            ev.SourcePolicy(f"PolicyInputList.{index + 1}", "none", ev.parse_document(document))
        )
    context = ev.context_from_entries(self._get_param("ContextEntries", []))
    actions = self._get_param("ActionNames", []) or []
    resources = self._get_param("ResourceArns", []) or ["*"]
    results = []
    for action in actions:
        for resource in resources:
            verdict = ev.evaluate(policies, action, resource, context)
            results.append(
                {
                    "EvalActionName": action,
                    "EvalResourceName": resource,
                    "EvalDecision": verdict.decision,
                    "MatchedStatements": [
                        {"SourcePolicyId": p.policy_id, "SourcePolicyType": p.policy_type}
                        for p in verdict.matched
                    ],
                    "MissingContextValues": verdict.missing_context,
                }
            )
    return ActionResult({"EvaluationResults": results, "IsTruncated": False})


def _simulate_principal_policy(self: IamResponse) -> ActionResult:
    policies = _policies_of(self.backend, self._get_param("PolicySourceArn"))
    return _simulate(self, policies)


def _simulate_custom_policy(self: IamResponse) -> ActionResult:
    return _simulate(self, [])


def install() -> None:
    """Add the two Simulate* actions to moto's IAM API (idempotent)."""
    IamResponse.simulate_principal_policy = _simulate_principal_policy  # type: ignore[attr-defined]
    IamResponse.simulate_custom_policy = _simulate_custom_policy  # type: ignore[attr-defined]


def uninstall() -> None:
    """Remove them again (tests use this to show the gap the shim fills)."""
    for name in _ADDED:
        if name in IamResponse.__dict__:
            delattr(IamResponse, name)


def installed() -> bool:
    """True when moto's IAM API has the Simulate* actions."""
    return all(name in IamResponse.__dict__ for name in _ADDED)
