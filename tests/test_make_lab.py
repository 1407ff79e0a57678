"""`make lab` starts JupyterLab serving the first notebook (asked through the server's API).

JupyterLab serves the folder of the notebook it opens, notebooks/, as its root.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "labs-test-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_make_lab_serves_start_here(tmp_path):
    port = _free_port()
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --port={port} --IdentityProvider.token={TOKEN}"
    if os.geteuid() == 0:  # CI runs as root, which Jupyter refuses without this flag
        args += " --allow-root"
    log = (tmp_path / "jupyter.log").open("wb")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"JUPYTER_ARGS={args}"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = _get(f"{base}/api/status")
            except OSError:
                status = None
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, (tmp_path / "jupyter.log").read_text()

        code, body = _get(f"{base}/api/contents/00-start-here.ipynb?content=0")
        assert code == 200
        assert json.loads(body)["type"] == "notebook"
        code, page = _get(f"{base}/lab/tree/00-start-here.ipynb")
        assert code == 200 and b"JupyterLab" in page
        code, body = _get(f"{base}/api/kernelspecs")
        assert "python3" in json.loads(body)["kernelspecs"]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        log.close()
