"""What an S3 bucket policy decides about one request, evaluated offline.

S3 evaluates a bucket's policy on every request. The local AWS (moto) stores a bucket
policy but evaluates its conditions only roughly, so the labs ask this module instead,
which applies the policy's statements the way IAM does for a request:

- a statement applies when its ``Principal``, ``Action`` / ``NotAction``, ``Resource`` /
  ``NotResource`` and every ``Condition`` match; an explicit ``Deny`` beats any ``Allow``;
- a condition key the request does not carry makes the condition false, except for the
  negated operators (``StringNotEquals``, ``StringNotLike``, ...), where it makes it
  true, and ``Null``, which tests exactly that (IAM User Guide, "IAM JSON policy
  elements: Condition operators").

The matching of actions, resources and condition operators is the kit's IAM evaluator
(:mod:`labs.local.iam_policy_eval`), statement by statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labs.local import iam_policy_eval as iam_eval

__all__ = ["ALLOWED", "DENIED", "NOT_DECIDED", "Decision", "decide", "request_context"]

ALLOWED = "allowed"
DENIED = "denied"
NOT_DECIDED = "not decided"

_NEGATED = (
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "ArnNotEquals",
    "ArnNotLike",
    "NumericNotEquals",
)


@dataclass(frozen=True)
class Decision:
    """The policy's verdict: ``"denied"``, ``"allowed"`` or ``"not decided"``.

    ``"not decided"`` means no statement applies: S3 then goes by the caller's own IAM
    policies (same account) alone. ``statement`` is the ``Sid`` (or position) that decided.
    """

    verdict: str
    statement: str | None = None


def request_context(
    *,
    secure_transport: bool = True,
    sse: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """The condition keys of an S3 request: ``aws:SecureTransport`` (HTTPS or not), the
    ``s3:x-amz-server-side-encryption`` header when the request sends one (``"aws:kms"``,
    ``"AES256"``), and any ``extra`` keys (``{"aws:SourceVpce": "vpce-1a2b3c4d"}``)."""
    context = {"aws:SecureTransport": ["true" if secure_transport else "false"]}
    if sse is not None:
        context["s3:x-amz-server-side-encryption"] = [sse]
    context.update({k: [v] for k, v in (extra or {}).items()})
    return context


def _principal_matches(principal: Any, caller: str | None) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        named = principal.get("AWS")
        names = named if isinstance(named, list) else [named]
        return "*" in names or (caller is not None and caller in names)
    return False


def _with_missing_negated_keys(
    statement: Mapping[str, Any], context: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """The context plus an empty value for each key a negated operator tests but the
    request lacks: a value that equals nothing, so the negated test is true, as in IAM."""
    filled = {k.lower(): v for k, v in context.items()}
    for operator, block in (statement.get("Condition") or {}).items():
        base = operator.split(":", 1)[-1].removesuffix("IfExists")
        if base in _NEGATED and not operator.endswith("IfExists"):
            for key in block:
                filled.setdefault(key.lower(), [""])
    return filled


def decide(
    policy: str | Mapping[str, Any],
    action: str,
    resource: str,
    context: Mapping[str, list[str]] | None = None,
    *,
    caller: str | None = None,
) -> Decision:
    """What ``policy`` says about ``action`` (``"s3:PutObject"``) on ``resource`` (an ARN).

    ``context`` holds the request's condition keys (:func:`request_context`); ``caller``
    is the principal's ARN, for statements that name principals. Raises ``ValueError`` for
    a policy that is not a JSON object with a ``Statement``.
    """
    document = iam_eval.parse_document(policy) if isinstance(policy, str) else dict(policy)
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        raise ValueError('A bucket policy is a JSON object with a "Statement" list.')
    allowed_by: str | None = None
    for number, statement in enumerate(statements, start=1):
        if not isinstance(statement, Mapping):
            raise ValueError(f"Statement {number} is {type(statement).__name__}, not an object.")
        name = str(statement.get("Sid") or f"statement {number}")
        if not _principal_matches(statement.get("Principal"), caller):
            continue
        source = iam_eval.SourcePolicy(name, "bucket", {"Statement": [dict(statement)]})
        verdict = iam_eval.evaluate(
            [source], action, resource, _with_missing_negated_keys(statement, context or {})
        )
        if verdict.decision == iam_eval.EXPLICIT_DENY:
            return Decision(DENIED, name)
        if verdict.decision == iam_eval.ALLOWED and allowed_by is None:
            allowed_by = name
    return Decision(ALLOWED, allowed_by) if allowed_by else Decision(NOT_DECIDED)
