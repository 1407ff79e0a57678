"""A training script that only asks: can this job reach the network?

It tries one TCP connection to ``--url`` (the S3 endpoint the notebook passes) and writes
what happened to ``--out`` (a file in the model folder, so the answer comes back in
``model.tar.gz``). It exits 0 either way: a refused connection is the answer, not a failure.
"""

import argparse
import json
import os
import socket
from urllib.parse import urlparse


def try_connect(url: str, timeout: float = 5.0) -> dict:
    """Open (and close) one TCP connection to the host and port of ``url``."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return {"url": url, "reached": True, "error": None}
    except OSError as error:
        return {"url": url, "reached": False, "error": f"{type(error).__name__}: {error}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = try_connect(args.url)
    print(f"network probe: {json.dumps(result)}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
