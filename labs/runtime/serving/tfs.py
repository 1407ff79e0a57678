"""TensorFlow Serving, as the SageMaker ``tensorflow-inference`` container runs it.

Sources: aws/sagemaker-tensorflow-serving-container (``tensorflow-serving.js``,
``python_service.py``, ``tfs_utils.py``) and the TensorFlow Serving REST API's predict
request format (row ``{"instances": [...]}`` and columnar ``{"inputs": ...}``).

- The model: a SavedModel whose ``saved_model.pb`` sits in a numeric version folder
  anywhere in model.tar.gz (``1/``, ``model/1/``, ``export/Servo/1700000000/``); the
  highest version is served, under the name of the folder that holds the versions
  (``model`` for a bare ``1/``). A Keras ``.keras``/``.h5`` file alone does not serve:
  save with ``model.export("<model_dir>/1")`` (Keras 3) or ``tf.saved_model.save``.
- Requests: ``application/json`` (a TFS request with ``instances``/``inputs``, JSON
  Lines, or any other JSON value, which becomes ``{"instances": value}``, wrapped in a
  list unless it is a list of lists), ``application/jsonlines`` and ``text/csv`` (each
  line an instance); another type is 415 ``{"error": "Unsupported Media Type: ..."}``.
- Responses: ``{"predictions": [...]}`` for ``instances`` (one output: its value per
  row; several: an object per row), ``{"outputs": ...}`` for ``inputs``;
  ``application/json``, or JSON Lines when Accept asks for ``application/jsonlines``.
  A request the model cannot take (bad JSON, wrong shape or type) is 400 ``{"error":
  ...}``.
- ``code/inference.py`` with ``handler(data, context)`` or ``input_handler`` and
  ``output_handler``: the context has ``rest_uri``, a real TFS REST URI on the same
  server (``POST /v1/models/<name>:predict``), so ``requests.post(context.rest_uri,
  ...)`` works as in the container.
- Custom attributes ``tfs-model-name`` and ``tfs-model-version`` must name the served
  model (else 404, "Servable not found"), ``tfs-method`` must be ``predict``.

Not modelled: the ``classify`` and ``regress`` methods and ``examples`` (tf.Example)
requests, several models in one archive (``SAGEMAKER_TFS_DEFAULT_MODEL_NAME`` picks one;
the others are not served), several versions at once, request batching
(``SAGEMAKER_TFS_ENABLE_BATCHING``), gRPC, base64 ``{"b64": ...}`` binary inputs,
multi-model endpoints and ``requirements.txt`` installation.
"""

from __future__ import annotations

import io
import json
import re
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from labs.runtime.serving import user_module
from labs.runtime.serving.artifacts import EntryPoint
from labs.runtime.serving.errors import InferenceError, ModelLoadError, describe
from labs.runtime.serving.protocol import CSV, JSON, JSONLINES, Reply, Request, media_type

JSON_TYPES = (JSON, JSONLINES, "application/jsons")
Context = namedtuple(
    "Context",
    "model_name, model_version, method, rest_uri, grpc_port, custom_attributes, "
    "request_content_type, accept_header, content_length",
)


@dataclass
class SavedModel:
    """Where the served SavedModel is: its name, version and folder."""

    name: str
    version: str
    path: Path


def find_saved_model(model_dir: Path, environment: Mapping[str, str]) -> SavedModel:
    """The SavedModel TFS would serve from ``model_dir`` (tfs_utils.find_models)."""
    found: dict[Path, list[Path]] = {}
    for pb in sorted(model_dir.rglob("saved_model.pb")):
        version_dir = pb.parent
        if "code" in pb.relative_to(model_dir).parts[:1] or not version_dir.name.isdigit():
            continue
        found.setdefault(version_dir.parent, []).append(version_dir)
    if not found:
        raise ModelLoadError(_no_saved_model(model_dir))
    wanted = environment.get("SAGEMAKER_TFS_DEFAULT_MODEL_NAME")
    bases = sorted(found)
    base = next((b for b in bases if _model_name(b, model_dir) == wanted), bases[0])
    version_dir = max(found[base], key=lambda p: int(p.name))
    return SavedModel(_model_name(base, model_dir), str(int(version_dir.name)), version_dir)


def _model_name(base: Path, model_dir: Path) -> str:
    return "model" if base == model_dir else base.name


def _no_saved_model(model_dir: Path) -> str:
    keras = [p.name for p in model_dir.rglob("*") if p.suffix in (".keras", ".h5")]
    unversioned = (model_dir / "saved_model.pb").is_file()
    hint = (
        "TensorFlow Serving needs a SavedModel in a numeric version folder, e.g. "
        "model.tar.gz containing 1/saved_model.pb (or model/1/saved_model.pb)."
    )
    if keras:
        hint += (
            f" The archive holds {', '.join(sorted(keras)[:3])}: a Keras file does not serve; "
            'save with model.export(os.path.join(model_dir, "1")) instead.'
        )
    elif unversioned:
        hint += " saved_model.pb is at the top of the archive: put it in a folder named 1/."
    return f"No SavedModel found in model.tar.gz. {hint}"


class TensorFlowServingHandler:
    """Serves one SavedModel's ``serving_default`` signature over the TFS REST semantics."""

    kind = "tensorflow-serving"

    def __init__(
        self, model_dir: Path, environment: Mapping[str, str], entry: EntryPoint | None
    ) -> None:
        self.saved = find_saved_model(model_dir, environment)
        self.base_url = ""
        try:
            import tensorflow as tf

            self._tf = tf
            loaded = tf.saved_model.load(str(self.saved.path))
        except Exception as error:  # TF raises many types for a broken SavedModel
            raise ModelLoadError(
                f"TensorFlow Serving could not load {self.saved.path.relative_to(model_dir)}: "
                f"{describe(error)}"
            ) from None
        signature = getattr(loaded, "signatures", {}).get("serving_default")
        if signature is None:
            raise ModelLoadError(
                "The SavedModel has no serving_default signature: export it with "
                "model.export(path) (Keras 3) or tf.saved_model.save(model, path, "
                "signatures=...)."
            )
        self._loaded = loaded
        self.signature = signature
        self.inputs: dict[str, Any] = dict(signature.structured_input_signature[1])
        self.module = None
        self.handlers: tuple[Any, Any, Any] | None = None
        if entry is not None:
            self.module = user_module.import_entry_point(entry)
            self.handlers = _user_handlers(self.module, entry)
        self.entry = entry

    # HTTP entry points

    def invoke(self, request: Request) -> Reply:
        """``POST /invocations``: the container's nginx/njs or Python-service path."""
        self._check_attributes(request.custom_attributes)
        if self.handlers is not None:
            return self._custom(request)
        kind, _ = media_type(request.content_type)
        if kind in JSON_TYPES:
            body = _json_request(_text(request.body))
        elif kind == CSV:
            body = _csv_request(_text(request.body))
        else:
            raise _error(415, f"Unsupported Media Type: {request.content_type or 'Unknown'}")
        status, payload = self.predict_json(body)
        if status != 200:
            raise InferenceError(status, payload.decode(), JSON)
        accepts = [a.strip() for a in (request.accept or "").split(",") if a.strip()]
        if JSONLINES in accepts or "application/jsons" in accepts:
            return Reply(payload.replace(b"\n", b""), accepts[0])
        return Reply(payload, JSON)

    def predict_json(self, body: str) -> tuple[int, bytes]:
        """TFS REST ``:predict``: a request JSON string -> ``(status, response JSON)``."""
        try:
            document = json.loads(body)
        except json.JSONDecodeError as error:
            return 400, _error_body(f"JSON Parse error: {error.msg} at offset {error.pos}")
        try:
            return 200, json.dumps(self._predict(document)).encode()
        except InferenceError as error:
            return error.status, error.body

    def model_status(self) -> dict[str, Any]:
        """TFS REST ``GET /v1/models/<name>``."""
        return {
            "model_version_status": [
                {
                    "version": self.saved.version,
                    "state": "AVAILABLE",
                    "status": {"error_code": "OK", "error_message": ""},
                }
            ]
        }

    def rest_uri(self, model_name: str | None = None) -> str:
        """The TFS REST predict URI of the served model on this server."""
        return f"{self.base_url}/v1/models/{model_name or self.saved.name}:predict"

    def serves(self, name: str, version: str | None) -> bool:
        """True when ``name`` (and ``version``, if given) is the served model."""
        return name == self.saved.name and (version is None or version == self.saved.version)

    # Prediction

    def _predict(self, document: Any) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise _error(400, "JSON Value: ... Is not object")
        if "examples" in document:
            raise _error(400, "examples (tf.Example) requests are not modelled by the kit")
        if "instances" in document:
            outputs = self._run(self._row_inputs(document["instances"]))
            return {"predictions": _rows(outputs)}
        if "inputs" in document:
            outputs = self._run(self._columnar_inputs(document["inputs"]))
            plain = {k: v.tolist() for k, v in outputs.items()}
            return {"outputs": next(iter(plain.values())) if len(plain) == 1 else plain}
        raise _error(400, "Missing 'inputs' or 'instances' key")

    def _row_inputs(self, instances: Any) -> dict[str, Any]:
        if not isinstance(instances, list) or not instances:
            raise _error(400, "'instances' must be a non-empty JSON list")
        names = list(self.inputs)
        if all(isinstance(i, dict) for i in instances) and set(instances[0]) <= set(names):
            missing = [n for n in names if any(n not in i for i in instances)]
            if missing:
                raise _error(400, f"Missing named input(s) {missing} in 'instances'")
            return {n: [i[n] for i in instances] for n in names}
        if len(names) != 1:
            raise _error(
                400,
                f"The model has {len(names)} inputs ({', '.join(names)}): each instance must "
                "be an object naming them",
            )
        return {names[0]: instances}

    def _columnar_inputs(self, inputs: Any) -> dict[str, Any]:
        names = list(self.inputs)
        if isinstance(inputs, dict) and set(inputs) <= set(names) and inputs:
            return inputs
        if len(names) != 1:
            raise _error(400, f"'inputs' must be an object naming {', '.join(names)}")
        return {names[0]: inputs}

    def _run(self, values: Mapping[str, Any]) -> dict[str, np.ndarray]:
        tf = self._tf
        tensors = {}
        for name, value in values.items():
            spec = self.inputs[name]
            try:
                array = np.asarray(value, dtype=spec.dtype.as_numpy_dtype)
            except (TypeError, ValueError) as error:
                raise _error(400, f"Input {name}: {error}") from None
            if not spec.shape.is_compatible_with(array.shape):
                expected = [d if d is not None else -1 for d in spec.shape.as_list()]
                raise _error(
                    400,
                    f"Input {name} has shape {list(array.shape)} but the signature expects "
                    f"{expected} (-1: any size)",
                )
            tensors[name] = tf.constant(array)
        try:
            result = self.signature(**tensors)
        except (tf.errors.InvalidArgumentError, ValueError, TypeError) as error:
            raise _error(400, str(error).strip().splitlines()[-1]) from None
        return {k: np.asarray(v.numpy()) for k, v in result.items()}

    # inference.py handlers

    def _custom(self, request: Request) -> Reply:
        assert self.handlers is not None and self.entry is not None
        handler, input_handler, output_handler = self.handlers
        context = self._context(request)
        try:
            if handler is not None:
                result = handler(io.BytesIO(request.body), context)
            else:
                processed = input_handler(io.BytesIO(request.body), context)
                status, payload = self.predict_json(_text_of(processed))
                result = output_handler(_Response(status, payload), context)
        except Exception as error:
            raise InferenceError(
                500, json.dumps({"error": describe(error, self.entry.code_dir)}), JSON
            ) from None
        body, content_type = result if isinstance(result, tuple) else (result, JSON)
        if isinstance(body, str):
            body = body.encode("utf-8")
        return Reply(bytes(body), str(content_type))

    def _context(self, request: Request) -> Context:
        attributes = _tfs_attributes(request.custom_attributes)
        return Context(
            self.saved.name,
            attributes.get("tfs-model-version"),
            attributes.get("tfs-method"),
            self.rest_uri(),
            None,
            request.custom_attributes,
            request.content_type or JSON,
            request.accept or JSON,
            len(request.body),
        )

    def _check_attributes(self, header: str | None) -> None:
        attributes = _tfs_attributes(header)
        name = attributes.get("tfs-model-name", self.saved.name)
        version = attributes.get("tfs-model-version")
        if not self.serves(name, version):
            wanted = f"Specific({name}, {version})" if version else f"Latest({name})"
            raise _error(404, f"Servable not found for request: {wanted}")
        method = attributes.get("tfs-method", "predict")
        if method != "predict":
            raise _error(400, f"tfs-method={method} is not modelled by the kit (only predict)")

    def execution_parameters(self) -> None:
        """The TFS container has no ``/execution-parameters``."""
        return None

    def close(self) -> None:
        """Drop the SavedModel and the learner's module."""
        user_module.forget(self.module)
        self.module = None
        self._loaded = None
        self.signature = None


class _Response:
    """The ``requests.Response`` subset an ``output_handler`` reads."""

    def __init__(self, status: int, content: bytes) -> None:
        self.status_code = status
        self.content = content
        self.ok = status < 400

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode("utf-8")

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.content)


def _user_handlers(module: Any, entry: EntryPoint) -> tuple[Any, Any, Any]:
    if hasattr(module, "handler"):
        return module.handler, None, None
    if hasattr(module, "input_handler") and hasattr(module, "output_handler"):
        return None, module.input_handler, module.output_handler
    user_module.forget(module)
    raise ModelLoadError(
        f"Handlers are not implemented correctly in user script {entry.name}: define "
        "handler(data, context), or both input_handler(data, context) and "
        "output_handler(response, context)."
    )


def _tfs_attributes(header: str | None) -> dict[str, str]:
    if not header:
        return {}
    return dict(match.split("=", 1) for match in re.findall(r"(tfs-[a-z\-]+=[^,]+)", header))


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _error(400, f"The body is not UTF-8 text: {error}") from None


def _text_of(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _json_request(data: str) -> str:
    """tensorflow-serving.js ``json_request``: JSON Lines, a TFS request, or any JSON."""
    if re.search(r"[}\]]\s*[\[{]", data):
        lines = [line.strip() for line in data.strip().splitlines() if line.strip()]
        if len(lines) == 1:
            return '{"instances":' + lines[0] + "}"
        return '{"instances":[' + ",".join(lines) + "]}"
    if re.search(r'"(instances|inputs|examples)"\s*:', data):
        return data
    if not re.match(r"^\s*\[\s*\[", data):
        data = "[" + data + "]"
    return '{"instances":' + data + "}"


def _csv_request(data: str) -> str:
    """tensorflow-serving.js ``csv_request``: each line an instance (numbers or strings)."""
    needs_quotes = re.match(r'^\s*("|[\d.Ee+\-]+.*)', data) is None
    instances = []
    for line in data.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        cells = line.split(",")
        values: list[Any] = []
        for cell in cells:
            if needs_quotes:
                values.append(cell.strip('"'))
            else:
                try:
                    values.append(json.loads(cell))
                except json.JSONDecodeError:
                    values.append(cell)
        instances.append(values if len(cells) > 1 else values[0])
    return json.dumps({"instances": instances})


def _rows(outputs: dict[str, np.ndarray]) -> list[Any]:
    if len(outputs) == 1:
        return next(iter(outputs.values())).tolist()
    names = list(outputs)
    count = len(next(iter(outputs.values())))
    return [{n: outputs[n][i].tolist() for n in names} for i in range(count)]


def _error(status: int, message: str) -> InferenceError:
    return InferenceError(status, _error_body(message).decode(), JSON)


def _error_body(message: str) -> bytes:
    return json.dumps({"error": message}).encode()
