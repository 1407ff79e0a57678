"""The network guard: refuse every connection that would leave this machine.

Local mode promises that nothing leaves the machine. The guard makes that promise
checkable: once installed, any attempt to resolve a non-loopback host name or to connect
or send to a non-loopback address raises :class:`NetworkBlockedError` and, when
``LABS_NETWORK_GUARD_LOG`` names a file, appends a JSON line describing the attempt.
Because libraries often catch connection errors and retry or carry on, the log (not the
exception) is what the test suite checks after every test and every notebook.

Child Python processes (notebook kernels, script-mode training jobs) get the guard through
:func:`kernel_env`: it puts ``guard_site/`` on ``PYTHONPATH``, whose ``sitecustomize``
installs the guard at interpreter start when ``LABS_NETWORK_GUARD=1``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import time
import traceback
from pathlib import Path
from typing import Any

ENV_FLAG = "LABS_NETWORK_GUARD"
ENV_LOG = "LABS_NETWORK_GUARD_LOG"
GUARD_SITE = Path(__file__).with_name("guard_site")

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_originals: dict[str, Any] = {}


class NetworkBlockedError(ConnectionRefusedError):
    """A connection to a non-loopback address was attempted while the guard was on."""


def is_local_host(host: object) -> bool:
    """True for loopback and unspecified addresses and for localhost names."""
    if host is None or host == "":
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def _host_of(address: object) -> object:
    if isinstance(address, tuple) and address:
        return address[0]
    return None  # AF_UNIX paths and other families stay on the machine


def _block(what: str, host: object, port: object = None) -> None:
    record = {
        "what": what,
        "host": str(host),
        "port": port,
        "pid": os.getpid(),
        "time": time.time(),
        "stack": traceback.format_stack(limit=12)[:-2],
    }
    log = os.environ.get(ENV_LOG)
    if log:
        try:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
        except OSError:
            pass
    raise NetworkBlockedError(
        f"labs network guard: {what} to {host}{'' if port is None else f':{port}'} blocked "
        "(local mode talks only to this machine)"
    )


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local_host(_host_of(address)):
        _block("connect", _host_of(address), address[1] if len(address) > 1 else None)
    return _originals["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local_host(_host_of(address)):
        _block("connect", _host_of(address), address[1] if len(address) > 1 else None)
    return _originals["connect_ex"](self, address)


def _guarded_sendto(self: socket.socket, data: Any, *args: Any) -> int:
    address = args[-1] if args else None
    if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local_host(_host_of(address)):
        _block("sendto", _host_of(address), address[1] if address and len(address) > 1 else None)
    return _originals["sendto"](self, data, *args)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not is_local_host(host):
        port = args[0] if args else kwargs.get("port")
        _block("name lookup", host, port)
    return _originals["getaddrinfo"](host, *args, **kwargs)


def install() -> None:
    """Turn the guard on in this process (idempotent)."""
    if _originals:
        return
    _originals.update(
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
        sendto=socket.socket.sendto,
        getaddrinfo=socket.getaddrinfo,
    )
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _guarded_getaddrinfo


def uninstall() -> None:
    """Turn the guard off in this process."""
    if not _originals:
        return
    socket.socket.connect = _originals["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _originals["connect_ex"]  # type: ignore[method-assign]
    socket.socket.sendto = _originals["sendto"]  # type: ignore[method-assign]
    socket.getaddrinfo = _originals["getaddrinfo"]
    _originals.clear()


def installed() -> bool:
    """True when the guard is on in this process."""
    return bool(_originals)


def kernel_env(log_path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Environment variables that turn the guard on in child Python processes.

    Merge the result into the environment of a notebook kernel or any subprocess;
    ``log_path`` (optional) is where blocked attempts are recorded.
    """
    paths = [str(GUARD_SITE)]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    env = {ENV_FLAG: "1", "PYTHONPATH": os.pathsep.join(paths)}
    if log_path is not None:
        env[ENV_LOG] = str(log_path)
    elif os.environ.get(ENV_LOG):
        env[ENV_LOG] = os.environ[ENV_LOG]
    return env


def violations(log_path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The blocked attempts recorded in ``log_path`` (empty when the file is absent)."""
    path = Path(log_path)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
