"""Local mode: the SageMaker SDK's own wait loops poll at most every second.

The SDK polls at the pace of real AWS: ``ModelBuilder.deploy`` checks an endpoint every
30 s, ``ModelTrainer.train(wait=True)`` a job every 5 s, a processing job every 10 s.
Local jobs and endpoints are ready in a second or two, so a notebook would mostly sleep.
This shim gives the SDK modules that poll a ``time`` whose ``sleep`` is capped at
:data:`LOCAL_POLL` seconds; every other use of ``time`` (and the learner's own
``time.sleep``) is untouched.

The modules may be imported before or after :func:`install`: those already imported are
patched at once, the others when they are first imported (an import hook on
``sys.meta_path``).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import time
import types
from collections.abc import Sequence
from typing import Any

LOCAL_POLL = 1.0  # seconds

#: SDK modules whose wait loops call ``time.sleep(poll)``.
POLLING_MODULES = frozenset(
    {
        "sagemaker.core.resources",
        "sagemaker.core.common_utils",
        "sagemaker.core.processing",
        "sagemaker.core.transformer",
        "sagemaker.core.helper.session_helper",
        "sagemaker.serve.deployment_progress",
        "sagemaker.train.common_utils.job_wait",
        "sagemaker.train.common_utils.trainer_wait",
    }
)


class _CappedClock(types.ModuleType):
    """The ``time`` module, but ``sleep`` never waits longer than :data:`LOCAL_POLL`."""

    def __init__(self) -> None:
        super().__init__("time")

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        """Sleep ``seconds``, at most :data:`LOCAL_POLL`."""
        time.sleep(min(seconds, LOCAL_POLL))


_CLOCK = _CappedClock()


def _patch(module: types.ModuleType) -> None:
    if getattr(module, "time", None) is time:
        module.time = _CLOCK  # type: ignore[attr-defined]


class _PatchingLoader(importlib.abc.Loader):
    """Runs the real loader, then gives the module the capped clock."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        _patch(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the polling modules with the normal finders and wraps their loaders."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in POLLING_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PatchingLoader(spec.loader)
        return spec


_FINDER = _Finder()


def install() -> None:
    """Cap the SDK's poll sleeps, for modules imported already and those imported later."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    for name in POLLING_MODULES:
        if name in sys.modules:
            _patch(sys.modules[name])


def uninstall() -> None:
    """Give the SDK modules the real ``time`` back and stop patching new imports."""
    while _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in POLLING_MODULES:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "time", None) is _CLOCK:
            module.time = time  # type: ignore[attr-defined]


def installed() -> bool:
    """True while the import hook is in place."""
    return _FINDER in sys.meta_path
