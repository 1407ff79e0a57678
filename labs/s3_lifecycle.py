"""S3 Lifecycle rules, evaluated here: which storage class an object is in at a given age.

S3 applies a bucket's lifecycle configuration by itself, once a day and asynchronously;
the local AWS (moto) stores the configuration but never moves or expires an object. This
module answers the same question offline, from the rules as ``PutBucketLifecycleConfiguration``
takes them (``Filter`` with ``Prefix``, ``ObjectSizeGreaterThan`` / ``ObjectSizeLessThan``
or ``And``; ``Transitions``; ``Expiration``; ``NoncurrentVersionExpiration``), and lists
the problems S3 refuses a configuration for.

The rules it follows are those of the Amazon S3 User Guide, "Transitioning objects using
Amazon S3 Lifecycle" and "Understanding and managing Amazon S3 storage classes":

- transitions only go down the waterfall STANDARD -> STANDARD_IA -> INTELLIGENT_TIERING ->
  ONEZONE_IA -> GLACIER_IR -> GLACIER -> DEEP_ARCHIVE;
- a transition to STANDARD_IA or ONEZONE_IA needs ``Days`` of at least 30;
- by default (``TransitionDefaultMinimumObjectSize: all_storage_classes_128K``, S3's default
  since September 2024) an object smaller than 128 KB is not transitioned at all, unless
  the rule's filter sets its own object size bounds;
- when several rules apply, expiration wins over transition, and among transitions the
  class furthest down the waterfall wins.
Tag filters are out of scope here (this module sees keys and sizes, not tags).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_MIN_TRANSITION_SIZE",
    "STORAGE_CLASSES",
    "WATERFALL",
    "StorageClass",
    "noncurrent_expiration_days",
    "problems",
    "storage_class_at",
]

DEFAULT_MIN_TRANSITION_SIZE = 128 * 1024


@dataclass(frozen=True)
class StorageClass:
    """What the exam asks about an S3 storage class.

    ``min_days`` is the minimum storage duration you are billed for (0: none);
    ``min_billable_kb`` the minimum billable object size; ``first_byte`` how soon a GET
    returns data (archives first need a ``RestoreObject``).
    """

    name: str
    title: str
    min_days: int
    min_billable_kb: int
    first_byte: str


#: S3's storage classes for general purpose buckets, in waterfall order.
STORAGE_CLASSES: tuple[StorageClass, ...] = (
    StorageClass("STANDARD", "S3 Standard", 0, 0, "milliseconds"),
    StorageClass("STANDARD_IA", "S3 Standard-IA", 30, 128, "milliseconds"),
    StorageClass("INTELLIGENT_TIERING", "S3 Intelligent-Tiering", 0, 0, "milliseconds"),
    StorageClass("ONEZONE_IA", "S3 One Zone-IA", 30, 128, "milliseconds"),
    StorageClass("GLACIER_IR", "S3 Glacier Instant Retrieval", 90, 128, "milliseconds"),
    StorageClass(
        "GLACIER",
        "S3 Glacier Flexible Retrieval",
        90,
        0,
        "restore first: 1-5 min expedited, 3-5 h standard, 5-12 h bulk",
    ),
    StorageClass(
        "DEEP_ARCHIVE",
        "S3 Glacier Deep Archive",
        180,
        0,
        "restore first: within 12 h standard, within 48 h bulk",
    ),
)
WATERFALL: tuple[str, ...] = tuple(c.name for c in STORAGE_CLASSES)
_RANK = {name: rank for rank, name in enumerate(WATERFALL)}
_IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")


def _filter_of(rule: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's filter flattened to ``{"Prefix", "ObjectSizeGreaterThan", ...}``."""
    flat: dict[str, Any] = {}
    if "Prefix" in rule:  # the older top-level form
        flat["Prefix"] = rule["Prefix"]
    given = rule.get("Filter") or {}
    flat.update({k: v for k, v in given.items() if k != "And"})
    flat.update(given.get("And") or {})
    return flat


def _applies(rule: Mapping[str, Any], key: str, size: int | None) -> bool:
    if rule.get("Status") != "Enabled":
        return False
    flat = _filter_of(rule)
    if not key.startswith(flat.get("Prefix") or ""):
        return False
    if size is not None:
        if "ObjectSizeGreaterThan" in flat and not size > int(flat["ObjectSizeGreaterThan"]):
            return False
        if "ObjectSizeLessThan" in flat and not size < int(flat["ObjectSizeLessThan"]):
            return False
    return True


def _has_own_size_bounds(rule: Mapping[str, Any]) -> bool:
    flat = _filter_of(rule)
    return "ObjectSizeGreaterThan" in flat or "ObjectSizeLessThan" in flat


def storage_class_at(
    rules: Sequence[Mapping[str, Any]],
    key: str,
    age_days: float,
    size: int | None = None,
    *,
    min_transition_size: int = DEFAULT_MIN_TRANSITION_SIZE,
) -> str | None:
    """The storage class of the current version of ``key`` when it is ``age_days`` old.

    Starts from STANDARD. Returns ``None`` once an ``Expiration`` of an applicable rule
    has deleted it. ``size`` (bytes) enables the size filters and S3's default 128 KB
    minimum for transitions (``min_transition_size=0`` turns the default off, as
    ``TransitionDefaultMinimumObjectSize: varies_by_storage_class`` does for the Glacier
    classes); without ``size`` both are ignored.
    """
    current = "STANDARD"
    for rule in rules:
        if not _applies(rule, key, size):
            continue
        expiration = rule.get("Expiration") or {}
        if "Days" in expiration and age_days >= int(expiration["Days"]):
            return None
        too_small = (
            size is not None and size < min_transition_size and not _has_own_size_bounds(rule)
        )
        if too_small:
            continue
        for transition in rule.get("Transitions") or []:
            target = transition.get("StorageClass")
            days = transition.get("Days")
            due = target in _RANK and days is not None and age_days >= int(days)
            if due and _RANK[target] > _RANK[current]:
                current = target
    return current


def noncurrent_expiration_days(rules: Sequence[Mapping[str, Any]], key: str) -> int | None:
    """Days after which a noncurrent version of ``key`` is deleted (the shortest rule wins)."""
    found = [
        int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        for rule in rules
        if _applies(rule, key, None)
        and "NoncurrentDays" in (rule.get("NoncurrentVersionExpiration") or {})
    ]
    return min(found) if found else None


def problems(rules: Any) -> list[str]:
    """Why S3 would refuse these rules (an empty list when it would take them).

    Checks the shape (a list of rules with ``Status``), the storage class names, the
    30-day minimum for STANDARD_IA and ONEZONE_IA, that transitions in a rule go down the
    waterfall on later days, and that an expiration comes after the last transition.
    """
    if not isinstance(rules, list | tuple) or not rules:
        return ["Give the rules as a non-empty list of rule dicts, as Rules=[...] takes them."]
    found: list[str] = []
    for number, rule in enumerate(rules, start=1):
        name = f"rule {number}" + (f" ({rule.get('ID')})" if isinstance(rule, dict) else "")
        if not isinstance(rule, dict):
            found.append(f"{name} is {type(rule).__name__}, not a dict.")
            continue
        if rule.get("Status") not in ("Enabled", "Disabled"):
            found.append(f"{name}: Status must be 'Enabled' or 'Disabled'.")
        previous: tuple[str, int] | None = None
        transitions = rule.get("Transitions") or []
        for transition in sorted(transitions, key=lambda t: int(t.get("Days", 0) or 0)):
            target, days = transition.get("StorageClass"), transition.get("Days")
            if target not in _RANK or target == "STANDARD":
                valid = ", ".join(WATERFALL[1:])
                found.append(f"{name}: {target!r} is not a transition class ({valid}).")
                continue
            if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                found.append(f"{name}: the transition to {target} needs Days as a whole number.")
                continue
            if target in _IA_CLASSES and days < 30:
                found.append(
                    f"{name}: S3 refuses a transition to {target} after {days} days; objects "
                    "must stay at least 30 days in STANDARD first."
                )
            if previous is not None and _RANK[target] <= _RANK[previous[0]]:
                found.append(
                    f"{name}: {target} after {days} days comes after {previous[0]} after "
                    f"{previous[1]} days, but transitions only go down the waterfall "
                    f"({' -> '.join(WATERFALL)})."
                )
            previous = (target, days)
        expiration = (rule.get("Expiration") or {}).get("Days")
        if expiration is not None and previous is not None and expiration <= previous[1]:
            found.append(
                f"{name}: the expiration after {expiration} days must come after the last "
                f"transition ({previous[0]} after {previous[1]} days)."
            )
    return found
