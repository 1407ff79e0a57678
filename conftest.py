"""Test-suite setup shared by unit tests (tests/) and notebook tests (nbval, notebooks/).

- The network guard is on in this process and, through the environment, in every child
  process (notebook kernels, training scripts). Each test fails if anything it ran tried
  to reach a non-loopback address, even when the code under test swallowed the error.
- The learner's progress store is redirected to a temporary folder.
- ``lab`` is a session-wide ``labs.start()`` in local mode.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from labs.local import netguard

_SCRATCH = Path(tempfile.mkdtemp(prefix="labs-tests-"))
GUARD_LOG = _SCRATCH / "network-guard.jsonl"

os.environ["LABS_HOME"] = str(_SCRATCH / "home")
os.environ["LABS_MODE"] = "local"
os.environ.update(netguard.kernel_env(GUARD_LOG))
netguard.install()

_seen: dict[str, int] = {}


def pytest_runtest_setup(item: pytest.Item) -> None:
    _seen[item.nodeid] = len(netguard.violations(GUARD_LOG))


def pytest_runtest_teardown(item: pytest.Item) -> None:
    new = netguard.violations(GUARD_LOG)[_seen.pop(item.nodeid, 0) :]
    if new:
        targets = sorted({f"{v['host']}:{v['port']}" for v in new})
        pytest.fail(f"network guard: tried to leave the machine: {', '.join(targets)}")


@pytest.fixture(scope="session")
def lab():
    """The lab in local mode, shared by the whole test session."""
    import labs

    return labs.start(mode="local")
