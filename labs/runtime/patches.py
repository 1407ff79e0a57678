"""Replace attributes of moto's classes and put them back: the one mechanism every runtime
hook module (SageMaker jobs, endpoints, transform, Kinesis) uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Patches:
    """Attributes of one class that the runtime replaces, and what they replaced.

    ``install()`` is idempotent; ``uninstall()`` restores the originals (or removes an
    attribute the class did not have, such as an API moto lacks). ``original(name)`` is the
    replaced attribute, for a hook that calls moto's own behaviour first.
    """

    def __init__(self, cls: type, hooks: Mapping[str, Any]) -> None:
        self.cls = cls
        self.hooks = dict(hooks)
        self._originals: dict[str, Any] = {}

    def install(self) -> None:
        """Put every hook in place (again calls do nothing)."""
        for name, hook in self.hooks.items():
            if name not in self._originals:
                own = name in self.cls.__dict__
                self._originals[name] = (own, getattr(self.cls, name, None))
                setattr(self.cls, name, hook)

    def uninstall(self) -> None:
        """Give the class back what it had (an inherited or missing attribute is removed)."""
        for name, (own, value) in list(self._originals.items()):
            if own:
                setattr(self.cls, name, value)
            else:
                delattr(self.cls, name)
            del self._originals[name]

    def original(self, name: str) -> Any:
        """What the hook ``name`` replaced (``None`` if the class had no such attribute)."""
        return self._originals[name][1]
