"""Evaluate IAM identity policies the way the IAM policy simulator reports them.

moto stores IAM policies but does not implement ``iam:SimulatePrincipalPolicy`` or
``iam:SimulateCustomPolicy``. The SageMaker SDK calls the first to validate an execution
role, and the security labs use both to show what a role can and cannot do. This module
is the evaluation logic; :mod:`labs.local.moto_iam` wires it into moto's IAM API.

What it models (identity-based policies only, as the simulator does for a principal):
- an explicit ``Deny`` beats any ``Allow``; no matching ``Allow`` is an implicit deny;
- ``Action`` / ``NotAction`` match case-insensitively with ``*`` and ``?`` wildcards;
- ``Resource`` / ``NotResource`` match case-sensitively with wildcards; a simulation
  without resource ARNs uses ``*``, which only a ``"Resource": "*"`` statement matches;
- conditions with the String*, Numeric*, Bool, Arn* and Null operators, the ``IfExists``
  suffix and the ``ForAnyValue:`` / ``ForAllValues:`` prefixes, against the context entries
  given; a key the statement needs but the caller did not supply makes that statement not
  apply and is reported in ``MissingContextValues``, as IAM does.
Resource-based policies, permissions boundaries, SCPs and session policies are out of scope.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"


@dataclass(frozen=True)
class SourcePolicy:
    """One policy document and where it came from (``role``, ``user``, ``group``, ...)."""

    policy_id: str
    policy_type: str
    document: Mapping[str, Any]


@dataclass
class Evaluation:
    """The simulator's verdict for one action on one resource."""

    action: str
    resource: str
    decision: str
    matched: list[SourcePolicy] = field(default_factory=list)
    missing_context: list[str] = field(default_factory=list)


def parse_document(document: str | Mapping[str, Any]) -> dict[str, Any]:
    """A policy document as a dict, from JSON text (URL-encoded or not) or a mapping."""
    if isinstance(document, Mapping):
        return dict(document)
    text = document.strip()
    if not text.startswith("{"):
        text = unquote(text)
    return json.loads(text)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(glob), re.IGNORECASE if ignore_case else 0)


def _matches_any(patterns: Iterable[str], value: str, ignore_case: bool) -> bool:
    return any(_pattern(str(p), ignore_case).match(value) for p in patterns)


def _action_applies(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not _matches_any(_as_list(statement["NotAction"]), action, True)
    return _matches_any(_as_list(statement.get("Action")), action, True)


def _resource_applies(statement: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not _matches_any(_as_list(statement["NotResource"]), resource, False)
    if "Resource" not in statement:
        return True
    return _matches_any(_as_list(statement["Resource"]), resource, False)


def _compare(base: str, expected: str, actual: str) -> bool:
    if base in ("StringEquals", "ArnEquals"):
        return actual == expected
    if base == "StringEqualsIgnoreCase":
        return actual.lower() == expected.lower()
    if base in ("StringLike", "ArnLike"):
        return bool(_pattern(expected, False).match(actual))
    if base == "Bool":
        return actual.lower() == expected.lower()
    if base.startswith("Numeric"):
        a, e = float(actual), float(expected)
        return {
            "NumericEquals": a == e,
            "NumericLessThan": a < e,
            "NumericLessThanEquals": a <= e,
            "NumericGreaterThan": a > e,
            "NumericGreaterThanEquals": a >= e,
        }[base]
    raise KeyError(base)


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}
_SUPPORTED = {
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "Bool",
    "NumericEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
}


def _condition_holds(
    operator: str, key: str, expected: list[str], context: Mapping[str, list[str]]
) -> bool | None:
    """True or False, or None when the key is missing from the context."""
    qualifier = ""
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    actual = context.get(key.lower())
    if base == "Null":
        is_null = actual is None
        return any(str(v).lower() == str(is_null).lower() for v in expected)
    if actual is None:
        return True if if_exists else None
    negate = base in _NEGATED
    base = _NEGATED.get(base, base)
    if base not in _SUPPORTED:
        raise KeyError(operator)

    def one(value: str) -> bool:
        return any(_compare(base, str(e), value) for e in expected)

    if qualifier == "ForAllValues":
        result = all(one(v) for v in actual)
    else:  # a single-valued key, or ForAnyValue
        result = any(one(v) for v in actual)
    return not result if negate else result


def _conditions_apply(
    statement: Mapping[str, Any], context: Mapping[str, list[str]], missing: list[str]
) -> bool:
    for operator, block in (statement.get("Condition") or {}).items():
        for key, values in block.items():
            try:
                holds = _condition_holds(operator, key, [str(v) for v in _as_list(values)], context)
            except (KeyError, ValueError):
                holds = None
            if holds is None:
                if key not in missing:
                    missing.append(key)
                return False
            if not holds:
                return False
    return True


def evaluate(
    policies: Sequence[SourcePolicy],
    action: str,
    resource: str = "*",
    context: Mapping[str, Sequence[str]] | None = None,
) -> Evaluation:
    """Evaluate ``action`` on ``resource`` against identity ``policies``."""
    ctx = {k.lower(): [str(v) for v in vals] for k, vals in (context or {}).items()}
    result = Evaluation(action=action, resource=resource, decision=IMPLICIT_DENY)
    allows: list[SourcePolicy] = []
    for policy in policies:
        for statement in _as_list(policy.document.get("Statement")):
            if not (_action_applies(statement, action) and _resource_applies(statement, resource)):
                continue
            if not _conditions_apply(statement, ctx, result.missing_context):
                continue
            if statement.get("Effect") == "Deny":
                result.decision = EXPLICIT_DENY
                result.matched = [policy]
                return result
            if statement.get("Effect") == "Allow" and policy not in allows:
                allows.append(policy)
    if allows:
        result.decision = ALLOWED
        result.matched = allows
    return result


def context_from_entries(entries: Iterable[Mapping[str, Any]] | None) -> dict[str, list[str]]:
    """``ContextEntries`` of a Simulate* request as a key -> values mapping."""
    return {
        str(e["ContextKeyName"]): [str(v) for v in e.get("ContextKeyValues", [])]
        for e in entries or []
    }
