"""Turns the labs network guard on at interpreter start when LABS_NETWORK_GUARD=1.

This folder is put on PYTHONPATH by ``labs.local.netguard.kernel_env()`` for notebook
kernels and other child processes; nothing else lives here.
"""

import os

if os.environ.get("LABS_NETWORK_GUARD") == "1":
    from labs.local import netguard

    netguard.install()
