"""The network guard blocks every connection that would leave the machine."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading

import pytest

from labs.local import netguard


@pytest.fixture
def own_log(tmp_path, monkeypatch):
    """Record this test's deliberate violations apart from the suite's log."""
    log = tmp_path / "guard.jsonl"
    monkeypatch.setenv(netguard.ENV_LOG, str(log))
    return log


def test_guard_is_on_in_the_test_process():
    assert netguard.installed()


@pytest.mark.parametrize(
    "address",
    [("203.0.113.7", 80), ("8.8.8.8", 53), ("10.0.0.1", 443), ("2001:db8::1", 443)],
)
def test_connect_out_is_blocked_and_logged(own_log, address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with (
        socket.socket(family, socket.SOCK_STREAM) as sock,
        pytest.raises(netguard.NetworkBlockedError, match="blocked"),
    ):
        sock.connect(address)
    [record] = netguard.violations(own_log)
    assert record["host"] == address[0] and record["port"] == address[1]


def test_name_lookup_of_a_public_host_is_blocked(own_log):
    with pytest.raises(netguard.NetworkBlockedError):
        socket.getaddrinfo("example.com", 443)
    assert netguard.violations(own_log)[0]["what"] == "name lookup"


def test_udp_sendto_out_is_blocked(own_log):
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        pytest.raises(netguard.NetworkBlockedError),
    ):
        sock.sendto(b"x", ("192.0.2.1", 53))


def test_a_swallowed_attempt_is_still_recorded(own_log):
    # What a library that retries or carries on would do with the error:
    with contextlib.suppress(OSError):
        socket.create_connection(("198.51.100.1", 80), timeout=1)
    assert len(netguard.violations(own_log)) == 1


def test_loopback_connections_still_work(own_log):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = threading.Thread(target=lambda: server.accept()[0].close())
    accepted.start()
    with socket.create_connection(("localhost", port), timeout=5):
        pass
    accepted.join(timeout=5)
    server.close()
    assert netguard.violations(own_log) == []


def test_child_processes_get_the_guard(tmp_path):
    log = tmp_path / "child.jsonl"
    env = {**netguard.kernel_env(log), "PATH": "/usr/bin:/bin"}
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('203.0.113.9', 443), timeout=1)\n"
        "except OSError as e:\n"
        "    print(type(e).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "NetworkBlockedError", out.stderr
    assert netguard.violations(log)[0]["host"] == "203.0.113.9"


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", True),
        ("::ffff:127.0.0.1", True),
        ("169.254.169.254", False),
        ("192.168.1.1", False),
        ("sts.us-east-1.amazonaws.com", False),
    ],
)
def test_is_local_host(host, local):
    assert netguard.is_local_host(host) is local
