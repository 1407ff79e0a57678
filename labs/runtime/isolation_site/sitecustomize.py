"""Refuses network connections at interpreter start when LABS_NETWORK_ISOLATION=1.

``labs.runtime.network_isolation.isolated_env()`` puts this folder first on PYTHONPATH for
a job with ``EnableNetworkIsolation``. Only one ``sitecustomize`` runs per interpreter, so
this one also installs the kit's network guard when LABS_NETWORK_GUARD=1 (first, so
that the refusals of an isolated job never reach it).
"""

import errno
import ipaddress
import os
import socket

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_MESSAGE = "Network is unreachable (EnableNetworkIsolation: this job has no network access)"


def _refuse(*_args, **_kwargs):
    raise OSError(errno.ENETUNREACH, _MESSAGE)


def _numeric_or_loopback(name):
    """True for an IP address (no lookup needed) or a loopback name."""
    if name.lower() in _LOOPBACK_NAMES:
        return True
    try:
        ipaddress.ip_address(name.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _install():
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    sendto, getaddrinfo = socket.socket.sendto, socket.getaddrinfo
    inet = (socket.AF_INET, socket.AF_INET6)

    def guarded_connect(self, address):
        if self.family in inet:
            _refuse()
        return connect(self, address)

    def guarded_connect_ex(self, address):
        if self.family in inet:
            return errno.ENETUNREACH
        return connect_ex(self, address)

    def guarded_sendto(self, data, *args):
        if self.family in inet:
            _refuse()
        return sendto(self, data, *args)

    def guarded_getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not _numeric_or_loopback(str(name)):
            raise socket.gaierror(socket.EAI_NONAME, f"Name lookup of {name} failed: {_MESSAGE}")
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.socket.sendto = guarded_sendto
    socket.getaddrinfo = guarded_getaddrinfo


# The guard first, isolation on top: an isolated job's attempts are refused before the
# guard sees them, so they are not logged as attempts to leave the machine.
if os.environ.get("LABS_NETWORK_GUARD") == "1":
    from labs.local import netguard

    netguard.install()

if os.environ.get("LABS_NETWORK_ISOLATION") == "1":
    _install()
