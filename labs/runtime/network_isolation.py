"""``EnableNetworkIsolation`` for a local job: the job's process cannot open network connections.

On SageMaker AI an isolated training container makes no inbound or outbound network calls
(only peers of a distributed job talk to each other); SageMaker itself still downloads the
input channels and uploads the model (API reference, ``CreateTrainingJob``,
``EnableNetworkIsolation``). The kit's runtime does the same split: it downloads and
uploads in the kit's own process, and :func:`isolated_env` makes the learner's process
refuse every network connection.

How: ``isolation_site/`` goes first on the child's ``PYTHONPATH`` with
``LABS_NETWORK_ISOLATION=1``; its ``sitecustomize`` wraps ``socket.connect``,
``connect_ex``, ``sendto`` and ``getaddrinfo`` at interpreter start, so any IPv4 or IPv6
connection fails with ``OSError(ENETUNREACH)`` and a name lookup of anything but
``localhost`` with ``socket.gaierror``, as in a container without a network. Unlike in a
real container, loopback is refused too: here the job shares the machine's loopback with the
local AWS and the endpoints, which an isolated container could not reach. Unix sockets stay
open (multiprocessing uses them). The kit's network guard, when on, is installed under it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ENV_FLAG", "ISOLATION_SITE", "isolated_env"]

ENV_FLAG = "LABS_NETWORK_ISOLATION"
ISOLATION_SITE = Path(__file__).with_name("isolation_site")


def isolated_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a child process that must not reach the network.

    Sets ``LABS_NETWORK_ISOLATION=1`` and puts ``isolation_site`` first on ``PYTHONPATH``
    (its ``sitecustomize`` then also installs the kit's network guard when
    ``LABS_NETWORK_GUARD=1``, which a second ``sitecustomize`` later on the path could not).
    """
    isolated = dict(env)
    paths = [p for p in isolated.get("PYTHONPATH", "").split(os.pathsep) if p]
    isolated["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(ISOLATION_SITE), *paths]))
    isolated[ENV_FLAG] = "1"
    return isolated
