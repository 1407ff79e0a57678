"""botocore handlers that smooth the SageMaker SDK v3 over moto's gaps (local mode only).

Each shim is small, named, and has a test that fails without it (tests/test_shims.py).
They go into ``botocore.handlers.BUILTIN_HANDLERS``, so every botocore session created
after :func:`install` gets them, whoever creates it (boto3, the SDK, a learner's code).

- ``sts_to_local``: the SDK builds its STS client with an explicit regional endpoint
  (``https://sts.<region>.amazonaws.com``), which overrides ``AWS_ENDPOINT_URL``; without
  the shim ``get_execution_role()`` tries to reach AWS. The shim sends STS requests bound
  for an AWS host to the local endpoint instead.
- ``drop_empty_structures``: moto returns ``{}`` for absent structures such as a model's
  ``VpcConfig`` or an endpoint's ``DataCaptureConfig``; SageMaker omits them. The SDK's
  pydantic models then reject the empty structure for its missing required members
  (``Model.get``, ``Endpoint.get`` fail). The shim drops empty structures from SageMaker
  responses, leaving empty maps and lists (which SageMaker does return) alone.

- ``fast_waiters``: boto3 waiters poll at the pace of real AWS (every 120 s for a training
  job). Local jobs finish in seconds, so in local mode a waiter polls every second unless
  the caller sets ``WaiterConfig={"Delay": ...}`` itself.
- ``fast_sdk_polls``: the same for the SDK's own wait loops (``ModelBuilder.deploy`` polls
  an endpoint every 30 s): :mod:`labs.local.sdk_polls` caps their sleeps at a second.

The last gap, ``iam:SimulatePrincipalPolicy``, is filled inside moto itself by
:mod:`labs.local.moto_iam`, so that the AWS CLI sees it too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import botocore.handlers
import botocore.waiter

from labs.local import sdk_polls

_state: dict[str, Any] = {"endpoint": None, "handlers": []}


def _sts_to_local(request: Any, **_: Any) -> None:
    endpoint = _state["endpoint"]
    if not endpoint:
        return
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    if host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn"):
        local = urlsplit(endpoint)
        request.url = urlunsplit((local.scheme, local.netloc, parts.path, parts.query, ""))


def _strip_empty(value: Any, shape: Any) -> None:
    if shape is None:
        return
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name not in value:
                continue
            child = value[name]
            if member.type_name == "structure" and child == {}:
                del value[name]
            else:
                _strip_empty(child, member)
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            _strip_empty(item, shape.member)
    elif shape.type_name == "map" and isinstance(value, dict):
        for item in value.values():
            _strip_empty(item, shape.value)


def _drop_empty_structures(parsed: Any, model: Any, **_: Any) -> None:
    if isinstance(parsed, dict) and model is not None:
        _strip_empty(parsed, model.output_shape)


LOCAL_WAITER_DELAY = 1
_original_wait = botocore.waiter.Waiter.wait


def _fast_wait(self: botocore.waiter.Waiter, **kwargs: Any) -> None:
    config = dict(kwargs.pop("WaiterConfig", None) or {})
    config.setdefault("Delay", min(self.config.delay, LOCAL_WAITER_DELAY))
    config.setdefault("MaxAttempts", max(self.config.max_attempts, 600))
    return _original_wait(self, WaiterConfig=config, **kwargs)


SHIMS: dict[str, tuple[str, Callable[..., None]]] = {
    "sts_to_local": ("before-sign.sts", _sts_to_local),
    "drop_empty_structures": ("after-call.sagemaker", _drop_empty_structures),
}
ALL = (*SHIMS, "fast_waiters", "fast_sdk_polls")


def install(endpoint_url: str, names: tuple[str, ...] = ALL) -> None:
    """Register the named shims for every botocore session created from now on."""
    _state["endpoint"] = endpoint_url
    for name in names:
        if name == "fast_waiters":
            botocore.waiter.Waiter.wait = _fast_wait  # type: ignore[method-assign]
            continue
        if name == "fast_sdk_polls":
            sdk_polls.install()
            continue
        entry = SHIMS[name]
        if entry not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(entry)


def uninstall(names: tuple[str, ...] = ALL) -> None:
    """Unregister the named shims (sessions created earlier keep theirs)."""
    for name in names:
        if name == "fast_waiters":
            botocore.waiter.Waiter.wait = _original_wait  # type: ignore[method-assign]
            continue
        if name == "fast_sdk_polls":
            sdk_polls.uninstall()
            continue
        entry = SHIMS[name]
        while entry in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.remove(entry)


def installed(name: str) -> bool:
    """True when the named shim is registered."""
    if name == "fast_waiters":
        return botocore.waiter.Waiter.wait is _fast_wait
    if name == "fast_sdk_polls":
        return sdk_polls.installed()
    return SHIMS[name] in botocore.handlers.BUILTIN_HANDLERS
