"""The local AWS: moto's server in this process, on a free loopback port."""

from __future__ import annotations

import logging

from moto.server import ThreadedMotoServer

from labs import runtime
from labs.local import moto_iam


class LocalAws:
    """moto's ``ThreadedMotoServer`` bound to 127.0.0.1 on a port the OS picks."""

    def __init__(self) -> None:
        # moto's request log would print a line per API call into every notebook.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        moto_iam.install()
        runtime.install()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop serving (state kept by moto's backends is discarded with the process)."""
        self._server.stop()
