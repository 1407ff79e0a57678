"""The model server of one endpoint variant: a real HTTP server on loopback.

It keeps SageMaker's inference-container contract (the developer guide's "Use Your Own
Inference Code with Hosting Services"): ``GET /ping`` answers 200 once the model is
loaded, ``POST /invocations`` takes the request body with its ``Content-Type``,
``Accept`` and ``X-Amzn-SageMaker-Custom-Attributes`` headers and answers with the
prediction and its ``Content-Type``. ``GET /execution-parameters`` answers for the
containers that have it (the built-in algorithms, and a script that defines
``execution_parameters_fn``) and is 404 otherwise, as there. A TensorFlow Serving model
also gets TFS's REST API under ``/v1/models/<name>``.

Use::

    server = ModelServer(Path("model.tar.gz"), xgboost_image_uri, environment)
    port = server.start()   # loads the model first: ModelLoadError if it can't
    server.url              # 'http://127.0.0.1:54321'
    server.stop()           # frees the port; calling it again is harmless

Requests run one at a time per server (a lock around the model), as each worker of a
real container handles one request at a time; the HTTP side is threaded, so ``/ping``
answers while a prediction runs, and a failing request never stops the server.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from labs.runtime.serving.artifacts import Fetch, default_fetch, unpack_model
from labs.runtime.serving.errors import InferenceError, ModelLoadError, describe
from labs.runtime.serving.protocol import CUSTOM_ATTRIBUTES, Handler, Reply, Request
from labs.runtime.serving.registry import kind_of, make_handler

HOST = "127.0.0.1"
DEFAULT_MAX_PAYLOAD = 6 * 1024 * 1024  # bytes: InvokeEndpoint's and the containers' limit
_TFS_PATH = re.compile(
    r"^/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+))?(?::(?P<method>[a-z]+))?$"
)

_logger = logging.getLogger("labs.runtime.serving")


def max_payload(environment: Mapping[str, str]) -> int:
    """The request size limit: ``SAGEMAKER_MAX_PAYLOAD_IN_MB`` (batch transform sets it),
    ``MAX_CONTENT_LENGTH`` (the XGBoost container's variable), else 6 MB."""
    for name, scale in (("SAGEMAKER_MAX_PAYLOAD_IN_MB", 1024 * 1024), ("MAX_CONTENT_LENGTH", 1)):
        raw = environment.get(name)
        if raw:
            try:
                return int(float(raw) * scale)
            except ValueError:
                continue
    return DEFAULT_MAX_PAYLOAD


class ModelServer:
    """The inference container of one production variant, as an in-process HTTP server.

    ``model_tar`` is the model archive (a path, or its bytes; ``b""`` for a model without
    ``ModelDataUrl``), ``image_uri`` the container image, ``environment`` CreateModel's
    ``Environment`` (``SAGEMAKER_PROGRAM``, ``SAGEMAKER_SUBMIT_DIRECTORY``,
    ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``, ``SAGEMAKER_BATCH``, ...). ``fetch`` downloads
    an ``s3://`` ``SAGEMAKER_SUBMIT_DIRECTORY`` (default: boto3, which local mode points at
    the kit's S3); ``log`` receives the container's log lines (model loaded, request
    errors with their traceback), e.g. to write them to CloudWatch Logs.
    """

    def __init__(
        self,
        model_tar: Path | bytes | str,
        image_uri: str,
        environment: Mapping[str, str] | None = None,
        *,
        fetch: Fetch | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.image_uri = image_uri
        self.environment = dict(environment or {})
        self.max_payload = max_payload(self.environment)
        self.handler: Handler | None = None
        self._model_tar = model_tar
        self._fetch = fetch or default_fetch
        self._log = log or _logger.info
        self._lifecycle = threading.Lock()
        self._model_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._scratch: Path | None = None

    # Lifecycle

    def start(self) -> int:
        """Load the model, then serve on a free loopback port; return the port.

        Raises ModelLoadError (with a reason worded for the learner) when the container
        would fail its health check. Starting a running server returns its port.
        """
        with self._lifecycle:
            if self._httpd is not None:
                return self.port
            scratch = Path(tempfile.mkdtemp(prefix="labs-model-server-"))
            self._scratch = scratch
            try:
                handler = self._load(scratch)
            except ModelLoadError as error:
                reason = self.container_paths(str(error))
                shutil.rmtree(scratch, ignore_errors=True)
                self._scratch = None
                raise ModelLoadError(reason) from None
            except BaseException:
                shutil.rmtree(scratch, ignore_errors=True)
                self._scratch = None
                raise
            try:
                httpd = _HTTPServer((HOST, 0), _RequestHandler)
            except OSError:
                handler.close()
                shutil.rmtree(scratch, ignore_errors=True)
                self._scratch = None
                raise
            httpd.model_server = self
            port = int(httpd.server_address[1])
            base_url = f"http://{HOST}:{port}"
            if hasattr(handler, "base_url"):
                handler.base_url = base_url  # TFS: context.rest_uri points here
            thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"model-server-{port}",
                daemon=True,
            )
            self.handler, self._httpd, self._thread = handler, httpd, thread
            thread.start()
            self._log(f"Model server for {handler.kind} listening on {base_url}")
            return port

    def _load(self, scratch: Path) -> Handler:
        model_dir = unpack_model(self._model_tar, scratch / "model")
        try:
            return make_handler(
                self.image_uri, model_dir, self.environment, scratch, self._fetch, self._log
            )
        except ModelLoadError:
            raise
        except Exception as error:  # a bug or an odd model: still the learner's reason
            self._log(traceback.format_exc())
            raise ModelLoadError(f"Failed to load the model: {describe(error)}") from None

    def stop(self) -> None:
        """Stop serving, free the port and the model's files. Safe to call again."""
        with self._lifecycle:
            httpd, thread, handler, scratch = self._httpd, self._thread, self.handler, self._scratch
            self._httpd = self._thread = self._scratch = None
            self.handler = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        if handler is not None:
            handler.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    def __enter__(self) -> ModelServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Where it listens

    @property
    def running(self) -> bool:
        """True between a successful ``start()`` and ``stop()``."""
        return self._httpd is not None

    @property
    def port(self) -> int:
        """The port it listens on (RuntimeError before ``start()``)."""
        httpd = self._httpd
        if httpd is None:
            raise RuntimeError("The model server is not running: call start() first.")
        return int(httpd.server_address[1])

    @property
    def address(self) -> tuple[str, int]:
        """``("127.0.0.1", port)``."""
        return HOST, self.port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    @property
    def kind(self) -> str:
        """What the image is to the kit: builtin, sklearn, xgboost-script, tensorflow."""
        return kind_of(self.image_uri, self.environment)

    def container_paths(self, text: str) -> str:
        """``text`` with the local model folder shown as the container's ``/opt/ml/model``."""
        scratch = self._scratch
        if scratch is None:
            return text
        for local in {scratch.resolve(), scratch}:
            text = text.replace(str(local / "model"), "/opt/ml/model")
            text = text.replace(str(local), "/opt/ml")
        return text

    # Requests

    def invoke(self, request: Request) -> Reply:
        """Run one ``/invocations`` request through the model (what the HTTP side calls)."""
        handler = self.handler
        if handler is None:
            return Reply(b"The model server is stopping.", "text/plain", 503)
        try:
            with self._model_lock:
                reply = handler.invoke(request)
        except InferenceError as error:
            message = self.container_paths(error.message)
            if error.status >= 500:
                self._log(f"Invocation failed ({error.status}): {message}")
            return Reply(message.encode("utf-8"), error.content_type, error.status)
        except Exception as error:  # a bug in a handler must not take the server down
            self._log(traceback.format_exc())
            return Reply(f"Internal error: {describe(error)}".encode(), "text/plain", 500)
        if reply.custom_attributes is None:
            reply.custom_attributes = request.custom_attributes
        return reply


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    model_server: ModelServer


class _RequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; every response has a Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "labs-model-server/1.0"
    timeout = 70  # seconds of silence before an idle connection is dropped
    server: _HTTPServer

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        _logger.debug("%s %s", self.address_string(), format % args)

    # Routes

    def do_GET(self) -> None:
        model_server = self.server.model_server
        path = urlsplit(self.path).path
        handler = model_server.handler
        if path == "/ping":
            status = 200 if handler is not None else 503
            self._send(status, b"", "text/plain")
        elif path == "/execution-parameters":
            parameters = handler.execution_parameters() if handler is not None else None
            if parameters is None:
                self._send(404, b"Not Found", "text/plain")
            else:
                self._send(200, json.dumps(parameters).encode(), "application/json")
        elif (match := _TFS_PATH.match(path)) and hasattr(handler, "model_status"):
            if handler.serves(match["name"], match["version"]):  # type: ignore[union-attr]
                status_body = json.dumps(handler.model_status()).encode()  # type: ignore[union-attr]
                self._send(200, status_body, "application/json")
            else:
                self._send(404, b'{"error": "Servable not found"}', "application/json")
        else:
            self._send(404, b"Not Found", "text/plain")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        body = self._read_body()
        if body is None:
            return
        if path == "/invocations":
            request = Request(
                body=body,
                content_type=self.headers.get("Content-Type"),
                accept=self.headers.get("Accept"),
                custom_attributes=self.headers.get(CUSTOM_ATTRIBUTES),
                headers={k: v for k, v in self.headers.items()},
            )
            reply = self.server.model_server.invoke(request)
            self._send(reply.status, reply.body, reply.content_type, reply.custom_attributes)
        elif (match := _TFS_PATH.match(path)) and match["method"]:
            self._tfs_predict(match, body)
        else:
            self._send(404, b"Not Found", "text/plain")

    def do_PUT(self) -> None:
        self._read_body()
        self._send(405, b"Method Not Allowed", "text/plain")

    do_DELETE = do_PUT

    def _tfs_predict(self, match: re.Match[str], body: bytes) -> None:
        handler = self.server.model_server.handler
        if not hasattr(handler, "predict_json"):
            self._send(404, b"Not Found", "text/plain")
            return
        if not handler.serves(match["name"], match["version"]):  # type: ignore[union-attr]
            wanted = match["name"] + (f"/{match['version']}" if match["version"] else "")
            message = json.dumps({"error": f"Servable not found for request: {wanted}"})
            self._send(404, message.encode(), "application/json")
            return
        if match["method"] != "predict":
            message = json.dumps({"error": f"{match['method']} is not modelled by the kit"})
            self._send(400, message.encode(), "application/json")
            return
        text = body.decode("utf-8", errors="replace")
        status, payload = handler.predict_json(text)  # type: ignore[union-attr]
        self._send(status, payload, "application/json")

    # Bodies

    def _read_body(self) -> bytes | None:
        """The request body, or None when an error answer was already sent."""
        limit = self.server.model_server.max_payload
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        raw = self.headers.get("Content-Length")
        if not raw:
            return b""
        try:
            length = int(raw)
        except ValueError:
            self._refuse(400, f"Bad Content-Length: {raw!r}")
            return None
        if length > limit:
            self._refuse(413, _too_large(length, limit))
            return None
        return self.rfile.read(length)

    def _read_chunked(self, limit: int) -> bytes | None:
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(65537).strip()
            try:
                size = int(line.split(b";", 1)[0], 16)
            except ValueError:
                self._refuse(400, "Malformed chunked body")
                return None
            if size == 0:
                while self.rfile.readline(65537).strip():
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > limit:
                self._refuse(413, _too_large(total, limit))
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True
        self._send(status, message.encode(), "text/plain")

    def _send(
        self, status: int, body: bytes, content_type: str, custom_attributes: str | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if custom_attributes:
                self.send_header(CUSTOM_ATTRIBUTES, custom_attributes)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True


def _too_large(size: int, limit: int) -> str:
    return (
        f"Request payload of {size} bytes exceeds the model server's limit of {limit} bytes "
        f"({limit / 1024 / 1024:g} MB)."
    )
